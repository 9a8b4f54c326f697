"""Drive the real server over loopback: gunicorn with 2 workers on 127.0.0.1 only.

A stdlib client (threads + http.client, one connection per request, as gunicorn's sync
workers close the connection after each response). Two measurements:

* ``sequential``: one client walks the query set once: latency of each page as a user sees it
  when the server is otherwise idle;
* ``concurrent``: N clients loop over the query set until ``max_requests`` responses or
  ``max_seconds`` have passed, whichever comes first: throughput and latency under load.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass(frozen=True, slots=True)
class Response:
    path: str
    status: int
    ms: float
    size: int
    error: str = ""


def fetch(port: int, path: str, timeout: float = 120.0) -> Response:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{port}"})
        resp = conn.getresponse()
        body = resp.read()
        return Response(path, resp.status, (time.perf_counter() - started) * 1000, len(body))
    except (OSError, http.client.HTTPException) as exc:
        return Response(path, 0, (time.perf_counter() - started) * 1000, 0, repr(exc))
    finally:
        conn.close()


class Server:
    """gunicorn on loopback; a context manager that always stops what it started."""

    def __init__(
        self, env: dict[str, str], log: Path, workers: int = 2, project_dir: Path | None = None
    ) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.project_dir = project_dir or Path(__file__).resolve().parent.parent
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        cmd = [
            str(gunicorn),
            "config.wsgi:application",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            cmd, cwd=self.project_dir, env=self.env, stdout=self._fh, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            r = fetch(self.port, "/search.json", timeout=60)
            if r.status:
                return self
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer within 90 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._fh.close()

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0


def sequential(port: int, paths: list[str]) -> list[Response]:
    return [fetch(port, p) for p in paths]


@dataclass(frozen=True, slots=True)
class LoadRun:
    clients: int
    responses: list[Response]
    seconds: float
    stopped_by: str  # "count" or "time"


def concurrent(
    port: int, paths: list[str], clients: int = 8, max_requests: int = 2000, max_seconds: float = 60
) -> LoadRun:
    """Closed loop: each client sends its next request as soon as the previous one ends."""
    lock = threading.Lock()
    responses: list[Response] = []
    issued = [0]
    deadline = time.monotonic() + max_seconds

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            r = fetch(port, paths[i % len(paths)])
            i += 1
            with lock:
                responses.append(r)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(k * len(paths) // clients,), daemon=True)
        for k in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return LoadRun(clients, responses, seconds, "count" if issued[0] >= max_requests else "time")


def server_env(base: dict[str, str], data_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off) minus what needs TLS, on the benchmark's data dir."""
    env = dict(base)
    # Never the configured database or index: the benchmark's scratch dir holds both.
    for key in ("DATABASE_URL", "CABLESEARCH_INDEX_DIR", "CABLESEARCH_SEARCH_BACKEND"):
        env.pop(key, None)
    env.update(
        {
            "CABLESEARCH_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                [str(Path(__file__).resolve().parent.parent), base.get("PYTHONPATH", "")]
            ).rstrip(os.pathsep),
        }
    )
    return env
