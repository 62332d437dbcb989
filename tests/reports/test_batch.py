import io
import zipfile

import pytest

from eduquality.models import Job
from reports import services
from reports.models import BatchItem, Report

pytestmark = pytest.mark.django_db


def test_bulk_render_in_process_zips_every_active_school(city, semester, exam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_batch(semester=semester, by=city.bureau)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Report.objects.filter(kind="school").count() == 2
    assert BatchItem.objects.filter(job=job, done=True, error="").count() == 2
    assert len(zipfile.ZipFile(io.BytesIO(job.result_file.read())).namelist()) == 2
