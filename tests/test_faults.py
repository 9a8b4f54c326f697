"""Faults, with nothing lost: killed imports, concurrent imports, a lost index, searching mid-import.

The import runs as a real `manage.py import_cables` process against its own database (a SQLite
file, or a fresh PostgreSQL database under `make test-postgres`) so it can be SIGKILLed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cables.parsing import parse

PROJECT_DIR = Path(__file__).resolve().parent.parent
SUBSET = 120  # cables in the archive most fault tests import
# Cables in the archive the kill tests import: enough that the cables still to come after the
# last kill point take far longer to write than one poll, so the kill lands mid-import even on
# a loaded machine (with 120, a kill at 90 sometimes came after the last commit).
LONG_SUBSET = 480

DUMP_CABLES = """
import json
from cables.models import Cable
rows = {}
for cable in Cable.objects.prefetch_related("paragraphs", "cable_tags"):
    tags = [ct.tag_id for ct in sorted(cable.cable_tags.all(), key=lambda ct: ct.position)]
    rows[cable.id] = [len(cable.paragraphs.all()), tags]
print(json.dumps(rows))
"""


def build_subset(corpus_dir: Path, folder: Path, size: int) -> tuple[Path, dict[str, list]]:
    """A tar.gz of real cables with distinct ids, and what each should store: [paragraphs, tags]."""
    archive_path = folder / "subset.tar.gz"
    expected: dict[str, list] = {}
    with (
        tarfile.open(corpus_dir / "cables-text.tar.xz", "r|xz") as source,
        tarfile.open(archive_path, "w:gz") as archive,
    ):
        for member in source:
            if not member.isfile():
                continue
            data = source.extractfile(member).read()
            record = parse(data, source=member.name)
            if not getattr(record, "id", "") or record.id in expected:
                continue
            expected[record.id] = [
                len(record.paragraphs),
                list(dict.fromkeys(tag.code for tag in record.tags)),
            ]
            info = tarfile.TarInfo(f"cables/{record.id}.txt")  # named for its id
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            if len(expected) == size:
                break
    assert len(expected) == size
    return archive_path, expected


@pytest.fixture(scope="module")
def subset(corpus_dir, tmp_path_factory) -> tuple[Path, dict[str, list]]:
    return build_subset(corpus_dir, tmp_path_factory.mktemp("subset"), SUBSET)


@pytest.fixture(scope="module")
def long_subset(corpus_dir, tmp_path_factory) -> tuple[Path, dict[str, list]]:
    return build_subset(corpus_dir, tmp_path_factory.mktemp("long_subset"), LONG_SUBSET)


class Site:
    """A data folder and database of its own, shared by the processes a test starts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "faults-test-key",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "CABLESEARCH_DATA_DIR": str(root / "data"),
            "PYTHONUNBUFFERED": "1",
        }
        self.pg_name: str | None = None
        if connection.vendor == "postgresql":
            self._create_postgres_database()

    # -- database ------------------------------------------------------------------------

    def _admin_connection(self):
        import psycopg

        db = connection.settings_dict
        return psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        )

    def _create_postgres_database(self) -> None:
        db = connection.settings_dict
        self.pg_name = f"cablesearch_faults_{uuid.uuid4().hex[:10]}"
        with self._admin_connection() as admin:
            admin.execute(f'CREATE DATABASE "{self.pg_name}"')
        self.env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{self.pg_name}"
        )

    def drop(self) -> None:
        if self.pg_name:
            with self._admin_connection() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def count_cables(self) -> int:
        """Committed cables, read straight from the database (cheap enough to poll)."""
        sql = "SELECT count(*) FROM cables_cable"
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as conn:
                return conn.execute(sql).fetchone()[0]
        path = Path(self.env["CABLESEARCH_DATA_DIR"]) / "cablesearch.sqlite3"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]

    # -- processes -------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stored(self) -> dict[str, list]:
        done = self.manage("shell", "-c", DUMP_CABLES)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    migrated = site.manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    yield site
    site.drop()


def wait_for(predicate, timeout: float = 300, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


def kill_import_once(site: Site, archive: Path, kill_after: int, total: int) -> None:
    """Start an import of ``total`` cables; SIGKILL it once ``kill_after`` are committed."""
    # Small batches, so the kill most likely lands inside a batch's transaction.
    process = site.start("import_cables", str(archive), "--quiet", "--batch-size", "5")
    wait_for(lambda: site.count_cables() >= kill_after or process.poll() is not None)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    assert site.count_cables() < total, "the kill came after the last cable was written"


def assert_whole(stored: dict[str, list], expected: dict[str, list]) -> None:
    """Every stored cable has exactly the paragraphs and tags its source holds."""
    half_written = {cid: row for cid, row in stored.items() if row != expected[cid]}
    assert half_written == {}


def test_killing_an_import_leaves_no_half_written_cable(site, long_subset):
    archive, expected = long_subset
    for kill_after in (15, 50, 90):
        kill_import_once(site, archive, kill_after, len(expected))

        assert_whole(site.stored(), expected)


def test_running_a_killed_import_again_finishes_the_job(site, long_subset):
    archive, expected = long_subset
    kill_import_once(site, archive, 40, len(expected))

    rerun = site.manage("import_cables", str(archive))

    assert rerun.returncode == 0, rerun.stderr
    stored = site.stored()
    assert set(stored) == set(expected)
    assert_whole(stored, expected)


def test_check_index_repair_restores_agreement_after_a_killed_import(site, long_subset):
    archive, expected = long_subset
    kill_import_once(site, archive, 40, len(expected))

    repaired = site.manage("check_index", "--repair")
    checked = site.manage("check_index")

    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The index agrees with the database" in checked.stdout


def test_two_imports_at_once_both_complete(site, subset, tmp_path):
    archive, expected = subset
    # Two overlapping halves: the middle third is imported by both processes at once.
    ids = list(expected)
    halves = {"first": ids[: 2 * len(ids) // 3], "second": ids[len(ids) // 3 :]}
    folders = {}
    with tarfile.open(archive) as tar:
        for name, wanted in halves.items():
            folders[name] = tmp_path / name
            for member in tar:
                if Path(member.name).stem in wanted:
                    tar.extract(member, folders[name], filter="data")

    processes = [site.start("import_cables", str(folder), "--quiet") for folder in folders.values()]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in processes]

    assert [status for status, _ in results] == [0, 0], results
    stored = site.stored()
    assert set(stored) == set(expected)
    assert_whole(stored, expected)
    checked = site.manage("check_index")
    assert checked.returncode == 0, checked.stdout + checked.stderr


QUEUE_JOB = """
import shutil, sys
from django.db import transaction
from cables.models import ImportJob
from cables.tasks import run_import_job
with transaction.atomic():
    job = ImportJob.objects.create(files=["subset.tar.gz"])
    job.folder.mkdir(parents=True)
    shutil.copy(sys.argv[-1], job.folder / "subset.tar.gz")
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
print(job.pk)
"""

RUN_AGAIN = """
from django.db import transaction
from cables.admin import _queue_again
from cables.models import ImportJob
with transaction.atomic():
    _queue_again(ImportJob.objects.all())
"""

JOB_STATE = """
import json
from cables.models import ImportJob
job = ImportJob.objects.get()
print(json.dumps([job.status, job.new, job.unchanged, job.failed]))
"""


def test_running_a_killed_job_again_leaves_every_cable_searchable(site, long_subset, tmp_path):
    archive, expected = long_subset
    # A worker import announces its cables to the index in groups of 20,000: killed early, it
    # has stored cables and announced none.
    queued = site.manage("shell", "-c", QUEUE_JOB.replace("sys.argv[-1]", repr(str(archive))))
    assert queued.returncode == 0, queued.stderr
    worker = site.start("db_worker", "--no-startup-delay", "-v0")
    wait_for(lambda: site.count_cables() >= 40 or worker.poll() is not None)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()
    assert site.count_cables() < len(expected), "the kill came after the last cable was written"

    assert site.manage("shell", "-c", RUN_AGAIN).returncode == 0
    rerun = site.manage("db_worker", "--batch", "--no-startup-delay", "-v0")

    assert rerun.returncode == 0, rerun.stderr
    state = job_state(site)
    assert state[0] == "done" and state[3] == 0, state
    assert state[1] + state[2] == len(expected)
    checked = site.manage("check_index")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# -- a long write lock on SQLite -----------------------------------------------------------


class WriteLock:
    """Hold SQLite's write lock from outside, as a long transaction elsewhere would."""

    def __init__(self, site: Site) -> None:
        path = Path(site.env["CABLESEARCH_DATA_DIR"]) / "cablesearch.sqlite3"
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)

    def __enter__(self) -> WriteLock:
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single write lock")


# (Each lock is taken once the processes run: a process starting under a lock longer than the
# timeout fails Django's system checks, which open a transaction to probe for JSON support.)


@sqlite_only
def test_an_import_waits_out_a_write_lock_longer_than_the_timeout(site, long_subset):
    archive, expected = long_subset
    site.env["CABLESEARCH_SQLITE_TIMEOUT"] = "1"
    importer = site.start("import_cables", str(archive), "--quiet", "--batch-size", "5")
    wait_for(lambda: site.count_cables() > 0 or importer.poll() is not None)
    with WriteLock(site):
        time.sleep(4)  # four times the timeout: every batch would have failed "locked"
        assert site.count_cables() < len(expected)
    out, err = importer.communicate(timeout=600)

    assert importer.returncode == 0, err
    assert set(site.stored()) == set(expected)


@sqlite_only
def test_the_worker_outlasts_a_write_lock_and_runs_the_next_job(site, subset):
    archive, expected = subset
    site.env["CABLESEARCH_SQLITE_TIMEOUT"] = "1"
    worker = site.start("db_worker", "--no-startup-delay", "--interval", "0.2", "-v1")
    try:
        # Its log (on stderr) says when it has passed the system checks and polls for tasks.
        assert "Starting worker" in worker.stderr.readline()
        with WriteLock(site):
            time.sleep(4)
        assert worker.poll() is None, worker.communicate()[1]
        queued = site.manage("shell", "-c", QUEUE_JOB.replace("sys.argv[-1]", repr(str(archive))))
        assert queued.returncode == 0, queued.stderr
        wait_for(lambda: job_state(site)[0] in ("done", "failed"), every=0.5)
        assert job_state(site)[0] == "done"
        assert site.count_cables() == len(expected)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)


def job_state(site: Site) -> list:
    return json.loads(site.manage("shell", "-c", JOB_STATE).stdout.strip().splitlines()[-1])


@sqlite_only
def test_two_imports_and_a_job_under_a_long_lock_all_complete(site, long_subset):
    archive, expected = long_subset
    site.env["CABLESEARCH_SQLITE_TIMEOUT"] = "1"
    queued = site.manage("shell", "-c", QUEUE_JOB.replace("sys.argv[-1]", repr(str(archive))))
    assert queued.returncode == 0, queued.stderr
    processes = [
        site.start("import_cables", str(archive), "--quiet", "--batch-size", "5"),
        site.start("import_cables", str(archive), "--quiet", "--batch-size", "5"),
        site.start("db_worker", "--batch", "--no-startup-delay", "-v0"),
    ]
    wait_for(lambda: site.count_cables() > 0)
    with WriteLock(site):
        time.sleep(3)
    results = [(p.wait(timeout=600), p.stderr.read()) for p in processes]

    assert [status for status, _ in results] == [0, 0, 0], results
    state = job_state(site)
    assert state[0] == "done" and state[3] == 0, state
    assert set(site.stored()) == set(expected)
    assert site.manage("check_index").returncode == 0


# -- a full disk -------------------------------------------------------------------------


@pytest.fixture
def small_volume(tmp_path):
    """Mount a tmpfs of a given size (root only); unmounted at the end."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)])
        if done.returncode != 0:
            pytest.skip("mounting a small tmpfs needs root")
        mounted.append(path)
        return path

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def grow(volume: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=256m", str(volume)], check=True)


def summary_counts(stdout: str) -> dict[str, int]:
    line = next(line for line in stdout.splitlines() if " new, " in line)
    words = line.replace(",", "").split()
    return {words[i + 1]: int(words[i]) for i in (0, 2, 4, 6)}


def test_a_full_disk_stops_the_import_loudly_with_true_counts(
    site, long_subset, small_volume, tmp_path
):
    if site.pg_name:
        pytest.skip("the PostgreSQL cluster's disk is not this test's to fill")
    archive, expected = long_subset
    volume = small_volume("small-data", "3m")
    site.env["CABLESEARCH_DATA_DIR"] = str(volume)
    assert site.manage("migrate", "--noinput", "-v0").returncode == 0

    full = site.manage("import_cables", str(archive), "--quiet")

    assert full.returncode == 1, full.stdout + full.stderr
    assert "The import stopped" in full.stderr and "full" in full.stderr, full.stderr
    counts = summary_counts(full.stdout)
    grow(volume)
    assert counts["new"] == site.count_cables() < len(expected)
    assert_whole(site.stored(), expected)
    rerun = site.manage("import_cables", str(archive))
    assert rerun.returncode == 0, rerun.stderr
    assert site.manage("check_index", "--repair").returncode == 0
    assert site.manage("check_index").returncode == 0


def test_a_full_index_disk_stops_the_import_and_check_index_tells(site, subset, small_volume):
    archive, expected = subset
    volume = small_volume("small-index", "200k")
    site.env["CABLESEARCH_INDEX_DIR"] = str(volume / "index")

    full = site.manage("import_cables", str(archive), "--quiet")

    assert full.returncode == 1, full.stdout + full.stderr
    assert "the search index could not be updated" in full.stderr, full.stderr
    assert summary_counts(full.stdout)["new"] == site.count_cables() == len(expected)
    checked = site.manage("check_index")
    assert checked.returncode == 1
    assert "missing from the index" in checked.stdout
    grow(volume)
    assert site.manage("check_index", "--repair").returncode == 0
    assert site.manage("check_index").returncode == 0


# -- a lost index ------------------------------------------------------------------------


@pytest.fixture
def indexed(corpus_dir, index_dir) -> Path:
    """The seed cable stored and indexed; returns the index folder."""
    call_command("import_cables", str(corpus_dir / "seed" / "07MOSCOW5100.txt"), "--quiet")
    return index_dir


@pytest.mark.django_db(transaction=True)
def test_a_deleted_index_gives_a_clear_503_and_rebuild_index_restores_service(client, indexed):
    assert client.get("/search", {"q": "lavrov"}).status_code == 200
    shutil.rmtree(indexed)

    broken = client.get("/search", {"q": "lavrov"})
    assert broken.status_code == 503
    assert b"rebuild_index" in broken.content
    assert b"Traceback" not in broken.content

    call_command("rebuild_index", "--no-progress", stdout=io.StringIO())
    restored = client.get("/search", {"q": "lavrov"})
    assert restored.status_code == 200
    assert b"07MOSCOW5100" in restored.content


@pytest.mark.django_db(transaction=True)
def test_a_damaged_index_gives_a_clear_503_and_rebuild_index_restores_service(client, indexed):
    for path in indexed.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\0garbage" * 16)

    broken = client.get("/search", {"q": "lavrov"})
    assert broken.status_code == 503
    assert b"rebuild_index" in broken.content

    call_command("rebuild_index", "--no-progress", stdout=io.StringIO())
    restored = client.get("/search", {"q": "lavrov"})
    assert restored.status_code == 200
    assert b"07MOSCOW5100" in restored.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/search.csv", "/search.atom", "/search/facets/tag"])
def test_every_search_endpoint_answers_503_without_an_index(client, indexed, path):
    shutil.rmtree(indexed)

    response = client.get(path, {"q": "lavrov"})

    assert response.status_code == 503


# -- searching while an import runs ------------------------------------------------------


def test_searches_during_an_import_never_fail(site, subset, tmp_path, corpus_dir):
    from bench.load_test import Run, free_port, start_gunicorn, stop, user

    archive, expected = subset
    assert site.manage("collectstatic", "--noinput", "-v0").returncode == 0
    # A site in service: one cable already stored and indexed.
    seeded = site.manage("import_cables", str(corpus_dir / "seed" / "07MOSCOW5100.txt"))
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    server = start_gunicorn(site.env, port, workers=1, threads=4, log=tmp_path / "server.log")
    importer = site.start("import_cables", str(archive), "--quiet", "--batch-size", "10")
    run = Run()
    try:
        # Three users search and open cables until the import has finished.
        while importer.poll() is None or not run.samples:
            users = [
                threading.Thread(target=user, args=(run, port, seed, time.monotonic() + 2, []))
                for seed in range(3)
            ]
            for thread in users:
                thread.start()
            for thread in users:
                thread.join()
    finally:
        stop(server)
        importer.wait(timeout=600)

    assert importer.returncode == 0, importer.stderr.read()
    assert [s.error for s in run.samples if s.error] == []
    assert {s.kind for s in run.samples} == {"search", "cable"}


# -- concurrent sign-ins ---------------------------------------------------------------------


def guess_password(port: int, start: threading.Barrier, statuses: list[int]) -> None:
    """One scripted sign-in with a wrong password: its own CSRF cookie and token."""
    import http.client
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = page.read().decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"')[0]
    body = urlencode({"username": "alice", "password": "wrong", "csrfmiddlewaretoken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    start.wait()
    conn.request("POST", "/accounts/login/", body, headers)
    statuses.append(conn.getresponse().status)
    conn.close()


def test_concurrent_wrong_passwords_never_get_more_checks_than_the_limit(site, tmp_path):
    from bench.load_test import free_port, start_gunicorn, stop

    made = site.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('alice', password='a long pass phrase')",
    )
    assert made.returncode == 0, made.stderr
    assert site.manage("collectstatic", "--noinput", "-v0").returncode == 0
    port = free_port()
    server = start_gunicorn(site.env, port, workers=2, threads=12, log=tmp_path / "server.log")
    statuses: list[int] = []
    start = threading.Barrier(24)
    try:
        guesses = [
            threading.Thread(target=guess_password, args=(port, start, statuses)) for _ in range(24)
        ]
        for thread in guesses:
            thread.start()
        for thread in guesses:
            thread.join()
    finally:
        stop(server)

    assert len(statuses) == 24
    assert statuses.count(200) == 5, statuses  # checked against the password: the limit
    assert statuses.count(429) == 19
