"""Run a command and measure it: wall time and the peak memory of its whole process tree.

The import may fork writer processes (Whoosh ``procs=2``), so the peak of the parent alone
would under-report: we sample every descendant from /proc twice a second and keep the peak of
the summed RSS and of the summed PSS (PSS splits pages shared after fork fairly; the RSS sum
counts them twice, so it is the pessimistic figure).
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            out += [int(c) for c in text.split()]
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def _kib(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over the process and its descendants."""
    pids = tree(pid)
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return rss * 1024, pss * 1024


@dataclass(frozen=True, slots=True)
class Measured:
    cmd: list[str]
    returncode: int
    seconds: float
    peak_rss: int
    peak_pss: int
    output_tail: str
    # CPU seconds of the command and every descendant it waited for: what the run would take
    # on an idle machine, roughly, for the parts that run on one core at a time.
    cpu_seconds: float = 0.0


def run_measured(
    cmd: list[str], env: dict[str, str], log: Path, cwd: Path | None = None, interval: float = 0.5
) -> Measured:
    """Run ``cmd`` to the end, output appended to ``log``; never raises on a failing command."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0, 0]
    with log.open("ab") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        started = time.perf_counter()
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = kids.ru_utime + kids.ru_stime
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss, pss = tree_memory(proc.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        seconds = time.perf_counter() - started
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = kids.ru_utime + kids.ru_stime - cpu_before
        done.set()
        sampler.join()
    tail = log.read_bytes()[-2000:].decode("utf-8", errors="replace")
    return Measured(cmd, rc, seconds, peak[0], peak[1], tail, cpu)


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if not path.exists():
        return 0
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
