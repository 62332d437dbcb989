"""Aggregating and ranking an award campaign's scores: queries and time.

    .venv/bin/python bench/awards_judging.py [--nominations 2000] [--judges 7] [--criteria 6]
                                            [--rounds 5] [--database-url postgres://…/eq_bench_awards]

Builds, in a scratch PostgreSQL database, a campaign of N nominations each scored by J judges on C
criteria (N × J × C score rows), then times `awards.services.compute_results` — per-judge totals,
the trimmed mean (dropping the highest and lowest of five or more judges), ranking within each group
and the quota-respecting prizes, written back — and counts its SQL queries. It does the same at a
quarter of the size to show the number of queries does not grow with the data.
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_awards"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def build(nominations: int, judges: int, criteria: int):
    """A campaign in judging with every assignment scored; returns the campaign."""
    from django.contrib.auth import get_user_model

    from awards.models import Assignment, Campaign, CampaignType, Criterion, Judge, Nomination, Score
    from schools.models import District, School, SchoolType, Subject, Teacher

    rng = random.Random(7)
    Score.objects.all().delete()
    Assignment.objects.all().delete()
    Judge.objects.all().delete()
    Nomination.objects.all().delete()
    Campaign.objects.all().delete()
    Teacher.objects.filter(staff_number__startswith="B").delete()
    School.objects.filter(code__startswith="2122").delete()

    district, _ = District.objects.get_or_create(code="220602", defaults={"name": "浑江区"})
    primary = SchoolType.objects.get(code="211")
    schools = School.objects.bulk_create(
        School(code=f"2122{index:06d}", name=f"基准第{index}小学", school_type=primary, district=district)
        for index in range(40)
    )
    teachers = Teacher.objects.bulk_create(
        Teacher(school=schools[index % len(schools)], staff_number=f"B{index:07d}", name=f"教师{index}")
        for index in range(nominations)
    )
    kind = CampaignType.objects.get(code="research-result")  # three levels × (1 + 2 + 3) prizes
    campaign = Campaign.objects.create(
        campaign_type=kind,
        name="基准评选",
        year=2026,
        nomination_opens="2026-05-01",
        nomination_closes="2026-05-31",
        judges_per_nomination=judges,
        stage=Campaign.Stage.JUDGING,
    )
    items = Criterion.objects.bulk_create(
        Criterion(campaign=campaign, name=f"评分项{index + 1}", max_score=Decimal("20"), order=index)
        for index in range(criteria)
    )
    subjects = list(Subject.objects.all()[:8])
    rows = Nomination.objects.bulk_create(
        Nomination(
            campaign=campaign,
            teacher=teacher,
            school=teacher.school,
            subject=subjects[index % len(subjects)],
            level=kind.levels[index % len(kind.levels)],
            school_category="21",
            status=Nomination.Status.ELIGIBLE,
        )
        for index, teacher in enumerate(teachers)
    )
    User = get_user_model()
    users = [User.objects.get_or_create(username=f"bench_judge{index}")[0] for index in range(judges)]
    panel = Judge.objects.bulk_create(Judge(campaign=campaign, user=user) for user in users)
    assignments = Assignment.objects.bulk_create(
        Assignment(judge=judge, nomination=nomination) for nomination in rows for judge in panel
    )
    Score.objects.bulk_create(
        (
            Score(assignment=assignment, criterion=item, value=Decimal(rng.randint(80, 200)) / 10)
            for assignment in assignments
            for item in items
        ),
        batch_size=5000,
    )
    return campaign


def measure(campaign, rounds: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from awards import services

    timings, queries = [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            services.compute_results(campaign=campaign)
            timings.append(time.perf_counter() - started)
        queries = len(captured)
    return timings, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=7)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eduquality.settings")
    import django

    ensure_database(args.database_url)
    django.setup()
    from django.core.management import call_command

    from awards.models import Nomination, Score

    call_command("migrate", verbosity=0)
    print(
        f"{'nominations':>11} {'judges':>6} {'criteria':>8} {'scores':>7} {'queries':>7} {'median s':>9} {'max s':>7}"
    )
    for size in (max(1, args.nominations // 4), args.nominations):
        started = time.perf_counter()
        campaign = build(size, args.judges, args.criteria)
        built = time.perf_counter() - started
        timings, queries = measure(campaign, args.rounds)
        scores = Score.objects.filter(assignment__nomination__campaign=campaign).count()
        print(
            f"{size:>11} {args.judges:>6} {args.criteria:>8} {scores:>7} {queries:>7} "
            f"{statistics.median(timings):>9.3f} {max(timings):>7.3f}   (data built in {built:.1f} s)"
        )
    winners = Nomination.objects.filter(campaign=campaign).exclude(prize="").count()
    print(f"last run: {winners} proposed winners (3 levels × 6 prizes), ranks and trimmed means written back")


if __name__ == "__main__":
    main()
