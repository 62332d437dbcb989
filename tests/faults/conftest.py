"""Fault tests: a real Redis, real prefork Celery workers, PostgreSQL; processes killed for real."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from eduquality import jobs
from eduquality.models import Job
from tests.monitoring.factories import make_exam, row, workbook
from tests.test_worker import REPO_ROOT, broker, worker, worker_database_url  # noqa: F401 – shared fixtures

ROWS = 300
SUBJECTS = 2


def spawn_worker(broker_url: str, settings, **env) -> subprocess.Popen:
    """A Celery worker like tests.test_worker's, with extra environment (a short visibility timeout)."""
    environment = {
        **os.environ,
        "EDUQUALITY_VAR_DIR": str(Path(settings.MEDIA_ROOT).parent),
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "eduquality.settings",
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "eduquality", "worker", "--pool", "prefork"]
    command += ["--concurrency", "1", "-l", "warning", "-I", "tests.worker_handlers", "--without-heartbeat"]
    command += ["--without-gossip", "--without-mingle"]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    try:
        return process.communicate(timeout=10)[0] or ""
    except (subprocess.TimeoutExpired, ValueError):
        return ""


def score_job(city, tmp_path, name: str = "ready", **params) -> tuple[Job, object, Path]:
    """A score import of ROWS students × SUBJECTS subjects through the pausing handler."""
    exam = make_exam(schools=[city.school_a, city.school_b], code=f"JC-F{time.monotonic_ns() % 100000}")
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1 + n % 3, 40 + n % 60, 55.5) for n in range(1, ROWS + 1)]
    ready = tmp_path / name
    job = jobs.start_job(
        owner=city.bureau,
        kind="faults.import_scores",
        title="故障测试：导入成绩",
        params={"exam_id": exam.pk, "ready_file": str(ready), **params},
        input_file=SimpleUploadedFile("成绩.xlsx", workbook(exam, rows)),
    )
    return job, exam, ready


def wait_until(predicate, timeout: float, what: str, processes=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.1)
    output = "\n".join(stop(p)[-2000:] for p in processes)
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{output}")


def finished(job: Job):
    def check():
        job.refresh_from_db()
        return job.is_finished

    return check
