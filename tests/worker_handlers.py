"""A job handler for the worker test, imported by the test and by the Celery worker it starts
(`celery worker -I tests.worker_handlers`)."""

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
