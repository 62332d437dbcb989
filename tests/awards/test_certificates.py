"""Certificates: one PDF per winner, and a batch rendered as a Job (in-process and by a real worker)."""

import io
import subprocess
import time
import zipfile

import pytest
from django.urls import reverse

from awards import services
from eduquality.models import Job
from tests.test_worker import broker, worker  # noqa: F401 - the real-worker fixtures


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def pdf_pages(content: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def test_winner_downloads_their_certificate(announced_world, city, login):
    response = login(city.teacher_user_a).get(reverse("awards:certificate", args=[announced_world.nomination_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "荣誉证书" in text.replace(" ", "")
    assert "甲老师" in text
    assert "优秀教师" in text
    assert announced_world.nomination_a.certificate_number in text
    assert "2026年6月15日" in text.replace(" ", "")


def test_no_certificate_before_the_announcement(awards_world, city, login):
    response = login(city.bureau).get(reverse("awards:certificate", args=[awards_world.nomination_a.pk]))
    assert response.status_code == 404


def test_principal_of_another_school_cannot_fetch_a_certificate(announced_world, city, login):
    url = reverse("awards:certificate", args=[announced_world.nomination_a.pk])
    assert login(city.principal_b).get(url).status_code == 404


def test_batch_job_renders_one_pdf_with_a_page_per_winner(
    announced_world, city, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(city.bureau).post(
            reverse("awards:certificate-batch", args=[announced_world.campaign.pk]), {"format": "pdf"}
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.message
    content = job.result_file.read()
    assert pdf_pages(content) == 2
    text = pdf_text(content)
    assert "甲老师" in text and "乙老师" in text


def test_batch_job_can_produce_a_zip_of_pdfs(announced_world, city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_certificate_batch(campaign=announced_world.campaign, by=city.bureau, as_zip=True)
    job.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO(job.result_file.read())) as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
        assert "乙老师" in pdf_text(archive.read(next(n for n in names if "乙老师" in n)))


def test_batch_is_refused_before_the_announcement(awards_world, city):
    with pytest.raises(services.AwardError, match="结果公布后"):
        services.start_certificate_batch(campaign=awards_world.campaign, by=city.bureau)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_certificate_batch_runs_in_a_celery_worker(city, announced_world, worker):  # noqa: F811
    job = services.start_certificate_batch(campaign=announced_world.campaign, by=city.bureau)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished or worker.poll() is not None:
            break
        time.sleep(0.2)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result_name.endswith("获奖证书.pdf")
    assert pdf_pages(job.result_file.read()) == 2
