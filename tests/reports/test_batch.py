import io
import zipfile

import pytest

from eduquality.models import Job
from reports import services
from reports.models import BatchItem, Report, Status
from tests.reports.conftest import submitted_school_reports

pytestmark = pytest.mark.django_db


def test_bulk_render_in_process_zips_every_active_school(city, semester, exam, django_capture_on_commit_callbacks):
    submitted_school_reports(semester)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_batch(semester=semester, by=city.bureau)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Report.objects.filter(kind="school").count() == 2
    assert BatchItem.objects.filter(job=job, done=True, error="").count() == 2
    assert len(zipfile.ZipFile(io.BytesIO(job.result_file.read())).namelist()) == 2


def test_a_schools_draft_stays_out_of_the_bureaus_zip_and_the_school_is_named(
    city, semester, exam, django_capture_on_commit_callbacks
):
    submitted_school_reports(semester)
    draft = Report.objects.get(kind="school", school=city.school_b)
    draft.status, draft.score_analysis = Status.DRAFT, "草稿里的内部讨论，尚未定稿"
    draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_batch(semester=semester, by=city.bureau)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    names = zipfile.ZipFile(io.BytesIO(job.result_file.read())).namelist()
    assert len(names) == 1 and city.school_a.code in names[0]
    assert not draft.pdfs.exists()
    assert "1 所学校的报告尚未提交" in job.message and city.school_b.name in job.message
