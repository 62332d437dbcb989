"""A 20-page school report: the portal's render against WeasyPrint alone on the same HTML.

    .venv/bin/python bench/report_render.py [--rounds 3] [--database-url postgres://…/eq_bench_report_render]

Builds the demo city in a scratch PostgreSQL database, adds a term of exams (a sample test, a midterm and a
final for each primary grade, five subjects, every student scored) with their statistics, then renders the demo
school's whole-school report (全校各学科教学质量分析报告) both ways and prints the times, the page
count and the ratio portal / WeasyPrint (target ≤ 1.5). The portal's render is everything a worker
does: read the statistics, build the tables and SVG charts, the template, WeasyPrint, store the file.
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_report_render"
SUBJECTS = ["YW", "SX", "YY", "KX", "DF"]
EXAM_KINDS = [("sample", "抽测"), ("midterm", "期中统考"), ("final", "期末统考")]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eduquality.settings")
    os.environ.setdefault("EDUQUALITY_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    ensure_database(database_url)
    django.setup()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> None:
    """The demo city and a term of scored, computed exams (kept between runs)."""
    from django.core.management import call_command

    from monitoring.models import Exam, ExamSubject, Score
    from monitoring.statistics import compute_exam
    from schools.models import School, Semester, Student, Subject

    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"demo city seeded in {time.perf_counter() - started:.1f} s")
    semester = Semester.objects.get(is_current=True)
    if Exam.objects.filter(code__startswith="BENCH-").count() == len(EXAM_KINDS) * 6:
        return
    Exam.objects.filter(code__startswith="BENCH-").delete()
    started = time.perf_counter()
    rng = random.Random(7)
    subjects = {code: Subject.objects.get(code=code) for code in SUBJECTS}
    level = {school.pk: rng.gauss(0, 6) for school in School.objects.all()}
    previous = {}
    for kind, label in EXAM_KINDS:
        for grade in range(1, 7):
            students = list(
                Student.objects.filter(school_class__grade=grade, is_active=True).values_list(
                    "pk", "school_id", "school_class_id"
                )
            )
            exam = Exam.objects.create(
                name=f"{semester}{grade}年级{label}",
                code=f"BENCH-{kind}-{grade}",
                kind=kind,
                semester=semester,
                grade=grade,
                comparable_exam=previous.get(grade),
            )
            exam.schools.set({school_id for _, school_id, _ in students})
            rows = []
            for order, code in enumerate(SUBJECTS):
                exam_subject = ExamSubject.objects.create(exam=exam, subject=subjects[code], order=order)
                for student_id, school_id, class_id in students:
                    absent = rng.random() < 0.01
                    value = min(100.0, max(0.0, rng.gauss(76 + level[school_id], 13)))
                    rows.append(
                        Score(
                            exam_subject=exam_subject,
                            student_id=student_id,
                            school_id=school_id,
                            school_class_id=class_id,
                            score=None if absent else Decimal(f"{value:.1f}"),
                        )
                    )
            Score.objects.bulk_create(rows, batch_size=5000)
            compute_exam(exam)
            previous[grade] = exam
    print(f"exams scored and computed in {time.perf_counter() - started:.1f} s")


def demo_school_report():
    from reports.models import Kind, Report
    from schools.demo import DEMO_SCHOOL
    from schools.models import Semester

    semester = Semester.objects.get(is_current=True)
    return Report.objects.get(kind=Kind.SCHOOL, school__name=DEMO_SCHOOL, semester=semester)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--save", type=Path, help="also write the rendered PDF here, to look at its pages")
    args = parser.parse_args()
    setup_django(args.database_url)
    prepare()

    from weasyprint import HTML

    from eduquality import pdf
    from reports import services
    from reports.models import Report, ReportPdf

    report = demo_school_report()
    portal_times, weasy_times, pages = [], [], 0
    for _ in range(args.rounds):
        ReportPdf.objects.filter(report=report).delete()  # else the stored PDF would be reused
        fresh = Report.objects.get(pk=report.pk)
        started = time.perf_counter()
        stored, reused = services.render_report_pdf(fresh)
        portal_times.append(time.perf_counter() - started)
        assert not reused
        pages = stored.pages

        html = services.document_html(fresh)
        started = time.perf_counter()
        HTML(string=html, base_url=pdf.STATIC_ORIGIN, url_fetcher=pdf.static_only_fetcher()).write_pdf()
        weasy_times.append(time.perf_counter() - started)

    if args.save:
        stored.file.open("rb")
        args.save.write_bytes(stored.file.read())
        stored.file.close()
    portal, weasy = statistics.median(portal_times), statistics.median(weasy_times)
    print(f"report: {report} — {pages} pages")
    print(f"portal render (data + template + WeasyPrint + store), median of {args.rounds}: {portal:.2f} s")
    print(f"WeasyPrint alone on the same HTML, median of {args.rounds}:              {weasy:.2f} s")
    print(f"ratio portal / WeasyPrint: {portal / weasy:.2f} (target ≤ 1.5)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
