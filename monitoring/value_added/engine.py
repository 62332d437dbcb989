"""The value-added engine: sums of matched students in SQL, the model over those sums in Python.

One query gives, per current-exam subject × school × class, the sums of the students who sat the
subject in both exams (matched by student — the 学籍号 is unique — and counted for the school and
class of the current exam, so a student who changed school counts for the new one); a second gives
the same per class for the total over the subjects both exams share (students who sat all of them in
both). Schools are the sums of their classes. monitoring.value_added.rules standardises, fits and
classifies; the figures are stored (ValueAdded, ValueAddedFit) for the pages to read.

Classes are fitted as the groups of their own two-level model over the same students (students in
classes, city-wide), not as a level nested in schools: a class's figure is its progress against the
city, school effect included, which is what a principal compares classes by.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from eduquality.db import copy_rows
from monitoring.models import Exam, ExamSubject, Level, Score, Statistic
from monitoring.value_added import rules
from monitoring.value_added.models import ValueAdded, ValueAddedFit
from schools.models import School, Student

MIN_MATCHED_FOR_A_FIT = 10
# The stored row's columns, in the order _fit_groups makes them.
VALUE_ADDED_COLUMNS = [
    "exam_id",
    "exam_subject_id",
    "level",
    "school_id",
    "school_class_id",
    "matched",
    "sitters",
    "intake",
    "attainment",
    "estimate",
    "lower",
    "upper",
    "points",
    "points_lower",
    "points_upper",
    "mean_residual",
    "residual_lower",
    "residual_upper",
    "classification",
    "quadrant",
    "note",
]

_COVARIATE_SQL = {
    "female": "CASE WHEN st.gender = 'F' THEN 1 ELSE 0 END",
    "urban": "CASE WHEN sch.urban_rural_id LIKE '1%%' THEN 1 ELSE 0 END",
}


@dataclass(frozen=True)
class Pairing:
    """The current exam's subjects and their counterparts in the comparable exam."""

    pairs: list[tuple[ExamSubject, ExamSubject]]
    missing: list[ExamSubject]


def pairing(exam: Exam) -> Pairing:
    before = {s.subject_id: s for s in exam.comparable_exam.subjects.select_related("subject")}
    pairs, missing = [], []
    for subject in exam.subjects.select_related("subject").order_by("order", "subject__order"):
        if subject.subject_id in before:
            pairs.append((subject, before[subject.subject_id]))
        else:
            missing.append(subject)
    return Pairing(pairs, missing)


def covariates_of(exam: Exam) -> list[str]:
    return [c for c in exam.value_added_covariates or [] if c in rules.COVARIATES]


def _sum_columns(names: list[str]) -> str:
    """COUNT, the SUM of each column, then of each product c_i c_j (i ≤ j)."""
    sums = [f"SUM({c})" for c in names]
    sums += [f"SUM({names[i]} * {names[j]})" for i in range(len(names)) for j in range(i, len(names))]
    return ", ".join(["COUNT(*)", *sums])


def matched_sums(exam: Exam, pairs, covariates: list[str]) -> dict[tuple, rules.GroupSums]:
    """{(current exam_subject_id — None for the total —, school_id, class_id): the group's sums over
    the columns (before, covariates…, now)}, in points.

    One statement: the matched pairs (the two exams' scores of each subject joined by student) are
    made once, then summed per subject × school × class, and per student (the total over every shared
    subject, for students who sat all of them in both exams) and then per school × class. The sums are
    of half points (Score.half_points, exact small integers: integer sums are several times faster
    than numeric or float ones); points are restored here."""
    values = ", ".join(["(%s, %s)"] * len(pairs))
    params = [v for now, before in pairs for v in (now.pk, before.pk)]
    joins = ""
    if "female" in covariates:
        joins += f" JOIN {Student._meta.db_table} st ON st.id = a.student_id"
    if "urban" in covariates:
        joins += f" JOIN {School._meta.db_table} sch ON sch.id = a.school_id"
    table = Score._meta.db_table
    names = ["c_before", *[f"c_{c}" for c in covariates], "c_now"]
    columns = ", ".join(
        [
            "CAST(b.half_points AS INTEGER) AS c_before",
            *[f"{_COVARIATE_SQL[c]} AS c_{c}" for c in covariates],
            "CAST(a.half_points AS INTEGER) AS c_now",
        ]
    )
    per_student = ", ".join(
        [
            "CAST(SUM(c_before) AS INTEGER) AS c_before",
            *[f"MIN(c_{c}) AS c_{c}" for c in covariates],
            "CAST(SUM(c_now) AS INTEGER) AS c_now",
        ]
    )
    sql = (
        f"WITH p(now_id, before_id) AS (VALUES {values}), "
        f"m AS MATERIALIZED (SELECT a.exam_subject_id, a.student_id, a.school_id, a.school_class_id, {columns} "
        f"FROM {table} a JOIN p ON p.now_id = a.exam_subject_id "
        f"JOIN {table} b ON b.exam_subject_id = p.before_id AND b.student_id = a.student_id{joins} "
        "WHERE a.half_points IS NOT NULL AND b.half_points IS NOT NULL) "
        f"SELECT exam_subject_id, school_id, school_class_id, {_sum_columns(names)} FROM m "
        "GROUP BY exam_subject_id, school_id, school_class_id "
        f"UNION ALL SELECT NULL, school_id, school_class_id, {_sum_columns(names)} FROM ("
        f"SELECT MIN(school_id) AS school_id, MIN(school_class_id) AS school_class_id, {per_student} "
        "FROM m GROUP BY student_id HAVING COUNT(*) = %s) t GROUP BY school_id, school_class_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, len(pairs)])
        rows = cursor.fetchall()
    k = len(names)
    if not rows:
        return {}
    data = np.array([row[3:] for row in rows], dtype=float)
    unit = np.ones(k)
    unit[0] = unit[-1] = 0.5  # half points → points
    first = data[:, 1 : 1 + k] * unit
    upper = np.triu_indices(k)
    second = np.zeros((len(rows), k, k))
    second[:, upper[0], upper[1]] = data[:, 1 + k :]
    second = second + np.triu(second, 1).transpose(0, 2, 1)
    second *= np.outer(unit, unit)
    return {
        (row[0], row[1], row[2]): rules.GroupSums((row[1], row[2]), int(row[3]), first[index], second[index])
        for index, row in enumerate(rows)
    }


def _sitters(exam: Exam) -> dict[tuple, int]:
    """{(level, exam_subject_id, school_id, class_id): sitters of the current exam} from its statistics
    (for the total: those who sat every subject), and {("school", exam_subject_id): the city's}."""
    rows = Statistic.objects.filter(exam=exam, level__in=[Level.SCHOOL, Level.CLASS]).values_list(
        "level", "exam_subject_id", "school_id", "school_class_id", "sitters"
    )
    sitters: dict[tuple, int] = defaultdict(int)
    for level, subject, school, klass, n in rows:
        sitters[(level, subject, school, klass if level == Level.CLASS else None)] = n
        if level == Level.SCHOOL:
            sitters[(level, subject)] += n  # the city's sitters of the subject
    return dict(sitters)


# ---- The model per subject and level --------------------------------------------------------------


def _fit_groups(
    exam: Exam, subject_id: int | None, level: str, groups: list[rules.GroupSums], sitters: dict, covariates, policy
) -> tuple[ValueAddedFit, list[tuple]]:
    matched = sum(g.n for g in groups)
    record = ValueAddedFit(
        exam=exam,
        exam_subject_id=subject_id,
        level=level,
        matched=matched,
        groups=len(groups),
        covariates=covariates,
        sitters=sitters.get((Level.SCHOOL.value, subject_id), 0),
    )
    unit = "学校" if level == Level.SCHOOL else "班级"
    if matched < MIN_MATCHED_FOR_A_FIT:
        record.message = f"两次监测按学籍号只匹配到{matched}名学生，少于{MIN_MATCHED_FOR_A_FIT}人，无法计算增值。"
        return record, []
    if len(groups) < 2:
        record.message = f"匹配学生只来自{len(groups)}个{unit}，少于2个，无法比较{unit}间的增值。"
        return record, []
    constant = rules.constant_covariates(groups, len(covariates))
    if constant:
        names = "、".join(rules.COVARIATES[covariates[i]] for i in constant)
        record.message = f"协变量“{names}”在全市匹配学生中没有变化，模型无法估计；请在监测设置中去掉该协变量。"
        return record, []
    scale = rules.standardisation(groups, len(covariates))
    record.mean_before, record.sd_before = float(scale.mean[0]), float(scale.sd[0])
    record.mean_now, record.sd_now = float(scale.mean[-1]), float(scale.sd[-1])
    if scale.degenerate:
        which = "本次监测" if scale.sd[-1] <= 0 else "对比监测"
        record.message = f"{which}匹配学生的成绩全部相同（标准差为0），无法标准化，不计算增值。"
        return record, []
    try:
        d = rules.design(groups, scale)
        result = rules.fit(d)
    except np.linalg.LinAlgError:
        record.message = "模型无法估计（变量之间完全相关）；请在监测设置中去掉协变量后重新统计。"
        return record, []
    record.beta = [float(b) for b in result.beta]
    record.tau2, record.sigma2 = float(result.tau2), float(result.sigma2)
    if record.sitters and matched / record.sitters < float(policy.min_match_rate):
        record.message = (
            f"全市匹配率仅{matched / record.sitters * 100:.1f}%（匹配{matched}人／本次参考{record.sitters}人），"
            "结果仅供参考；匹配率低的单位不作判断。"
        )
    points = record.sd_now
    rows = []
    for index, group in enumerate(groups):
        school_id, class_id = group.key
        n_sitters = sitters.get((level, subject_id, school_id, class_id if level == Level.CLASS else None), group.n)
        rate = rules.match_rate(group.n, n_sitters)
        ok = rules.is_classifiable(group.n, rate, policy)
        estimate, lower, upper = (float(v[index]) for v in (result.estimate, result.lower, result.upper))
        residual, residual_half = float(result.mean_residual[index]), float(result.residual_half_width[index])
        rows.append(
            (
                exam.pk,
                subject_id,
                level,
                school_id,
                class_id,
                group.n,
                n_sitters,
                float(d.intake[index]),
                float(d.y1[index] / d.n[index]),
                estimate,
                lower,
                upper,
                estimate * points,
                lower * points,
                upper * points,
                residual,
                residual - residual_half,
                residual + residual_half,
                rules.classify(lower, upper, ok),
                rules.quadrant(float(d.intake[index]), estimate, ok),
                rules.unclassified_reason(group.n, rate, policy),
            )
        )
    return record, rows


def compute_value_added(exam: Exam) -> int:
    """Recompute and store the exam's value-added; returns the number of school and class rows.

    Nothing is stored without a comparable exam (the page says so); every other obstacle is stored as
    the fit's message, so pages explain it instead of failing."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The total groups 200,000 students first: room to hash them in memory, not on disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
        ValueAdded.objects.filter(exam=exam).delete()
        ValueAddedFit.objects.filter(exam=exam).delete()
        if not exam.comparable_exam_id:
            return 0
        found = pairing(exam)
        covariates = covariates_of(exam)
        policy = rules.Policy(exam.value_added_min_matched, float(exam.value_added_min_match_rate))
        fits = [
            ValueAddedFit(
                exam=exam,
                exam_subject=subject,
                level=level,
                message=f"对比监测“{exam.comparable_exam.name}”没有{subject.subject.name}，无法计算本学科的增值。",
            )
            for subject in found.missing
            for level in (ValueAddedFit.Level.SCHOOL, ValueAddedFit.Level.CLASS)
        ]
        results: list[tuple] = []
        if found.pairs:
            by_subject = defaultdict(list)
            for (subject_id, _, _), group in matched_sums(exam, found.pairs, covariates).items():
                by_subject[subject_id].append(group)
            sitters = _sitters(exam)
            for subject_id in [now.pk for now, _ in found.pairs] + [None]:
                classes = by_subject.get(subject_id, [])
                schools: dict[int, rules.GroupSums] = {}
                for group in classes:
                    school_id = group.key[0]
                    if school_id not in schools:
                        schools[school_id] = rules.GroupSums((school_id, None), 0, 0 * group.first, 0 * group.second)
                    schools[school_id].add(group)
                for level, groups in ((Level.SCHOOL, list(schools.values())), (Level.CLASS, classes)):
                    record, rows = _fit_groups(exam, subject_id, level.value, groups, sitters, covariates, policy)
                    fits.append(record)
                    results += rows
        ValueAddedFit.objects.bulk_create(fits)
        # Plain rows by COPY: a city has thousands of classes × ten subjects (model instances cost 20× more).
        copy_rows(ValueAdded._meta.db_table, VALUE_ADDED_COLUMNS, results)
    return len(results)
