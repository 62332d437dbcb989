"""The statistics engine: every exam × subject × level (class, school, district, city).

The database does the heavy pass: one aggregate query over the score table with GROUPING SETS
(on SQLite, the demo database, the same query as a UNION ALL per level) gives counts, sums, sums
of squares, extremes, the threshold counts and the score bands of every group; a second one gives
the pass-in-every-subject counts. What follows from those few thousand rows — means, SDs, rates,
ranks among schools of the same category, the comparison with the city, the change against the
comparable exam — is computed by the pure functions of monitoring.rules, then stored by COPY so
the pages read stored results instead of recomputing.
"""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from eduquality.db import copy_rows
from monitoring import rules
from monitoring.models import EarlyWarning, Exam, ExamSubject, Level, ResearchVisit, Score, Statistic
from schools.models import School

Report = Callable[[int, str], None]

GROUPING_KEYS = ["district_id", "school_id", "school_class_id"]
LEVEL_SETS = [
    (Level.CITY, []),
    (Level.DISTRICT, ["district_id"]),
    (Level.SCHOOL, ["district_id", "school_id"]),
    (Level.CLASS, ["district_id", "school_id", "school_class_id"]),
]
_KEY_SQL = {"district_id": "sch.district_id", "school_id": "sc.school_id", "school_class_id": "sc.school_class_id"}


@dataclass
class Aggregate:
    """What the database returns for one group."""

    level: str
    exam_subject_id: int | None
    district_id: int | None
    school_id: int | None
    school_class_id: int | None
    n: int = 0
    absent: int = 0
    total: Decimal = Decimal(0)
    total_of_squares: Decimal = Decimal(0)
    max: Decimal | None = None
    min: Decimal | None = None
    excellent: int = 0
    good: int = 0
    passed: int = 0
    low: int = 0
    borderline_excellent: int = 0
    borderline_pass: int = 0
    bands: tuple[int, ...] = ()

    @property
    def key(self) -> tuple:
        return (self.level, self.district_id, self.school_id, self.school_class_id)


def _level_case() -> str:
    return (
        "CASE WHEN GROUPING(sc.school_class_id) = 0 THEN 'class' "
        "WHEN GROUPING(sc.school_id) = 0 THEN 'school' "
        "WHEN GROUPING(sch.district_id) = 0 THEN 'district' ELSE 'city' END"
    )


def _grouped(select_keys: str, aggregates: str, source: str, leading: list[str]) -> str:
    """The same aggregate at every level: GROUPING SETS on PostgreSQL, UNION ALL elsewhere."""
    if connection.vendor == "postgresql":
        sets = ", ".join("(" + ", ".join(leading + [_KEY_SQL[k] for k in keys]) + ")" for _, keys in LEVEL_SETS)
        sets = sets.replace("()", "()")
        keys_sql = ", ".join(_KEY_SQL[k] for k in GROUPING_KEYS)
        return (
            f"SELECT {_level_case()} AS level, {select_keys}{keys_sql}, {aggregates} "
            f"FROM {source} GROUP BY GROUPING SETS ({sets})"
        )
    parts = []
    for level, keys in LEVEL_SETS:
        columns = ", ".join(_KEY_SQL[k] if k in keys else "NULL" for k in GROUPING_KEYS)
        group_by = ", ".join(leading + [_KEY_SQL[k] for k in keys])
        parts.append(
            f"SELECT '{level.value}' AS level, {select_keys}{columns}, {aggregates} FROM {source}"
            + (f" GROUP BY {group_by}" if group_by else "")
        )
    return " UNION ALL ".join(parts)


def _subject_aggregates_sql(exam: Exam) -> tuple[str, list]:
    bands = rules.band_count(exam.band_share)
    line = "es.full_marks * es.{}"
    band_filters = []
    for index in range(bands):
        low = f"sc.score >= es.full_marks * {Decimal(index) * exam.band_share}"
        high = "" if index == bands - 1 else f" AND sc.score < es.full_marks * {Decimal(index + 1) * exam.band_share}"
        band_filters.append(f"COUNT(*) FILTER (WHERE {low}{high}) AS band_{index}")
    margin = f"es.full_marks * {exam.borderline_margin_share}"
    aggregates = ", ".join(
        [
            "COUNT(sc.score) AS n",
            "COUNT(*) - COUNT(sc.score) AS absent",
            "SUM(sc.score) AS total",
            "SUM(sc.score * sc.score) AS total_sq",
            "MAX(sc.score) AS max_score",
            "MIN(sc.score) AS min_score",
            f"COUNT(*) FILTER (WHERE sc.score >= {line.format('excellent_share')}) AS excellent",
            f"COUNT(*) FILTER (WHERE sc.score >= {line.format('good_share')}) AS good",
            f"COUNT(*) FILTER (WHERE sc.score >= {line.format('pass_share')}) AS passed",
            f"COUNT(*) FILTER (WHERE sc.score < {line.format('low_share')}) AS low",
            f"COUNT(*) FILTER (WHERE sc.score >= {line.format('excellent_share')} - {margin} "
            f"AND sc.score < {line.format('excellent_share')}) AS border_excellent",
            f"COUNT(*) FILTER (WHERE sc.score >= {line.format('pass_share')} - {margin} "
            f"AND sc.score < {line.format('pass_share')}) AS border_pass",
            *band_filters,
        ]
    )
    source = (
        f"{Score._meta.db_table} sc JOIN {ExamSubject._meta.db_table} es ON es.id = sc.exam_subject_id "
        f"JOIN {School._meta.db_table} sch ON sch.id = sc.school_id WHERE es.exam_id = %s"
    )
    sql = _grouped("sc.exam_subject_id, ", aggregates, source, ["sc.exam_subject_id"])
    params = [exam.pk] * (1 if connection.vendor == "postgresql" else len(LEVEL_SETS))
    return sql, params


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def subject_aggregates(exam: Exam) -> list[Aggregate]:
    sql, params = _subject_aggregates_sql(exam)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = []
    for row in rows:
        level, subject_id, district_id, school_id, class_id, n, absent, total, total_sq, top, bottom, *counts = row
        excellent, good, passed, low, border_excellent, border_pass, *bands = counts
        result.append(
            Aggregate(
                level=level,
                exam_subject_id=subject_id,
                district_id=district_id,
                school_id=school_id,
                school_class_id=class_id,
                n=n,
                absent=absent,
                total=_decimal(total) or Decimal(0),
                total_of_squares=_decimal(total_sq) or Decimal(0),
                max=_decimal(top),
                min=_decimal(bottom),
                excellent=excellent,
                good=good,
                passed=passed,
                low=low,
                borderline_excellent=border_excellent,
                borderline_pass=border_pass,
                bands=tuple(bands),
            )
        )
    return result


def all_subject_counts(exam: Exam, subject_count: int) -> dict[tuple, tuple[int, int]]:
    """{level key: (students who sat every subject, of whom passed every subject)} — 全科及格率."""
    per_student = (
        f"(SELECT MIN(sch.district_id) AS district_id, MIN(sc.school_id) AS school_id, "
        f"MIN(sc.school_class_id) AS school_class_id, "
        f"CASE WHEN COUNT(sc.score) = {subject_count} THEN 1 ELSE 0 END AS sat_all, "
        f"CASE WHEN COUNT(*) FILTER (WHERE sc.score >= es.full_marks * es.pass_share) = {subject_count} "
        f"THEN 1 ELSE 0 END AS passed_all "
        f"FROM {Score._meta.db_table} sc JOIN {ExamSubject._meta.db_table} es ON es.id = sc.exam_subject_id "
        f"JOIN {School._meta.db_table} sch ON sch.id = sc.school_id WHERE es.exam_id = %s GROUP BY sc.student_id) ps"
    )
    sql = _grouped("", "SUM(ps.sat_all), SUM(ps.passed_all)", per_student, [])
    sql = sql.replace("sch.district_id", "ps.district_id").replace("sc.school_id", "ps.school_id")
    sql = sql.replace("sc.school_class_id", "ps.school_class_id")
    # The inner query keeps its own names: restore them.
    sql = sql.replace("MIN(ps.district_id)", "MIN(sch.district_id)").replace("MIN(ps.school_id)", "MIN(sc.school_id)")
    sql = sql.replace("MIN(ps.school_class_id)", "MIN(sc.school_class_id)").replace(
        "sch.id = ps.school_id", "sch.id = sc.school_id"
    )
    params = [exam.pk] * (1 if connection.vendor == "postgresql" else len(LEVEL_SETS))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(level, d, s, c): (int(sat or 0), int(passed or 0)) for level, d, s, c, sat, passed in cursor}


# ---- From aggregates to stored statistics ---------------------------------------------------------


def _rate(count: int, n: int):
    return rules.rate(count, n)


def statistic_from(aggregate: Aggregate, subject: ExamSubject, exam_id: int, category: str) -> Statistic:
    n = aggregate.n
    mean = (aggregate.total / n).quantize(rules.SCORE_PLACES, ROUND_HALF_UP) if n else None
    return Statistic(
        exam_id=exam_id,
        exam_subject_id=subject.pk,
        level=aggregate.level,
        district_id=aggregate.district_id,
        school_id=aggregate.school_id,
        school_class_id=aggregate.school_class_id,
        category=category,
        sitters=n,
        absentees=aggregate.absent,
        mean=mean,
        sd=rules.sd_from_sums(n, aggregate.total, aggregate.total_of_squares),
        max=aggregate.max,
        min=aggregate.min,
        excellent_rate=_rate(aggregate.excellent, n),
        good_rate=_rate(aggregate.good, n),
        pass_rate=_rate(aggregate.passed, n),
        low_rate=_rate(aggregate.low, n),
        score_rate=rules.score_rate(mean, subject.full_marks),
        bands=list(aggregate.bands),
        borderline_excellent=aggregate.borderline_excellent,
        borderline_pass=aggregate.borderline_pass,
    )


def _previous_statistics(exam: Exam) -> dict[tuple, Statistic]:
    """The comparable exam's stored statistics by (level, subject, district, school)."""
    if not exam.comparable_exam_id:
        return {}
    previous = Statistic.objects.filter(
        exam_id=exam.comparable_exam_id, level__in=[Level.CITY, Level.DISTRICT, Level.SCHOOL]
    ).select_related("exam_subject")
    return {
        (s.level, s.exam_subject.subject_id if s.exam_subject_id else None, s.district_id, s.school_id): s
        for s in previous
    }


def build_statistics(exam: Exam, aggregates: list[Aggregate], all_counts: dict) -> list[Statistic]:
    subjects = {s.pk: s for s in exam.subjects.all()}
    categories = dict(School.objects.filter(pk__in={a.school_id for a in aggregates}).values_list("pk", "school_type"))
    categories = {pk: type_code[:2] for pk, type_code in categories.items()}
    stats = [
        statistic_from(a, subjects[a.exam_subject_id], exam.pk, categories.get(a.school_id, ""))
        for a in aggregates
        if a.exam_subject_id in subjects
    ]
    city = {s.exam_subject_id: s for s in stats if s.level == Level.CITY}
    for stat in stats:
        if stat.level != Level.CITY:
            versus = rules.against_city(stat.mean, city[stat.exam_subject_id].mean, city[stat.exam_subject_id].sd)
            stat.deviation, stat.over_mean_rate = versus.deviation, versus.over_mean_rate
            stat.ratio_to_mean, stat.t_score = versus.ratio_to_mean, versus.t_score
    # Ranks among schools of the same category (同类学校), per subject; ties share a rank.
    groups = defaultdict(list)
    for stat in stats:
        if stat.level == Level.SCHOOL:
            groups[(stat.exam_subject_id, stat.category)].append(stat)
    for members in groups.values():
        ranked = [m for m in members if m.sitters]
        for member, rank in zip(ranked, rules.competition_ranks([m.mean for m in ranked]), strict=True):
            member.rank, member.ranked_schools = rank, len(ranked)
    # The all-subject rows (全科).
    for (level, district_id, school_id, class_id), (sat, passed) in all_counts.items():
        stats.append(
            Statistic(
                exam_id=exam.pk,
                exam_subject_id=None,
                level=level,
                district_id=district_id,
                school_id=school_id,
                school_class_id=class_id,
                category=categories.get(school_id, ""),
                sitters=sat,
                all_pass_rate=rules.rate(passed, sat),
            )
        )
    _attach_previous(exam, stats, subjects)
    return stats


def _attach_previous(exam: Exam, stats: list[Statistic], subjects: dict[int, ExamSubject]) -> None:
    previous = _previous_statistics(exam)
    if not previous:
        return
    for stat in stats:
        if stat.level == Level.CLASS:
            continue
        subject_id = subjects[stat.exam_subject_id].subject_id if stat.exam_subject_id else None
        before = previous.get((stat.level, subject_id, stat.district_id, stat.school_id))
        if before is None:
            continue
        stat.previous_mean = before.mean
        stat.previous_excellent_rate = before.excellent_rate
        stat.previous_pass_rate = before.pass_rate
        stat.previous_low_rate = before.low_rate
        stat.previous_rank = before.rank
        stat.previous_ranked_schools = before.ranked_schools


_STAT_COLUMNS = [
    "exam_id",
    "exam_subject_id",
    "level",
    "district_id",
    "school_id",
    "school_class_id",
    "category",
    "sitters",
    "absentees",
    "mean",
    "sd",
    "max",
    "min",
    "excellent_rate",
    "good_rate",
    "pass_rate",
    "low_rate",
    "score_rate",
    "all_pass_rate",
    "bands",
    "borderline_excellent",
    "borderline_pass",
    "rank",
    "ranked_schools",
    "deviation",
    "over_mean_rate",
    "ratio_to_mean",
    "t_score",
    "previous_mean",
    "previous_excellent_rate",
    "previous_pass_rate",
    "previous_low_rate",
    "previous_rank",
    "previous_ranked_schools",
]


def _row(stat: Statistic) -> tuple:
    return tuple(json.dumps(stat.bands) if column == "bands" else getattr(stat, column) for column in _STAT_COLUMNS)


def store(exam: Exam, stats: list[Statistic]) -> None:
    Statistic.objects.filter(exam=exam).delete()
    copy_rows(Statistic._meta.db_table, _STAT_COLUMNS, (_row(stat) for stat in stats))


# ---- Early warnings -------------------------------------------------------------------------------


def refresh_warnings(exam: Exam) -> list[EarlyWarning]:
    """Flags each school by the exam's rules; keeps the flags (and their visits) still raised, drops
    untouched ones no longer raised, opens a research visit for each new flag."""
    school_stats = (
        Statistic.objects.filter(exam=exam, level=Level.SCHOOL, exam_subject__isnull=False)
        .select_related("exam_subject__subject")
        .order_by("school_id", "exam_subject__order")
    )
    by_school = defaultdict(list)
    for stat in school_stats:
        by_school[stat.school_id].append(stat)
    wanted = {}
    for school_id, stats in by_school.items():
        subject_of = {s.exam_subject.subject.name: s.exam_subject_id for s in stats}
        positions = [
            rules.SubjectPosition(
                subject=s.exam_subject.subject.name,
                rank=s.rank,
                ranked_schools=s.ranked_schools,
                excellent_rate=s.excellent_rate,
                pass_rate=s.pass_rate,
                previous_rank=s.previous_rank,
                previous_ranked_schools=s.previous_ranked_schools,
                previous_excellent_rate=s.previous_excellent_rate,
                previous_pass_rate=s.previous_pass_rate,
            )
            for s in stats
        ]
        for flag in rules.warnings_for(positions, exam.warning_rules):
            wanted[(school_id, flag.kind, subject_of.get(flag.subject))] = flag.reason
    existing = {(w.school_id, w.kind, w.exam_subject_id): w for w in exam.warnings.select_related("visit")}
    for key, warning in existing.items():
        if key in wanted:
            if warning.reason != wanted[key]:
                warning.reason = wanted[key]
                warning.save(update_fields=["reason"])
        elif warning.visit.status == ResearchVisit.Status.OPEN and not warning.visit.causes:
            warning.delete()
    created = []
    for (school_id, kind, subject_id), reason in wanted.items():
        if (school_id, kind, subject_id) in existing:
            continue
        warning = EarlyWarning.objects.create(
            exam=exam, school_id=school_id, kind=kind, exam_subject_id=subject_id, reason=reason
        )
        ResearchVisit.objects.create(warning=warning)
        created.append(warning)
    return created


def compute_exam(exam: Exam, report: Report = lambda percent, message: None) -> int:
    """Recompute and store every statistic of the exam, then its warnings. Returns the row count."""
    subject_count = exam.subjects.count()
    report(70, "正在统计各层级数据…")
    aggregates = subject_aggregates(exam)
    all_counts = all_subject_counts(exam, subject_count) if subject_count else {}
    report(85, "正在计算排名与对比…")
    stats = build_statistics(exam, aggregates, all_counts)
    with transaction.atomic():
        store(exam, stats)
        refresh_warnings(exam)
        Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.READY, computed_at=timezone.now())
    report(98, "统计完成。")
    return len(stats)
