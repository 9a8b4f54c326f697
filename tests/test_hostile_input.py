"""Hostile input through `manage.py import_cables`, end to end.

Each hostile input sits in a batch beside real cables. It must be refused with a message that
names it, nothing from it may be stored, and every other cable of the batch must be imported.
(The limits themselves are unit-tested in tests/cables/test_sources.py.)
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cables.models import Cable, CableSource
from cables.parsing import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_cables(corpus_dir) -> list[tuple[str, bytes]]:
    """(id, bytes) of the first eight cables of the shared corpus whose text holds its id."""
    found: list[tuple[str, bytes]] = []
    with tarfile.open(corpus_dir / "cables-text.tar.xz", "r|xz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            data = tar.extractfile(member).read()
            # Tests rename these files: keep only cables whose id is in their own text.
            record = parse(data, source="cable.txt")
            if getattr(record, "id", "") and record.paragraphs:
                found.append((record.id, data))
            if len(found) == 8:
                break
    return found


@pytest.fixture
def batch(tmp_path, real_cables) -> tuple[Path, list[str]]:
    """A folder holding three good cables; tests add one hostile input beside them."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for cable_id, data in real_cables[:3]:
        (folder / f"{cable_id}.txt").write_bytes(data)
    return folder, [cable_id for cable_id, _ in real_cables[:3]]


@pytest.fixture
def payload(real_cables) -> tuple[str, bytes]:
    """A real cable that only the hostile input carries: it must never be stored."""
    return real_cables[5]


def import_cables(*paths: Path) -> tuple[int, str]:
    """Run the command as an operator would; returns (exit status, what it printed to stderr)."""
    err = io.StringIO()
    try:
        call_command("import_cables", *map(str, paths), "--quiet", stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        return exc.returncode, err.getvalue() + str(exc)
    return 0, err.getvalue()


def stored_ids() -> set[str]:
    return set(Cable.objects.values_list("id", flat=True))


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def assert_refused(status: int, errors: str, source: str, reason: str) -> None:
    assert status == 1
    failure_lines = [line for line in errors.splitlines() if line.startswith("FAILED")]
    assert any(source in line and reason in line for line in failure_lines), errors


# -- decompression bombs ------------------------------------------------------------------


def test_a_zip_bomb_is_refused_and_the_batch_imported(batch, payload):
    folder, good = batch
    write_zip(
        folder / "bomb.zip",
        {"cable.txt": payload[1], "zeros.txt": b"\0" * (64 * 1024 * 1024)},
    )

    status, errors = import_cables(folder)

    assert_refused(status, errors, "bomb.zip:zeros.txt", "compression ratio above 200:1")
    assert stored_ids() == {*good, payload[0]}


def test_a_gzip_bomb_is_refused_and_the_batch_imported(batch):
    folder, good = batch
    with tarfile.open(folder / "bomb.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("zeros.txt")
        info.size = 64 * 1024 * 1024
        archive.addfile(info, io.BytesIO(b"\0" * info.size))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "bomb.tar.gz", "decompression bomb")
    assert stored_ids() == set(good)


def test_an_archive_expanding_beyond_the_total_limit_is_refused(batch, real_cables, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_ARCHIVE_BYTES = 20_000
    # Each member is an honest cable; together they expand past the per-archive budget.
    write_zip(folder / "big.zip", {f"{cid}.txt": data for cid, data in real_cables[3:8]})

    status, errors = import_cables(folder)

    assert_refused(status, errors, "big.zip", "expands to more than")
    assert set(good) <= stored_ids()


# -- too many members -------------------------------------------------------------------


def test_a_zip_with_too_many_members_is_refused_whole(batch, real_cables, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_ARCHIVE_MEMBERS = 4
    write_zip(folder / "many.zip", {f"{cid}.txt": data for cid, data in real_cables[3:8]})

    status, errors = import_cables(folder)

    assert_refused(status, errors, "many.zip", "more than 4 members")
    assert stored_ids() == set(good)


def test_a_tar_with_too_many_members_stops_at_the_limit(batch, real_cables, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_ARCHIVE_MEMBERS = 4
    members = []
    for cable_id, data in real_cables[3:8]:
        members.append((tarfile.TarInfo(f"{cable_id}.txt"), data))
    write_tar(folder / "many.tar.gz", members)

    status, errors = import_cables(folder)

    # A tar is streamed, so its size is unknown up front: members before the limit stand.
    assert_refused(status, errors, "many.tar.gz", "more than 4 members")
    assert real_cables[7][0] not in stored_ids()
    assert set(good) <= stored_ids()


# -- unsafe paths and links ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../escaped.txt", "path escapes the archive"),
        ("cables/../../../escaped.txt", "path escapes the archive"),
        ("/etc/cron.d/escaped.txt", "absolute path"),
        ("C:\\Windows\\escaped.txt", "absolute path"),
    ],
)
def test_path_traversal_in_a_zip_is_refused(batch, payload, tmp_path, name, reason):
    folder, good = batch
    write_zip(folder / "traversal.zip", {name: payload[1]})

    status, errors = import_cables(folder)

    assert_refused(status, errors, "traversal.zip", reason)
    assert stored_ids() == set(good)
    assert not list(tmp_path.parent.rglob("escaped.txt"))


def test_path_traversal_in_a_tar_is_refused(batch, payload):
    folder, good = batch
    write_tar(folder / "traversal.tar.gz", [(tarfile.TarInfo("../../escaped.txt"), payload[1])])

    status, errors = import_cables(folder)

    assert_refused(status, errors, "traversal.tar.gz", "path escapes the archive")
    assert stored_ids() == set(good)


def test_a_symlink_in_a_tar_is_refused(batch, tmp_path, payload):
    folder, good = batch
    target = tmp_path / "outside.txt"
    target.write_bytes(payload[1])
    link = tarfile.TarInfo("link.txt")
    link.type = tarfile.SYMTYPE
    link.linkname = str(target)

    status, errors = import_cables(write_tar(folder / "links.tar.gz", [(link, None)]).parent)

    assert_refused(status, errors, "links.tar.gz:link.txt", "symbolic link in archive")
    assert stored_ids() == set(good)


def test_a_hard_link_in_a_tar_is_refused(batch, payload):
    folder, good = batch
    link = tarfile.TarInfo("hard.txt")
    link.type = tarfile.LNKTYPE
    link.linkname = "/etc/passwd"

    status, errors = import_cables(write_tar(folder / "links.tar.gz", [(link, None)]).parent)

    assert_refused(status, errors, "links.tar.gz:hard.txt", "hard link in archive")
    assert stored_ids() == set(good)


def test_a_symlink_in_a_zip_is_refused(batch, payload):
    folder, good = batch
    info = zipfile.ZipInfo("link.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(folder / "links.zip", "w") as archive:
        # A zip symlink's data is its target; the target text is a cable to prove nothing reads it.
        archive.writestr(info, payload[1])

    status, errors = import_cables(folder)

    assert_refused(status, errors, "links.zip:link.txt", "symbolic link in archive")
    assert stored_ids() == set(good)


def test_a_device_file_in_a_tar_is_refused(batch):
    folder, good = batch
    device = tarfile.TarInfo("zero")
    device.type = tarfile.CHRTYPE
    device.devmajor, device.devminor = 1, 5

    status, errors = import_cables(write_tar(folder / "dev.tar.gz", [(device, None)]).parent)

    assert_refused(status, errors, "dev.tar.gz:zero", "device or special file")
    assert stored_ids() == set(good)


# -- nesting --------------------------------------------------------------------------------


def nested_zip(data: bytes, levels: int) -> bytes:
    """A cable wrapped in `levels` zips, one inside the other."""
    for level in range(levels):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"level{levels - level}.zip" if level else "cable.txt", data)
        data = buffer.getvalue()
    return data


def test_archives_nested_beyond_the_limit_are_refused(batch, payload):
    folder, good = batch
    (folder / "deep.zip").write_bytes(nested_zip(payload[1], levels=4))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "deep.zip", "nested more than 3 levels deep")
    assert stored_ids() == set(good)


def test_archives_nested_within_the_limit_are_imported(batch, payload):
    folder, good = batch
    (folder / "nested.zip").write_bytes(nested_zip(payload[1], levels=3))

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert stored_ids() == {*good, payload[0]}


def test_mixed_archive_kinds_nested_beyond_the_limit_are_refused(batch, payload):
    folder, good = batch
    innermost = nested_zip(payload[1], levels=2)
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("inner.zip")
        info.size = len(innermost)
        archive.addfile(info, io.BytesIO(innermost))
    # zip > tar.gz > zip > zip > cable: four archive levels.
    write_zip(folder / "mixed.zip", {"inner.tar.gz": tar_buffer.getvalue()})

    status, errors = import_cables(folder)

    assert_refused(status, errors, "mixed.zip", "nested more than 3 levels deep")
    assert stored_ids() == set(good)


# -- junk and damage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("noise.txt", os.urandom(20_000), "binary data"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "binary data"),
        ("program.txt", b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40, "binary data"),
        ("empty.txt", b"", "empty"),
        ("prose.txt", b"Dear diary, nothing here looks like a cable at all.\n" * 20, "not a cable"),
    ],
)
def test_junk_files_are_refused_with_a_reason(batch, name, data, reason):
    folder, good = batch
    (folder / name).write_bytes(data)

    status, errors = import_cables(folder)

    assert_refused(status, errors, name, reason)
    assert stored_ids() == set(good)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("cut.zip", lambda zipped, tgz: zipped[: len(zipped) // 2]),
        ("cut.tar.gz", lambda zipped, tgz: tgz[: len(tgz) // 2]),
        ("garbled.tar.gz", lambda zipped, tgz: tgz[:20] + os.urandom(len(tgz) - 20)),
        ("fake.zip", lambda zipped, tgz: b"PK\x03\x04" + os.urandom(3000)),
        ("fake.xz", lambda zipped, tgz: b"\xfd7zXZ\x00" + os.urandom(3000)),
    ],
)
def test_damaged_archives_are_refused_with_a_reason(batch, real_cables, tmp_path, name, make):
    folder, good = batch
    zipped = write_zip(
        tmp_path / "x.zip", {f"{c}.txt": d for c, d in real_cables[5:8]}
    ).read_bytes()
    tgz = write_tar(
        tmp_path / "x.tar.gz", [(tarfile.TarInfo(f"{c}.txt"), d) for c, d in real_cables[5:8]]
    ).read_bytes()
    (folder / name).write_bytes(make(zipped, tgz))

    status, errors = import_cables(folder)

    assert status == 1
    assert any(name in line for line in errors.splitlines() if line.startswith("FAILED")), errors
    assert "Traceback" not in errors
    assert set(good) <= stored_ids()


# -- oversized files ------------------------------------------------------------------------


def test_an_oversized_file_is_refused(batch, payload, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_FILE_BYTES = 30_000
    (folder / "huge.txt").write_bytes(payload[1] + b"\n" + b"PADDING " * 10_000)

    status, errors = import_cables(folder)

    assert_refused(status, errors, "huge.txt", "file larger than")
    assert stored_ids() == set(good)


def test_an_oversized_member_of_an_archive_is_refused(batch, payload, real_cables, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_FILE_BYTES = 30_000
    # Random letters: big, but compressible well below the bomb ratio.
    padding = os.urandom(60_000).hex().encode()
    write_zip(
        folder / "mixed.zip",
        {"huge.txt": payload[1] + padding, f"{real_cables[6][0]}.txt": real_cables[6][1]},
    )

    status, errors = import_cables(folder)

    assert_refused(status, errors, "mixed.zip:huge.txt", "file larger than")
    assert stored_ids() == {*good, real_cables[6][0]}


# -- names no encoding can read, names too long to keep ----------------------------------------


def test_a_file_named_in_latin1_in_a_folder_is_imported_with_the_batch(batch, payload):
    folder, good = batch
    name = os.fsdecode(b"caf\xe9.txt")  # not UTF-8: Python keeps the byte as a surrogate
    (folder / name).write_bytes(payload[1])

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert stored_ids() == {*good, payload[0]}
    assert Cable.objects.get(pk=payload[0]).source.endswith("café.txt")


def test_a_tar_member_named_in_latin1_is_imported_with_the_batch(batch, payload, real_cables):
    folder, good = batch
    latin = tarfile.TarInfo(os.fsdecode(b"caf\xe9.txt"))
    plain = tarfile.TarInfo(f"{real_cables[6][0]}.txt")
    path = folder / "latin.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT, encoding="utf-8") as archive:
        for info, data in ((latin, payload[1]), (plain, real_cables[6][1])):
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert stored_ids() == {*good, payload[0], real_cables[6][0]}


def test_a_zip_whose_utf8_flag_lies_fails_alone(batch, payload, tmp_path):
    folder, good = batch
    path = folder / "lying.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("cafX.txt")
        archive.writestr(info, payload[1])
    raw = bytearray(path.read_bytes())
    # Make the name latin-1 "café" (same length) and flag it UTF-8 in both headers.
    raw = bytearray(raw.replace(b"cafX.txt", b"caf\xe9.txt"))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + flags_at + 1] |= 0x08  # general purpose bit 11: names are UTF-8
    path.write_bytes(bytes(raw))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "lying.zip", "marked UTF-8 but is not")
    assert stored_ids() == set(good)


def gnu_long_name_tar(path: Path, name_bytes: int, data: bytes) -> Path:
    """A .tar.gz whose one member has a GNU ././@LongLink name of ``name_bytes`` bytes."""
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("x" * name_bytes)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_a_tar_member_with_a_huge_gnu_long_name_is_refused_unread(batch, payload):
    folder, good = batch
    # 8 MB of name: tarfile would read it whole; the header is refused before that.
    gnu_long_name_tar(folder / "longname.tar.gz", 8 * 1024 * 1024, payload[1])

    status, errors = import_cables(folder)

    assert_refused(status, errors, "longname.tar.gz", "a name longer than 4096 bytes?")
    assert stored_ids() == set(good)


def test_a_tar_member_with_a_huge_pax_name_is_refused_unread(batch, payload):
    folder, good = batch
    path = folder / "pax.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo("y" * (2 * 1024 * 1024))
        info.size = len(payload[1])
        archive.addfile(info, io.BytesIO(payload[1]))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "pax.tar.gz", "a name longer than 4096 bytes?")
    assert stored_ids() == set(good)


def test_a_tar_member_name_over_4_kb_is_refused_and_never_stored(batch, payload, real_cables):
    folder, good = batch
    path = folder / "names.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for name, data in (
            ("z" * 5000, payload[1]),
            (f"{real_cables[6][0]}.txt", real_cables[6][1]),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "names.tar.gz:zzz", "name longer than 4096 bytes: skipped")
    assert stored_ids() == {*good, real_cables[6][0]}
    assert max(len(source) for source in CableSource.objects.values_list("name", flat=True)) < 4096


# -- what a folder may hold: regular files only ------------------------------------------------


def test_a_fifo_in_a_folder_is_refused_without_waiting(batch):
    folder, good = batch
    os.mkfifo(folder / "pipe.txt")

    status, errors = import_cables(folder)

    assert_refused(status, errors, "pipe.txt", "not a regular file")
    assert stored_ids() == set(good)


def test_a_symlink_to_a_device_in_a_folder_is_refused_unread(batch):
    folder, good = batch
    (folder / "zero.txt").symlink_to("/dev/zero")

    status, errors = import_cables(folder)

    assert_refused(status, errors, "zero.txt", "not a regular file")
    assert stored_ids() == set(good)


def test_a_symlink_to_a_cable_in_a_folder_is_followed(batch, payload, tmp_path):
    folder, good = batch
    (tmp_path / "elsewhere.txt").write_bytes(payload[1])
    (folder / "linked.txt").symlink_to(tmp_path / "elsewhere.txt")

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert stored_ids() == {*good, payload[0]}


# -- what one cable may be ------------------------------------------------------------------


def giant_cable(data: bytes, paragraphs: int, words: int = 4) -> bytes:
    """A real cable with ``paragraphs`` more paragraphs in its body, before its second one."""
    second = data.index("\n¶2. ".encode())
    extra = "".join(
        f"\n¶{n}. (U) MISSILE DEFENSE PARAGRAPH {' '.join(['TEXT'] * words)}.\n"
        for n in range(2, 2 + paragraphs)
    ).encode()
    return data[:second] + extra + data[second:]


def test_a_cable_with_too_many_paragraphs_is_refused(batch, payload, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_PARAGRAPHS = 500
    (folder / "giant.txt").write_bytes(giant_cable(payload[1], 2000))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "giant.txt", "more than the 500 one cable may hold")
    assert stored_ids() == set(good)


def test_a_cable_with_a_paragraph_too_long_is_refused(batch, payload, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_PARAGRAPH_CHARS = 10_000
    (folder / "long.txt").write_bytes(giant_cable(payload[1], 1, words=5000))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "long.txt", "more than the 10,000 allowed")
    assert stored_ids() == set(good)


def test_a_cable_file_over_the_default_limit_is_refused(batch, payload):
    folder, good = batch
    (folder / "huge.txt").write_bytes(giant_cable(payload[1], 80_000))  # ~5 MB

    status, errors = import_cables(folder)

    assert_refused(status, errors, "huge.txt", "file larger than 4.0 MB")
    assert stored_ids() == set(good)


# -- CPU budget per archive -------------------------------------------------------------------


def test_an_archive_over_its_cpu_budget_is_stopped(batch, real_cables, settings):
    folder, good = batch
    settings.CABLESEARCH_MAX_INPUT_CPU_SECONDS = 0
    settings.CABLESEARCH_INPUT_CPU_SECONDS_PER_MB = 0
    # Members under every byte and ratio limit: only the CPU budget can stop this archive.
    members = {f"m{n}.txt": os.urandom(300_000).hex().encode() for n in range(10)}
    write_zip(folder / "slow.zip", members)

    status, errors = import_cables(folder)

    assert_refused(status, errors, "slow.zip", "CPU seconds to read")
    assert stored_ids() == set(good)


# -- encodings ------------------------------------------------------------------------------

ACCENTED_SUBJECT = "CAFÉ CRÈME À SÃO PAULO – “NO” SAYS MINISTER ÑÚÑEZ"


def with_subject(data: bytes, subject: str) -> str:
    text = data.decode("utf-8")
    start = text.index("SUBJECT:")
    end = text.index("\n\n", start)
    return text[:start] + f"SUBJECT: {subject}" + text[end:]


def test_a_cp1252_cable_is_decoded_correctly(batch, payload):
    folder, good = batch
    (folder / "cp1252.txt").write_bytes(with_subject(payload[1], ACCENTED_SUBJECT).encode("cp1252"))

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert Cable.objects.get(pk=payload[0]).subject == ACCENTED_SUBJECT


def test_a_latin1_cable_is_decoded_correctly(batch, payload):
    folder, good = batch
    subject = "RÉUNION À GENÈVE: FRANÇOIS ÉTÉ NIÑO ÜBER"
    # Latin-1 has no curly quotes: the rest of the text loses them, the subject is what we check.
    latin1 = with_subject(payload[1], subject).encode("latin-1", errors="replace")
    (folder / "latin1.txt").write_bytes(latin1)

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert Cable.objects.get(pk=payload[0]).subject == subject


def test_stray_invalid_bytes_in_a_cable_are_read_not_refused(batch, payload):
    folder, good = batch
    text = with_subject(payload[1], "BROKEN BYTES AHEAD").encode("utf-8")
    # Undefined cp1252 bytes, a lone UTF-8 lead byte and a truncated sequence.
    broken = text.replace(b"BROKEN", b"BRO\x81\x8d\x9dKEN \xc3 \xe2\x80 \xff\xfe")
    (folder / "broken.txt").write_bytes(broken)

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert stored_ids() == {*good, payload[0]}
    assert "BYTES AHEAD" in Cable.objects.get(pk=payload[0]).subject


def test_nul_bytes_in_a_cable_are_refused_as_binary(batch, payload):
    folder, good = batch
    (folder / "nul.txt").write_bytes(payload[1].replace(b"\n", b"\n\x00", 50))

    status, errors = import_cables(folder)

    assert_refused(status, errors, "nul.txt", "binary data")
    assert stored_ids() == set(good)


def test_a_utf16_cable_is_read(batch, payload):
    folder, good = batch
    (folder / "utf16.txt").write_bytes(with_subject(payload[1], ACCENTED_SUBJECT).encode("utf-16"))

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert Cable.objects.get(pk=payload[0]).subject == ACCENTED_SUBJECT


# -- markup in cables and queries renders inert ----------------------------------------------

SUBJECT_ATTACK = (
    '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> ZANZIBARITE'
)
PARAGRAPH_ATTACK = (
    "<script>window.__pwned=3</script><img src=x onerror=window.__pwned=4> zanzibarite "
)
QUERY_ATTACK = '"><script>window.__pwned=5</script><img src=x onerror=window.__pwned=6>'


def booby_trapped(data: bytes) -> bytes:
    """The cable with markup in its subject and at the start of its second paragraph."""
    text = with_subject(data, SUBJECT_ATTACK)
    record = parse(text.encode("utf-8"), source="x.txt")
    opening = record.paragraphs[1].text[:20]
    assert text.count(opening) == 1
    return text.replace(opening, PARAGRAPH_ATTACK + opening, 1).encode("utf-8")


@pytest.fixture
def trapped_cable(tmp_path, index_dir, real_cables) -> str:
    """A stored and indexed cable whose subject and text carry script and an onerror image."""
    cable_id, data = real_cables[0]
    (tmp_path / "trap.txt").write_bytes(booby_trapped(data))
    status, errors = import_cables(tmp_path / "trap.txt")
    assert status == 0, errors
    return cable_id


def assert_inert(page) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert (
        page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__pwned')).length")
        == 0
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markup_in_a_cable_is_shown_literally_on_the_cable_page(page, live_server, trapped_cable):
    page.goto(f"{live_server.url}/cables/{trapped_cable}/?q=zanzibarite")

    assert_inert(page)
    body = page.inner_text("body")
    assert SUBJECT_ATTACK in body
    assert "<script>window.__pwned=3</script><img src=x onerror=window.__pwned=4>" in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markup_in_a_cable_is_shown_literally_in_search_results(page, live_server, trapped_cable):
    page.goto(f"{live_server.url}/search?q=zanzibarite")

    assert_inert(page)
    results = page.inner_text("#results")
    assert SUBJECT_ATTACK in results
    assert "<script>window.__pwned=3</script>" in results  # the snippet


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_results_swapped_in_by_htmx_stay_inert(page, live_server, trapped_cable):
    page.goto(f"{live_server.url}/search")
    with page.expect_response(lambda r: "q=zanzibarite" in r.url):
        page.fill("#q", "zanzibarite")
    page.wait_for_selector(f"#results a[href*='{trapped_cable}']")

    assert_inert(page)
    assert SUBJECT_ATTACK in page.inner_text("#results")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markup_in_a_query_is_shown_literally(page, live_server, trapped_cable):
    page.goto(f"{live_server.url}/search?{urlencode({'q': QUERY_ATTACK})}")

    assert_inert(page)
    assert page.input_value("#q") == QUERY_ATTACK


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markup_in_a_cable_is_shown_literally_in_the_admin(
    page, live_server, trapped_cable, django_user_model
):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-tests-only")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    for path in (
        "/admin/cables/cable/?q=zanzibarite",
        f"/admin/cables/cable/{trapped_cable}/change/",
    ):
        page.goto(live_server.url + path)
        assert_inert(page)
        assert "<script>window.__pwned=1</script>" in page.inner_text("#content")


@pytest.mark.django_db(transaction=True)
def test_markup_in_a_cable_is_escaped_in_the_atom_feed(client, trapped_cable):
    response = client.get("/search.atom", {"q": "zanzibarite"})

    assert response.status_code == 200
    assert b"<script>" not in response.content
    feed = ElementTree.fromstring(response.content)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(SUBJECT_ATTACK in title for title in titles)


def test_markup_in_a_cable_is_escaped_in_json_and_raw(client, trapped_cable):
    data = client.get(f"/cables/{trapped_cable}.json").json()
    raw = client.get(f"/cables/{trapped_cable}/raw")

    assert data["subject"] == SUBJECT_ATTACK
    assert raw["Content-Type"].startswith("text/plain")
    assert raw.headers.get("X-Content-Type-Options") == "nosniff"


# -- control characters ------------------------------------------------------------------------


def test_control_characters_in_a_cable_are_dropped_when_it_is_read(batch, payload):
    folder, good = batch
    (folder / "c0.txt").write_text(with_subject(payload[1], "ZANZIBARITE\x01 TALKS\x1b[31m"))

    status, errors = import_cables(folder)

    assert status == 0, errors
    assert Cable.objects.get(pk=payload[0]).subject == "ZANZIBARITE TALKS[31m"


@pytest.fixture
def controlled_cable(tmp_path, index_dir, real_cables) -> str:
    """A stored, indexed cable whose subject carries C0 controls (stored before the parser
    dropped them), and its paragraphs too."""
    cable_id, data = real_cables[0]
    (tmp_path / "c.txt").write_text(with_subject(data, "ZANZIBARITE TALKS"))
    status, errors = import_cables(tmp_path / "c.txt")
    assert status == 0, errors
    # PostgreSQL text can hold no NUL at all, so only SQLite can have one stored.
    nul = "\x00" if connection.vendor == "sqlite" else ""
    Cable.objects.filter(pk=cable_id).update(subject=f"ZANZIBARITE\x01{nul} TALKS\x1b")
    from cables.models import Paragraph

    Paragraph.objects.filter(cable_id=cable_id).update(text="ZANZIBARITE \x02 WORDS \x1f")
    return cable_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("q", ["zanzibarite", "\x01", "\x00", "\x1b", "zanzibarite \x01"])
def test_the_search_feed_answers_whatever_the_query_and_the_stored_text(
    client, controlled_cable, q
):
    response = client.get("/search.atom", {"q": q})

    assert response.status_code == 200
    ElementTree.fromstring(response.content)  # well-formed XML


@pytest.mark.django_db(transaction=True)
def test_the_search_feed_lists_a_cable_stored_with_control_characters(client, controlled_cable):
    response = client.get("/search.atom", {"q": "zanzibarite"})

    feed = ElementTree.fromstring(response.content)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert f"{controlled_cable}: ZANZIBARITE TALKS" in titles


@pytest.mark.django_db(transaction=True)
def test_a_saved_search_feed_named_with_control_characters_answers(
    client, controlled_cable, django_user_model
):
    from search.bookmarks.models import SavedSearch

    user = django_user_model.objects.create_user("reader", password="pw")
    saved = SavedSearch.objects.create(user=user, name="Zanzibar\x01\x1b", query="q=zanzibarite")

    response = client.get(saved.feed_url)

    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    assert feed.find("{http://www.w3.org/2005/Atom}title").text == "Zanzibar · cablesearch"


# -- the same through the admin upload ---------------------------------------------------------

UPLOAD_URL = "/admin/cables/importjob/upload/"


# The worker closes its database connection when it is done, as it should in production; under
# a test transaction that would end the test's connection on PostgreSQL: these tests commit.
uploads_commit = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_client(client, django_user_model, index_dir):
    staff = django_user_model.objects.create_user("clerk", "clerk@example.org", "pw", is_staff=True)
    client.force_login(staff)
    return client


def upload(client, files: dict[str, bytes], capture) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with capture(execute=True):
        response = client.post(
            UPLOAD_URL, {"files": [SimpleUploadedFile(name, data) for name, data in files.items()]}
        )
    call_command("db_worker", "--batch", "--no-startup-delay", "-v0")
    return response


@uploads_commit
def test_an_uploaded_batch_with_hostile_archives_imports_the_rest(
    staff_client, real_cables, payload, tmp_path, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    bomb = write_zip(tmp_path / "bomb.zip", {"zeros.txt": b"\0" * (64 * 1024 * 1024)})
    traversal = write_zip(tmp_path / "evil.zip", {"../../escaped.txt": payload[1]})
    deep = nested_zip(payload[1], levels=4)
    files = {f"{cid}.txt": data for cid, data in real_cables[:2]}
    files.update(
        {"bomb.zip": bomb.read_bytes(), "evil.zip": traversal.read_bytes(), "deep.zip": deep}
    )

    response = upload(staff_client, files, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert stored_ids() == {cid for cid, _ in real_cables[:2]}
    reasons = {Path(e["source"].split(":")[0]).name: e["error"] for e in job.errors}
    assert "compression ratio above" in reasons["bomb.zip"]
    assert "path escapes the archive" in reasons["evil.zip"]
    assert "nested more than" in reasons["deep.zip"]


@uploads_commit
def test_the_job_page_shows_refused_member_names_as_text(
    staff_client, real_cables, tmp_path, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    # Upload names are sanitised, but member names inside an archive reach the job page.
    archive = write_zip(
        tmp_path / "a.zip",
        {"<img src=x onerror=alert(1)>.txt": b"Not a cable at all, just words.\n" * 20},
    )
    files = {f"{real_cables[0][0]}.txt": real_cables[0][1], "a.zip": archive.read_bytes()}
    upload(staff_client, files, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    page = staff_client.get(f"/admin/cables/importjob/{job.pk}/change/")

    assert page.status_code == 200
    assert b"not a cable" in page.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in page.content
    assert b"<img src=x" not in page.content


@uploads_commit
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), b"PNG image"),
        ("empty.txt", b"", b"empty"),
        ("noise.bin", b"\x00\x01" * 3000, b"binary file"),
    ],
)
def test_the_upload_page_refuses_junk_at_once(
    staff_client, name, data, reason, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    response = upload(staff_client, {name: data}, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert reason in response.content
    assert not ImportJob.objects.exists()


@uploads_commit
def test_the_upload_page_refuses_an_upload_over_the_size_limit(
    staff_client, settings, real_cables, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    settings.CABLESEARCH_MAX_UPLOAD_BYTES = 10_000
    files = {f"{cid}.txt": data for cid, data in real_cables[:4]}

    response = upload(staff_client, files, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert b"the limit is" in response.content
    assert not ImportJob.objects.exists()
    assert stored_ids() == set()


@uploads_commit
def test_an_upload_named_with_a_path_stays_in_its_job_folder(
    staff_client, real_cables, settings, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    cable_id, data = real_cables[0]
    upload(staff_client, {"../../../escaped.txt": data}, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    written = [p for p in Path(settings.MEDIA_ROOT).parent.rglob("*") if p.is_file()]
    assert all(job.folder in p.parents for p in written if p.name.endswith("escaped.txt"))
    assert [p.name for p in written if p.name.endswith("escaped.txt")] == ["escaped.txt"]
    assert stored_ids() == {cable_id}


@uploads_commit
def test_uploads_named_with_no_usable_characters_are_imported(
    staff_client, real_cables, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    files = {"<>": real_cables[0][1], "$$$": real_cables[1][1]}

    response = upload(staff_client, files, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.files == ["upload", "upload-2"]
    assert stored_ids() == {real_cables[0][0], real_cables[1][0]}


@pytest.fixture
def tiny_media(tmp_path, settings):
    """MEDIA_ROOT on a 256 KB tmpfs (root only), so an upload fills the disk."""
    import subprocess

    volume = tmp_path / "tiny-media"
    volume.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(volume)]).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    settings.MEDIA_ROOT = volume
    yield volume
    subprocess.run(["umount", "-l", str(volume)], check=False)


@uploads_commit
def test_an_upload_that_fills_the_disk_is_refused_and_leaves_nothing(
    staff_client, real_cables, tiny_media, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    big = real_cables[1][1] + b"\n" + os.urandom(400_000).hex().encode()
    files = {"first.txt": real_cables[0][1], "big.txt": big}

    response = upload(staff_client, files, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert b"could not be saved" in response.content
    assert not ImportJob.objects.exists()
    assert [p for p in tiny_media.rglob("*") if p.is_file()] == []


@uploads_commit
def test_the_next_job_never_inherits_a_refused_uploads_files(
    staff_client, real_cables, tiny_media, django_capture_on_commit_callbacks
):
    from cables.models import ImportJob

    big = real_cables[1][1] + b"\n" + os.urandom(400_000).hex().encode()
    upload(
        staff_client,
        {"first.txt": real_cables[0][1], "big.txt": big},
        django_capture_on_commit_callbacks,
    )

    upload(staff_client, {"next.txt": real_cables[2][1]}, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert sorted(p.name for p in job.folder.iterdir()) == ["next.txt"]
    assert stored_ids() == {real_cables[2][0]}


def post_headers_only(live_server, path: str, length: int, cookie: str = "") -> tuple[int, bytes]:
    """Send a POST declaring ``length`` bytes of multipart body, send 64 KB of it, read the answer."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    conn.putheader("Content-Length", str(length))
    if cookie:
        conn.putheader("Cookie", cookie)
    conn.endheaders()
    conn.send(b"--xyz\r\nContent-Disposition: form-data; name=files; filename=a.txt\r\n\r\n")
    conn.send(b"x" * 65536)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", [UPLOAD_URL, "/search", "/accounts/login/"])
def test_an_anonymous_gigabyte_post_is_refused_before_it_is_read(live_server, settings, path):
    status, body = post_headers_only(live_server, path, 1024**3)

    assert status == 413
    assert b"the limit is" in body
    assert [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()] == []


@pytest.mark.django_db(transaction=True)
def test_a_staff_upload_over_the_limit_is_refused_on_the_upload_page_unread(
    live_server, settings, django_user_model, client
):
    django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.login(username="clerk", password="pw")
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    status, body = post_headers_only(live_server, UPLOAD_URL, 1024**3, cookie)

    assert status == 200
    assert b"The upload is 1024.0 MB; the limit is 512.0 MB." in body
    assert [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()] == []
