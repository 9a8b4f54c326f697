"""A PostgreSQL cluster for ``bench/run.py --engine postgres`` (as .ci/with-postgres).

Debian's postgresql package (initdb, pg_ctl), a random local port, a temp folder deleted at
exit; or, with ``--pg-dir``, a folder kept after the run, whose cluster a later run starts
again (``--reuse-data`` then searches the same database without importing it again).
Durable (fsync on) unlike the test cluster, since the import is measured; the settings are
printed with the results.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENGINE = "search.backends.postgres.PostgresBackend"
SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "jit": "off",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "synchronous_commit": "off",
}


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def cluster(keep: Path | None = None) -> Iterator[dict]:
    """Yields {"url": DATABASE_URL, "folder": ..., "settings": ..., "version": ...} while the
    server runs.

    ``keep``: the cluster lives in this folder and stays there (created on first use)."""
    bindir = _bindir()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        folder = keep.resolve()
    else:
        folder = Path(tempfile.mkdtemp(prefix="cablesearch-bench-pg."))
    folder.chmod(0o755)
    as_pg: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    fresh = not (data / "PG_VERSION").exists()
    try:
        if fresh:
            subprocess.run(
                [*as_pg, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C.UTF-8"],
                check=True, capture_output=True,
            )  # fmt: skip
        subprocess.run(
            [*as_pg, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
             "-w", "-s", "start", "-o",
             f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {options}"],
            check=True,
        )  # fmt: skip
        if fresh:
            subprocess.run(
                [*as_pg, str(bindir / "psql"), "-h", str(folder), "-p", str(port), "-U", "postgres",
                 "-q", "-v", "ON_ERROR_STOP=1",
                 "-c", "CREATE ROLE cablesearch LOGIN CREATEDB PASSWORD 'cablesearch'",
                 "-c", "CREATE DATABASE cablesearch OWNER cablesearch"],
                check=True,
            )  # fmt: skip
        version = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.split()[-1]
        yield {
            "url": f"postgres://cablesearch:cablesearch@127.0.0.1:{port}/cablesearch",
            "folder": folder,
            "settings": dict(SETTINGS),
            "version": version,
            "postmaster_pid": int((data / "postmaster.pid").read_text().split()[0]),
        }
    finally:
        subprocess.run(
            [*as_pg, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _times(pid: int) -> list[int] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return [int(x) for x in fields[11:15]]  # utime, stime, cutime, cstime (clock ticks)


def server_cpu_seconds(postmaster_pid: int) -> float | None:
    """CPU the server has used: the postmaster, its reaped backends, its live ones. The import
    spends part of its work here (tsvector parsing, GIN upkeep), outside the measured tree."""
    from bench.proc import tree

    own = _times(postmaster_pid)
    if own is None:
        return None
    ticks = sum(own)
    for pid in tree(postmaster_pid)[1:]:
        times = _times(pid)
        if times:
            ticks += times[0] + times[1]
    return ticks / os.sysconf("SC_CLK_TCK")


def query(url: str, sql: str):
    """One value from the benchmark database (None when it cannot be read)."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchone()[0]
    except psycopg.Error:
        return None


def count_cables(url: str) -> int | None:
    return query(url, "SELECT count(*) FROM cables_cable")


def engine_bytes(url: str) -> int | None:
    """The engine's tables with their TOAST and indexes."""
    return query(
        url,
        "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c "
        "WHERE c.relkind = 'r' AND c.relname LIKE 'search_pg_%'",
    )


def database_bytes(url: str) -> int | None:
    return query(url, "SELECT pg_database_size(current_database())")
