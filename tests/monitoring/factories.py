"""Exams, workbooks and imported scores for the monitoring tests."""

import importlib
import io
from decimal import Decimal

import openpyxl
from django.apps import apps as django_apps

from monitoring.models import Exam, ExamSubject, Indicator
from monitoring.score_import import FIXED_HEADERS, import_scores
from schools import codes
from schools.models import Semester, Subject


def make_exam(*, schools, grade: int = 3, subjects=(("YW", 100), ("SX", 100)), code: str = "JC-T1", **fields) -> Exam:
    semester = Semester.objects.get(is_current=True)
    exam = Exam.objects.create(
        name=fields.pop("name", f"测试监测{code}"),
        code=code,
        kind=fields.pop("kind", Exam.Kind.FINAL),
        semester=semester,
        grade=grade,
        **fields,
    )
    exam.schools.set(schools)
    for order, (subject_code, full_marks) in enumerate(subjects):
        ExamSubject.objects.create(
            exam=exam, subject=Subject.objects.get(code=subject_code), full_marks=Decimal(full_marks), order=order
        )
    return exam


def student_number(n: int) -> str:
    return f"G22060220160101{n:04d}"


def workbook(exam: Exam | None, rows, header: list[str] | None = None) -> bytes:
    """An .xlsx like the filled template: the header row, then one row per student."""
    if header is None:
        header = FIXED_HEADERS + [s.subject.name for s in exam.subjects.order_by("order")]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(n: int, school, class_number: int, *scores, grade: int = 3, name: str | None = None) -> list:
    return [student_number(n), name or f"学生{n}", school.code, codes.class_label(grade, class_number), *scores]


def import_rows(exam: Exam, rows, header=None):
    """Run the real import on a workbook of these rows."""
    return import_scores(exam, workbook(exam, rows, header), "成绩.xlsx", report=lambda percent, message: None)


def basic_indicators() -> list[Indicator]:
    """The indicators of the data migrations (the twelve 基本要求, the qualitative ones 是/否); an
    earlier transactional test's flush removes them."""
    if not Indicator.objects.exists():
        importlib.import_module("monitoring.migrations.0002_basic_indicators").load(django_apps, None)
        importlib.import_module("monitoring.migrations.0009_indicator_yes_no").mark_yes_no(django_apps, None)
    return list(Indicator.objects.all())
