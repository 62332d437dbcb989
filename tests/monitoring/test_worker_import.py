"""A score workbook uploaded through the real path: Redis broker, a Celery worker process, PostgreSQL."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from eduquality.models import Job
from monitoring import services
from monitoring.models import Exam, Level, Statistic
from tests.monitoring.factories import make_exam, row, workbook
from tests.test_worker import broker, worker  # noqa: F401 – the real broker and worker fixtures

TIMEOUT_SECONDS = 90


def wait_for(job: Job, worker_process) -> Job:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline and worker_process.poll() is None:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    worker_process.terminate()
    output = worker_process.communicate(timeout=10)[0]
    pytest.fail(f"job still {job.status}; worker said:\n{output[-3000:]}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_score_upload_is_imported_and_computed_by_the_worker(city, worker):  # noqa: F811
    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-WORKER")
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1 + n % 3, 40 + n % 60, 55.5) for n in range(1, 400)]
    upload = SimpleUploadedFile("成绩.xlsx", workbook(exam, rows))

    job = wait_for(services.start_score_import(exam=exam, upload=upload, by=city.bureau), worker)

    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress == 100 and "399 名学生" in job.message
    exam.refresh_from_db()
    assert exam.status == Exam.Status.READY
    assert Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__subject__code="SX").sitters == 399
