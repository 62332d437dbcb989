"""Celery tasks of the shared machinery: thin, ids in."""

from celery import shared_task

from eduquality import jobs


@shared_task(name="eduquality.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> None:
    jobs.execute(job_id)
