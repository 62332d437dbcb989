"""Paper analysis at city scale: one subject of 200,000 students × 30 items = 6 million item scores.

    .venv/bin/python bench/item_analysis.py [--rows 200000] [--database-url postgres://…/eq_bench_items]

Prints, from one run on one machine:
- python-calamine alone reading the workbook (rows/s) and the whole import (read, validate, score the
  option letters against the key, store) end to end; target ≥ 1/4 of calamine's rate;
- storage: the item-score table with its index, in bytes per item score (target ≤ 8);
- one bare SQL aggregate (count and sum per item per school over the stored item scores) and every
  item statistic of the subject (items × class/school/district/city, α, knowledge points, option
  shares); target ≤ 3× the bare aggregate; also both in CPU time (the backend's without parallel
  workers, plus this process's), which a shared machine's load leaves alone;
- the median latency and query count of the 试卷分析 page and a school's knowledge-point page
  (target < 100 ms).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/eq_bench_items"
EXAM_CODE = "BENCH-ITEMS-200K"
STUDENT_NUMBER_PREFIX = "G999998"
# 30 items, 100 points: 10 single choice (3), 5 multiple choice (4, partial 2), 10 blanks (2), 5 answers (6).
ITEMS = (
    [(str(n), "single", 3, "数与运算", "了解", "ABCD"[n % 4]) for n in range(1, 11)]
    + [(str(n), "multiple", 4, "图形的性质", "理解", ["AC", "BD", "ABC", "AD", "CD"][n % 5]) for n in range(11, 16)]
    + [(str(n), "blank", 2, "方程与不等式", "掌握", "") for n in range(16, 26)]
    + [(str(n), "answer", 6, "函数", "运用", "") for n in range(26, 31)]
)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eduquality.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _cell(rng: random.Random, item, theta: float):
    _, kind, points, _, _, key = item
    right = rng.random() < 1 / (1 + 2.718 ** (-1.7 * (theta + rng.gauss(0, 0.8))))
    if kind == "single":
        return key if right else rng.choice([c for c in "ABCD" if c != key])
    if kind == "multiple":
        return key if right else rng.choice([key[0], "AB", "B", "ACD"])
    share = min(1.0, max(0.0, (0.75 if right else 0.3) + rng.gauss(0, 0.2)))
    return round(share * points * 2) / 2


def prepare(rows: int) -> Path:
    """The demo city, one exam of grade 8 with 数学 and its 30-item blueprint, the workbook (cached);
    the previous run's exam and students gone."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from monitoring.items.models import AbilityLevel, BlueprintItem, KnowledgePoint
    from monitoring.models import Exam, ExamSubject
    from schools.models import School, Semester, Subject

    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    Exam.objects.filter(code=EXAM_CODE).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM schools_student WHERE student_number LIKE %s", [STUDENT_NUMBER_PREFIX + "%"])
        cursor.execute("VACUUM FULL monitoring_itemscore")
        cursor.execute("VACUUM FULL monitoring_score")
        cursor.execute("VACUUM FULL schools_student")
        # The previous runs' figures (each computation replaces a subject's rows): left to autovacuum, a few
        # hundred runs grew the item table to 4 GB, and every DELETE of a subject's rows with it.
        for table in ("monitoring_itemstatistic", "monitoring_paperstatistic", "monitoring_knowledgestatistic"):
            cursor.execute(f"VACUUM FULL {table}")
    exam = Exam.objects.create(
        name="八年级数学质量监测（小题分压力测试）",
        code=EXAM_CODE,
        kind="annual",
        semester=Semester.objects.get(is_current=True),
        grade=8,
    )
    schools = list(School.objects.order_by("code"))
    exam.schools.set(schools)
    maths = Subject.objects.get(code="SX")
    subject = ExamSubject.objects.create(exam=exam, subject=maths, full_marks=Decimal(100))
    points = {p.name: p for p in KnowledgePoint.objects.filter(subject=maths, district__isnull=True)}
    abilities = {a.name: a for a in AbilityLevel.objects.all()}
    BlueprintItem.objects.bulk_create(
        BlueprintItem(
            exam_subject=subject,
            position=position,
            label=label,
            kind=kind,
            points=Decimal(value),
            knowledge_point=points[point],
            ability=abilities[ability],
            answer_key=key,
            partial_points=Decimal(2) if kind == "multiple" else None,
        )
        for position, (label, kind, value, point, ability, key) in enumerate(ITEMS)
    )
    path = ROOT / "var" / "bench" / f"items-{rows}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    from openpyxl import Workbook

    rng = random.Random(11)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("成绩")
    sheet.append(["学籍号", "姓名", "学校标识码", "班级", "数学", *[f"数学-{item[0]}" for item in ITEMS]])
    per_school = rows // len(schools) + 1
    written = 0
    for school in schools:
        effect = rng.gauss(0, 0.4)
        for index in range(per_school):
            if written == rows:
                break
            written += 1
            number = f"{STUDENT_NUMBER_PREFIX}{201201000000 + written:012d}"
            theta = rng.gauss(0, 1) + effect
            if rng.random() < 0.01:
                cells = ["缺考"] + [None] * len(ITEMS)
            else:
                cells = [None] + [_cell(rng, item, theta) for item in ITEMS]
            sheet.append([number, f"学生{written}", school.code, f"八年级({index // 45 + 1})班", *cells])
    book.save(path)
    return path


def calamine_seconds(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    begin = time.perf_counter()
    count = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()) - 1
    return time.perf_counter() - begin, count


def import_once(path: Path) -> tuple[float, int]:
    """The import in a child process (this script with --child-import), as the worker runs it."""
    command = [sys.executable, __file__, "--child-import", str(path), "--database-url", os.environ["DATABASE_URL"]]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds, item_rows = output.stdout.split()[-2:]
    return float(seconds), int(item_rows)


def child_import(path: Path) -> None:
    from monitoring.models import Exam
    from monitoring.score_import import import_scores

    exam = Exam.objects.get(code=EXAM_CODE)
    content = path.read_bytes()
    begin = time.perf_counter()
    outcome = import_scores(exam, content, path.name, report=lambda percent, message: None)
    print(time.perf_counter() - begin, outcome.item_rows)


def bare_aggregate_seconds(subject_id: int) -> float:
    from django.db import connection

    sql = (
        "SELECT i.school_id, u.pos, count(*), sum(u.x) FROM monitoring_itemscore i, "
        "unnest(i.points) WITH ORDINALITY u(x, pos) WHERE i.exam_subject_id = %s GROUP BY i.school_id, u.pos"
    )
    timings = []
    with connection.cursor() as cursor:
        for _ in range(3):
            begin = time.perf_counter()
            cursor.execute(sql, [subject_id])
            cursor.fetchall()
            timings.append(time.perf_counter() - begin)
    return min(timings)


def statistics_seconds(exam, engine: str = "") -> tuple[float, int]:
    from django.db import transaction

    from monitoring.items.compute import compute_exam_items

    timings = []
    for _ in range(3):
        begin = time.perf_counter()
        with transaction.atomic():
            rows = compute_exam_items(exam, engine=engine)
        timings.append(time.perf_counter() - begin)
    return min(timings), rows


def cpu_seconds(run) -> float:
    """The database backend's CPU time (user + system) for `run`, with no parallel workers, plus this
    process's (the numpy engine computes here): what the work costs, whatever else the machine runs
    (wall-clock ratios swing with a shared machine's load). Needs a superuser (log_statement_stats)."""
    import re

    from django.db import connection

    connection.ensure_connection()
    notes: list[str] = []

    def handler(diagnostic) -> None:
        notes.append(f"{diagnostic.message_primary or ''} {diagnostic.message_detail or ''}")

    connection.connection.add_notice_handler(handler)
    settings = ("max_parallel_workers_per_gather", "client_min_messages", "log_statement_stats")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SET client_min_messages = log")
            cursor.execute("SET log_statement_stats = on")
        notes.clear()
        client = time.process_time()
        run()
        client = time.process_time() - client
    finally:
        with connection.cursor() as cursor:
            for name in reversed(settings):
                cursor.execute(f"RESET {name}")
        connection.connection.remove_notice_handler(handler)
    lines = re.finditer(r"([\d.]+) s user, ([\d.]+) s system, [\d.]+ s elapsed", "\n".join(notes))
    return client + sum(float(m.group(1)) + float(m.group(2)) for m in lines)


def cpu_ratio(exam, subject_id: int, engine: str = "") -> tuple[float, float]:
    """The CPU seconds of the bare aggregate and of every item statistic (the lesser of two runs each)."""
    from django.db import connection, transaction

    from monitoring.items.compute import compute_exam_items

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.school_id, u.pos, count(*), sum(u.x) FROM monitoring_itemscore i, "
                "unnest(i.points) WITH ORDINALITY u(x, pos) WHERE i.exam_subject_id = %s GROUP BY i.school_id, u.pos",
                [subject_id],
            )
            cursor.fetchall()

    def compute() -> None:
        with transaction.atomic():
            compute_exam_items(exam, engine=engine)

    return min(cpu_seconds(bare) for _ in range(2)), min(cpu_seconds(compute) for _ in range(2))


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
    subject = exam.subjects.get()
    analysis = reverse("monitoring:item-analysis", kwargs={"pk": exam.pk, "subject_id": subject.pk})
    school = reverse("monitoring:item-school", kwargs={"pk": exam.pk, "school_id": own_school})
    pages = [
        ("试卷分析 (bureau, city)", bureau, analysis),
        ("试卷分析 (principal, school)", principal, f"{analysis}?school={own_school}"),
        ("knowledge page (principal)", principal, school),
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
        print(f"  {label:<30} median {median:6.1f} ms (target < 100)  p95 {p95:6.1f} ms  {len(queries)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ITEMS_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--engine", default="", help='the item engine: "numpy" (the default), "sql" or "python"')
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        setup_django(args.database_url)
        child_import(args.child_import)
        return
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    from monitoring.models import Exam

    settings.ALLOWED_HOSTS = ["testserver"]
    begin = time.perf_counter()
    path = prepare(args.rows)
    print(
        f"workbook {path.name}: {path.stat().st_size / 1048576:.1f} MB "
        f"(prepared in {time.perf_counter() - begin:.1f} s)"
    )
    read_seconds, rows = calamine_seconds(path)
    print(f"python-calamine alone:      {read_seconds:6.2f} s  {rows / read_seconds:10,.0f} rows/s")
    seconds, item_rows = import_once(path)
    ratio = read_seconds / seconds
    print(
        f"import (items, end to end): {seconds:6.2f} s  {rows / seconds:10,.0f} rows/s  = {ratio:.2f} × calamine "
        f"(target ≥ 0.25)  {item_rows:,} students × {len(ITEMS)} items"
    )
    exam = Exam.objects.get(code=EXAM_CODE)
    subject = exam.subjects.get()
    with connection.cursor() as cursor:
        # The steady state autovacuum reaches soon after an import; also frees the previous run's rows,
        # which a concurrent autovacuum's snapshot may have kept through the VACUUM FULL in prepare().
        cursor.execute("VACUUM FULL monitoring_itemscore")
        cursor.execute("VACUUM (ANALYZE) monitoring_itemscore")
        cursor.execute(
            "SELECT pg_total_relation_size('monitoring_itemscore'), sum(cardinality(points)) FROM monitoring_itemscore"
        )
        size, scores = cursor.fetchone()
    print(
        f"storage: {size / 1048576:.1f} MiB for {scores:,} item scores = {size / scores:.2f} bytes each (target ≤ 8); "
        f"a 9-subject city exam: {size / scores * scores * 9 / 1073741824:.2f} GiB"
    )
    bare = bare_aggregate_seconds(subject.pk)
    print(f"bare SQL aggregate:         {bare:6.2f} s  (count and sum per item per school, best of 3)")
    seconds, stat_rows = statistics_seconds(exam, args.engine)
    print(
        f"every item statistic:       {seconds:6.2f} s  = {seconds / bare:.2f} × bare (target ≤ 3)  "
        f"{stat_rows:,} item rows ({args.engine or 'default'} engine)"
    )
    bare_cpu, statistics_cpu = cpu_ratio(exam, subject.pk, args.engine)
    print(
        f"  CPU time (backend, no parallel workers, + this process): bare {bare_cpu:.2f} s, every item "
        f"statistic {statistics_cpu:.2f} s = {statistics_cpu / bare_cpu:.2f} × bare"
    )
    print("pages with the exam loaded:")
    page_latency(exam)


if __name__ == "__main__":
    main()
