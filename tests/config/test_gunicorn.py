"""config/gunicorn.py: a worker opens the search index before it takes requests."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.load_test import free_port, site_env, start_gunicorn, stop
from tests.config.test_production_server import get, manage

SEED = Path(__file__).resolve().parents[2] / "cables" / "data" / "sample" / "07MOSCOW5100.txt"


def serve(root: Path):
    """A site holding the seed cable; returns (env, data dir)."""
    env = site_env(root / "data")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "import_cables", str(SEED), "--quiet")
    return env, root / "data"


def search_once(env: dict[str, str], log: Path) -> tuple[int, bytes, str]:
    """Start one worker, search, stop: the answer's status and body, and the server log."""
    port = free_port()
    process = start_gunicorn(env, port, 1, 2, log, log_level="info")
    try:
        status, _, body = get(port, "/search?q=lavrov")
    finally:
        stop(process)
    return status, body, log.read_text()


def test_a_worker_opens_the_index_before_taking_requests(tmp_path):
    env, _ = serve(tmp_path)

    status, body, log = search_once(env, tmp_path / "server.log")

    assert "search index ready in" in log
    assert status == 200
    assert b"07MOSCOW5100" in body


def test_a_worker_starts_without_an_index_and_searches_answer_503(tmp_path):
    env, data = serve(tmp_path)
    index = data / "index"
    if index.is_symlink():
        index.unlink()
    else:
        shutil.rmtree(index)

    status, body, log = search_once(env, tmp_path / "server.log")

    assert "search index unavailable" in log
    assert status == 503
    assert b"rebuild_index" in body
