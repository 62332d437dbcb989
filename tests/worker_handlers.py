"""A job handler for the worker test, imported by the test and by the Celery worker it starts
(`celery worker -I tests.worker_handlers`)."""

import os
import time

from eduquality import jobs
from schools.models import School

# Long enough between reports for a poll every 0.1 s to see each one.
PAUSE_SECONDS = 0.8


@jobs.job_handler("demo.count")
def count_schools(job, report):
    for percent in (20, 50, 80):
        time.sleep(PAUSE_SECONDS)
        report(percent, f"已完成 {percent}%")
    time.sleep(PAUSE_SECONDS)
    job.message = f"counted {School.objects.count()} schools"


@jobs.job_handler("faults.import_scores")
def import_scores_with_a_pause(job, report):
    """The real score import (monitoring.services), paused inside its transaction — students
    and scores written, not committed — on the attempts listed in params["pause_attempts"], so a fault test
    can kill the process or its database connection at a known point. The pause is announced in
    params["ready_file"]: "<worker child pid> <PostgreSQL backend pid>"."""
    from pathlib import Path

    from django.db import connection

    from monitoring import services

    def paused_report(percent: int, message: str = "") -> None:
        report(percent, message)
        if percent == 65 and job.attempts in job.params.get("pause_attempts", [1]):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            Path(job.params["ready_file"]).write_text(f"{os.getpid()} {backend}")
            time.sleep(job.params.get("pause_seconds", 30))

    services.import_scores_job(job, paused_report)
