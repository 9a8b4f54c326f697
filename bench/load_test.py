"""Bounded load test on loopback: concurrent users search and read cables while an import runs.

    .venv/bin/python bench/load_test.py                 # 16 users, 60 s, about 5 minutes in all
    .venv/bin/python bench/load_test.py --users 4 --seconds 10 --initial 200   # a quick look

What it does, all on 127.0.0.1 in a fresh data folder under bench/work/ (deleted afterwards
unless --keep):

1. migrate, collectstatic, and import ``--initial`` real cables from the shared corpus;
2. start gunicorn as docs/deploy.md runs it (production settings, DEBUG off; only the HTTPS
   redirect and secure cookies are off, since loopback speaks plain HTTP);
3. start ``manage.py import_cables`` on the cablegate HTML archive (new forms of the same
   cables and new ones: the import writes the database and the index throughout the run);
4. run ``--users`` closed-loop clients (stdlib threads + http.client) for ``--seconds``: each
   searches (words, phrases, facets, sorts, pages), then opens a cable from its results.

It reports requests/s, latency percentiles per kind of page, errors (any status but 200, or a
failed connection) and how far the import got, as text and as JSON (``--json PATH``). The exit
status is 1 if any request failed: the target is 0 errors.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_DIR.parent / "shared" / "corpus"
HOST = "127.0.0.1"
CABLE_LINK_RE = re.compile(r'href="/cables/([A-Za-z0-9]+)/')
CABLE_ID_RE = re.compile(r"[0-9]{2}[A-Z0-9]+")

WORDS = [
    "nuclear",
    "missile defense",
    "Lavrov",
    "human rights",
    "election",
    "oil",
    "corruption",
    "Iran",
    "Taliban",
    "Chavez",
    '"six-party talks"',
    "embassy",
    "terrorism",
    "visa",
    "trade",
    "military",
    "opposition",
    "president",
    "minister",
    "police",
    "refugees",
    "Afghanistan",
    "Pakistan",
    "China",
    "Russia",
    "energy",
    "gas pipeline",
    "NATO",
    "subject:iran",
    "-Moscow nuclear",
    "security OR defense",
    "parliament",
    "drugs",
]
FILTERS = [
    {},
    {},
    {},
    {"tag": "PREL"},
    {"tag": "PGOV"},
    {"country": "IR"},
    {"sort": "newest"},
    {"sort": "oldest"},
    {"page": "2"},
    {"year": "2009"},
    {"tag": "-PREL"},
    {"class": "SECRET"},
]


@dataclass
class Sample:
    kind: str
    status: int
    ms: float
    error: str = ""


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def fetch(port: int, path: str) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), ""
    except (OSError, http.client.HTTPException) as exc:
        return 0, b"", repr(exc)
    finally:
        conn.close()


def timed(run: Run, kind: str, port: int, path: str) -> bytes:
    started = time.perf_counter()
    status, body, error = fetch(port, path)
    ms = (time.perf_counter() - started) * 1000
    if status != 200 and not error:
        error = f"HTTP {status} for {path}"
    run.add(Sample(kind, status, ms, error))
    return body


def user(run: Run, port: int, seed: int, deadline: float, known_ids: list[str]) -> None:
    """One closed-loop user: search, then read a cable from the results (or a known one)."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        params = {"q": rng.choice(WORDS), **rng.choice(FILTERS)}
        body = timed(run, "search", port, "/search?" + urlencode(params))
        if time.monotonic() >= deadline:
            break
        found = CABLE_LINK_RE.findall(body.decode("utf-8", "replace")) or known_ids
        if found:
            timed(run, "cable", port, f"/cables/{rng.choice(found)}/")


# -- setting up the site -------------------------------------------------------------------


def site_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "load-test-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CABLESEARCH_DATA_DIR": str(data_dir),
        }
    )
    return env


def manage(env: dict[str, str], *args: str, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, stdout=out, stderr=out
        )
    # import_cables exits 1 when some inputs were not cables (the corpus has a few): not fatal.
    if done.returncode not in (0, 1) or (done.returncode == 1 and args[0] != "import_cables"):
        sys.exit(f"manage.py {' '.join(args)} failed ({done.returncode}); see {log}")


def stored_ids(env: dict[str, str]) -> list[str]:
    code = "from cables.models import Cable; print(*Cable.objects.values_list('id', flat=True))"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [word for word in done.stdout.split() if CABLE_ID_RE.fullmatch(word)]


def initial_archive(count: int, folder: Path) -> Path:
    """The first ``count`` files of the plain-text corpus, as a tar.gz."""
    path = folder / "initial.tar.gz"
    added = 0
    with (
        tarfile.open(CORPUS_DIR / "cables-text.tar.xz", "r|xz") as source,
        tarfile.open(path, "w:gz") as archive,
    ):
        for member in source:
            if not member.isfile():
                continue
            data = source.extractfile(member).read()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            added += 1
            if added == count:
                break
    return path


def giant_cable(folder: Path, paragraphs: int, paragraph_chars: int) -> Path:
    """A real cable grown to ``paragraphs`` paragraphs of ``paragraph_chars`` characters, each
    holding the load test's query words, under an id of its own: every search matches it."""
    with tarfile.open(CORPUS_DIR / "cables-text.tar.xz", "r|xz") as source:
        for member in source:
            if member.isfile():
                text = source.extractfile(member).read().decode("utf-8", "replace")
                if "\n¶2. " in text:
                    break
    sys.path.insert(0, str(PROJECT_DIR))
    from cables.parsing import parse

    # An id of its own (no other cable replaces it): its serial number changed in the text.
    serial = re.search(r"(\d+)$", parse(text.encode(), source="x.txt").id).group(1)
    text = re.sub(rf"\b0*{serial}\b", "99999", text)
    words = " ".join(w.strip('"') for w in WORDS).upper()
    filler = (words + " ") * (paragraph_chars // (len(words) + 1) + 1)
    body = "".join(f"\n\n¶{n}. (C) {filler[:paragraph_chars]}\n" for n in range(2, 2 + paragraphs))
    second = text.index("\n¶2. ")
    path = folder / "giant.txt"
    path.write_text(text[:second] + body + text[second:])
    return path


def start_gunicorn(
    env: dict[str, str],
    port: int,
    workers: int,
    threads: int,
    log: Path,
    log_level: str = "warning",
):
    """gunicorn with the production settings of config/gunicorn.py, on loopback."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config", "config/gunicorn.py",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--log-level", log_level,
        "--access-logfile", "/dev/null",
    ]  # fmt: skip
    out = log.open("ab")
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        if fetch(port, "/help")[0]:  # any answer: the server is up
            return process
        time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- reporting -----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summarise(run: Run, seconds: float) -> dict:
    report: dict = {"seconds": round(seconds, 1), "kinds": {}}
    for kind in ("search", "cable", "all"):
        samples = [s for s in run.samples if kind in ("all", s.kind)]
        if not samples:
            continue
        ms = [s.ms for s in samples]
        report["kinds"][kind] = {
            "requests": len(samples),
            "per_second": round(len(samples) / seconds, 1),
            "errors": sum(1 for s in samples if s.error),
            "p50_ms": round(percentile(ms, 50)),
            "p90_ms": round(percentile(ms, 90)),
            "p95_ms": round(percentile(ms, 95)),
            "p99_ms": round(percentile(ms, 99)),
            "max_ms": round(max(ms)),
            "mean_ms": round(statistics.fmean(ms)),
        }
    report["errors"] = sorted({s.error for s in run.samples if s.error})[:20]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--initial", type=int, default=1000, help="cables imported before")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--database-url",
        default="",
        help="an EMPTY PostgreSQL database to use (default: SQLite in the throwaway folder)",
    )
    parser.add_argument(
        "--giant",
        metavar="PARAGRAPHSxCHARS",
        default="",
        help="also store one giant cable matching every query (e.g. 990x4000: about the 4 MiB "
        "the default limits allow; at most 998 paragraphs, since the parser reads paragraph "
        "numbers of up to three digits); the import limits are raised for it when needed",
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    args = parser.parse_args()

    work = PROJECT_DIR / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="load-", dir=work))
    data_dir, log = folder / "data", folder / "log.txt"
    env = site_env(data_dir, args.database_url)
    print(f"Working in {folder}", flush=True)
    try:
        started = time.monotonic()
        manage(env, "migrate", "--noinput", "-v0", log=log)
        manage(env, "collectstatic", "--noinput", "-v0", log=log)
        archive = initial_archive(args.initial, folder)
        manage(env, "import_cables", str(archive), "--quiet", log=log)
        if args.giant:
            paragraphs, chars = (int(n) for n in args.giant.lower().split("x"))
            if paragraphs > 998:
                sys.exit("--giant: at most 998 paragraphs (numbered 2 to 999, as the parser reads)")
            giant_env = {
                **env,
                "CABLESEARCH_MAX_FILE_BYTES": str(max(4 << 20, paragraphs * (chars + 20) * 2)),
                # The real cable's own paragraphs come on top of the grown ones.
                "CABLESEARCH_MAX_PARAGRAPHS": str(max(5000, paragraphs + 100)),
            }
            giant = giant_cable(folder, paragraphs, chars)
            before = len(stored_ids(env))
            manage(giant_env, "import_cables", str(giant), "--quiet", log=log)
            if len(stored_ids(env)) != before + 1:
                sys.exit(f"the giant cable was not stored (a limit refused it?); see {log}")
            print(f"Stored a giant cable of {giant.stat().st_size:,} bytes", flush=True)
        known_ids = stored_ids(env)
        print(
            f"Set up with {len(known_ids)} cables in {time.monotonic() - started:.0f} s", flush=True
        )

        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads, log)
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_cables",
             str(CORPUS_DIR / "cablegate-html.tar.xz"), "--quiet"],
            cwd=PROJECT_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            run = Run()
            deadline = time.monotonic() + args.seconds
            users = [
                threading.Thread(target=user, args=(run, port, seed, deadline, known_ids))
                for seed in range(args.users)
            ]
            load_started = time.perf_counter()
            for thread in users:
                thread.start()
            for thread in users:
                thread.join()
            seconds = time.perf_counter() - load_started
            import_running = importer.poll() is None
        finally:
            stop(importer)
            stop(server)
        report = summarise(run, seconds)
        report.update(
            users=args.users,
            gunicorn=f"{args.workers} workers x {args.threads} threads",
            database="PostgreSQL" if "DATABASE_URL" in env else "SQLite",
            import_running_throughout=import_running,
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print(
        f"{report['users']} users for {report['seconds']} s against gunicorn "
        f"({report['gunicorn']}, {report['database']}) on {HOST}, "
        f"import {'running throughout' if import_running else 'finished before the end'}"
    )
    print(f"{'page':8} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50':>6} {'p90':>6} "
          f"{'p95':>6} {'p99':>6} {'max':>6}  (ms)")  # fmt: skip
    for kind, row in report["kinds"].items():
        print(
            f"{kind:8} {row['requests']:>8} {row['per_second']:>7} {row['errors']:>6} "
            f"{row['p50_ms']:>6} {row['p90_ms']:>6} {row['p95_ms']:>6} {row['p99_ms']:>6} "
            f"{row['max_ms']:>6}"
        )
    for error in report["errors"]:
        print("error:", error)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["kinds"].get("all", {}).get("errors", 1) else 0


if __name__ == "__main__":
    sys.exit(main())
