"""Migrations: in step with the models, and applied from scratch on this run's database.

pytest-django builds the test database by running every migration, so the suite itself proves
they apply on SQLite (`make test`) and on PostgreSQL (`make test-postgres`).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    out = io.StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_every_migration_is_applied_to_the_test_database():
    executor = MigrationExecutor(connection)

    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db(transaction=True)
def test_the_cable_migrations_unapply_and_reapply():
    call_command("migrate", "cables", "zero", "-v0")
    call_command("migrate", "-v0")

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
