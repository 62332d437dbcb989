"""Upgrades keep data: the last release's code builds its demo city in a fresh PostgreSQL database,
then the current code migrates that database. Every table keeps its rows and the pages answer.

The release is a commit of this repository (LAST_RELEASE, moved forward at each release); its tree
is taken with `git archive`, so the test needs the clone's history (CI has it). About a minute.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import psycopg
import pytest
from django.db import connection

# The last release: main when the JSON API and the least-privilege roles were begun.
LAST_RELEASE = "0778b5b2a5982263031dc48ec5a4ec3c4d6ae6c2"
ROOT = Path(__file__).resolve().parents[1]


def _server(database: str, **extra) -> dict:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": database,
        **extra,
    }


def _url(database: str) -> str:
    s = _server(database)
    credentials = f"{s['user']}:{s['password']}" if s["password"] else s["user"]
    return f"postgres://{credentials}@{s['host']}:{s['port']}/{database}"


def _release_tree(target: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git clone: the last release's code cannot be taken from the history")
    archive = target.with_suffix(".tar")
    result = subprocess.run(
        ["git", "archive", "--format=tar", f"--output={archive}", LAST_RELEASE],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"release {LAST_RELEASE[:10]} not in this clone's history: {result.stderr.strip()}")
    with tarfile.open(archive) as tree:
        tree.extractall(target, filter="data")


def _manage(code: Path, database: str, var_dir: Path, *arguments: str) -> str:
    environment = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "EDUQUALITY_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "",
        "PYTHONPATH": str(code),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=code,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{code.name}: manage.py {' '.join(arguments)}\n{result.stderr[-3000:]}"
    return result.stdout


def _row_counts(database: str) -> dict[str, int]:
    with psycopg.connect(**_server(database)) as db:
        tables = [t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def upgrade_database():
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_upgrade"
    with psycopg.connect(**_server("postgres", autocommit=True)) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    yield name
    with psycopg.connect(**_server("postgres", autocommit=True)) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PAGES = textwrap.dedent(
    """
    from django.test import Client
    from eduquality.models import User
    failures = []
    for username in ("bureau", "principal", "teacher"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path in ("/", "/schools/", "/schools/students/", "/monitoring/exams/", "/reports/", "/api/tokens/"):
            status = client.get(path).status_code
            if status not in (200, 403):
                failures.append(f"{username} {path} {status}")
    print("FAILURES:" + ";".join(failures))
    """
)


@pytest.mark.django_db
def test_the_last_releases_demo_city_survives_the_upgrade(tmp_path, upgrade_database):
    release = tmp_path / "release"
    _release_tree(release)
    var_dir = tmp_path / "var"
    _manage(release, upgrade_database, var_dir, "migrate", "--noinput", "-v0")
    _manage(release, upgrade_database, var_dir, "seed_demo", "--scale", "0.3")
    before = _row_counts(upgrade_database)
    assert before["schools_student"] > 0 and before["monitoring_score"] > 0 and before["reports_report"] > 0

    _manage(ROOT, upgrade_database, var_dir, "migrate", "--noinput", "-v0")
    after = _row_counts(upgrade_database)
    changed = {table: (count, after.get(table)) for table, count in before.items() if after.get(table) != count}
    # The new migrations' rows, the content types and permissions of new models, and the reference
    # rows a data migration adds to an existing table (the 副校长's default observation quota) are
    # added; every other table keeps exactly its rows.
    grown = {"django_migrations", "django_content_type", "auth_permission", "inspections_observationquota"}
    assert set(changed) <= grown, changed
    assert all(after[table] >= before[table] for table in grown)

    output = _manage(ROOT, upgrade_database, var_dir, "shell", "-c", PAGES)
    assert "FAILURES:\n" in output or output.strip().endswith("FAILURES:"), output
