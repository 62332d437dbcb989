"""Reports rendered by a real Celery worker over Redis: each kind, a killed worker, a bulk render."""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from eduquality.models import Job
from reports import services
from reports.models import Kind, Report, ReportPdf, Status
from schools.models import Subject
from tests.reports.conftest import pdf_text, squeezed, submitted_school_reports
from tests.reports.factories import ReportFactory
from tests.test_worker import REPO_ROOT, broker, worker_database_url  # noqa: F401  (broker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TIMEOUT_SECONDS = 120


@pytest.fixture
def start_worker(broker, tmp_path):  # noqa: F811 – the shared fixture (it resets kombu's pools)
    broker_url = broker
    processes = []

    def start(concurrency: int = 1, hold_file=None):
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "eduquality.settings",
            # The autouse fixture of tests/conftest.py puts this test's media in tmp_path/media too.
            "EDUQUALITY_VAR_DIR": str(tmp_path),
            "REPORTS_TEST_HOLD_FILE": str(hold_file or ""),
        }
        command = [sys.executable, "-m", "celery", "-A", "eduquality", "worker", "--pool", "prefork"]
        command += ["--concurrency", str(concurrency), "-l", "warning", "-I", "tests.reports.worker_hooks"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_for(job: Job, worker) -> Job:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished or worker.poll() is not None:
            break
        time.sleep(0.2)
    if not job.is_finished:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"job {job.status} after {TIMEOUT_SECONDS}s; worker said:\n{output[-3000:]}")
    return job


def test_each_kind_of_report_is_submitted_and_rendered_by_a_worker(city, exam, start_worker):
    worker = start_worker()
    chinese = Subject.objects.get(code="YW")
    cases = [
        (Kind.SUBJECT, {"school": city.school_a, "subject": chinese}, city.group_leader_a, "学科教学质量分析报告"),
        (Kind.SCHOOL, {"school": city.school_a}, city.academic_lead_a, "全校各学科教学质量分析报告"),
        (Kind.DISTRICT, {"district": None, "semester": None}, city.inspector, "区域教学质量分析报告"),
        (Kind.PRINCIPAL_SEMESTER, {"school": city.school_a}, city.principal_a, "学校学期工作报告"),
        (Kind.PRINCIPAL_ACCOUNT, {"school": city.school_a, "semester": None}, city.principal_a, "校长教学质量述职"),
    ]
    for kind, scope, author, heading in cases:
        report = ReportFactory(kind=kind, author=author, start_year=2026, **scope)
        services.transition(report=report, action="submit", by=author)
        job = wait_for(services.start_render(report=Report.objects.get(pk=report.pk), by=author), worker)
        assert job.status == Job.Status.SUCCEEDED, job.message
        stored = ReportPdf.objects.get(report=report)
        assert job.result_file.name == stored.file.name and stored.status_at_render == Status.SUBMITTED
        text = squeezed(pdf_text(stored.file.read()))
        # The subject report follows the 学科组's story (成绩概况 → 试卷分析 → 班级对比 …).
        analysis = "二、成绩概况" if kind == Kind.SUBJECT else "二、成绩分析"
        assert heading in text and analysis in text and "77.50" in text, kind


def test_a_render_killed_with_sigkill_is_delivered_again_and_finishes(city, exam, start_worker, tmp_path):
    hold = tmp_path / "hold"
    hold.write_text("")
    worker = start_worker(hold_file=hold)
    report = ReportFactory(school=city.school_a)
    job = services.start_render(report=report, by=city.academic_lead_a)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not hold.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(hold.read_text())
    os.kill(child, signal.SIGKILL)  # the pool process, in the middle of the render
    hold.unlink()  # the second delivery renders at once
    job = wait_for(job, worker)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.attempts == 2
    assert ReportPdf.objects.filter(report=report).count() == 1


def test_bulk_render_makes_one_zip_of_every_schools_report(city, exam, semester, start_worker):
    submitted_school_reports(semester)
    worker = start_worker(concurrency=2)
    job = wait_for(services.start_batch(semester=semester, by=city.bureau), worker)
    assert job.status == Job.Status.SUCCEEDED, job.message
    archive = zipfile.ZipFile(io.BytesIO(job.result_file.read()))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(name.endswith("全校各学科教学质量分析报告.pdf") for name in names)
    assert any("甲小学" in name for name in names)
    texts = [squeezed(pdf_text(archive.read(name))) for name in names]
    assert any("77.50" in text for text in texts) and any("62.50" in text for text in texts)
    assert job.result_name.endswith("（2份）.zip") and job.progress == 100
