"""Build cables/data/zstd/: a dictionary trained on the bundled sample's cable texts and
paragraphs, and three of its cablegate pages (what a page's navigation repeats).

Run once (``.venv/bin/python cables/data/zstd/build.py``); never rebuild files that stored
blobs use: make cables-2.dict and a new scheme in cables/compression.py instead."""

import pathlib
import sys
import tarfile

out = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(out.parents[2]))
import zstandard as zstd  # noqa: E402

from cables.parsing import parse  # noqa: E402

root = out.parent / "sample"
with tarfile.open(root / "cablegate-pages.tar.xz") as tf:
    pages = sorted((m.name, tf.extractfile(m).read()) for m in tf if m.isfile())
inputs = pages + [(str(p), p.read_bytes()) for p in sorted(root.rglob("*.txt"))]
samples = []
for name, data in inputs:
    r = parse(data, source=name)
    if hasattr(r, "paragraphs"):
        samples.append(((r.header + "\n\n" + r.body) if r.header else r.body).encode())
        samples.extend(p.text.encode() for p in r.paragraphs)
d = zstd.train_dictionary(112 * 1024, samples, dict_id=1, level=3)
(out / "cables-1.dict").write_bytes(d.as_bytes())
picked = [pages[0], pages[len(pages) // 2], pages[-1]]
(out / "pages-1.html").write_bytes(b"".join(data for _, data in picked))
print(len(samples), [n for n, _ in picked], (out / "pages-1.html").stat().st_size)
