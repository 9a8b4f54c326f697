"""cables/ingest/importer.py: parsed cables to rows, idempotent, never half written."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from cables.ingest.importer import Importer, ImportStopped, import_paths
from cables.ingest.reading import Parsed, content_hash
from cables.models import Cable, CableTag, Paragraph, Reference, Tag, batched_deletes
from cables.parsing import parse
from cables.parsing.record import CableRecord, Origin
from cables.parsing.record import Paragraph as RecordParagraph
from cables.parsing.record import Tag as RecordTag
from cables.signals import cables_deleted, cables_stored, import_finished

SAMPLE = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample"
SEED = SAMPLE / "07MOSCOW5100.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    """Every cables_stored / cables_deleted sent, as (name, ids)."""
    sent: list[tuple[str, list[str]]] = []

    def stored(sender, ids, **kwargs):
        sent.append(("stored", list(ids)))

    def deleted(sender, ids, **kwargs):
        sent.append(("deleted", list(ids)))

    cables_stored.connect(stored, dispatch_uid="test-stored")
    cables_deleted.connect(deleted, dispatch_uid="test-deleted")
    yield sent
    cables_stored.disconnect(dispatch_uid="test-stored")
    cables_deleted.disconnect(dispatch_uid="test-deleted")


def copy_sample(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        target = tmp_path / Path(name).name
        shutil.copy(SAMPLE / name, target)
        paths.append(target)
    return paths


def record(cable_id: str, **changes) -> CableRecord:
    fields = {
        "id": cable_id,
        "date": None,
        "classification": "UNCLASSIFIED",
        "origin": Origin("AMEMBASSY PARIS", "Embassy Paris"),
        "format": "text",
        "source": f"{cable_id}.txt",
        "paragraphs": [RecordParagraph(1, "U", "Text.")],
    }
    fields.update(changes)
    return CableRecord(**fields)


def test_new_cable_is_stored_with_its_parts_and_its_upload(tmp_path):
    summary = import_paths([SEED])
    assert summary.as_dict() == {"new": 1, "updated": 0, "unchanged": 0, "failed": 0}
    cable = Cable.objects.get(pk="07MOSCOW5100")
    parsed = parse(SEED.read_bytes(), source=str(SEED))
    assert cable.shown_source.original_bytes == SEED.read_bytes()
    assert cable.subject == parsed.subject
    assert cable.paragraphs.count() == len(parsed.paragraphs)
    assert [ct.tag_id for ct in cable.cable_tags.all()] == [t.code for t in parsed.tags]
    assert cable.references.count() == len(parsed.references)
    assert cable.addressees.count() == len(parsed.to) + len(parsed.info)
    assert cable.first_imported == cable.last_imported
    assert cable.content_hash == content_hash(parsed)


def test_importing_twice_reports_unchanged_and_writes_nothing():
    import_paths([SEED])
    before = Cable.objects.get(pk="07MOSCOW5100")
    summary = import_paths([SEED])
    assert summary.as_dict() == {"new": 0, "updated": 0, "unchanged": 1, "failed": 0}
    after = Cable.objects.get(pk="07MOSCOW5100")
    assert after.last_imported == before.last_imported


def test_changed_cable_is_updated_in_place(tmp_path):
    (path,) = copy_sample(tmp_path, "07MOSCOW5100.txt")
    import_paths([path])
    first = Cable.objects.get(pk="07MOSCOW5100")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("LAVROV", "LAVROFF"), encoding="utf-8")
    summary = import_paths([path])
    assert summary.as_dict() == {"new": 0, "updated": 1, "unchanged": 0, "failed": 0}
    cable = Cable.objects.get(pk="07MOSCOW5100")
    assert "LAVROFF" in cable.subject
    assert cable.first_imported == first.first_imported
    assert cable.last_imported > first.last_imported
    # Parts replaced, not added to.
    assert cable.paragraphs.count() == first.paragraphs.count()


def test_reimporting_an_earlier_form_is_unchanged(tmp_path):
    (path,) = copy_sample(tmp_path, "07MOSCOW5100.txt")
    original = path.read_text(encoding="utf-8")
    import_paths([path])
    path.write_text(original.replace("LAVROV", "LAVROFF"), encoding="utf-8")
    import_paths([path])
    path.write_text(original, encoding="utf-8")
    assert import_paths([path]).unchanged == 1


def test_a_poorer_form_never_replaces_a_fuller_one():
    importer = Importer()
    importer.feed(Parsed(record("08PARIS1", format="html", subject="FULL"), "<html>"))
    importer.feed(Parsed(record("08PARIS1", format="html-body", subject=""), "<pre>"))
    summary = importer.close()
    assert summary.as_dict() == {"new": 1, "updated": 0, "unchanged": 1, "failed": 0}
    assert Cable.objects.get(pk="08PARIS1").subject == "FULL"


def test_cited_cable_imported_later_shows_the_citation():
    citing, cited = "06REYKJAVIK150", "06REYKJAVIK140"
    import_paths([SAMPLE / "text" / f"{citing}.txt"])
    assert not Cable.objects.filter(pk=cited).exists()
    import_paths([SAMPLE / "text" / f"{cited}.txt"])
    cited_by = Reference.objects.filter(cited_id=cited).values_list("cable_id", flat=True)
    assert list(cited_by) == [citing]


def test_a_cable_that_breaks_a_constraint_is_not_half_written():
    # A negative paragraph number breaks the database's CHECK constraint after the cable row
    # and its tags were written: the whole cable must go, its batch neighbours must stay.
    importer = Importer()
    importer.feed(Parsed(record("08PARIS1"), "one"))
    bad = record(
        "08PARIS2",
        tags=[RecordTag("PREL", "subject")],
        paragraphs=[RecordParagraph(1, "U", "fine"), RecordParagraph(-1, "U", "bad")],
    )
    importer.feed(Parsed(bad, "two"))
    importer.feed(Parsed(record("08PARIS3"), "three"))
    summary = importer.close()
    assert summary.as_dict() == {"new": 2, "updated": 0, "unchanged": 0, "failed": 1}
    assert summary.failures[0].source == "08PARIS2.txt"
    assert "could not store" in summary.failures[0].error
    assert sorted(Cable.objects.values_list("id", flat=True)) == ["08PARIS1", "08PARIS3"]
    assert not Paragraph.objects.filter(cable_id="08PARIS2").exists()
    assert not CableTag.objects.filter(cable_id="08PARIS2").exists()


def test_record_without_id_is_a_failure():
    importer = Importer()
    importer.feed(Parsed(record(""), "text"))
    summary = importer.close()
    assert summary.failed == 1
    assert Cable.objects.count() == 0


def test_tags_get_dictionary_names_and_unknown_codes_no_name():
    importer = Importer()
    tags = [RecordTag("RS", "geo"), RecordTag("ZZQX", "unknown"), RecordTag("RS", "geo")]
    importer.feed(Parsed(record("08PARIS1", tags=tags), "text"))
    importer.close()
    assert Tag.objects.get(pk="RS").name == "Russia"
    assert Tag.objects.get(pk="ZZQX").name == ""
    # Listed twice, stored once.
    assert list(CableTag.objects.values_list("tag_id", flat=True)) == ["RS", "ZZQX"]


def test_content_hash_ignores_where_the_cable_came_from():
    assert content_hash(record("A", source="x.txt", format="text")) == content_hash(
        record("A", source="y.zip:z.html", format="html")
    )
    assert content_hash(record("A")) != content_hash(record("A", subject="other"))


def test_failures_are_listed_and_the_rest_imported(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 20)
    summary = import_paths([junk, SEED])
    assert summary.new == 1
    assert [f.source for f in summary.failures] == [str(junk)]


def test_stored_signal_is_sent_after_commit(signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_paths([SEED])
    assert len(callbacks) == 1
    assert signals == [("stored", ["07MOSCOW5100"])]


def test_unchanged_cables_send_nothing(signals, django_capture_on_commit_callbacks):
    import_paths([SEED])
    with django_capture_on_commit_callbacks(execute=True):
        import_paths([SEED])
    assert signals == []


def test_delete_is_announced_after_commit(signals, django_capture_on_commit_callbacks):
    import_paths([SEED])
    with django_capture_on_commit_callbacks(execute=True):
        Cable.objects.get(pk="07MOSCOW5100").delete()
    assert signals == [("deleted", ["07MOSCOW5100"])]


def test_batched_deletes_send_one_signal(signals, django_capture_on_commit_callbacks):
    importer = Importer()
    for n in range(3):
        importer.feed(Parsed(record(f"08PARIS{n}"), "text"))
    importer.close()
    with django_capture_on_commit_callbacks(execute=True), batched_deletes():
        Cable.objects.all().delete()
    assert [(name, sorted(ids)) for name, ids in signals] == [
        ("deleted", ["08PARIS0", "08PARIS1", "08PARIS2"])
    ]


def test_the_bundled_sample_imports_without_failures():
    summary = import_paths([SAMPLE])
    assert summary.failures == []
    assert summary.new >= 300
    assert Reference.objects.filter(cited_id__in=Cable.objects.values("id")).exists()


def test_archive_members_get_archive_sources(tmp_path):
    archive = tmp_path / "upload.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(SEED, arcname="in/07MOSCOW5100.txt")
    import_paths([archive])
    assert Cable.objects.get().source == f"{archive}:in/07MOSCOW5100.txt"


def csv_row(number: int, cable_id: str, text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    fields = [str(number), "10/22/2007 15:03", cable_id, "Embassy Moscow", "CONFIDENTIAL", ""]
    quoted = ",".join(f'"{field}"' for field in [*fields, "", escaped])
    return (quoted + "\n").encode("utf-8")


def test_cables_csv_in_a_zip_is_imported_row_by_row(tmp_path):
    body = SEED.read_text(encoding="utf-8")
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cables.csv", csv_row(1, "07MOSCOW5100", body) + csv_row(2, "", "junk"))
    summary = import_paths([archive])
    assert summary.new == 1
    cable = Cable.objects.get(pk="07MOSCOW5100")
    assert cable.format == "csv"
    assert cable.source.startswith(f"{archive}:cables.csv")
    assert "LAVROV" in cable.shown_source.text


@pytest.mark.django_db(transaction=True)
def test_committed_cables_are_announced_in_groups(signals, index_dir):
    importer = Importer(batch_size=1, announce_every=2)
    for cable_id in ("08PARIS1", "08PARIS2", "08PARIS3"):
        importer.feed(Parsed(record(cable_id), cable_id))
    importer.close()
    assert signals == [("stored", ["08PARIS1", "08PARIS2"]), ("stored", ["08PARIS3"])]


@pytest.mark.django_db(transaction=True)
def test_committed_cables_left_unannounced_can_be_announced_at_once(signals, index_dir):
    # What import_paths does when the import stops early: committed cables still go out.
    importer = Importer(batch_size=1, announce_every=5)
    importer.feed(Parsed(record("08PARIS1"), "one"))
    importer.feed(Parsed(record("08PARIS2"), "two"))
    assert signals == []
    importer.announce_committed()
    assert signals == [("stored", ["08PARIS1", "08PARIS2"])]


@pytest.fixture
def finish_listener():
    """Connects a receiver to import_finished for one test; yields the list of calls."""
    calls: list[str] = []

    def connect(receiver=None):
        def listener(sender, **kwargs):
            calls.append("finished")
            if receiver is not None:
                receiver()

        import_finished.connect(listener, dispatch_uid="test-finished", weak=False)

    yield connect, calls
    import_finished.disconnect(dispatch_uid="test-finished")


@pytest.mark.django_db(transaction=True)
def test_import_finished_follows_the_last_stored_group(signals, finish_listener, index_dir):
    connect, calls = finish_listener
    connect(lambda: calls.append(f"after {len(signals)} groups"))
    import_paths(sorted((SAMPLE / "text").iterdir())[:3], announce_every=1, batch_size=1)
    assert calls == ["finished", "after 3 groups"]


@pytest.mark.django_db(transaction=True)
def test_a_listener_failing_at_the_end_stops_the_import_with_true_counts(
    finish_listener, index_dir
):
    connect, _ = finish_listener

    def fail():
        raise OSError("No space left on device")

    connect(fail)
    with pytest.raises(ImportStopped, match="No space left on device") as stopped:
        import_paths([SEED])
    assert stopped.value.summary.new == Cable.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_group_interrupted_while_announced_is_announced_again_on_the_way_out(index_dir):
    heard: list[list[str]] = []

    def listener(sender, ids, **kwargs):
        heard.append(list(ids))
        if len(heard) == 1:
            raise KeyboardInterrupt  # Ctrl-C while the index waits for the previous group

    cables_stored.connect(listener, dispatch_uid="test-interrupted", weak=False)
    try:
        with pytest.raises(KeyboardInterrupt):
            import_paths([SEED])
    finally:
        cables_stored.disconnect(dispatch_uid="test-interrupted")
    assert heard == [["07MOSCOW5100"], ["07MOSCOW5100"]]


def test_a_header_over_another_cables_body_is_stored_with_its_body_ref(tmp_path, corpus_member):
    path = tmp_path / "07PARIS2725.txt"
    path.write_bytes(corpus_member("cables-text.tar.xz", "text/07PARIS2725.txt"))
    import_paths([path])
    stored = Cable.objects.get(pk="07PARIS2725")
    assert (stored.body_ref, stored.classification, stored.anomalies) == (
        "MOSCOW 5154",
        "CONFIDENTIAL",
        ("header-body",),
    )


def test_a_level_read_from_the_markings_is_stored_as_inferred(tmp_path, corpus_member):
    # A body-only fragment: its id is in its file name, its text has no classification line.
    path = tmp_path / "05PARIS4749.txt"
    path.write_bytes(corpus_member("body-only-html.tar.xz", "cables/05PARIS4749.txt"))
    import_paths([path])
    stored = Cable.objects.get(pk="05PARIS4749")
    assert (stored.classification, stored.classification_inferred) == ("SECRET", True)
