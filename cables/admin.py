"""Admin: read the library (cables, tags) and upload cables to import in the background."""

from __future__ import annotations

import shutil
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import get_valid_filename
from django_htmx.http import HttpResponseStopPolling

from cables.ingest.uploads import UploadRefused, check_upload
from cables.models import (
    Addressee,
    Cable,
    CableTag,
    ImportJob,
    Paragraph,
    Reference,
    Tag,
    batched_deletes,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ParagraphInline(ReadOnlyInline):
    model = Paragraph
    fields = ["number", "marking", "text"]
    readonly_fields = fields


class CableTagInline(ReadOnlyInline):
    model = CableTag
    verbose_name = "tag"
    fields = ["tag_link", "kind", "name"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("tag")

    @admin.display(description="code")
    def tag_link(self, obj: CableTag) -> str:
        url = reverse("admin:cables_tag_change", args=[obj.tag_id])
        return format_html('<a href="{}">{}</a>', url, obj.tag_id)

    @admin.display(description="kind")
    def kind(self, obj: CableTag) -> str:
        return obj.tag.get_kind_display()

    @admin.display(description="name")
    def name(self, obj: CableTag) -> str:
        return obj.tag.name or "(no name known)"


class ReferenceInline(ReadOnlyInline):
    model = Reference
    fields = ["label", "text", "cited"]
    readonly_fields = fields

    @admin.display(description="cites")
    def cited(self, obj: Reference) -> str:
        if not obj.cited_id:
            return "-"
        if Cable.objects.filter(pk=obj.cited_id).exists():
            url = reverse("admin:cables_cable_change", args=[obj.cited_id])
            return format_html('<a href="{}">{}</a>', url, obj.cited_id)
        return format_html("{} (not in the library)", obj.cited_id)


class AddresseeInline(ReadOnlyInline):
    model = Addressee
    fields = ["kind", "name"]
    readonly_fields = fields


@admin.register(Cable)
class CableAdmin(admin.ModelAdmin):
    list_display = ["id", "date", "classification", "origin", "short_subject", "partial"]
    list_filter = ["classification", "partial", "format", "origin"]
    date_hierarchy = "date"
    search_fields = ["id", "subject"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [CableTagInline, ReferenceInline, AddresseeInline, ParagraphInline]
    fieldsets = [
        (None, {"fields": ["id", "site_link", "subject", "date", "classification", "origin"]}),
        (
            "Header",
            {
                "fields": [
                    "origin_code",
                    "precedence",
                    "transmission_id",
                    "caveats",
                    "eo",
                    "declassify_on",
                    "classified_by",
                    "reasons",
                    "signer",
                    "partial",
                    "body_ref",
                    "classification_inferred",
                ]
            },
        ),
        ("Cited by", {"fields": ["cited_by"]}),
        (
            "Import",
            {
                "fields": [
                    "format",
                    "source",
                    "forms",
                    "first_imported",
                    "last_imported",
                    "content_hash",
                    "warnings",
                ]
            },
        ),
        ("Text", {"classes": ["collapse"], "fields": ["header", "body"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        names = [field for _, options in self.fieldsets for field in options["fields"]]
        return names

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Cables come in through an import (upload or import_cables), never typed in.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="subject", ordering="subject")
    def short_subject(self, obj: Cable) -> str:
        return obj.subject if len(obj.subject) <= 80 else obj.subject[:79] + "…"

    @admin.display(description="on the site")
    def site_link(self, obj: Cable) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    @admin.display(description="forms imported")
    def forms(self, obj: Cable) -> str:
        return format_html_join(
            "; ",
            '{} <a href="{}">{}</a>, {}',
            (
                (
                    source.get_kind_display(),
                    f"{reverse('cables:raw', args=[obj.pk])}?source={source.pk}",
                    source.name or "(no name)",
                    f"{source.imported_at:%Y-%m-%d %H:%M} UTC",
                )
                for source in obj.sources.all()
            ),
        )

    @admin.display(description="cited by")
    def cited_by(self, obj: Cable) -> str:
        citing = (
            Reference.objects.filter(cited_id=obj.pk)
            .exclude(cable_id=obj.pk)
            .values_list("cable_id", flat=True)
            .distinct()
            .order_by("cable_id")
        )
        if not citing:
            return "No cable in the library cites this one."
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:cables_cable_change", args=[cid]), cid) for cid in citing),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One cables_deleted for the whole selection, not one per cable.
        with batched_deletes():
            super().delete_queryset(request, queryset)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "display_name", "verified", "cable_count"]
    list_filter = ["kind", "verified"]
    search_fields = ["code", "name"]
    readonly_fields = ["cable_count"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_cables=Count("cable_tags"))

    @admin.display(description="name", ordering="name")
    def display_name(self, obj: Tag) -> str:
        return obj.name or "(no name known)"

    @admin.display(description="cables", ordering="_cables")
    def cable_count(self, obj: Tag) -> int:
        return getattr(obj, "_cables", None) or obj.cable_tags.count()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text=(
            "Cables as text or HTML files, zip or tar archives (.tar, .tar.gz, .tar.xz, "
            ".tar.bz2) of them, or the full release's cables.csv. Several at once."
        ),
    )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "state",
        "created_at",
        "created_by",
        "new",
        "updated",
        "unchanged",
        "failed",
    ]
    list_filter = ["status"]
    change_list_template = "admin/cables/importjob/change_list.html"
    actions = ["run_again"]

    @admin.display(description="Status", ordering="status")
    def state(self, obj: ImportJob) -> str:
        return obj.state

    @admin.action(description="Run the selected import jobs again")
    def run_again(self, request: HttpRequest, queryset) -> None:
        ids = _queue_again(queryset)
        self.message_user(request, f"{len(ids)} import job(s) queued to run again.")

    # Staff only: every staff member may upload and follow imports.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the upload page creates jobs

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="cables_importjob_upload"),
            path(
                "<int:job_id>/progress/",
                view(self.progress_view),
                name="cables_importjob_progress",
            ),
            path("<int:job_id>/cancel/", view(self.cancel_view), name="cables_importjob_cancel"),
            path(
                "<int:job_id>/run-again/",
                view(self.run_again_view),
                name="cables_importjob_run_again",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "job": job,
            "title": str(job),
        }
        return TemplateResponse(request, "admin/cables/importjob/job.html", context)

    def progress_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The live part of the job page; htmx polls it and stops (286) once the job ends."""
        job = self._job(request, job_id)
        response = render(request, "cables/import_progress.html", {"job": job, "live": True})
        if job.finished:
            stop = HttpResponseStopPolling(response.content)
            return stop
        return response

    def cancel_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Stop a queued or running job. A running import stops between two batches: the
        cables committed so far stay, whole and searchable."""
        job = self._job(request, job_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        cancelled = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
        ).update(
            status=ImportJob.Status.CANCELLED,
            finished_at=timezone.now(),
            message=f"Cancelled by {request.user}. The cables imported before that are kept.",
        )
        if cancelled:
            messages.success(request, f"Import #{job.pk} cancelled.")
        else:
            messages.warning(request, f"Import #{job.pk} had already ended.")
        return HttpResponseRedirect(reverse("admin:cables_importjob_change", args=[job.pk]))

    def run_again_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Queue an ended or stalled job again (same files; stored cables count unchanged)."""
        job = self._job(request, job_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if job.finished or job.stalled:
            _queue_again(ImportJob.objects.filter(pk=job.pk))
            messages.success(request, f"Import #{job.pk} queued to run again.")
        else:
            messages.warning(request, f"Import #{job.pk} is still {job.state.lower()}.")
        return HttpResponseRedirect(reverse("admin:cables_importjob_change", args=[job.pk]))

    def _job(self, request: HttpRequest, job_id) -> ImportJob:
        if not self.has_view_permission(request):
            raise Http404
        try:
            return ImportJob.objects.get(pk=int(job_id))
        except (ValueError, ImportJob.DoesNotExist):
            raise Http404("No such import job.") from None

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_module_permission(request):
            raise Http404
        limit = settings.CABLESEARCH_MAX_UPLOAD_BYTES
        error = ""
        form = UploadForm()
        if request.method == "POST":
            declared = declared_length(request)
            if declared > limit:
                # Refused before the files are looked at (cables.middleware refuses it even
                # before the body is read; this is the same answer for a direct call).
                error = upload_too_big(declared, limit)
            else:
                form = UploadForm(request.POST, request.FILES)
                if form.is_valid():
                    try:
                        job = self._create_job(request, form.cleaned_data["files"], limit)
                    except UploadRefused as refused:
                        error = str(refused)
                    else:
                        messages.success(
                            request, f"{job} created: the import runs in the background."
                        )
                        url = reverse("admin:cables_importjob_change", args=[job.pk])
                        return HttpResponseRedirect(url)
        return self.upload_page(request, form, error)

    def upload_page(self, request: HttpRequest, form: forms.Form, error: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload cables",
            "form": form,
            "error": error,
            "limit": _size(settings.CABLESEARCH_MAX_UPLOAD_BYTES),
        }
        return TemplateResponse(request, "admin/cables/importjob/upload.html", context)

    def _create_job(self, request: HttpRequest, files: list, limit: int) -> ImportJob:
        total = sum(upload.size for upload in files)
        if total > limit:
            raise UploadRefused(f"The files add up to {_size(total)}; the limit is {_size(limit)}.")
        for upload in files:
            check_upload(upload)
        from cables.tasks import run_import_job

        folder = None
        try:
            with transaction.atomic():
                job = ImportJob.objects.create(created_by=request.user, total_bytes=total)
                folder = job.folder
                # SQLite hands a rolled-back job's id out again: never inherit its files.
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                names: list[str] = []
                for upload in files:
                    name = _unique_name(_safe_name(upload.name), names)
                    names.append(name)
                    job.uploaded_names[name] = upload.name[:255]
                    with open(folder / name, "wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                job.files = names
                job.save(update_fields=["files", "uploaded_names"])
                transaction.on_commit(partial(run_import_job.enqueue, job.pk))
        except OSError as exc:
            # Disk full, permissions: the job is rolled back and leaves no file behind.
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            raise UploadRefused(
                f"The upload could not be saved ({exc.strerror or exc}); nothing was kept."
            ) from exc
        except BaseException:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        return job


def declared_length(request: HttpRequest) -> int:
    """The request body's size as its Content-Length says (0 when absent or unreadable)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def upload_too_big(size: int, limit: int) -> str:
    return f"The upload is {_size(size)}; the limit is {_size(limit)}."


def _safe_name(name: str) -> str:
    """A file name to store an upload under; never refuses ("<>" is stored as "upload")."""
    try:
        return get_valid_filename(name)[:200] or "upload"
    except SuspiciousFileOperation:
        return "upload"


def _queue_again(jobs: QuerySet) -> list[int]:
    """Queue these jobs to run again. Safe whatever they did before: importing is
    idempotent, and the cables they already stored count as unchanged."""
    from cables.tasks import run_import_job

    ids = list(jobs.values_list("pk", flat=True))
    jobs.update(
        status=ImportJob.Status.QUEUED,
        finished_at=None,
        heartbeat_at=None,
        message="",
        errors=[],
    )
    for pk in ids:
        transaction.on_commit(partial(run_import_job.enqueue, pk))
    return ids


def _unique_name(name: str, taken: list[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, ext = name.partition(".")
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate
