"""Demo exams for the demo city (seed_demo): scores through the real import, then the real statistics.

Two comparable exams of one cohort (五年级期末 last semester → 六年级期中 now) so changes, ranks and
warnings have something to show, and one 八年级 exam; a few schools fall sharply and a few of weak intake
add the most (value-added). Fixed seeds.
"""

import io
import random
import time

import openpyxl
from django.contrib.auth import get_user_model
from django.db.models import Count

from monitoring.items import demo as item_demo
from monitoring.models import Exam, ExamSubject, Indicator, IndicatorReport, ResearchVisit
from monitoring.score_import import FIXED_HEADERS, import_scores
from monitoring.statistics import compute_exam
from schools import codes
from schools.models import School, SchoolClass, Semester, Student, Subject

SEED = 20261128
FALLING_SCHOOLS = 3  # schools whose results drop sharply between the two comparable exams
RISING_SCHOOLS = 3  # schools of weak intake that add the most (低进高出 in the value-added pages)


def _quiet(percent: int, message: str) -> None:
    return None


def _exam(code, name, kind, semester, grade, subjects, schools, comparable=None) -> Exam:
    exam = Exam.objects.create(
        code=code,
        name=name,
        kind=kind,
        semester=semester,
        grade=grade,
        held_on=semester.starts_on.replace(month=semester.starts_on.month + 2, day=10)
        if semester.starts_on.month < 11
        else semester.starts_on,
        comparable_exam=comparable,
        warning_rank_drop=8,  # 45 schools: a drop of 5 places is within the noise of one sitting
    )
    exam.schools.set(schools)
    for order, (subject_code, full_marks) in enumerate(subjects):
        ExamSubject.objects.create(
            exam=exam, subject=Subject.objects.get(code=subject_code), full_marks=full_marks, order=order
        )
    return exam


def _score(rng: random.Random, full: int, ability: float, school_effect: float):
    if rng.random() < 0.012:
        return "缺考"
    share = 0.70 + 0.13 * ability + school_effect + rng.gauss(0, 0.06)
    share = min(1.0, max(0.05, share))
    return round(share * full * 2) / 2


def _workbook(exam: Exam, rows: list[list], header: list[str] | None = None) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header or FIXED_HEADERS + [s.subject.name for s in exam.subjects.order_by("order")])
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cohort(grade: int) -> tuple[list[School], list[tuple[Student, SchoolClass]]]:
    classes = SchoolClass.objects.filter(grade=grade, start_year=Semester.objects.get(is_current=True).start_year)
    students = list(
        Student.objects.filter(school_class__in=classes, is_active=True)
        .select_related("school", "school_class")
        .order_by("school__code", "school_class__number", "student_number")
    )
    schools = sorted({s.school for s in students}, key=lambda school: school.code)
    return schools, [(s, s.school_class) for s in students]


def _rows(rng, exam, cohort, abilities, effects, grade_label_grade: int) -> list[list]:
    subjects = list(exam.subjects.order_by("order"))
    return [
        [
            student.student_number,
            student.name,
            student.school.code,
            codes.class_label(grade_label_grade, school_class.number),
            *(_score(rng, int(s.full_marks), abilities[student.pk], effects[student.school_id]) for s in subjects),
        ]
        for student, school_class in cohort
    ]


def _last_years_classes(cohort, start_year: int) -> None:
    """The cohort's classes of last school year (a grade lower), with the same head teachers."""
    SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school_id=klass.school_id,
                start_year=start_year,
                grade=klass.grade - 1,
                number=klass.number,
                head_teacher_id=klass.head_teacher_id,
            )
            for klass in {school_class for _, school_class in cohort}
        ],
        ignore_conflicts=True,
    )


def _indicators(rng: random.Random, year: int) -> int:
    filer = get_user_model().objects.filter(username="principal").first() or get_user_model().objects.first()
    indicators = list(Indicator.objects.all())
    reports = []
    schools = School.objects.filter(is_active=True).select_related("school_type")
    for school in schools.annotate(n=Count("classes")).filter(n__gt=0):
        if rng.random() < 0.15:
            continue  # not filed yet
        for indicator in indicators:
            if not indicator.applies_to(school):
                continue  # a 小学 files no 初中 sleep line
            if indicator.yes_no:
                value = 1 if rng.random() < 0.93 else 0
            else:
                value = round(float(indicator.line) * rng.uniform(0.9, 1.12), 1)
            reports.append(
                IndicatorReport(school=school, indicator=indicator, start_year=year, value=value, filed_by=filer)
            )
    IndicatorReport.objects.bulk_create(reports, ignore_conflicts=True)
    return len(reports)


def build_demo() -> list[str]:
    started = time.monotonic()
    rng = random.Random(SEED)
    current = Semester.objects.get(is_current=True)
    previous = Semester.objects.filter(start_year=current.start_year - 1, term=2).first() or current
    schools6, cohort6 = _cohort(6)
    schools8, cohort8 = _cohort(8)
    abilities = {student.pk: rng.gauss(0, 1) for student, _ in cohort6 + cohort8}
    effects = {school.pk: rng.gauss(0, 0.06) for school in {*schools6, *schools8}}
    primary = (("YW", 100), ("SX", 100), ("YY", 100))

    before = _exam(
        "JC-2026-05-QM", "2025—2026学年第二学期五年级期末统考", Exam.Kind.FINAL, previous, 5, primary, schools6
    )
    _last_years_classes(cohort6, previous.start_year)
    import_scores(
        before, _workbook(before, _rows(rng, before, cohort6, abilities, effects, 5)), "五年级期末.xlsx", report=_quiet
    )
    compute_exam(before)

    falling = rng.sample(schools6, min(FALLING_SCHOOLS, len(schools6)))
    later_effects = {pk: effect + rng.gauss(0, 0.02) for pk, effect in effects.items()}
    for school in falling:
        later_effects[school.pk] -= 0.15
    rising = sorted((s for s in schools6 if s not in falling), key=lambda s: effects[s.pk])[:RISING_SCHOOLS]
    for school in rising:
        later_effects[school.pk] += 0.08
    after = _exam(
        "JC-2026-06-QZ",
        "2026—2027学年第一学期六年级期中统考",
        Exam.Kind.MIDTERM,
        current,
        6,
        primary,
        schools6,
        comparable=before,
    )
    # 语文 and 数学 of this exam come item by item (小题分), with their blueprints (双向细目表).
    item_demo.add_blueprints(after)
    item_rows = item_demo.item_rows(
        rng,
        after,
        cohort6,
        abilities,
        later_effects,
        6,
        lambda subject, student: _score(
            rng, int(subject.full_marks), abilities[student.pk], later_effects[student.school_id]
        ),
    )
    import_scores(
        after,
        _workbook(after, item_rows, item_demo.header(after, FIXED_HEADERS)),
        "六年级期中.xlsx",
        report=_quiet,
    )
    compute_exam(after)

    junior = _exam(
        "JC-2026-08-QZ",
        "2026—2027学年第一学期八年级期中统考",
        Exam.Kind.MIDTERM,
        current,
        8,
        (("YW", 120), ("SX", 120), ("YY", 120), ("WL", 100)),
        schools8,
    )
    import_scores(
        junior, _workbook(junior, _rows(rng, junior, cohort8, abilities, effects, 8)), "八年级期中.xlsx", report=_quiet
    )
    compute_exam(junior)

    researcher = get_user_model().objects.filter(username="inspector").first()
    visits = list(ResearchVisit.objects.filter(warning__exam=after).select_related("warning__school")[:2])
    for visit in visits:
        visit.researcher = researcher
        visit.visited_on = current.starts_on.replace(month=11, day=18)
        visit.causes = "青年教师比例高，集体备课流于形式；部分班级作业量偏大、讲评不及时。"
        visit.measures = "市教研员每两周蹲点一次；组织同类学校结对帮扶；期末前开展专项质量分析会。"
        visit.status = ResearchVisit.Status.MEASURES_AGREED
        visit.save()
    filed = _indicators(rng, current.start_year)
    exams = Exam.objects.filter(pk__in=[before.pk, after.pk, junior.pk])
    warnings = sum(exam.warnings.count() for exam in exams)
    scores = len(cohort6) * 2 + len(cohort8)
    return [
        f"质量监测演示数据（用时 {time.monotonic() - started:.1f} 秒）：监测 3 次，学生成绩 {scores:,} 份，"
        f"预警 {warnings} 条，基本指标填报 {filed:,} 项。",
    ]
