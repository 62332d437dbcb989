"""Latency of the registry pages with the demo city loaded, through Django's test client.

    .venv/bin/python bench/registry_latency.py [--rounds 40] [--database-url postgres://…/eq_bench]

Builds the demo city (≈60 schools, ≈20,000 students) in a scratch PostgreSQL database, then for
each demo role requests the school list, a school's page and the home page, and prints the median
and p95 latency with the number of SQL queries per request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench"
ROLES = ["bureau", "inspector", "principal", "academic", "leader", "teacher"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from eduquality.models import User
    from schools.models import RoleAssignment, School

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", "--reset", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"demo city seeded in {time.perf_counter() - started:.1f} s: {School.objects.count()} schools")

    print(f"{'role':<10} {'page':<14} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        own = RoleAssignment.objects.filter(user=user, school__isnull=False).values_list("school_id", flat=True).first()
        school_id = own or School.objects.order_by("code").values_list("pk", flat=True).first()
        pages = {
            "school list": reverse("schools:school-list"),
            "school page": reverse("schools:school-detail", kwargs={"pk": school_id}),
            "home": reverse("home"),
        }
        for label, url in pages.items():
            client.get(url)  # warm up
            timings = []
            for _ in range(args.rounds):
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (username, url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"{username:<10} {label:<14} {statistics.median(timings):>10.1f} "
                f"{percentile(timings, 0.95):>8.1f} {len(queries):>8}"
            )


def ensure_database(url: str) -> None:
    """Create the scratch database if it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
