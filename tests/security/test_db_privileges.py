"""The web and worker processes' database role (eduquality.privileges): rows yes, DDL no, and the
access log append-only by privilege, not only by a trigger the same role could drop."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from eduquality.privileges import ACCESS_LOG, default_app_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_connection(monkeypatch):
    """A connection to the test database as its application role, set up by the command compose runs."""
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("APP_DB_PASSWORD", password)
    call_command("grant_app_role", verbosity=0)
    settings = connection.settings_dict
    role = default_app_role(settings["NAME"])
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        password=password,
        autocommit=True,
    ) as app:
        yield app


def _refused(app, statement: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        app.execute(statement)
    return str(refused.value)


def test_the_web_role_cannot_alter_truncate_or_delete_the_access_log(app_connection):
    app = app_connection
    app.execute(
        f"INSERT INTO {ACCESS_LOG} (username, roles, what, path, method, allowed, created_at) "
        "VALUES ('principal', '校长', '学生名单', '/schools/students/', 'GET', true, now())"
    )
    assert app.execute(f"SELECT count(*) FROM {ACCESS_LOG}").fetchone()[0] == 1
    for statement in (
        f"UPDATE {ACCESS_LOG} SET allowed = false",
        f"DELETE FROM {ACCESS_LOG}",
        f"TRUNCATE {ACCESS_LOG}",
        f"ALTER TABLE {ACCESS_LOG} DISABLE TRIGGER eduquality_accesslog_no_change",
        f"DROP TRIGGER eduquality_accesslog_no_change ON {ACCESS_LOG}",
        f"DROP TABLE {ACCESS_LOG}",
    ):
        message = _refused(app, statement)
        assert "permission denied" in message or "must be owner" in message, statement
    assert app.execute(f"SELECT count(*) FROM {ACCESS_LOG} WHERE allowed").fetchone()[0] == 1


def test_the_web_role_writes_rows_but_no_schema(app_connection, reference_data):
    app = app_connection
    app.execute("UPDATE schools_subject SET name = name")
    assert app.execute("SELECT count(*) FROM schools_subject").fetchone()[0] > 0
    _refused(app, "CREATE TABLE eduquality_intruder (id int)")
    _refused(app, "ALTER TABLE schools_school ADD COLUMN intruder int")
    _refused(app, "DELETE FROM django_migrations")
    # Temporary tables stay allowed: the statistics engine and the score import use them.
    app.execute("CREATE TEMP TABLE scratch (id int)")


def test_a_table_a_later_migration_creates_is_open_to_the_web_role(app_connection):
    with connection.cursor() as owner:
        owner.execute("CREATE TABLE eduquality_later (id bigserial PRIMARY KEY, note text)")
    try:
        app_connection.execute("INSERT INTO eduquality_later (note) VALUES ('新表')")
        assert app_connection.execute("SELECT note FROM eduquality_later").fetchone()[0] == "新表"
    finally:
        with connection.cursor() as owner:
            owner.execute("DROP TABLE eduquality_later")


def test_the_command_can_run_again_after_every_migrate(app_connection, reference_data):
    call_command("grant_app_role", verbosity=0)
    assert app_connection.execute("SELECT count(*) FROM schools_subject").fetchone()[0] > 0


def test_a_worker_connected_as_the_web_role_imports_scores_and_computes_statistics(app_connection, city, tmp_path):
    """The heaviest writer (COPY, temporary tables, the registry triggers, the statistics engine) runs
    as the application role in a process of its own, as the Celery worker does."""
    from monitoring.models import Statistic
    from tests.monitoring.factories import make_exam, row, workbook

    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-ROLE")
    sheet = tmp_path / "成绩.xlsx"
    sheet.write_bytes(workbook(exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_b, 1, 60, 50)]))
    settings = connection.settings_dict
    role, password = app_connection.info.user, app_connection.info.password
    url = (
        f"postgres://{role}:{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_scores", exam.code, str(sheet)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert Statistic.objects.filter(exam=exam, level="school").count() == 2 * 3  # two schools × (2 subjects + 全科)
    # The web container takes the backups (README "Operations"): pg_dump as the role reads everything.
    backup = subprocess.run(
        [sys.executable, "manage.py", "backup_data", str(tmp_path / "backup.tar")],
        cwd=Path(__file__).resolve().parents[2],
        env={**environment, "EDUQUALITY_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert backup.returncode == 0, backup.stderr
