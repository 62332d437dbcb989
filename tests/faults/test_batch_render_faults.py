"""Redis restarted while the bureau's batch render runs: nothing lost, nothing doubled, the true state."""

import io
import time
import zipfile

import pytest

from eduquality.models import Job
from reports import services
from reports.models import BatchItem, ReportPdf
from tests.factories import SchoolFactory
from tests.faults.conftest import spawn_worker, stop, wait_until
from tests.faults.test_worker_faults import private_redis, queue_is_empty  # noqa: F401 – fixture
from tests.reports.conftest import exam, semester, submitted_school_reports  # noqa: F401 – fixtures

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_redis_restart_during_a_batch_render_loses_and_doubles_nothing(
    city,
    exam,  # noqa: F811
    semester,  # noqa: F811
    private_redis,  # noqa: F811
    settings,
):
    url, restart = private_redis
    for _ in range(6):
        SchoolFactory()  # eight schools in all: the batch is still running when Redis goes away
    submitted_school_reports(semester)
    process = spawn_worker(url, settings)
    try:
        job = services.start_batch(semester=semester, by=city.bureau)
        wait_until(lambda: BatchItem.objects.filter(job=job, done=True).exists(), 120, "a first PDF", [process])
        restart()
        assert BatchItem.objects.filter(job=job, done=True).count() < 8, "the batch ended before the restart"
        wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 180, "the batch", [process])
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.message
        assert job.progress == 100
        items = BatchItem.objects.filter(job=job)
        assert items.count() == 8
        for item in items:
            assert ReportPdf.objects.filter(report=item.report).count() == 1, item.report
        names = zipfile.ZipFile(io.BytesIO(job.result_file.read())).namelist()
        assert len(names) == 8 and len(set(names)) == 8
        time.sleep(1)
        assert queue_is_empty(url)
    finally:
        stop(process)
