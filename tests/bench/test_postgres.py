"""bench/postgres.py: the benchmark's own PostgreSQL cluster, throwaway or kept (--pg-dir)."""

from __future__ import annotations

import glob
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from bench import postgres as pg

pytestmark = pytest.mark.skipif(
    not glob.glob("/usr/lib/postgresql/*/bin/initdb"), reason="needs Debian's postgresql package"
)


@pytest.fixture
def keep_dir():
    # Under /tmp itself: the server runs as the postgres user, who cannot enter pytest's
    # per-user temporary folders.
    folder = Path(tempfile.mkdtemp(prefix="cablesearch-test-pg-keep."))
    folder.chmod(0o755)
    yield folder / "cluster"
    shutil.rmtree(folder, ignore_errors=True)


def test_a_kept_cluster_starts_again_with_its_data(keep_dir):
    with pg.cluster(keep_dir) as server, psycopg.connect(server["url"]) as conn:
        conn.execute("CREATE TABLE kept (n integer)")
        conn.execute("INSERT INTO kept VALUES (42)")
    with pg.cluster(keep_dir) as server, psycopg.connect(server["url"]) as conn:
        assert conn.execute("SELECT n FROM kept").fetchone()[0] == 42


def test_a_throwaway_cluster_leaves_no_folder():
    with pg.cluster() as server:
        folder = server["folder"]
        assert folder.exists()
    assert not folder.exists()
