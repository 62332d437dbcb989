"""The double-random draw at city scale, and the query counts of the star table and rectification board.

    .venv/bin/python bench/inspections_draw.py [--rounds 20] [--database-url postgres://…/eq_bench_inspections]

In a scratch PostgreSQL database: 300 schools in 6 districts and 200 inspectors (a quarter of them
also teach at a school, so they must be kept away from it). Prints the time of the pure draw
(300 schools × 3 inspectors from 200), of the whole service (draw + 300 visits + 900 assignments +
audit, in one transaction), and the SQL queries and latency of the city star table and the
rectification board with 30 and with 300 rows behind them.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_inspections"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eduquality.settings")
    os.environ["DEBUG"] = "1"
    import django

    ensure_database(args.database_url)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    world = build_world()
    bench_draw(world, args.rounds)
    bench_pages(world, args.rounds)


def build_world() -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from inspections.models import Campaign, Draw, RectificationOrder, Rubric, StarRating, Visit
    from schools.models import District, RoleAssignment, School, SchoolType, Semester

    User = get_user_model()
    with transaction.atomic():
        # A fresh world every run.
        RectificationOrder.objects.all().delete()
        StarRating.objects.all().delete()
        Visit.inspectors.through.objects.all().delete()
        Visit.objects.all().delete()
        Draw.objects.all().delete()
        Campaign.objects.all().delete()
        RoleAssignment.objects.all().delete()
        School.objects.all().delete()
        User.objects.filter(username__startswith="bench-").delete()
        semester, _ = Semester.objects.update_or_create(start_year=2026, term=1, defaults={"is_current": True})
        districts = [
            District.objects.get_or_create(code=f"2206{n:02d}", defaults={"name": f"测试区{n}"})[0] for n in range(1, 7)
        ]
        primary = SchoolType.objects.get(code="211")
        schools = School.objects.bulk_create(
            School(code=f"2122{n:06d}", name=f"测试第{n}小学", school_type=primary, district=districts[n % 6])
            for n in range(300)
        )
        bureau = User.objects.create(username="bench-bureau", full_name="局机关")
        RoleAssignment.objects.create(user=bureau, role="bureau")
        inspectors = User.objects.bulk_create(
            User(username=f"bench-inspector{n}", full_name=f"督学{n}") for n in range(200)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role="inspector") for user in inspectors)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role="teacher", school=schools[n * 6]) for n, user in enumerate(inspectors[:50])
        )
        rubric = Rubric.objects.get(kind="routine", is_current=True)
        today = timezone.localdate()
    return {
        "bureau": bureau,
        "schools": schools,
        "semester": semester,
        "rubric": rubric,
        "today": today,
        "deadline": today + timedelta(days=30),
    }


def bench_draw(world: dict, rounds: int) -> None:
    from inspections import rules, services
    from inspections.models import Campaign, Visit

    campaign = Campaign.objects.create(
        title="基准测试",
        semester=world["semester"],
        rubric=world["rubric"],
        schools_to_draw=300,
        inspectors_per_school=3,
        exclude_same_district=False,
        created_by=world["bureau"],
    )
    schools = services.eligible_school_slots(campaign)
    inspectors = services.inspector_slots(campaign)
    times = []
    for round_ in range(rounds):
        started = time.perf_counter()
        rules.draw(
            seed=f"bench-{round_}",
            schools=schools,
            inspectors=inspectors,
            school_count=300,
            per_school=3,
            avoid_same_district=False,
        )
        times.append(time.perf_counter() - started)
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"pure draw, 300 schools × 3 from {len(inspectors)}: median {median:.1f} ms, max {worst:.1f} ms")

    started = time.perf_counter()
    draw = services.run_draw(campaign=campaign, by=world["bureau"], seed="bench")
    elapsed = time.perf_counter() - started
    visits = Visit.objects.filter(campaign=campaign).count()
    assignments = Visit.inspectors.through.objects.filter(visit__campaign=campaign).count()
    print(
        f"run_draw service (slots + draw + {visits} visits + {assignments} assignments + audit): "
        f"{elapsed * 1000:.0f} ms (seed {draw.seed})"
    )
    district_campaign = Campaign.objects.create(
        title="基准测试（回避区县）",
        semester=world["semester"],
        rubric=world["rubric"],
        schools_to_draw=300,
        inspectors_per_school=3,
        exclude_same_district=True,
        created_by=world["bureau"],
    )
    started = time.perf_counter()
    services.run_draw(campaign=district_campaign, by=world["bureau"], seed="bench-district")
    print(f"run_draw service avoiding districts: {(time.perf_counter() - started) * 1000:.0f} ms")


def seed_rows(world: dict, count: int) -> None:
    from decimal import Decimal

    from inspections.models import RectificationOrder, StarRating

    StarRating.objects.all().delete()
    RectificationOrder.objects.all().delete()
    schools = world["schools"][:count]
    StarRating.objects.bulk_create(
        StarRating(
            school=school,
            start_year=2026,
            visit_count=2,
            mean_total=Decimal(60 + n % 40),
            star_level=n % 6,
            target_level=3,
        )
        for n, school in enumerate(schools)
    )
    RectificationOrder.objects.bulk_create(
        RectificationOrder(school=school, items="一\n二", deadline=world["deadline"], issued_by=world["bureau"])
        for school in schools
    )


def bench_pages(world: dict, rounds: int) -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    # Keep one connection across requests (as the test runner does) so the queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(world["bureau"])
    pages = {
        "star table": reverse("inspections:star-table") + "?year=2026",
        "star export": reverse("inspections:star-export") + "?year=2026",
        "rectification board": reverse("inspections:order-list"),
        "board export": reverse("inspections:order-export"),
    }
    print(f"{'page':<20} {'rows':>5} {'queries':>8} {'median ms':>10}")
    for count in (30, 300):
        seed_rows(world, count)
        for label, url in pages.items():
            connection.queries_log.clear()  # a full log (9,000 entries) would hide the new ones
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - started)
            print(f"{label:<20} {count:>5} {len(queries):>8} {statistics.median(times) * 1000:>10.1f}")


if __name__ == "__main__":
    main()
