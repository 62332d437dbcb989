"""Bulk render of every demo school's report: 2 Celery worker processes against 1.

    .venv/bin/python bench/report_batch.py [--broker-url redis://127.0.0.1:6379/13]
                                           [--database-url postgres://…/eq_bench_report_batch]

Uses the data of bench/report_render.py (the demo city and a term of computed exams) in its own
database, then for 1 and for 2 worker processes (`celery worker --concurrency N`) deletes the stored
PDFs and times the bureau's "render every school's report" job (a Celery group, one ZIP) from start
to finish. Prints both times and the ratio t(2) / (t(1) / 2) (target < 1.6), with the load average:
the machine's two cores are shared, so the figures move with whatever else runs.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_report_batch"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"


def start_worker(concurrency: int, database_url: str, broker_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url}
    command = [sys.executable, "-m", "celery", "-A", "eduquality", "worker", "--pool", "prefork"]
    command += ["--concurrency", str(concurrency), "-l", "warning", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_until_ready(app, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the worker did not answer within a minute")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ.setdefault("EDUQUALITY_VAR_DIR", str(ROOT / "var" / "bench"))

    import redis
    import report_render

    report_render.setup_django(args.database_url)
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    report_render.prepare()

    from eduquality.celery import app
    from eduquality.models import Job, User
    from reports import services
    from reports.models import Kind, Report, ReportPdf, Status
    from schools.models import School, Semester

    app.conf.broker_url = args.broker_url
    app.conf.task_always_eager = False
    semester = Semester.objects.get(is_current=True)
    bureau = User.objects.get(username="bureau")
    schools = School.objects.filter(is_active=True).count()
    # The batch renders what schools have submitted (a draft is its authors'): submit every one.
    for school in School.objects.filter(is_active=True):
        services.create_report(kind=Kind.SCHOOL, semester=semester, by=None, school=school)
    Report.objects.filter(kind=Kind.SCHOOL, semester=semester, status=Status.DRAFT).update(status=Status.SUBMITTED)
    times = {}
    for concurrency in (1, 2):
        cpu_before = _children_cpu()
        redis.Redis.from_url(args.broker_url).flushdb()
        ReportPdf.objects.filter(report__kind=Kind.SCHOOL, report__semester=semester).delete()
        worker = start_worker(concurrency, args.database_url, args.broker_url)
        try:
            wait_until_ready(app)
            started = time.perf_counter()
            job = services.start_batch(semester=semester, by=bureau)
            while True:
                job.refresh_from_db()
                if job.is_finished:
                    break
                time.sleep(0.1)
            times[concurrency] = time.perf_counter() - started
        finally:
            stop(worker)
        cpu = _children_cpu() - cpu_before
        assert job.status == Job.Status.SUCCEEDED, job.message
        pages = sum(ReportPdf.objects.filter(report__semester=semester).values_list("pages", flat=True))
        print(
            f"{concurrency} worker process(es): {schools} schools, {pages} pages, "
            f"{times[concurrency]:.1f} s — {job.message}"
        )
        # CPU seconds of the worker processes over the wall time: the cores the render actually got.
        print(f"  worker CPU {cpu:.1f} s = {cpu / times[concurrency]:.2f} cores busy on average")
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ratio = times[2] / (times[1] / 2)
    print(f"ratio t(2) / (t(1) / 2): {ratio:.2f} (target < 1.6); speed-up {times[1] / times[2]:.2f}×")


if __name__ == "__main__":
    main()
