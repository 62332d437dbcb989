"""A job through a real Redis broker and a real Celery worker process, as in production."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection

from eduquality import jobs
from eduquality.celery import app
from eduquality.models import Job
from tests import worker_handlers  # noqa: F401 – registers the "demo.count" handler here too
from tests.factories import SchoolFactory, UserFactory

REPO_ROOT = Path(__file__).resolve().parent.parent
BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
FINISH_TIMEOUT_SECONDS = 60


def worker_database_url() -> str:
    """The pytest test database (test_…), which the worker must use to see this test's rows."""
    db = connection.settings_dict
    credentials = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        credentials += f":{db['PASSWORD']}"
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def drop_broker_connections() -> None:
    """Celery keeps the producer pool it made on first use (earlier tests made one for the default
    broker); without dropping it, a changed broker_url would not be used."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()  # kombu's registry would hand a later test the producer pool just closed


@pytest.fixture
def broker():
    """An empty Redis database as broker, for this process's Celery app too."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError as exc:
        pytest.skip(f"no Redis at {BROKER_URL}: {exc}")
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    drop_broker_connections()
    app.conf.broker_url = BROKER_URL
    app.conf.task_always_eager = False
    try:
        with app.producer_or_acquire() as producer:
            assert producer.connection.as_uri().startswith("redis://"), "tasks would not go to the test broker"
        yield BROKER_URL
    finally:
        drop_broker_connections()
        app.conf.update(saved)
        client.flushdb()
        client.close()


@pytest.fixture
def worker(broker, settings):
    env = {
        **os.environ,
        # The worker stores and reads files where this test does (MEDIA_ROOT is a per-test directory).
        "EDUQUALITY_VAR_DIR": str(Path(settings.MEDIA_ROOT).parent),
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "DJANGO_SETTINGS_MODULE": "eduquality.settings",
    }
    command = [sys.executable, "-m", "celery", "-A", "eduquality", "worker", "--pool", "prefork"]
    command += ["--concurrency", "1", "-l", "warning", "-I", "tests.worker_handlers", "--without-heartbeat"]
    command += ["--without-gossip", "--without-mingle"]
    # Its own process group, so a worker that ignores SIGTERM goes together with its pool child.
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_celery_worker_with_progress(reference_data, worker):
    SchoolFactory()
    SchoolFactory()
    owner = UserFactory(username="worker_owner")

    # Autocommit: on_commit fires at once and the task goes to Redis.
    job = jobs.start_job(owner=owner, kind="demo.count", title="数学校")

    observed = set()
    deadline = time.monotonic() + FINISH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == Job.Status.RUNNING:
            observed.add(job.progress)
        if job.is_finished or worker.poll() is not None:
            break
        time.sleep(0.1)
    if not job.is_finished:
        worker.terminate()
        try:
            output = worker.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            output = "(no output: the worker did not stop within 10 s)"
        pytest.fail(f"job still {job.status} after {FINISH_TIMEOUT_SECONDS}s; worker said:\n{output[-3000:]}")

    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress == 100
    assert job.message == "counted 2 schools"
    assert job.attempts == 1
    assert observed & {20, 50, 80}, f"no intermediate progress seen, only {sorted(observed)}"
