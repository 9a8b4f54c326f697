"""Every form of a cable as a CableSource; paragraph text compressed; no text kept twice.

Converts a library in place: each cable's stored upload (``raw_text``) becomes its first
CableSource (the form it shows), with the cable text read from its header and body and the
upload compressed against that text; paragraph texts are compressed; ``header``, ``body``,
``source``, ``raw_text`` and ``seen_hashes`` leave the cable row. Reversible (the other forms'
hashes, which only the new table holds in full, are kept in ``seen_hashes`` on the way back).
"""

import django.db.models.deletion
from django.db import connection, migrations, models

import cables.fields
from cables.compression import (
    compress,
    compress_original,
    decompress_original,
    decompress_text,
    needs_base,
    paragraphs_base,
)

CHUNK = 2000


def _cable_text(header: str, body: str) -> str:
    return f"{header}\n\n{body}" if header else body


def make_sources(apps, schema_editor):
    Cable = apps.get_model("cables", "Cable")
    CableSource = apps.get_model("cables", "CableSource")
    Paragraph = apps.get_model("cables", "Paragraph")
    ids = list(Cable.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        paragraphs: dict[str, list[str]] = {}
        for cable_id, text in (
            Paragraph.objects.filter(cable_id__in=chunk)
            .order_by("cable_id", "position")
            .values_list("cable_id", "text")
        ):
            paragraphs.setdefault(cable_id, []).append(text)
        rows = Cable.objects.filter(id__in=chunk).values_list(
            "id", "header", "body", "raw_text", "format", "source", "content_hash", "last_imported"
        )
        batch = []
        for cable_id, header, body, raw, fmt, source, chash, last in rows:
            text = _cable_text(header, body)
            original = b"" if fmt == "csv" or not raw else raw.encode("utf-8")
            # The shown form, as an import writes it: against the cable's paragraphs.
            base = paragraphs_base(paragraphs.get(cable_id, []))
            batch.append(
                CableSource(
                    cable_id=cable_id,
                    kind=fmt or "text",
                    name=source,
                    content_hash=chash,
                    read_key="",  # the next import parses it once and stores the key
                    header_length=len(header) if header else 0,
                    text_blob=compress(text, base=base),
                    original=compress_original(fmt or "text", text, original),
                    original_size=len(original),
                    imported_at=last,
                )
            )
        CableSource.objects.bulk_create(batch)


def restore_cable_text(apps, schema_editor):
    Cable = apps.get_model("cables", "Cable")
    CableSource = apps.get_model("cables", "CableSource")
    Paragraph = apps.get_model("cables", "Paragraph")
    hashes: dict[str, list[str]] = {}
    for cable_id, chash in CableSource.objects.order_by("imported_at", "id").values_list(
        "cable_id", "content_hash"
    ):
        hashes.setdefault(cable_id, []).append(chash)
    for cable in Cable.objects.all().iterator(chunk_size=CHUNK):
        shown = (
            CableSource.objects.filter(cable_id=cable.id, content_hash=cable.content_hash)
            .order_by("-imported_at")
            .first()
        )
        if shown is None:
            continue
        n = shown.header_length
        base = None
        if needs_base(shown.text_blob):
            # Written by an import after this migration: against the (plain again) paragraphs.
            texts = Paragraph.objects.filter(cable_id=cable.id).order_by("position")
            base = paragraphs_base(texts.values_list("text", flat=True))
        text = decompress_text(shown.text_blob, base=base)
        raw = decompress_original(shown.kind, text, shown.original).decode("utf-8") or text
        Cable.objects.filter(pk=cable.id).update(
            header=text[:n],
            body=text[n + 2 :] if n else text,
            raw_text=raw,
            source=shown.name,
            seen_hashes=hashes.get(cable.id, []),
        )


def _table():
    return connection.ops.quote_name("cables_paragraph")


def compress_paragraphs(apps, schema_editor):
    Paragraph = apps.get_model("cables", "Paragraph")
    q = connection.ops.quote_name
    sql = f"UPDATE {_table()} SET {q('text')} = %s WHERE {q('id')} = %s"
    rows = Paragraph.objects.order_by("id").values_list("id", "plain_text")
    batch = []
    with connection.cursor() as cursor:
        for pk, text in rows.iterator(chunk_size=CHUNK):
            batch.append((compress(text or ""), pk))
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def decompress_paragraphs(apps, schema_editor):
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('id')}, {q('text')} FROM {_table()}")
        rows = [(decompress_text(blob), pk) for pk, blob in cursor.fetchall() if blob is not None]
        cursor.executemany(
            f"UPDATE {_table()} SET {q('plain_text')} = %s WHERE {q('id')} = %s", rows
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0005_parsed_anomalies"),
    ]

    operations = [
        migrations.CreateModel(
            name="CableSource",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("html", "cablegate page"),
                            ("text", "text"),
                            ("html-body", "body-only fragment"),
                            ("csv", "cables.csv row"),
                        ],
                        max_length=16,
                    ),
                ),
                ("name", models.TextField(blank=True)),
                ("content_hash", models.CharField(max_length=64)),
                ("read_key", models.CharField(blank=True, db_index=True, max_length=64)),
                ("header_length", models.PositiveIntegerField(default=0)),
                ("text_blob", models.BinaryField()),
                ("original", models.BinaryField(blank=True, default=b"")),
                ("original_size", models.PositiveIntegerField(default=0)),
                ("imported_at", models.DateTimeField()),
                (
                    "cable",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sources",
                        to="cables.cable",
                    ),
                ),
            ],
            options={
                "ordering": ["cable", "imported_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cable", "content_hash"), name="unique_cable_form"
                    )
                ],
            },
        ),
        migrations.RunPython(make_sources, restore_cable_text),
        migrations.RemoveField(model_name="cable", name="header"),
        migrations.RemoveField(model_name="cable", name="body"),
        migrations.RemoveField(model_name="cable", name="source"),
        migrations.RemoveField(model_name="cable", name="raw_text"),
        migrations.RemoveField(model_name="cable", name="seen_hashes"),
        migrations.AlterField(
            model_name="paragraph", name="text", field=models.TextField(null=True)
        ),
        migrations.RenameField(model_name="paragraph", old_name="text", new_name="plain_text"),
        migrations.AddField(
            model_name="paragraph",
            name="text",
            field=cables.fields.CompressedTextField(null=True),
        ),
        migrations.RunPython(compress_paragraphs, decompress_paragraphs),
        migrations.RemoveField(model_name="paragraph", name="plain_text"),
        migrations.AlterField(
            model_name="paragraph", name="text", field=cables.fields.CompressedTextField()
        ),
        # The unique (cable, ...) indexes serve look-ups by cable: the FK indexes were a copy.
        migrations.AlterField(
            model_name="paragraph",
            name="cable",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="paragraphs",
                to="cables.cable",
            ),
        ),
        migrations.AlterField(
            model_name="cabletag",
            name="cable",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cable_tags",
                to="cables.cable",
            ),
        ),
    ]
