"""cables/ingest/sources.py: inputs recognised by content, streamed, hostile input refused."""

from __future__ import annotations

import gzip
import io
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest

from cables.ingest.sources import (
    Limits,
    SourceCsv,
    SourceFailure,
    SourceFile,
    Sources,
    iter_sources,
    sniff,
)

CABLE = b"UNCLAS SECTION 01 OF 02 PARIS 002069\n\nSUBJECT: A TEST CABLE\n\n1. (U) Text.\n"


def read_all(paths, limits: Limits | None = None) -> list:
    items = []
    for item in iter_sources(paths, limits):
        if isinstance(item, SourceCsv):
            items.append(SourceFile(item.source, item.stream.read()))
        else:
            items.append(item)
    return items


def files(items) -> dict[str, bytes]:
    return {item.source: item.data for item in items if isinstance(item, SourceFile)}


def failures(items) -> dict[str, str]:
    return {item.source: item.error for item in items if isinstance(item, SourceFailure)}


def make_tar(path: Path, members: dict[str, bytes], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_plain_file_is_read_whole(tmp_path):
    path = tmp_path / "07MOSCOW5100.txt"
    path.write_bytes(CABLE)
    assert files(read_all([path])) == {str(path): CABLE}


def test_folder_is_walked_recursively_in_name_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "c.txt").write_bytes(b"c")
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "README.md").write_bytes(b"about these files")
    sources = [item.source for item in read_all([tmp_path])]
    assert sources == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "c.txt")]


def test_missing_path_is_a_failure(tmp_path):
    missing = tmp_path / "nope.txt"
    assert failures(read_all([missing])) == {str(missing): "no such file or folder"}


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:xz", "w:bz2"])
def test_tar_archives_are_read_by_content_not_name(tmp_path, mode):
    # Named .bin on purpose: the magic bytes decide.
    archive = make_tar(tmp_path / "cables.bin", {"text/A.txt": b"a", "text/B.txt": b"b"}, mode)
    got = files(read_all([archive]))
    assert got == {f"{archive}:text/A.txt": b"a", f"{archive}:text/B.txt": b"b"}


def test_zip_archive_members_are_read(tmp_path):
    archive = make_zip(tmp_path / "upload.zip", {"x/A.txt": b"a", "x/B.html": b"<html>"})
    assert files(read_all([archive])) == {
        f"{archive}:x/A.txt": b"a",
        f"{archive}:x/B.html": b"<html>",
    }


def test_single_compressed_file_is_decompressed(tmp_path):
    path = tmp_path / "A.txt.xz"
    path.write_bytes(lzma.compress(CABLE))
    assert files(read_all([path])) == {str(path): CABLE}


def test_archives_nested_inside_archives_are_read(tmp_path):
    inner_zip = make_zip(tmp_path / "inner.zip", {"Z.txt": b"z"}).read_bytes()
    inner_tgz = make_tar(tmp_path / "inner.tgz", {"G.txt": b"g"}, "w:gz").read_bytes()
    outer = make_tar(tmp_path / "outer.tar.xz", {"in.zip": inner_zip, "in.tgz": inner_tgz}, "w:xz")
    assert files(read_all([outer])) == {
        f"{outer}:in.zip:Z.txt": b"z",
        f"{outer}:in.tgz:G.txt": b"g",
    }


def test_nesting_beyond_the_depth_limit_is_refused(tmp_path):
    level3 = make_zip(tmp_path / "3.zip", {"deep.txt": b"deep"}).read_bytes()
    level2 = make_zip(tmp_path / "2.zip", {"3.zip": level3}).read_bytes()
    outer = make_zip(tmp_path / "1.zip", {"2.zip": level2, "ok.txt": b"ok"})
    items = read_all([outer], Limits(max_depth=2))
    assert files(items) == {f"{outer}:ok.txt": b"ok"}
    assert "nested more than 2 levels" in failures(items)[f"{outer}:2.zip:3.zip"]


def test_zip_member_with_bomb_ratio_is_refused_rest_read(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.txt": bytes(4_000_000), "ok.txt": b"ok"})
    items = read_all([archive], Limits(max_ratio=100))
    assert files(items) == {f"{archive}:ok.txt": b"ok"}
    assert "compression ratio above 100:1" in failures(items)[f"{archive}:zeros.txt"]


def test_compressed_stream_with_bomb_ratio_is_stopped(tmp_path):
    bomb = make_tar(tmp_path / "bomb.tar.gz", {"zeros.txt": bytes(8_000_000)}, "w:gz")
    items = read_all([bomb], Limits(max_ratio=100))
    assert files(items) == {}
    assert "compression ratio above 100:1" in failures(items)[str(bomb)]


def test_total_uncompressed_size_limit_stops_the_archive_next_input_still_read(tmp_path):
    big = make_tar(
        tmp_path / "big.tar.gz", {f"{n}.txt": bytes([65 + n]) * 4000 for n in range(10)}, "w:gz"
    )
    other = tmp_path / "other.txt"
    other.write_bytes(b"other")
    items = read_all([big, other], Limits(max_archive_bytes=10_000))
    assert "expands to more than" in failures(items)[str(big)]
    assert files(items)[str(other)] == b"other"


def test_too_many_members_in_zip_refuses_the_archive(tmp_path):
    archive = make_zip(tmp_path / "many.zip", {f"{n}.txt": b"x" for n in range(5)})
    items = read_all([archive], Limits(max_members=3))
    assert files(items) == {}
    assert "more than 3 members" in failures(items)[str(archive)]


def test_too_many_members_in_tar_stops_after_the_limit(tmp_path):
    archive = make_tar(tmp_path / "many.tar", {f"{n}.txt": b"x" for n in range(5)})
    items = read_all([archive], Limits(max_members=3))
    assert len(files(items)) == 3
    assert "more than 3 members" in failures(items)[str(archive)]


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "a/../../b.txt"])
def test_unsafe_member_paths_are_refused(tmp_path, name):
    archive = make_tar(tmp_path / "evil.tar", {name: b"x", "fine.txt": b"fine"})
    items = read_all([archive])
    assert files(items) == {f"{archive}:fine.txt": b"fine"}
    assert "skipped" in failures(items)[f"{archive}:{name}"]


def test_links_and_devices_in_tar_are_refused(tmp_path):
    path = tmp_path / "links.tar"
    with tarfile.open(path, "w") as archive:
        for name, kind in (("sym", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd"
            archive.addfile(info)
        device = tarfile.TarInfo("dev")
        device.type = tarfile.CHRTYPE
        archive.addfile(device)
        info = tarfile.TarInfo("ok.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"ok"))
    items = read_all([path])
    assert files(items) == {f"{path}:ok.txt": b"ok"}
    assert failures(items) == {
        f"{path}:sym": "symbolic link in archive: skipped",
        f"{path}:hard": "hard link in archive: skipped",
        f"{path}:dev": "device or special file in archive: skipped",
    }


def test_symlink_in_zip_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777) << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("ok.txt", "ok")
    items = read_all([path])
    assert files(items) == {f"{path}:ok.txt": b"ok"}
    assert failures(items) == {f"{path}:link": "symbolic link in archive: skipped"}


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * 2000)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x")
    items = read_all([path, small], Limits(max_file_bytes=1000))
    assert "larger than" in failures(items)[str(path)]
    assert files(items) == {str(small): b"x"}


def test_oversized_member_is_refused(tmp_path):
    archive = make_tar(tmp_path / "a.tar.gz", {"huge.txt": b"x" * 2000, "ok.txt": b"ok"}, "w:gz")
    items = read_all([archive], Limits(max_file_bytes=1000))
    assert "larger than" in failures(items)[f"{archive}:huge.txt"]
    assert files(items) == {f"{archive}:ok.txt": b"ok"}


def test_truncated_archive_is_a_failure_and_the_members_before_stand(tmp_path):
    archive = make_tar(
        tmp_path / "cut.tar.gz", {"a.txt": b"a" * 100, "b.txt": bytes(range(256)) * 400}, "w:gz"
    )
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    items = read_all([archive])
    assert str(archive) in failures(items)


def test_cables_csv_is_recognised_by_its_first_bytes(tmp_path):
    path = tmp_path / "export.dat"
    row = b'"1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED"\n'
    path.write_bytes(row)
    items = list(iter_sources([path]))
    assert [type(item) for item in items] == [SourceCsv]


def test_csv_inside_a_compressed_file_is_streamed(tmp_path):
    path = tmp_path / "cables.csv.gz"
    row = b'"1","12/28/1966 18:48","66BUENOSAIRES2481"\n'
    path.write_bytes(gzip.compress(row * 3))
    # The stream is only valid until the walk moves on: read it in the loop.
    read = [(type(item), item.stream.read()) for item in iter_sources([path])]
    assert read == [(SourceCsv, row * 3)]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"BZh91AY", "bz2"),
        (b"C O N F I D E N T I A L", "other"),
        (b"<!DOCTYPE html>", "other"),
    ],
)
def test_sniff_reads_magic_bytes(head, kind):
    assert sniff(head) == kind


def test_progress_reaches_the_total_bytes(tmp_path):
    archive = make_tar(
        tmp_path / "a.tar.xz", {f"{n}.txt": bytes([65 + n]) * 500 for n in range(5)}, "w:xz"
    )
    sources = Sources([archive])
    list(sources)
    assert sources.bytes_total == archive.stat().st_size
    assert sources.bytes_done == sources.bytes_total


def test_items_come_out_in_the_order_the_paths_were_given(tmp_path):
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_bytes(b"1")
    second.write_bytes(b"2")
    missing = tmp_path / "missing.txt"
    sources = [item.source for item in read_all([first, missing, second])]
    assert sources == [str(first), str(missing), str(second)]


def test_source_names_relative_to_a_root(tmp_path):
    folder = tmp_path / "imports" / "7"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"a")
    items = list(Sources([folder], root=tmp_path))
    assert [item.source for item in items] == ["imports/7/a.txt"]
