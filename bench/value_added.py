"""Value-added at city scale: 200,000 students matched between two exams × 9 subjects.

    .venv/bin/python bench/value_added.py [--students 200000] [--database-url postgres://…/eq_bench_value_added]

Builds (once, kept between runs) the demo city in a scratch PostgreSQL database and two exams of
the same 200,000 students — the comparable exam and the current one, every subject, scores drawn with
a planted effect per school — with their statistics. Then prints, from one run on one machine:
- one bare SQL aggregate over the matched pairs (the two exams' scores joined by student, per subject:
  a count and a sum of products), best of 3;
- the whole value-added computation of the current exam (the sums in SQL, the REML fit and empirical-
  Bayes estimates of every school and class for 9 subjects and the total, classification, storage),
  best of 3, and its ratio to the bare aggregate (target ≤ 5×);
- the median latency and query count of the value-added pages with the figures stored (target < 100 ms).
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
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_value_added"
SUBJECTS = [("YW", 120), ("SX", 120), ("YY", 120), ("WL", 100), ("HX", 100), ("SW", 100), ("DF", 100), ("LS", 100)]
SUBJECTS.append(("DL", 100))
CODES = ("BENCH-VA-BEFORE", "BENCH-VA-NOW")
STUDENT_NUMBER_PREFIX = "G888888"
PER_CLASS = 45


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


def prepare(students: int):
    """The two exams with their scores and statistics; made once (a run with another size remakes them)."""
    from django.core.management import call_command
    from django.db import connection

    from eduquality.db import copy_rows
    from monitoring.models import Exam, ExamSubject, Score
    from monitoring.statistics import compute_exam
    from schools.models import School, SchoolClass, Semester, Student, Subject

    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    now = Exam.objects.filter(code=CODES[1], status=Exam.Status.READY).first()
    if now and Score.objects.filter(exam_subject__exam=now, exam_subject__order=0).count() == students:
        return now
    started = time.perf_counter()
    Exam.objects.filter(code__in=CODES).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM schools_student WHERE student_number LIKE %s", [STUDENT_NUMBER_PREFIX + "%"])
    semester = Semester.objects.get(is_current=True)
    SchoolClass.objects.filter(start_year=semester.start_year + 10).delete()  # the bench's own classes
    schools = list(School.objects.order_by("code"))
    per_school = students // len(schools) + 1
    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(school=school, start_year=semester.start_year + 10, grade=8, number=number + 1)
            for school in schools
            for number in range(per_school // PER_CLASS + 1)
        ],
    )
    class_of = {(c.school_id, c.number): c.pk for c in classes}
    rng = random.Random(12)
    members = []
    for index in range(students):
        school = schools[index // per_school]
        members.append((school.pk, class_of[(school.pk, (index % per_school) // PER_CLASS + 1)]))
    copy_rows(
        Student._meta.db_table,
        ["student_number", "name", "gender", "school_id", "school_class_id", "is_active"],
        (
            (f"{STUDENT_NUMBER_PREFIX}{301201000000 + n:012d}", f"学生{n}", "MF"[n % 2], school, klass, True)
            for n, (school, klass) in enumerate(members)
        ),
    )
    ids = list(
        Student.objects.filter(student_number__startswith=STUDENT_NUMBER_PREFIX)
        .order_by("student_number")
        .values_list("pk", flat=True)
    )
    exams = []
    for code, name in zip(CODES, ("七年级期末（压力测试）", "八年级期中（压力测试）"), strict=True):
        exam = Exam.objects.create(
            name=name,
            code=code,
            kind="midterm",
            semester=semester,
            grade=8,
            comparable_exam=exams[-1] if exams else None,
        )
        exam.schools.set(schools)
        for order, (subject_code, full) in enumerate(SUBJECTS):
            ExamSubject.objects.create(
                exam=exam, subject=Subject.objects.get(code=subject_code), full_marks=Decimal(full), order=order
            )
        exams.append(exam)
    ability = [rng.gauss(0, 1) for _ in ids]
    effect = {school.pk: rng.gauss(0, 0.25) for school in schools}
    for step, exam in enumerate(exams):
        for subject in exam.subjects.order_by("order"):
            full = float(subject.full_marks)

            def rows(subject=subject, full=full, step=step):
                for student, a, (school, klass) in zip(ids, ability, members, strict=True):
                    z = 0.8 * a + step * effect[school] + rng.gauss(0, 0.6)
                    value = max(0.0, min(full, round((0.68 + 0.15 * z) * full * 2) / 2))
                    yield subject.pk, student, school, klass, value

            copy_rows(
                Score._meta.db_table, ["exam_subject_id", "student_id", "school_id", "school_class_id", "score"], rows()
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) monitoring_score")
    for exam in exams:
        compute_exam(exam)
    print(
        f"prepared {students:,} students × {len(SUBJECTS)} subjects × 2 exams in {time.perf_counter() - started:.0f} s"
    )
    return Exam.objects.get(pk=exams[1].pk)


def bare_aggregate_seconds(exam) -> float:
    """One aggregate over the matched pairs: the two exams' scores joined by student, per subject."""
    from django.db import connection

    from monitoring.value_added.engine import pairing

    pairs = pairing(exam).pairs
    values = ", ".join(f"({now.pk}, {before.pk})" for now, before in pairs)
    sql = (
        f"WITH p(now_id, before_id) AS (VALUES {values}) "
        "SELECT a.exam_subject_id, COUNT(*), SUM(a.score::float8 * b.score::float8) "
        "FROM monitoring_score a JOIN p ON p.now_id = a.exam_subject_id "
        "JOIN monitoring_score b ON b.exam_subject_id = p.before_id AND b.student_id = a.student_id "
        "WHERE a.score IS NOT NULL AND b.score IS NOT NULL GROUP BY a.exam_subject_id"
    )
    timings = []
    with connection.cursor() as cursor:
        for _ in range(3):
            begin = time.perf_counter()
            cursor.execute(sql)
            matched = sum(row[1] for row in cursor.fetchall())
            timings.append(time.perf_counter() - begin)
    print(f"matched pairs: {matched:,}")
    return min(timings)


def value_added_seconds(exam) -> tuple[float, int]:
    from monitoring.value_added.engine import compute_value_added

    timings = []
    for _ in range(3):
        begin = time.perf_counter()
        rows = compute_value_added(exam)
        timings.append(time.perf_counter() - begin)
    return min(timings), rows


def page_latency(exam) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from eduquality.models import User
    from schools.models import RoleAssignment

    bureau = User.objects.get(username="bureau")
    principal = User.objects.get(username="principal")
    own_school = RoleAssignment.objects.filter(user=principal).values_list("school_id", flat=True).first()
    subject = exam.subjects.order_by("order").first()
    city = reverse("monitoring:exam-value-added", args=[exam.pk])
    school = reverse("monitoring:exam-value-added-school", args=[exam.pk, own_school])
    pages = [
        ("value-added, total (bureau)", bureau, city),
        ("value-added, subject (bureau)", bureau, f"{city}?subject={subject.pk}"),
        ("classes (principal)", principal, school),
    ]
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(30):
            begin = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        median, p95 = statistics.median(timings), sorted(timings)[28]
        print(f"  {label:<30} median {median:6.1f} ms   p95 {p95:6.1f} ms   {len(queries)} queries   (target < 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_VALUE_ADDED_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    exam = prepare(args.students)
    bare = bare_aggregate_seconds(exam)
    print(f"bare SQL aggregate over the matched pairs: {bare:6.2f} s  (best of 3)")
    seconds, rows = value_added_seconds(exam)
    print(
        f"value-added, every estimate:             {seconds:6.2f} s  (best of 3; {rows:,} school and class rows) "
        f"= {seconds / bare:.2f} × bare (target ≤ 5)"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # The steady state autovacuum reaches soon after a computation (the runs above left dead rows).
        cursor.execute("VACUUM (ANALYZE) monitoring_valueadded")
    print("pages with the figures stored:")
    page_latency(exam)


if __name__ == "__main__":
    main()
