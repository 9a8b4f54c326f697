"""The PostgreSQL engine against the shared backend contract, on a real PostgreSQL server.

Runs under `make test-postgres` (.ci/with-postgres); on SQLite the class is skipped.
"""

import pytest
from django.db import connection

from tests.search.contract import BackendContract

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL engine needs PostgreSQL: run make test-postgres",
)


@pytest.fixture(scope="module")
def backend_path() -> str:
    return "search.backends.postgres.PostgresBackend"


class TestPostgresBackend(BackendContract):
    pass
