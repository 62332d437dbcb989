"""Long jobs: a `Job` row run by one Celery task and polled by a page with a progress bar.

An app registers what a kind of job does with `@job_handler("kind")`; `start_job` creates the row
and schedules the task after the transaction commits. The task claims the row with a conditional
UPDATE, so a duplicate delivery finds nothing to do; a message re-delivered after a worker died
(acks_late) finds the job still "running" and runs it again, at most MAX_ATTEMPTS times in all.
Handlers must therefore be idempotent: their writes are atomic, all or nothing.
"""

import logging
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from eduquality.models import Job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
INTERNAL_ERROR_MESSAGE = "处理过程中发生内部错误，数据未作改动。请稍后点击“重试”，如仍失败请联系系统管理员。"

Report = Callable[[int, str], None]
Handler = Callable[[Job, Report], None]

_HANDLERS: dict[str, Handler] = {}


class JobRejected(Exception):
    """The input cannot be processed (bad workbook, failed validation): the job fails with a message
    for the user; retrying the same input would fail again."""

    def __init__(self, message: str, problems: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def job_qs_for(*, user):
    """A job is seen by the person who started it."""
    return Job.objects.filter(owner=user)


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def start_job(*, owner, kind: str, title: str, params: dict | None = None, input_file=None) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"No handler registered for job kind {kind!r}")
    job = Job(owner=owner, kind=kind, title=title, params=params or {})
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=False)
    job.save()
    _enqueue(job)
    return job


def retry_job(job: Job) -> bool:
    """Put a failed job back in the queue (a retry after a transient error)."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.PENDING, progress=0, message="", problems=[], attempts=0, finished_at=None
    )
    if updated:
        _enqueue(job)
    return bool(updated)


def _enqueue(job: Job) -> None:
    from eduquality.tasks import run_job

    job_id = str(job.pk)
    transaction.on_commit(lambda: run_job.delay(job_id))


def _progress_reporter(job_id) -> Report:
    last = {"at": 0.0, "percent": -1}
    # The transactions already open when the job began (none in a worker; a test's own in a test).
    outer_blocks = len(connection.atomic_blocks)

    def report(percent: int, message: str = "") -> None:
        percent = max(0, min(99, int(percent)))
        now = time.monotonic()
        # At most a few writes a second: progress is for a person, not a log.
        if percent == last["percent"] or now - last["at"] < 0.25:
            return
        last.update(at=now, percent=percent)
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) > outer_blocks:
            _write_progress_aside(job_id, percent, message[:500])
        else:
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(progress=percent, message=message[:500])

    return report


def _write_progress_aside(job_id, percent: int, message: str) -> None:
    """Progress from inside the handler's transaction (a long import validates and stores inside
    one): written through a connection of its own, so the page sees it now rather than at the
    commit, and the handler's connection (which may be busy on another thread) is left alone.
    A row that connection cannot see or that is locked is skipped: progress is only a hint."""
    table = connection.ops.quote_name(Job._meta.db_table)
    aside = connection.copy()
    try:
        with aside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, message = %s WHERE id = "
                f"(SELECT id FROM {table} WHERE id = %s AND status = %s FOR UPDATE SKIP LOCKED)",
                [percent, message, job_id, Job.Status.RUNNING],
            )
    finally:
        aside.close()


def execute(job_id: str) -> None:
    """Run one job to its end state. Called by the Celery task."""
    claimed = Job.objects.filter(
        Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING, attempts__lt=MAX_ATTEMPTS), pk=job_id
    ).update(status=Job.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=0)
    if not claimed:
        _give_up_if_exhausted(job_id)
        return
    job = Job.objects.get(pk=job_id)
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"No handler for job kind {job.kind!r}")
        handler(job, _progress_reporter(job.pk))
    except JobRejected as rejected:
        job.status = Job.Status.FAILED
        job.message = rejected.message[:500]
        job.problems = rejected.problems
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status = Job.Status.FAILED
        job.message = INTERNAL_ERROR_MESSAGE
        job.problems = []
    else:
        job.status = Job.Status.SUCCEEDED
        job.progress = 100
        job.message = job.message or "已完成。"
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "progress",
            "message",
            "problems",
            "result_file",
            "result_name",
            "result_url",
            "finished_at",
        ]
    )


def _give_up_if_exhausted(job_id: str) -> None:
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts__gte=MAX_ATTEMPTS).update(
        status=Job.Status.FAILED, message=INTERNAL_ERROR_MESSAGE, finished_at=timezone.now()
    )


def is_retryable(job: Job) -> bool:
    """A job that failed for an internal reason can be run again; a rejected input cannot."""
    return job.status == Job.Status.FAILED and job.message == INTERNAL_ERROR_MESSAGE
