"""Reading a Whoosh index's segment files, for tests that compare two writers byte for byte."""

from __future__ import annotations


def segment_files(ix) -> list[dict[str, bytes]]:
    """Each segment's inner files by extension (the names carry the random segment id)."""
    out = []
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage)
        files = {}
        for name in storage.list():
            with storage.open_file(name) as f:
                files[name.split(".", 1)[1]] = f.read()
        out.append(files)
    return out
