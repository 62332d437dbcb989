"""Statistics of an exam: `compute_exam` (the entry point), the reference engine, the warnings.

On PostgreSQL the database computes every statistic itself (monitoring.statistics_sql). The
reference engine here is the small-scale one — the embedded SQLite demo uses it, and the tests hold
the PostgreSQL engine to it: one aggregate query gives, per class and subject, counts, sums, sums of
squares, extremes, the threshold counts and the score bands — all additive, so schools, districts and
the city are their sums (`roll_up`); a second pass gives the pass-in-every-subject counts per class.
What follows from those rows — means, SDs, rates, ranks among schools of the same category, the
comparison with the city, the change against the comparable exam — is computed by the pure functions
of monitoring.rules, then stored by COPY.
"""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from eduquality.db import copy_rows
from monitoring import rules, statistics_sql
from monitoring.items.compute import compute_exam_items
from monitoring.models import EarlyWarning, Exam, ExamSubject, Level, ResearchVisit, Score, Statistic
from monitoring.value_added import engine as value_added_engine
from monitoring.value_added import warnings as value_added_warnings
from schools.models import School

Report = Callable[[int, str], None]


@dataclass
class Aggregate:
    """Additive sums of one group: what the database returns per class, rolled up to the levels above."""

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

    def add(self, other: "Aggregate") -> None:
        """Fold another group's sums into this one (every field is a sum or an extreme)."""
        self.n += other.n
        self.absent += other.absent
        self.total += other.total
        self.total_of_squares += other.total_of_squares
        self.max = max((v for v in (self.max, other.max) if v is not None), default=None)
        self.min = min((v for v in (self.min, other.min) if v is not None), default=None)
        self.excellent += other.excellent
        self.good += other.good
        self.passed += other.passed
        self.low += other.low
        self.borderline_excellent += other.borderline_excellent
        self.borderline_pass += other.borderline_pass
        self.bands = tuple(a + b for a, b in zip(self.bands, other.bands, strict=True)) if self.bands else other.bands


def roll_up(classes: list[Aggregate], district_of: dict[int, int]) -> list[Aggregate]:
    """The class groups plus their sums per school, district and city (each per subject)."""
    groups: dict[tuple, Aggregate] = {}
    for item in classes:
        district_id = district_of[item.school_id]
        item.district_id = district_id
        for level, district, school in (
            (Level.SCHOOL, district_id, item.school_id),
            (Level.DISTRICT, district_id, None),
            (Level.CITY, None, None),
        ):
            key = (item.exam_subject_id, level, district, school)
            if key not in groups:
                groups[key] = Aggregate(level.value, item.exam_subject_id, district, school, None)
            groups[key].add(item)
    return classes + list(groups.values())


@dataclass(slots=True)
class StatRow:
    """One statistic on its way to the Statistic table: a plain row (a model instance costs 20× more
    to create, and an exam has tens of thousands). Field names are the table's columns."""

    exam_id: int
    exam_subject_id: int | None
    level: str
    district_id: int | None = None
    school_id: int | None = None
    school_class_id: int | None = None
    category: str = ""
    sitters: int = 0
    absentees: int = 0
    mean: Decimal | None = None
    sd: Decimal | None = None
    max: Decimal | None = None
    min: Decimal | None = None
    excellent_rate: Decimal | None = None
    good_rate: Decimal | None = None
    pass_rate: Decimal | None = None
    low_rate: Decimal | None = None
    score_rate: Decimal | None = None
    all_pass_rate: Decimal | None = None
    bands: list = field(default_factory=list)
    borderline_excellent: int = 0
    borderline_pass: int = 0
    rank: int | None = None
    ranked_schools: int = 0
    deviation: Decimal | None = None
    over_mean_rate: Decimal | None = None
    ratio_to_mean: Decimal | None = None
    t_score: Decimal | None = None
    previous_mean: Decimal | None = None
    previous_excellent_rate: Decimal | None = None
    previous_pass_rate: Decimal | None = None
    previous_low_rate: Decimal | None = None
    previous_rank: int | None = None
    previous_ranked_schools: int = 0


_STAT_COLUMNS = [f.name for f in fields(StatRow)]


_LINES_CTE_COLUMNS = "exam_subject_id, excellent, good, pass, low, margin, width, full_marks"


def _lines(exam: Exam) -> tuple[str, list]:
    """`WITH l(…) AS (VALUES …)`: each subject's lines as constants, so no arithmetic per score row.

    The pass compares and sums in float8, several times faster than numeric, and still exact here:
    scores are multiples of 0.5, which binary floats hold exactly, as they do their sums and squares
    (far below 2⁵³); a line that is not a multiple of 0.5 can equal no score, and its float is off by
    less than 10⁻¹³ of a point, far less than the 0.05 between it and the nearest possible score."""
    rows, params = [], []
    for subject in exam.subjects.all():
        t = subject.thresholds
        margin = subject.full_marks * exam.borderline_margin_share
        width = subject.full_marks * exam.band_share
        rows.append("(%s, %s::float8, %s::float8, %s::float8, %s::float8, %s::float8, %s::float8, %s::float8)")
        params += [subject.pk, t.excellent_line, t.good_line, t.pass_line, t.low_line, margin, width]
        params.append(subject.full_marks)
    sql = f"WITH l({_LINES_CTE_COLUMNS}) AS (VALUES {', '.join(rows)}) " if rows else ""
    if connection.vendor != "postgresql":
        sql = sql.replace("::float8", "")
    return sql, params


def class_aggregates(exam: Exam) -> list[Aggregate]:
    """One pass over the exam's scores: the sums of every class × subject."""
    bands = rules.band_count(exam.band_share)
    lines, params = _lines(exam)
    if not params:
        return []
    band_columns = ", ".join(f"COUNT(*) FILTER (WHERE x.band = {index})" for index in range(bands))
    if connection.vendor == "postgresql":
        band_of = f"LEAST(FLOOR(sc.score / l.width)::int, {bands - 1})"
    else:
        band_of = f"MIN(CAST(sc.score / l.width AS INTEGER), {bands - 1})"
    band_of = f"CASE WHEN sc.score IS NOT NULL THEN {band_of} END"  # LEAST(NULL, 9) is 9 in PostgreSQL
    exam_subject_ids = params[:: len(_LINES_CTE_COLUMNS.split(", "))]
    marks = ", ".join(["%s"] * len(exam_subject_ids))
    sql = (
        f"{lines}SELECT x.exam_subject_id, x.school_id, x.school_class_id, COUNT(x.score), COUNT(*) - COUNT(x.score), "
        "SUM(x.score), SUM(x.score * x.score), MAX(x.score), MIN(x.score), "
        "COUNT(*) FILTER (WHERE x.score >= x.excellent), COUNT(*) FILTER (WHERE x.score >= x.good), "
        "COUNT(*) FILTER (WHERE x.score >= x.pass), COUNT(*) FILTER (WHERE x.score < x.low), "
        "COUNT(*) FILTER (WHERE x.score >= x.excellent - x.margin AND x.score < x.excellent), "
        "COUNT(*) FILTER (WHERE x.score >= x.pass - x.margin AND x.score < x.pass), "
        f"{band_columns} "
        f"FROM (SELECT sc.exam_subject_id, sc.school_id, sc.school_class_id, {as_float('sc.score')} AS score, "
        "l.excellent, l.good, "
        f"l.pass, l.low, l.margin, {band_of} AS band "
        f"FROM {Score._meta.db_table} sc JOIN l ON l.exam_subject_id = sc.exam_subject_id "
        f"WHERE sc.exam_subject_id IN ({marks})) x "
        "GROUP BY x.exam_subject_id, x.school_id, x.school_class_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tens of thousands of groups × 22 aggregates: room to hash them in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, [*params, *exam_subject_ids])
        rows = cursor.fetchall()
    result = []
    for subject_id, school_id, class_id, n, absent, total, total_sq, top, bottom, *counts in rows:
        excellent, good, passed, low, border_excellent, border_pass, *band_counts = counts
        result.append(
            Aggregate(
                level=Level.CLASS.value,
                exam_subject_id=subject_id,
                district_id=None,
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
                bands=tuple(band_counts),
            )
        )
    return result


def _decimal(value) -> Decimal | None:
    """A float sum or extreme of half points back to the exact Decimal it stands for."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def as_float(column: str) -> str:
    return f"{column}::float8" if connection.vendor == "postgresql" else column


def district_of_schools(aggregates: list[Aggregate]) -> dict[int, int]:
    school_ids = {item.school_id for item in aggregates}
    return dict(School.objects.filter(pk__in=school_ids).values_list("pk", "district_id"))


def subject_aggregates(exam: Exam) -> tuple[list[Aggregate], dict[int, int]]:
    """Every class, school, district and city group of every subject, and each school's district."""
    classes = class_aggregates(exam)
    district_of = district_of_schools(classes)
    return roll_up(classes, district_of), district_of


@dataclass
class AllSubjects:
    """The 各科合计 sums of one group: students who sat every subject (and their total scores), of
    whom passed every subject (全科及格), and students who missed at least one subject."""

    sat: int = 0
    passed: int = 0
    missed: int = 0
    total: Decimal = Decimal(0)
    total_of_squares: Decimal = Decimal(0)
    max: Decimal | None = None
    min: Decimal | None = None

    def add(self, sat, passed, missed, total, squares, top, bottom) -> None:
        self.sat += int(sat or 0)
        self.passed += int(passed or 0)
        self.missed += int(missed or 0)
        self.total += _decimal(total) or Decimal(0)
        self.total_of_squares += _decimal(squares) or Decimal(0)
        if top is not None:
            self.max = _decimal(top) if self.max is None else max(self.max, _decimal(top))
            self.min = _decimal(bottom) if self.min is None else min(self.min, _decimal(bottom))


def all_subject_counts(exam: Exam, subject_count: int, district_of: dict[int, int]) -> dict[tuple, AllSubjects]:
    """{level key: AllSubjects} — 全科及格率 and the total scores of the 各科合计 row.

    Per student in SQL (one pass), summed per class there; classes roll up to the levels above here."""
    subject_ids = list(exam.subjects.values_list("pk", flat=True))
    if not subject_ids:
        return {}
    lines, params = _lines(exam)
    marks = ", ".join(["%s"] * len(subject_ids))
    sql = (
        f"{lines}SELECT ps.school_id, ps.school_class_id, SUM(ps.sat_all), SUM(ps.passed_all), "
        "SUM(1 - ps.sat_all), SUM(ps.total), SUM(ps.total * ps.total), MAX(ps.total), MIN(ps.total) FROM ("
        "SELECT MIN(sc.school_id) AS school_id, MIN(sc.school_class_id) AS school_class_id, "
        f"CASE WHEN COUNT(sc.score) = {subject_count} THEN 1 ELSE 0 END AS sat_all, "
        f"CASE WHEN COUNT(*) FILTER (WHERE sc.score >= l.pass) = {subject_count} THEN 1 ELSE 0 END AS passed_all, "
        f"CASE WHEN COUNT(sc.score) = {subject_count} THEN SUM({as_float('sc.score')}) END AS total "
        f"FROM {Score._meta.db_table} sc JOIN l ON l.exam_subject_id = sc.exam_subject_id "
        f"WHERE sc.exam_subject_id IN ({marks}) "
        "GROUP BY sc.student_id) ps GROUP BY ps.school_id, ps.school_class_id"
    )
    groups: dict[tuple, AllSubjects] = defaultdict(AllSubjects)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *subject_ids])
        for school_id, class_id, *sums in cursor:
            district_id = district_of[school_id]
            for key in (
                (Level.CLASS.value, district_id, school_id, class_id),
                (Level.SCHOOL.value, district_id, school_id, None),
                (Level.DISTRICT.value, district_id, None, None),
                (Level.CITY.value, None, None, None),
            ):
                groups[key].add(*sums)
    return dict(groups)


# ---- From aggregates to stored statistics ---------------------------------------------------------


def _rate(count: int, n: int):
    return rules.rate(count, n)


def statistic_from(aggregate: Aggregate, subject: ExamSubject, exam_id: int, category: str) -> StatRow:
    n = aggregate.n
    mean = (aggregate.total / n).quantize(rules.SCORE_PLACES, ROUND_HALF_UP) if n else None
    return StatRow(
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


def build_statistics(exam: Exam, aggregates: list[Aggregate], all_counts: dict) -> list[StatRow]:
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
    # The all-subject rows (各科合计): who sat every subject, their total scores against the sum of
    # the full marks, who passed every subject (全科及格率), who missed a subject.
    full_total = sum((s.full_marks for s in subjects.values()), Decimal(0))
    for (level, district_id, school_id, class_id), group in all_counts.items():
        mean = (group.total / group.sat).quantize(rules.SCORE_PLACES, ROUND_HALF_UP) if group.sat else None
        stats.append(
            StatRow(
                exam_id=exam.pk,
                exam_subject_id=None,
                level=level,
                district_id=district_id,
                school_id=school_id,
                school_class_id=class_id,
                category=categories.get(school_id, ""),
                sitters=group.sat,
                absentees=group.missed,
                mean=mean,
                sd=rules.sd_from_sums(group.sat, group.total, group.total_of_squares),
                max=group.max,
                min=group.min,
                score_rate=rules.score_rate(mean, full_total),
                all_pass_rate=rules.rate(group.passed, group.sat),
            )
        )
    _attach_previous(exam, stats, subjects)
    return stats


def _attach_previous(exam: Exam, stats: list[StatRow], subjects: dict[int, ExamSubject]) -> None:
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


def _row(stat: StatRow) -> tuple:
    return tuple(json.dumps(stat.bands) if column == "bands" else getattr(stat, column) for column in _STAT_COLUMNS)


def store(exam: Exam, stats: list[StatRow]) -> None:
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
    marks = value_added_warnings.adjust(exam, wanted)
    existing = {(w.school_id, w.kind, w.exam_subject_id): w for w in exam.warnings.select_related("visit")}
    for key, warning in existing.items():
        if key in wanted:
            if warning.reason != wanted[key] or warning.value_added_mark != marks.get(key, ""):
                warning.reason, warning.value_added_mark = wanted[key], marks.get(key, "")
                warning.save(update_fields=["reason", "value_added_mark"])
        elif warning.visit.status == ResearchVisit.Status.OPEN and not warning.visit.causes:
            warning.delete()
    created = []
    for (school_id, kind, subject_id), reason in wanted.items():
        if (school_id, kind, subject_id) in existing:
            continue
        warning = EarlyWarning.objects.create(
            exam=exam,
            school_id=school_id,
            kind=kind,
            exam_subject_id=subject_id,
            reason=reason,
            value_added_mark=marks.get((school_id, kind, subject_id), ""),
        )
        ResearchVisit.objects.create(warning=warning)
        created.append(warning)
    return created


def compute_exam(exam: Exam, report: Report = lambda percent, message: None, *, engine: str = "") -> int:
    """Recompute and store every statistic of the exam, then its warnings. Returns the row count.

    PostgreSQL computes everything itself (monitoring.statistics_sql); elsewhere — the embedded
    SQLite demo — or when asked for `engine="python"` (the tests compare the two), the reference
    engine below sums in SQL and applies the rules in Python."""
    report(70, "正在统计各层级数据…")
    in_database = (engine or ("sql" if connection.vendor == "postgresql" else "python")) == "sql"
    if not in_database:
        subject_count = exam.subjects.count()
        aggregates, district_of = subject_aggregates(exam)
        all_counts = all_subject_counts(exam, subject_count, district_of) if subject_count else {}
        report(85, "正在计算排名与对比…")
        stats = build_statistics(exam, aggregates, all_counts)
    with transaction.atomic():
        if in_database:
            stored = statistics_sql.compute_statistics(exam)
        else:
            store(exam, stats)
            stored = len(stats)
        report(85, "正在统计小题与知识点…")
        compute_exam_items(exam, engine=engine)
        report(88, "正在计算增值评价…")
        value_added_engine.compute_value_added(exam)
        report(90, "正在生成预警…")
        refresh_warnings(exam)
        Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.READY, computed_at=timezone.now())
    report(98, "统计完成。")
    return stored
