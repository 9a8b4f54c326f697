"""What the upload page accepts: cables, archives of them, a cables.csv. Judged by content."""

from __future__ import annotations

from typing import Protocol

from cables.ingest.sources import sniff

# File kinds people upload by mistake, by their magic bytes.
KNOWN_BINARIES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
    b"Rar!": "a RAR archive (not supported: use zip or tar)",
    b"7z\xbc\xaf": "a 7-Zip archive (not supported: use zip or tar)",
}
ACCEPTED = (
    "text or HTML cables, zip or tar archives (.tar, .tar.gz, .tar.xz, .tar.bz2), a cables.csv"
)


class UploadRefused(Exception):
    """A message for the person uploading."""


class Upload(Protocol):
    name: str
    size: int

    def open(self, mode: str = ...): ...
    def read(self, size: int = ...) -> bytes: ...
    def seek(self, pos: int) -> int: ...


def check_upload(upload: Upload) -> None:
    """Refuse a file that is clearly neither a cable, an archive nor a cables.csv."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head:
        raise UploadRefused(f"{upload.name} is empty.")
    if sniff(head) != "other":
        return
    for magic, kind in KNOWN_BINARIES.items():
        if head.startswith(magic):
            raise UploadRefused(f"{upload.name} is {kind}, not cables. Accepted: {ACCEPTED}.")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is text
        raise UploadRefused(f"{upload.name} is a binary file, not cables. Accepted: {ACCEPTED}.")
