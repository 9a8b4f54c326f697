"""Read and parse in a second process while this one writes the database (and the index).

Parsing is pure Python and costs about as much CPU as storing and indexing a cable, so on a
multi-core machine a two-stage pipeline nearly halves the import time of a big batch. The
parsing process only reads files and parses: it never touches Django or the database. Items
travel in chunks through a bounded queue, so memory stays bounded when the writer is slower.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from cables.ingest.reading import ReadItem, iter_parsed
from cables.ingest.sources import Limits, Sources

CHUNK_ITEMS = 50
QUEUE_CHUNKS = 8
POLL_SECONDS = 2.0


@dataclass
class RemoteProgress:
    """Bytes read by the parsing process, as Sources reports them (for progress bars)."""

    bytes_total: int = 0
    bytes_done: int = 0


def _produce(
    paths: list[str],
    limits: Limits,
    root: str | None,
    out: multiprocessing.Queue,
    known: frozenset[str] = frozenset(),
) -> None:
    try:
        sources = Sources(paths, limits, root=root)
        out.put(("total", sources.bytes_total))
        chunk: list[ReadItem] = []
        for item in iter_parsed(sources, known):
            chunk.append(item)
            if len(chunk) >= CHUNK_ITEMS:
                out.put(("items", chunk, sources.bytes_done))
                chunk = []
        out.put(("items", chunk, sources.bytes_done))
        out.put(("done",))
    except BaseException as exc:  # noqa: BLE001 - reported to the importing process
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def iter_parsed_in_background(
    paths: list[str | os.PathLike],
    limits: Limits,
    progress: RemoteProgress,
    root: str | os.PathLike | None = None,
    known: Collection[str] = frozenset(),
) -> Iterator[ReadItem]:
    """The same items as ``iter_parsed(Sources(paths), known)``, in order, parsed by a child
    process."""
    context = multiprocessing.get_context("spawn")  # no fork of a process holding DB connections
    channel = context.Queue(maxsize=QUEUE_CHUNKS)
    process = context.Process(
        target=_produce,
        args=(
            [str(p) for p in paths],
            limits,
            str(root) if root is not None else None,
            channel,
            frozenset(known),
        ),
        name="cablesearch-parse",
        daemon=True,
    )
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError(
                        f"the parsing process stopped unexpectedly (exit code {process.exitcode})"
                    ) from None
                continue
            kind = message[0]
            if kind == "total":
                progress.bytes_total = message[1]
            elif kind == "items":
                progress.bytes_done = message[2]
                yield from message[1]
            elif kind == "done":
                return
            else:
                raise RuntimeError(f"the parsing process failed: {message[1]}")
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        channel.close()
