"""Faults in the middle of a score import, with real processes: a killed pool child, a killed
worker, a restarted Redis, a dropped PostgreSQL connection. Nothing lost, nothing doubled, nothing
half-written; the job ends exactly once."""

import base64
import json
import os
import signal
import subprocess
import time

import pytest
import redis
from django.db import connection

from eduquality import jobs
from eduquality.celery import app
from eduquality.models import Job
from monitoring.models import Score
from schools.models import Student
from tests.faults.conftest import ROWS, SUBJECTS, finished, score_job, spawn_worker, stop, wait_until
from tests.test_worker import BROKER_URL, broker, drop_broker_connections, worker  # noqa: F401

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def assert_imported_once(job: Job, exam, attempts: int) -> None:
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.attempts == attempts
    assert Score.objects.filter(exam_subject__exam=exam).count() == ROWS * SUBJECTS
    assert Student.objects.filter(student_number__in=Score.objects.values("student__student_number")).count() == ROWS


def queue_is_empty(url: str) -> bool:
    client = redis.Redis.from_url(url)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


def test_a_killed_pool_child_is_redelivered_and_the_import_ends_once(city, worker, tmp_path):  # noqa: F811
    job, exam, ready = score_job(city, tmp_path)
    wait_until(ready.exists, 60, "the import to reach its pause", [worker])
    child_pid, _ = map(int, ready.read_text().split())
    assert child_pid != worker.pid
    os.kill(child_pid, signal.SIGKILL)  # inside the transaction: rows written, not committed

    wait_until(finished(job), 60, "the re-delivered job", [worker])
    assert_imported_once(job, exam, attempts=2)
    time.sleep(1)
    assert queue_is_empty(BROKER_URL), "the message is still in Redis: it would run again"


VISIBILITY_TIMEOUT = 5  # seconds, for the test; production: 3600 (README "Operations")


def test_a_killed_worker_is_replaced_by_another_within_the_visibility_timeout(city, broker, settings, tmp_path):  # noqa: F811
    first = spawn_worker(
        broker, settings, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), CELERY_RESTORE_INTERVAL="1"
    )
    second = None
    try:
        job, exam, ready = score_job(city, tmp_path)
        wait_until(ready.exists, 60, "the import to reach its pause", [first])
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker: main process and pool child
        first.wait(timeout=10)
        killed_at = time.monotonic()
        second = spawn_worker(
            broker, settings, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), CELERY_RESTORE_INTERVAL="1"
        )
        done_at = wait_until(finished(job), 60, "another worker to finish the job", [second])
        assert_imported_once(job, exam, attempts=2)
        # Recovery: the visibility timeout, plus a worker's start and the import itself.
        assert done_at - killed_at < VISIBILITY_TIMEOUT + 30, f"recovered in {done_at - killed_at:.1f}s"
    finally:
        stop(first)
        if second is not None:
            stop(second)


def test_a_dropped_database_connection_leaves_nothing_half_written_and_the_retry_succeeds(city, worker, tmp_path):  # noqa: F811
    job, exam, ready = score_job(city, tmp_path, pause_seconds=3)
    wait_until(ready.exists, 60, "the import to reach its pause", [worker])
    _, backend = map(int, ready.read_text().split())
    students_before = Student.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        assert cursor.fetchone()[0] is True

    wait_until(finished(job), 60, "the job to fail", [worker])
    assert job.status == Job.Status.FAILED
    assert jobs.is_retryable(job), job.message
    # The students the import had written inside its transaction are gone with it.
    assert Student.objects.count() == students_before
    assert not Score.objects.filter(exam_subject__exam=exam).exists()

    assert jobs.retry_job(job)
    wait_until(finished(job), 60, "the retried job", [worker])
    assert_imported_once(job, exam, attempts=1)  # retry_job starts the count again


def test_task_messages_carry_ids_only(city, broker, tmp_path):  # noqa: F811
    """The raw message in Redis for a score import: the job's id, no name, 学籍号 or score."""
    job, _exam, _ = score_job(city, tmp_path)
    client = redis.Redis.from_url(broker)
    try:
        raw = b"".join(client.lrange("celery", 0, -1))
    finally:
        client.close()
    assert str(job.pk).encode() in raw
    message = json.loads(raw)
    decoded = raw + json.dumps(message, ensure_ascii=False).encode()
    decoded += base64.b64decode(message["body"])
    for secret in [city.student_a.name, city.student_a.student_number, "学生1", "G2206", "55.5", "成绩.xlsx"]:
        assert secret.encode() not in decoded, secret


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own on port 6390, persisting like production's (append-only file), so
    restarting it does not disturb anyone else's broker."""
    port = 6390
    directory = tmp_path / "redis"
    directory.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(directory), "--daemonize", "no"]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.05)
        process.kill()
        pytest.fail("redis-server did not start on port 6390 (`make test` installs it)")

    state = {"process": start()}

    def restart():
        state["process"].terminate()  # SIGTERM: Redis writes the append-only file and exits
        state["process"].wait(timeout=10)
        state["process"] = start()

    url = f"redis://127.0.0.1:{port}/0"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    drop_broker_connections()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield url, restart
    finally:
        drop_broker_connections()
        app.conf.update(saved)
        state["process"].kill()
        state["process"].wait(timeout=10)


def test_a_redis_restart_during_a_job_loses_and_doubles_nothing(city, private_redis, settings, tmp_path):
    url, restart = private_redis
    process = spawn_worker(url, settings)
    try:
        running, exam, ready = score_job(city, tmp_path, pause_seconds=4)
        wait_until(ready.exists, 60, "the first import to reach its pause", [process])
        queued, queued_exam, _ = score_job(city, tmp_path, name="queued", pause_attempts=[])  # waits in Redis
        restart()
        wait_until(finished(running), 90, "the running job", [process])
        wait_until(finished(queued), 90, "the queued job", [process])
        assert_imported_once(running, exam, attempts=1)
        assert_imported_once(queued, queued_exam, attempts=1)
        time.sleep(1)
        assert queue_is_empty(url)
    finally:
        stop(process)
