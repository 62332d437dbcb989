"""The loop (检测 → 分析反馈 → 行为改进): a report's 改进措施 are tracked and followed up next semester."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reports.models import ImprovementMeasure, Kind, Status
from schools.models import Subject
from tests.factories import SemesterFactory
from tests.reports.conftest import pdf_text, squeezed
from tests.reports.factories import ReportFactory, scored_exam

pytestmark = pytest.mark.django_db

MEASURE = {"text": "作文专项教研，每周一次", "owner": "甲语文组长", "due_on": "2027-01-10"}


def test_the_author_adds_measures_while_writing(city, semester, login):
    report = ReportFactory(kind=Kind.SUBJECT, school=city.school_a, subject=Subject.objects.get(code="YW"))
    leader = login(city.group_leader_a)
    response = leader.post(reverse("reports:measure-add", args=[report.pk]), MEASURE)
    assert response.status_code == 302
    measure = ImprovementMeasure.objects.get(report=report)
    assert measure.subject.code == "YW" and measure.state == ImprovementMeasure.State.PLANNED
    assert "作文专项教研，每周一次" in leader.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    # Submitted: the list is closed to additions.
    report.status = Status.SUBMITTED
    report.save()
    assert leader.post(reverse("reports:measure-add", args=[report.pk]), MEASURE).status_code == 403


def test_a_measure_without_an_owner_is_refused_in_chinese(city, semester, login):
    report = ReportFactory(school=city.school_a)
    response = login(city.academic_lead_a).post(
        reverse("reports:measure-add", args=[report.pk]), {**MEASURE, "owner": ""}, follow=True
    )
    assert "改进措施未添加" in response.content.decode() and not ImprovementMeasure.objects.exists()


def test_other_schools_neither_add_nor_update(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.ACCEPTED)
    measure = ImprovementMeasure.objects.create(report=report, owner="甲教导主任", due_on="2027-01-10", text="x")
    outsider = login(city.principal_b)
    assert outsider.post(reverse("reports:measure-add", args=[report.pk]), MEASURE).status_code == 404
    response = outsider.post(reverse("reports:measure-state", args=[measure.pk]), {"state": "done"})
    assert response.status_code == 404
    teacher = login(city.teacher_user_a)  # reads the accepted school report, but tracks nothing
    assert teacher.post(reverse("reports:measure-state", args=[measure.pk]), {"state": "done"}).status_code == 403
    measure.refresh_from_db()
    assert measure.state == ImprovementMeasure.State.PLANNED


def test_next_semesters_report_follows_up_the_measures_with_the_figures_that_followed(city, semester, exam, login):
    previous = SemesterFactory(start_year=2025, term=2, is_current=False)
    # Last semester school A was 10.00 points under the city in 语文 (A 60.00, the city 70.00).
    scored_exam(
        schools=[city.school_a, city.school_b],
        semester=previous,
        code="P1",
        scores_by_school={city.school_a.pk: [60, 60], city.school_b.pk: [80, 80]},
    )
    last_report = ReportFactory(school=city.school_a, semester=previous, status=Status.ACCEPTED)
    measure = ImprovementMeasure.objects.create(
        report=last_report,
        text="语文作文专项教研",
        subject=Subject.objects.get(code="YW"),
        owner="甲语文组长",
        due_on="2026-01-10",
    )
    principal = login(city.principal_a)
    principal.post(reverse("reports:measure-state", args=[measure.pk]), {"state": "done", "follow_up": "每周一次"})
    measure.refresh_from_db()
    assert (measure.state, measure.follow_up) == ("done", "每周一次")

    report = ReportFactory(school=city.school_a)  # this semester: A 77.50 against the city's 70.00
    from reports import services

    stored, _ = services.render_report_pdf(report)
    text = squeezed(pdf_text(stored.file.read()))
    assert "上期改进措施落实情况" in text and "语文作文专项教研" in text and "已落实：每周" in text
    # (pdftotext interleaves the wrapped cells of one row: compare the parts of the sentence)
    assert "语文与全市平均分之差由上学期的-10.0分变为+7.5分（变化+17.5" in text and "相对全市有所进步" in text
    assert Decimal("77.50") == exam.statistics.get(level="school", school=city.school_a, exam_subject__order=0).mean


def test_the_bureau_sees_per_school_how_measures_were_carried_out(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.ACCEPTED)
    for state, due in [("done", "2026-10-01"), ("planned", "2026-10-01"), ("ongoing", "2099-01-01")]:
        ImprovementMeasure.objects.create(report=report, text=state, owner="甲", due_on=due, state=state)
    bureau = login(city.bureau)
    page = bureau.get(reverse("reports:measures-overview"), {"semester": semester.pk})
    row = page.context["rows"][0]
    assert (row["school"], row["total"], row["done"], row["ongoing"], row["planned"], row["overdue"]) == (
        city.school_a.name,
        3,
        1,
        1,
        1,
        1,
    )
    export = bureau.get(reverse("reports:measures-overview"), {"semester": semester.pk, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[2]][:4] == [city.school_a.name, 1, 3, 1]
    assert login(city.principal_a).get(reverse("reports:measures-overview")).status_code == 403
