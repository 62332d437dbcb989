"""The teaching-research duties computed for the whole city: queries and time.

    .venv/bin/python bench/research_tables.py [--weeks 20] [--rounds 5]
                                             [--database-url postgres://…/eq_bench_research]

Builds, in a scratch PostgreSQL database, 60 schools × 6 teaching groups with a group activity every
school day for `weeks` weeks (plus meetings and school-wide activities) and eight participants each, then
times `research.selectors.semester_results` for every school (what the city table and the zone page
run) against a floor measured in the same run: one bare SQL aggregate of the same activities grouped by
school. It counts the queries at a quarter of the size and at full size to show they do not grow.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_research"
START = date(2026, 9, 7)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def build(weeks: int):
    """Returns the semester and the school ids."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from research.models import Activity, ActivityType, Participation
    from schools.models import District, School, SchoolType, Semester, Subject, Teacher, TeachingGroup

    rng = random.Random(13)
    Participation.objects.all().delete()
    Activity.objects.all().delete()
    TeachingGroup.objects.filter(school__code__startswith="2122").delete()
    Teacher.objects.filter(staff_number__startswith="R").delete()
    School.objects.filter(code__startswith="2122").delete()
    semester, _ = Semester.objects.update_or_create(
        start_year=2026,
        term=1,
        defaults={"starts_on": date(2026, 9, 1), "ends_on": date(2027, 1, 15), "is_current": True},
    )
    organiser, _ = get_user_model().objects.get_or_create(username="bench-research")
    district, _ = District.objects.get_or_create(code="220602", defaults={"name": "浑江区"})
    junior = SchoolType.objects.get(code="311")
    subjects = list(Subject.objects.order_by("order")[:6])
    types = {t.code: t for t in ActivityType.objects.all()}
    schools = School.objects.bulk_create(
        School(code=f"2122{index:06d}", name=f"基准第{index}中学", school_type=junior, district=district)
        for index in range(60)
    )
    groups = TeachingGroup.objects.bulk_create(
        TeachingGroup(school=s, subject=subject) for s in schools for subject in subjects
    )
    teachers = Teacher.objects.bulk_create(
        Teacher(school=s, staff_number=f"R{s.pk:05d}{n:03d}", name=f"教师{n}") for s in schools for n in range(48)
    )
    staff = {}
    for teacher in teachers:
        staff.setdefault(teacher.school_id, []).append(teacher.pk)

    def at(day, hour):
        return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))

    activities = []
    for week in range(weeks):
        monday = START + timedelta(weeks=week)
        for group in groups:
            for weekday in range(5):
                day = monday + timedelta(days=weekday)
                activities.append(
                    Activity(
                        level="group",
                        activity_type=types["lesson_prep"],
                        subject=group.subject,
                        semester=semester,
                        school=group.school,
                        group=group,
                        starts_at=at(day, 14),
                        ends_at=at(day, 15),
                        hours=Decimal("1"),
                        place="教研室",
                        topic="集体备课",
                        organiser=organiser,
                    )
                )
        for school in schools:
            for code, level in (("meeting", "school"), ("theme", "school")):
                day = monday + timedelta(days=rng.randint(0, 4))
                activities.append(
                    Activity(
                        level=level,
                        activity_type=types[code],
                        semester=semester,
                        school=school,
                        starts_at=at(day, 16),
                        ends_at=at(day, 17),
                        hours=Decimal("1"),
                        place="会议室",
                        topic="例会",
                        organiser=organiser,
                    )
                )
    Activity.objects.bulk_create(activities, batch_size=5000)
    Participation.objects.bulk_create(
        (
            Participation(activity=a, teacher_id=t, status="confirmed")
            for a in activities
            for t in rng.sample(staff[a.school_id], 8)
        ),
        batch_size=20000,
    )
    return semester, [s.pk for s in schools], len(activities)


def timed(function, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eduquality.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from research import selectors

    call_command("migrate", verbosity=0)
    as_of = START + timedelta(weeks=args.weeks)
    counts = {}
    for weeks in (max(1, args.weeks // 4), args.weeks):
        semester, school_ids, n = build(weeks)
        with CaptureQueriesContext(connection) as queries:
            selectors.semester_results(school_ids=school_ids, semester=semester, as_of=as_of)
        counts[weeks] = (n, len(queries))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.school_id, count(*), sum(a.hours) FROM research_activity a WHERE a.semester_id = %s "
                "GROUP BY a.school_id",
                [semester.pk],
            )
            cursor.fetchall()

    bare = timed(floor, args.rounds)
    full = timed(lambda: selectors.semester_results(school_ids=school_ids, semester=semester, as_of=as_of), args.rounds)
    for weeks, (n, q) in counts.items():
        print(f"{weeks:>3} weeks: {n:>7,} activities, semester_results for 60 schools: {q} queries")
    print(f"bare SQL aggregate (floor): {bare * 1000:8.1f} ms")
    print(f"semester_results, 60 schools: {full * 1000:8.1f} ms  ({full / bare:.1f}× the floor)")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
