"""Long jobs: a Job row run once by the Celery task, with progress, failures and retries."""

import time

import pytest

from eduquality import jobs
from eduquality.celery import app
from eduquality.models import Job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What the handlers below saw and did, by job id: a handler gets only the job and a reporter.
calls: dict[str, list[str]] = {}
seen: dict[str, list[tuple[int, str, str]]] = {}


def note(job, what: str) -> None:
    calls.setdefault(str(job.pk), []).append(what)


def in_database(job) -> tuple[int, str, str]:
    row = Job.objects.get(pk=job.pk)
    return row.progress, row.message, row.status


@jobs.job_handler("test.succeed")
def succeed(job, report):
    note(job, "run")
    job.message = f"处理了 {job.params.get('count', 0)} 条。"


@jobs.job_handler("test.silent")
def silent(job, report):
    note(job, "run")


@jobs.job_handler("test.reject")
def reject(job, report):
    note(job, "run")
    raise jobs.JobRejected(
        "发现 2 处问题，未导入任何数据。",
        [{"row": 3, "column": "学校名称", "message": "不能为空。"}, {"row": 4, "column": "", "message": "重复。"}],
    )


@jobs.job_handler("test.crash")
def crash(job, report):
    note(job, "run")
    raise RuntimeError("connection reset by peer")


@jobs.job_handler("test.flaky")
def flaky(job, report):
    note(job, "run")
    if len(calls[str(job.pk)]) == 1:
        raise ConnectionError("the database went away")
    job.message = "第二次成功。"


@jobs.job_handler("test.progress")
def progress(job, report):
    note(job, "run")
    report(40, "正在校验 200 行数据…")
    seen.setdefault(str(job.pk), []).append(in_database(job))
    time.sleep(0.3)  # the reporter writes at most a few times a second
    report(150, "正在保存…")
    seen[str(job.pk)].append(in_database(job))
    time.sleep(0.3)
    report(-5, "倒退")
    seen[str(job.pk)].append(in_database(job))


@jobs.job_handler("test.chatty")
def chatty(job, report):
    note(job, "run")
    report(10, "一")
    report(20, "二")  # within a quarter of a second: dropped
    seen.setdefault(str(job.pk), []).append(in_database(job))


@jobs.job_handler("test.long_rejection")
def long_rejection(job, report):
    raise jobs.JobRejected("问" * 600)


@pytest.fixture(autouse=True)
def eager(settings):
    """Tasks run in-process, as they do with no broker configured."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    calls.clear()
    seen.clear()
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def owner():
    return UserFactory(username="job_owner")


@pytest.fixture
def run(owner, django_capture_on_commit_callbacks):
    """run(kind) → the job, started and run to its end as after a real commit."""

    def start(kind, **params):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = jobs.start_job(owner=owner, kind=kind, title=f"测试 {kind}", params=params)
        assert len(callbacks) == 1
        job.refresh_from_db()
        return job

    return start


def ran(job) -> int:
    return len(calls.get(str(job.pk), []))


# ---- Starting -----------------------------------------------------------------------------------


def test_job_is_not_run_before_the_transaction_commits(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.start_job(owner=owner, kind="test.succeed", title="导入学校")
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert ran(job) == 0
    assert len(callbacks) == 1


def test_unknown_kind_is_refused_before_a_row_exists(owner):
    with pytest.raises(ValueError, match=r"test\.nothing"):
        jobs.start_job(owner=owner, kind="test.nothing", title="无")
    assert not Job.objects.exists()


def test_job_row_keeps_owner_title_and_params(run, owner):
    job = run("test.succeed", count=3)
    assert job.owner == owner
    assert job.title == "测试 test.succeed"
    assert job.params == {"count": 3}


# ---- Running to an end ----------------------------------------------------------------------------


def test_successful_job_ends_at_100_percent_with_its_message(run):
    job = run("test.succeed", count=12)
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.message == "处理了 12 条。"
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    assert job.is_finished
    assert ran(job) == 1


def test_successful_job_without_a_message_says_done(run):
    job = run("test.silent")
    assert (job.status, job.message) == (Job.Status.SUCCEEDED, "已完成。")


def test_rejected_job_fails_with_its_message_and_problems(run):
    job = run("test.reject")
    assert job.status == Job.Status.FAILED
    assert job.message == "发现 2 处问题，未导入任何数据。"
    assert job.problems == [
        {"row": 3, "column": "学校名称", "message": "不能为空。"},
        {"row": 4, "column": "", "message": "重复。"},
    ]
    assert job.finished_at is not None
    assert job.is_finished
    assert not jobs.is_retryable(job)


def test_rejection_message_is_cut_to_fit(run):
    job = run("test.long_rejection")
    assert job.status == Job.Status.FAILED
    assert job.message == "问" * 500


def test_crashed_job_fails_with_the_internal_error_message_and_can_be_retried(run):
    job = run("test.crash")
    assert job.status == Job.Status.FAILED
    assert job.message == jobs.INTERNAL_ERROR_MESSAGE
    assert "connection reset" not in job.message  # no internals shown to the user
    assert job.problems == []
    assert jobs.is_retryable(job)


def test_succeeded_job_is_not_retryable(run):
    assert not jobs.is_retryable(run("test.succeed"))


def test_retry_puts_a_failed_job_back_and_the_second_run_succeeds(run, django_capture_on_commit_callbacks):
    job = run("test.flaky")
    assert job.status == Job.Status.FAILED
    assert jobs.is_retryable(job)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.retry_job(job) is True
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.message == "第二次成功。"
    assert job.problems == []
    assert job.attempts == 1
    assert ran(job) == 2


def test_retry_resets_the_row_before_it_runs(run, django_capture_on_commit_callbacks):
    job = run("test.reject")
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs.retry_job(job) is True
    job.refresh_from_db()
    assert (job.status, job.progress, job.message, job.problems, job.attempts) == (Job.Status.PENDING, 0, "", [], 0)
    assert job.finished_at is None


def test_retry_of_a_job_that_did_not_fail_does_nothing(run, django_capture_on_commit_callbacks):
    job = run("test.succeed")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert jobs.retry_job(job) is False
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert ran(job) == 1


def test_job_whose_handler_disappeared_fails_retryably(owner):
    job = Job.objects.create(owner=owner, kind="test.removed_in_a_deploy", title="旧任务")
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == jobs.INTERNAL_ERROR_MESSAGE


# ---- Claiming: each job runs once ---------------------------------------------------------------------


def test_job_delivered_twice_runs_once(run):
    job = run("test.succeed", count=1)
    jobs.execute(str(job.pk))
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert ran(job) == 1
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 1


def test_failed_job_is_not_run_again_by_a_late_delivery(run):
    job = run("test.crash")
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert ran(job) == 1
    assert job.status == Job.Status.FAILED


def test_job_left_running_by_a_dead_worker_runs_again(owner):
    job = Job.objects.create(owner=owner, kind="test.succeed", title="重投", status=Job.Status.RUNNING, attempts=1)
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert ran(job) == 1
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 2


def test_job_left_running_after_max_attempts_is_failed_instead_of_run(owner):
    job = Job.objects.create(
        owner=owner, kind="test.succeed", title="总是崩溃", status=Job.Status.RUNNING, attempts=jobs.MAX_ATTEMPTS
    )
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert ran(job) == 0
    assert job.status == Job.Status.FAILED
    assert job.message == jobs.INTERNAL_ERROR_MESSAGE
    assert job.finished_at is not None
    assert jobs.is_retryable(job)


def test_execute_of_a_missing_job_does_nothing():
    jobs.execute("00000000-0000-0000-0000-000000000000")
    assert not Job.objects.exists()


# ---- Progress -----------------------------------------------------------------------------------------


def test_progress_is_visible_in_the_database_while_the_handler_runs(run):
    job = run("test.progress")
    running = Job.Status.RUNNING
    assert seen[str(job.pk)] == [
        (40, "正在校验 200 行数据…", running),
        (99, "正在保存…", running),  # never 100 before the job has really finished
        (0, "倒退", running),
    ]
    assert (job.status, job.progress) == (Job.Status.SUCCEEDED, 100)


def test_progress_writes_are_throttled(run):
    job = run("test.chatty")
    assert seen[str(job.pk)] == [(10, "一", Job.Status.RUNNING)]
    assert job.progress == 100


@jobs.job_handler("test.progress_in_a_transaction")
def progress_in_a_transaction(job, report):
    """A handler that works inside its own transaction, as the score import does."""
    from django.db import connection, transaction

    with transaction.atomic():
        report(30, "正在保存…")
        other = connection.copy()  # another session: sees only what is committed
        try:
            with other.cursor() as cursor:
                cursor.execute(f"SELECT progress, message FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
                seen.setdefault(str(job.pk), []).append(cursor.fetchone())
        finally:
            other.close()


@pytest.mark.django_db(transaction=True)
def test_progress_reported_inside_the_handlers_transaction_is_visible_before_it_commits(owner):
    job = Job.objects.create(owner=owner, kind="test.progress_in_a_transaction", title="事务中的进度")

    jobs.execute(str(job.pk))

    assert seen[str(job.pk)] == [(30, "正在保存…")]
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.SUCCEEDED, 100)
