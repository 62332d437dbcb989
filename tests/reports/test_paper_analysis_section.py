"""The subject report's 试卷分析 section: filled from monitoring's stored item figures, in the PDF."""

import pytest

from monitoring.statistics import compute_exam
from reports import services
from reports.models import Kind
from schools.models import Semester, Subject
from tests.monitoring.factories import import_rows, make_exam, row
from tests.monitoring.items_factories import MATHS_ITEMS, item_header_row, make_blueprint
from tests.reports.conftest import pdf_text, squeezed
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_subject_report_pdf_has_the_weakest_knowledge_point_and_lost_items(city):
    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("SX", 10),), code="JC-RPT")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    # School A loses item 4 (函数) entirely; school B answers it fully. Both answer 1–3 the same.
    rows = [row(n, city.school_a, 1, None, "B", "C", "AC", 0) for n in range(1, 5)]
    rows += [row(n, city.school_b, 1, None, "B", "C", "AC", 4) for n in range(5, 9)]
    import_rows(exam, rows, item_header_row(exam))
    compute_exam(exam)
    report = ReportFactory(
        kind=Kind.SUBJECT,
        school=city.school_a,
        subject=Subject.objects.get(code="SX"),
        semester=Semester.objects.get(is_current=True),
    )
    stored, _ = services.render_report_pdf(report)
    text = squeezed(pdf_text(stored.file.read()))
    assert "试卷分析" in text and "本校最薄弱的知识点" in text
    # 函数: school A 0 %, the city 50 % → 50 points below.
    assert "数学知识点“函数”得分率0.0%，低于全市（50.0%）50.0个百分点" in text
    assert "典型失分题" in text


@pytest.fixture
def maths_exam(city):
    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("SX", 10),), code="JC-RPT2")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    rows = [row(n, city.school_a, 1, None, "B", "C", "AC", 0) for n in range(1, 5)]
    rows += [row(n, city.school_b, 1, None, "B", "A", "AC", 4) for n in range(5, 9)]
    import_rows(exam, rows, item_header_row(exam))
    compute_exam(exam)
    return exam


def test_school_report_has_a_paper_analysis_line_per_subject(city, maths_exam):
    report = ReportFactory(school=city.school_a, semester=Semester.objects.get(is_current=True))
    stored, _ = services.render_report_pdf(report)
    text = squeezed(pdf_text(stored.file.read()))
    assert "试卷分析：各学科得分率与最薄弱的知识点" in text
    # School A: 2 + 2 + 2 + 0 of 10 = 60 %; B 2 + 0 + 2 + 4 = 80 %; the city 70 %. A's weakest point
    # is 函数 (0 % against the city's 50 %), its typical lost item the 4th, 50 points below the city.
    assert "数学60.0%70.0%" in text and "函数" in text and "0.0%50.0%" in text and "第4题（-50.0）" in text


def test_city_report_has_the_papers_quality_and_weakest_points(city, maths_exam):
    report = ReportFactory(kind=Kind.DISTRICT, school=None, semester=Semester.objects.get(is_current=True))
    stored, _ = services.render_report_pdf(report)
    text = squeezed(pdf_text(stored.file.read()))
    assert "试卷质量与最薄弱的知识点" in text
    # Item 2: school A answers C (right), school B A (wrong): P = 0.5, and the top group is B's.
    assert "第4题" in text and "函数（50.0%）" in text
