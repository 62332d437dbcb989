"""The restore drill: seed, back up, lose everything, restore, and find every table and file as it was.

The backup is taken from the test database; it is restored (by `manage.py restore_data` in a process
of its own, as an operator would) into a second database — an empty one, as on a new server, then the
same one again after rows and files were destroyed in it. Every table's row count and checksum and
every file's SHA-256 must match.
"""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from eduquality.models import AccessLog, Job
from monitoring.statistics import compute_exam
from tests.monitoring.factories import import_rows, make_exam, row

pytestmark = pytest.mark.django_db(transaction=True)
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


@pytest.fixture
def drill_database():
    """A second, empty database on the same server, named after the suite's own (eduquality_…_drill)."""
    name = connection.settings_dict["NAME"].removeprefix("test_") + "_drill"
    with psycopg.connect(**_server("postgres", autocommit=True)) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    yield name
    with psycopg.connect(**_server("postgres", autocommit=True)) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fingerprint(database: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema → (row count, MD5 of its rows in a fixed order)."""
    with psycopg.connect(**_server(database)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            table: db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            for table in tables
        }


def _files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _restore(archive: Path, database: str, var_dir: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": _url(database), "EDUQUALITY_VAR_DIR": str(var_dir)}
    return subprocess.run(
        [sys.executable, "manage.py", "restore_data", str(archive), "--yes"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_restore_drill_brings_back_every_row_and_file(city, settings, tmp_path, drill_database):
    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-DRILL")
    import_rows(exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_b, 1, 60, 45)])
    compute_exam(exam)
    job = Job.objects.create(owner=city.bureau, kind="test", title="导出", status=Job.Status.SUCCEEDED)
    job.result_file.save("导出.xlsx", ContentFile(b"workbook bytes"))
    job.input_file.save("成绩.xlsx", ContentFile(os.urandom(2048)))
    AccessLog.objects.create(
        username="principal", what="学生名单", path="/schools/students/", method="GET", allowed=True
    )
    media = Path(settings.MEDIA_ROOT)
    original_tables, original_files = _fingerprint(connection.settings_dict["NAME"]), _files(media)
    assert len(original_files) == 2 and original_tables["monitoring_score"][0] == 4

    archive = tmp_path / "eduquality.tar"
    call_command("backup_data", str(archive), stdout=io.StringIO())

    restored_var = tmp_path / "restored"
    result = _restore(archive, drill_database, restored_var)
    assert result.returncode == 0, result.stderr
    assert _fingerprint(drill_database) == original_tables
    assert _files(restored_var / "media") == original_files

    # Destroy in place: rows and files gone, a stray file added; the same archive restores them.
    with psycopg.connect(**_server(drill_database, autocommit=True)) as db:
        db.execute("TRUNCATE monitoring_score, monitoring_statistic, schools_student CASCADE")
    for path in (restored_var / "media").rglob("*.xlsx"):
        path.write_bytes(b"overwritten")
    (restored_var / "media" / "stray.txt").write_text("不该留下")
    result = _restore(archive, drill_database, restored_var)
    assert result.returncode == 0, result.stderr
    assert _fingerprint(drill_database) == original_tables
    assert _files(restored_var / "media") == original_files


def test_a_damaged_archive_is_refused_before_anything_changes(city, settings, tmp_path):
    Job.objects.create(owner=city.bureau, kind="test", title="导出").result_file.save("a.xlsx", ContentFile(b"1234"))
    archive = tmp_path / "eduquality.tar"
    call_command("backup_data", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.startswith("media/"):
                content = b"tampered"
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    before = Job.objects.count()
    with pytest.raises(CommandError, match="校验值不符"):
        call_command("restore_data", str(damaged), "--yes")
    assert Job.objects.count() == before
    assert list(Path(settings.MEDIA_ROOT).rglob("a*.xlsx"))
