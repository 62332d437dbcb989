"""The statistics engine at city scale, in PostgreSQL: every statistic of an exam in three statements.

1. One pass over the scores per subject — the 1.8 million rows of a city exam — gives each class
   its sums: sitters, absentees, Σx, Σx², extremes and, for each line and band boundary, how many
   scored at or above it. Scores are compared and summed as half points (`Score.half_points`, kept
   by the database: exact small integers), and every line is a constant in half points, so a row
   costs a few integer comparisons; identical conditions (a line that is also a band boundary) are
   counted once by PostgreSQL itself.
2. One pass per student gives each class the students who sat and who passed every subject (全科).
3. One INSERT … SELECT does the rest from those few thousand rows: the school, district and city
   sums (ROLLUP), means, SDs, rates, bands, borderline counts, the comparison with the city, ranks
   among schools of the same category (rank() — ties share a rank: 1, 2, 2, 4) and the change against
   the comparable exam.

Passes 1 and 2 create temporary tables because PostgreSQL plans a data-modifying statement without
parallel workers, and these two are the ones worth both cores.

The rules themselves live in monitoring.rules; the reference engine in monitoring.statistics applies
them in Python (the embedded SQLite demo uses it), and the tests hold this engine to the same
results on random data: every rounding here is half-up to the places the rules use (PostgreSQL's
round() rounds half away from zero, as ROUND_HALF_UP does).
"""

from decimal import ROUND_CEILING, Decimal

from django.db import connection

from monitoring import rules
from monitoring.models import Exam, ExamSubject, Score, Statistic
from schools.models import School

LINE_COLUMNS = ("excellent", "good", "passed", "at_low", "near_excellent", "near_pass")


def half_points_at_or_above(line: Decimal) -> int:
    """The least whole number of half points that is ≥ the line: score ≥ line ⇔ half points ≥ this."""
    return int((line * 2).to_integral_value(ROUND_CEILING))


def subject_lines(exam: Exam, subject: ExamSubject) -> tuple[dict[str, int], list[int]]:
    """A subject's lines and its band boundaries (from the second band up), in half points."""
    t = subject.thresholds
    margin = subject.full_marks * exam.borderline_margin_share
    width = subject.full_marks * exam.band_share
    lines = {
        "excellent": t.excellent_line,
        "good": t.good_line,
        "passed": t.pass_line,
        "at_low": t.low_line,  # low = sitters − at_low: strictly below the low line
        "near_excellent": t.excellent_line - margin,  # borderline = near − at the line
        "near_pass": t.pass_line - margin,
    }
    boundaries = [width * index for index in range(1, rules.band_count(exam.band_share))]
    return (
        {name: half_points_at_or_above(line) for name, line in lines.items()},
        [half_points_at_or_above(boundary) for boundary in boundaries],
    )


def _count_at_or_above(half_points: int) -> str:
    return f"COUNT(*) FILTER (WHERE half_points >= {int(half_points)})"


def _band_columns(band_count: int) -> list[str]:
    return [f"band_from_{index}" for index in range(1, band_count)]


def _statistic_columns(sums: dict[str, str], band_count: int, full_marks: str) -> list[str]:
    """The stored values that follow from a group's sums, as `expression AS column`: for a class from
    its aggregates (pass 1, in the parallel workers), for a school, district or the city from the
    classes' sums (pass 3). `sums` gives the SQL of each sum; every rounding is half-up."""
    n, total, squares = sums["sitters"], sums["total"], sums["squares"]

    def rate(count: str) -> str:
        return f"CASE WHEN {n} > 0 THEN round(({count})::numeric / {n}, 4) END"

    mean = f"CASE WHEN {n} > 0 THEN round(({total})::numeric / (2 * {n}), 2) END"
    below_low = f"{n} - ({sums['at_low']})"  # low: strictly below the low line
    variance = (
        f"greatest(({n})::numeric * ({squares}) - ({total})::numeric * ({total}), 0) / (4 * ({n})::numeric * ({n}))"
    )
    froms = [n, *(sums[name] for name in _band_columns(band_count)), "0"]
    bands = ", ".join(f"({froms[index]}) - ({froms[index + 1]})" for index in range(band_count))
    return [
        f"{mean} AS mean",
        f"CASE WHEN {n} > 0 THEN round(sqrt({variance}), 2) END AS sd",
        f"({sums['top']}) / 2.0 AS max",
        f"({sums['bottom']}) / 2.0 AS min",
        f"{rate(sums['excellent'])} AS excellent_rate",
        f"{rate(sums['good'])} AS good_rate",
        f"{rate(sums['passed'])} AS pass_rate",
        f"{rate(below_low)} AS low_rate",
        f"CASE WHEN {full_marks} <> 0 THEN round({mean} / {full_marks}, 4) END AS score_rate",
        f"to_jsonb(ARRAY[{bands}]::int[]) AS bands",
        f"({sums['near_excellent']}) - ({sums['excellent']}) AS borderline_excellent",
        f"({sums['near_pass']}) - ({sums['passed']}) AS borderline_pass",
    ]


# What _statistic_columns gives, in its order.
STATISTIC_COLUMNS = (
    "mean", "sd", "max", "min", "excellent_rate", "good_rate", "pass_rate", "low_rate", "score_rate", "bands",
    "borderline_excellent", "borderline_pass",
)  # fmt: skip


def _class_sums_sql(exam: Exam, subjects: list[ExamSubject]) -> str:
    """Pass 1: per subject (its lines as constants), each class's sums and the values that follow."""
    table = Score._meta.db_table
    band_count = rules.band_count(exam.band_share)
    branches = []
    for subject in subjects:
        lines, boundaries = subject_lines(exam, subject)
        sums = {
            "sitters": "COUNT(half_points)",
            "absentees": "COUNT(*) - COUNT(half_points)",
            "total": "SUM(half_points)",
            "squares": "SUM(half_points::int * half_points)",
            "top": "MAX(half_points)",
            "bottom": "MIN(half_points)",
            **{name: _count_at_or_above(lines[name]) for name in LINE_COLUMNS},
            **{
                name: _count_at_or_above(value)
                for name, value in zip(_band_columns(band_count), boundaries, strict=True)
            },
        }
        # Counts as int: the roll-up then sums them as integers, not as numeric.
        columns = [
            f"({sql})::int AS {name}" for name, sql in sums.items() if name not in ("total", "squares", "top", "bottom")
        ]
        columns += [
            f"{sums['total']} AS total",
            f"{sums['squares']} AS squares",
            f"{sums['top']} AS top",
            f"{sums['bottom']} AS bottom",
        ]
        columns += _statistic_columns(sums, band_count, str(subject.full_marks))
        branches.append(
            f"SELECT {int(subject.pk)}::bigint AS exam_subject_id, school_id, school_class_id, {', '.join(columns)} "
            f"FROM {table} WHERE exam_subject_id = {int(subject.pk)} GROUP BY school_id, school_class_id"
        )
    return " UNION ALL ".join(branches)


def _student_sums_sql(subjects: list[ExamSubject], ranges: list[tuple[int, int]]) -> str:
    """Pass 2: per class, the students who sat every subject (with the sums and extremes of their
    total scores, in half points) and who passed every subject, and the students who missed one.

    Grouping 1.8 million rows by student cannot be split between processes by rows (each would see
    every student); it is split by student instead, a range of ids per branch, so each branch
    finishes its students and the branches run side by side."""
    by_line: dict[int, list[int]] = {}
    for subject in subjects:
        by_line.setdefault(half_points_at_or_above(subject.thresholds.pass_line), []).append(int(subject.pk))
    pass_line = (
        "CASE "
        + " ".join(f"WHEN exam_subject_id IN ({', '.join(map(str, ids))}) THEN {line}" for line, ids in by_line.items())
        + " END"
    )
    ids = ", ".join(str(int(s.pk)) for s in subjects)
    count = len(subjects)
    sat_all = f"FILTER (WHERE sat = {count})"
    branches = [
        "SELECT school_id, school_class_id, "
        f"COUNT(*) {sat_all}::int AS sat_all, "
        f"COUNT(*) FILTER (WHERE passed = {count})::int AS passed_all, "
        f"COUNT(*) FILTER (WHERE sat < {count})::int AS missed_all, "
        f"SUM(total) {sat_all}::bigint AS total_all, SUM(total * total) {sat_all}::bigint AS squares_all, "
        f"MAX(total) {sat_all} AS top_all, MIN(total) {sat_all} AS bottom_all "
        # A student's rows share their school and class (one sheet row): grouping by the student
        # alone hashes one key instead of three.
        "FROM (SELECT MIN(school_id) AS school_id, MIN(school_class_id) AS school_class_id, "
        f"COUNT(half_points) AS sat, COUNT(*) FILTER (WHERE half_points >= {pass_line}) AS passed, "
        "SUM(half_points)::bigint AS total "
        f"FROM {Score._meta.db_table} WHERE exam_subject_id IN ({ids}) "
        f"AND student_id BETWEEN {int(low)} AND {int(high)} GROUP BY student_id) per_student "
        "GROUP BY school_id, school_class_id"
        for low, high in ranges or [(1, 0)]  # no scores: one empty range
    ]
    return (
        "SELECT school_id, school_class_id, SUM(sat_all)::int AS sat_all, SUM(passed_all)::int AS passed_all, "
        "SUM(missed_all)::int AS missed_all, SUM(total_all)::bigint AS total_all, "
        "SUM(squares_all)::bigint AS squares_all, MAX(top_all) AS top_all, MIN(bottom_all) AS bottom_all "
        f"FROM ({' UNION ALL '.join(branches)}) part GROUP BY school_id, school_class_id"
    )


def student_ranges(lowest: int | None, highest: int | None, parts: int = 4) -> list[tuple[int, int]]:
    """The exam's student ids cut into `parts` ranges of equal width (none when there are no scores)."""
    if lowest is None or highest is None:
        return []
    width = (highest - lowest) // parts + 1
    return [(low, min(low + width - 1, highest)) for low in range(lowest, highest + 1, width)]


def _student_id_bounds(cursor, subjects: list[ExamSubject]) -> tuple[int | None, int | None]:
    """The lowest and highest student id with a score in the exam, each found in the primary key."""
    table = Score._meta.db_table
    cursor.execute(
        f"SELECT MIN((SELECT MIN(student_id) FROM {table} WHERE exam_subject_id = s)), "
        f"MAX((SELECT MAX(student_id) FROM {table} WHERE exam_subject_id = s)) FROM unnest(%s::bigint[]) s",
        [[s.pk for s in subjects]],
    )
    return cursor.fetchone()


_LEVEL_OF_GROUPING = "CASE {grouping} WHEN 0 THEN 'class' WHEN 1 THEN 'school' WHEN 3 THEN 'district' ELSE 'city' END"

_INSERT_COLUMNS = (
    "exam_id, exam_subject_id, level, district_id, school_id, school_class_id, category, sitters, absentees, "
    "mean, sd, max, min, excellent_rate, good_rate, pass_rate, low_rate, score_rate, all_pass_rate, bands, "
    "borderline_excellent, borderline_pass, rank, ranked_schools, deviation, over_mean_rate, ratio_to_mean, "
    "t_score, previous_mean, previous_excellent_rate, previous_pass_rate, previous_low_rate, previous_rank, "
    "previous_ranked_schools"
)


def _insert_sql(band_count: int, target: str) -> str:
    """Pass 3: from the classes' rows to every statistic, inserted into `target`."""
    counts = ("sitters", "absentees", *LINE_COLUMNS, *_band_columns(band_count))
    rolled = {name: f"SUM(c.{name})" for name in (*counts, "total", "squares")}
    rolled.update(top="MAX(c.top)", bottom="MIN(c.bottom)")
    class_values = ", ".join(f"c.{column}" for column in STATISTIC_COLUMNS)
    rolled_values = ", ".join(_statistic_columns(rolled, band_count, "es.full_marks"))
    return f"""
WITH school_of AS (
    SELECT id, district_id, left(school_type_id, 2) AS category FROM {School._meta.db_table}
),
stats AS (
    -- Classes as pass 1 left them; schools, districts and the city from their sums (ROLLUP).
    SELECT c.exam_subject_id, sc.district_id, c.school_id, c.school_class_id, 'class' AS level,
           c.sitters::bigint AS sitters, c.absentees::bigint AS absentees, {class_values}
    FROM exam_class_sums c JOIN school_of sc ON sc.id = c.school_id
    UNION ALL
    SELECT c.exam_subject_id, sc.district_id, c.school_id, NULL,
           CASE GROUPING(sc.district_id, c.school_id) WHEN 0 THEN 'school' WHEN 1 THEN 'district' ELSE 'city' END,
           SUM(c.sitters), SUM(c.absentees), {rolled_values}
    FROM exam_class_sums c JOIN school_of sc ON sc.id = c.school_id
         JOIN {ExamSubject._meta.db_table} es ON es.id = c.exam_subject_id
    GROUP BY c.exam_subject_id, es.full_marks, ROLLUP (sc.district_id, c.school_id)
),
city AS (
    SELECT exam_subject_id, mean, sd FROM stats WHERE level = 'city'
),
ranks AS (
    SELECT s.exam_subject_id, s.school_id,
           rank() OVER (PARTITION BY s.exam_subject_id, sc.category ORDER BY s.mean DESC) AS rank,
           COUNT(*) OVER (PARTITION BY s.exam_subject_id, sc.category) AS ranked_schools
    FROM stats s JOIN school_of sc ON sc.id = s.school_id
    WHERE s.level = 'school' AND s.sitters > 0
),
all_subjects AS (
    SELECT sc.district_id, a.school_id, a.school_class_id,
           {_LEVEL_OF_GROUPING.format(grouping="GROUPING(sc.district_id, a.school_id, a.school_class_id)")} AS level,
           SUM(a.sat_all) AS sat, SUM(a.passed_all) AS passed, SUM(a.missed_all) AS missed,
           SUM(a.total_all) AS total, SUM(a.squares_all) AS squares, MAX(a.top_all) AS top,
           MIN(a.bottom_all) AS bottom
    FROM exam_student_sums a JOIN school_of sc ON sc.id = a.school_id
    GROUP BY ROLLUP (sc.district_id, a.school_id, a.school_class_id)
    HAVING COUNT(*) > 0
),
rows AS (
    SELECT s.exam_subject_id, es.subject_id, s.level, s.district_id, s.school_id, s.school_class_id,
           s.sitters, s.absentees, s.mean, s.sd, s.max, s.min, s.excellent_rate, s.good_rate, s.pass_rate,
           s.low_rate, s.score_rate, NULL::numeric AS all_pass_rate, s.bands, s.borderline_excellent,
           s.borderline_pass, r.rank, coalesce(r.ranked_schools, 0) AS ranked_schools,
           CASE WHEN s.level <> 'city' THEN round(s.mean - city.mean, 2) END AS deviation,
           CASE WHEN s.level <> 'city' AND city.mean <> 0 THEN round(round(s.mean - city.mean, 2) / city.mean, 4) END
               AS over_mean_rate,
           CASE WHEN s.level <> 'city' AND city.mean <> 0 THEN round(s.mean / city.mean, 4) END AS ratio_to_mean,
           CASE WHEN s.level <> 'city' AND city.sd <> 0 THEN round(50 + 10 * (s.mean - city.mean) / city.sd, 2) END
               AS t_score
    FROM stats s
    JOIN {ExamSubject._meta.db_table} es ON es.id = s.exam_subject_id
    JOIN city ON city.exam_subject_id = s.exam_subject_id
    LEFT JOIN ranks r ON r.exam_subject_id = s.exam_subject_id AND r.school_id = s.school_id AND s.level = 'school'
    UNION ALL
    -- 各科合计: the total scores of who sat every subject, against the sum of the full marks.
    SELECT NULL, NULL, a.level, a.district_id, a.school_id, a.school_class_id, a.sat, a.missed,
           a.mean, CASE WHEN a.sat > 0 THEN
               round(sqrt(greatest(a.sat * a.squares - a.total * a.total, 0) / (4 * a.sat * a.sat)), 2) END,
           a.top / 2.0, a.bottom / 2.0, NULL, NULL, NULL, NULL,
           CASE WHEN %(full_total)s <> 0 THEN round(a.mean / %(full_total)s, 4) END,
           CASE WHEN a.sat > 0 THEN round(a.passed::numeric / a.sat, 4) END, '[]'::jsonb,
           0, 0, NULL, 0, NULL, NULL, NULL, NULL
    FROM (SELECT *, CASE WHEN sat > 0 THEN round(total::numeric / (2 * sat), 2) END AS mean
          FROM all_subjects) a
),
previous AS (
    SELECT p.level, coalesce(pes.subject_id, 0) AS subject_key, coalesce(p.district_id, 0) AS district_key,
           coalesce(p.school_id, 0) AS school_key, p.mean, p.excellent_rate, p.pass_rate, p.low_rate,
           p.rank, p.ranked_schools
    FROM {Statistic._meta.db_table} p LEFT JOIN {ExamSubject._meta.db_table} pes ON pes.id = p.exam_subject_id
    WHERE p.exam_id = %(previous)s AND p.level IN ('city', 'district', 'school')
)
INSERT INTO {target} ({_INSERT_COLUMNS})
SELECT %(exam)s, r.exam_subject_id, r.level, r.district_id, r.school_id, r.school_class_id,
       coalesce(sc.category, ''), r.sitters, r.absentees, r.mean, r.sd, r.max, r.min,
       r.excellent_rate, r.good_rate, r.pass_rate, r.low_rate, r.score_rate, r.all_pass_rate, r.bands,
       r.borderline_excellent, r.borderline_pass, r.rank, r.ranked_schools, r.deviation, r.over_mean_rate,
       r.ratio_to_mean, r.t_score, p.mean, p.excellent_rate, p.pass_rate, p.low_rate, p.rank,
       coalesce(p.ranked_schools, 0)
FROM rows r
LEFT JOIN school_of sc ON sc.id = r.school_id
LEFT JOIN previous p ON r.level <> 'class' AND p.level = r.level AND p.subject_key = coalesce(r.subject_id, 0)
     AND p.district_key = coalesce(r.district_id, 0) AND p.school_key = coalesce(r.school_id, 0)
"""


# A statistic is one per exam × level × subject × unit: these columns find it (NULL as 0, to hash).
_ROW_KEY = ("exam_subject_id", "level", "district_id", "school_id", "school_class_id")


def _same_row(old: str, new: str, *, values: bool) -> str:
    """The condition that row `old` is row `new`: the same key and, with `values`, the same values."""
    key = [
        f"coalesce({old}.{column}, 0) = coalesce({new}.{column}, 0)"
        if column.endswith("_id")
        else f'{old}.{column} COLLATE "C" = {new}.{column} COLLATE "C"'  # compared as bytes: fast to hash
        for column in _ROW_KEY
    ]
    if values:
        others = [c.strip() for c in _INSERT_COLUMNS.split(",") if c.strip() not in (*_ROW_KEY, "exam_id")]
        key.append(
            f"({', '.join(f'{old}.{c}' for c in others)}) IS NOT DISTINCT FROM "
            f"({', '.join(f'{new}.{c}' for c in others)})"
        )
    return " AND ".join(key)


_PASS_SETTINGS = ("work_mem", "jit", "parallel_leader_participation", "enable_mergejoin")


def _restore_settings(cursor) -> None:
    """The rest of the caller's transaction (the warnings, a test, a batch) runs as configured."""
    for setting in _PASS_SETTINGS:
        cursor.execute(f"SET LOCAL {setting} TO DEFAULT")


def compute_statistics(exam: Exam) -> int:
    """Compute every statistic of the exam and make the stored ones exactly these; returns how many
    there are. Call inside a transaction.

    A recomputation mostly finds what is stored already (a corrected score changes its class, school,
    district and city rows; a re-imported file, nothing), so only rows that differ are written:
    rewriting 45,000 unchanged rows and their indexes would cost more than computing them."""
    subjects = list(exam.subjects.all())
    table = Statistic._meta.db_table
    with connection.cursor() as cursor:
        if not subjects:
            cursor.execute(f"DELETE FROM {table} WHERE exam_id = %s", [exam.pk])
            return 0
        # Tens of thousands of groups: room to hash them in memory. No JIT: compiling these
        # expressions costs more than it saves on a few million rows.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        # The passes run in the parallel workers; the leader only gathers their few thousand rows
        # instead of taking a branch of its own and competing with them for the cores.
        cursor.execute("SET LOCAL parallel_leader_participation = off")
        # Matching computed rows with stored ones: hashed; sorting them both first costs ten times more.
        cursor.execute("SET LOCAL enable_mergejoin = off")
        # Temporary tables are dropped here, not at commit: inside an outer transaction (a test, a
        # batch) the commit is not ours.
        cursor.execute(f"CREATE TEMP TABLE exam_class_sums AS {_class_sums_sql(exam, subjects)}")
        ranges = student_ranges(*_student_id_bounds(cursor, subjects))
        cursor.execute(f"CREATE TEMP TABLE exam_student_sums AS {_student_sums_sql(subjects, ranges)}")
        parameters = {
            "exam": exam.pk,
            "previous": exam.comparable_exam_id,
            "full_total": sum((s.full_marks for s in subjects), Decimal(0)),
        }
        band_count = rules.band_count(exam.band_share)
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE exam_id = %s)", [exam.pk])
        if not cursor.fetchone()[0]:  # the first computation: straight in
            cursor.execute(_insert_sql(band_count, table), parameters)
            computed = cursor.rowcount
            cursor.execute("DROP TABLE exam_class_sums, exam_student_sums")
            _restore_settings(cursor)
            return computed
        # The computed rows, in the stored table's column types, so that equal values compare equal.
        cursor.execute(f"CREATE TEMP TABLE exam_statistics AS SELECT {_INSERT_COLUMNS} FROM {table} WITH NO DATA")
        cursor.execute(_insert_sql(band_count, "exam_statistics"), parameters)
        computed = cursor.rowcount
        cursor.execute("ANALYZE exam_statistics (exam_subject_id)")  # its size, for the joins below to hash
        cursor.execute(
            f"DELETE FROM {table} s WHERE s.exam_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM exam_statistics n WHERE {_same_row('s', 'n', values=True)})",
            [exam.pk],
        )
        # What is left of the stored rows is what was computed: add the rest.
        cursor.execute(
            f"INSERT INTO {table} ({_INSERT_COLUMNS}) SELECT {_INSERT_COLUMNS} FROM exam_statistics n "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.exam_id = %s AND {_same_row('s', 'n', values=False)})",
            [exam.pk],
        )
        cursor.execute("DROP TABLE exam_class_sums, exam_student_sums, exam_statistics")
        _restore_settings(cursor)
    return computed
