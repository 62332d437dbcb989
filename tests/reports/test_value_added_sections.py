"""The reports read value-added from monitoring's stored figures: the district/city report lists its
schools' value-added, the school report its classes'."""

import pytest
from django.urls import reverse

from monitoring.statistics import compute_exam
from reports import data
from reports.models import Kind
from schools.models import Semester
from tests.monitoring.test_value_added import cohort
from tests.reports.factories import ReportFactory
from tests.reports.test_data import rendered_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(city):
    members, _, now = cohort(city, effects=[8, 0, 0, 0, 0, -8], intake=[-0.8, 0, 0.2, 0, -0.2, 0.8])
    compute_exam(now)
    return members, now


def test_the_city_report_has_a_value_added_section(computed, city):
    members, now = computed
    semester = Semester.objects.get(is_current=True)
    report = ReportFactory(
        kind=Kind.DISTRICT, school=None, district=None, semester=None, start_year=semester.start_year
    )
    text = rendered_text(report)
    assert f"{now.name}：各校增值评价" in text
    assert "显著高于1所" in text and "显著低于1所" in text
    assert f"{members[0].name}39" in text  # the school that adds the most (39 matched: one moved away)


def test_the_school_report_has_its_classes_value_added(computed, city):
    _, now = computed
    report = ReportFactory(kind=Kind.SCHOOL, school=city.school_a, semester=Semester.objects.get(is_current=True))
    text = rendered_text(report)
    assert f"{now.name}：各班增值评价" in text
    assert "三年级(1)班19" in text and "三年级(2)班20" in text  # one of class 1 moved to school B
    assert "乙小学" not in text.split("各班增值评价")[1].split("督导与听评课")[0]


def test_the_city_report_editor_finds_the_schools_whose_value_added_is_significant(computed, city, login):
    members, _ = computed
    semester = Semester.objects.get(is_current=True)
    report = ReportFactory(
        kind=Kind.DISTRICT, school=None, district=None, semester=None, start_year=semester.start_year
    )
    found = [
        finding
        for group in data.report_findings(data.build_context(report))
        for finding in group["findings"]
        if finding.kind == "value_added"
    ]
    above = [f for f in found if f.tone == "strength"]
    below = [f for f in found if f.tone == "weakness"]
    # School 0 was planted +8 points, school 5 −8 points: exactly those two are named.
    assert [f.subject for f in above] == [f"{members[0].name}总分"] and "显著高于全市平均进步水平" in above[0].text
    assert [f.subject for f in below] == [f"{members[5].name}总分"] and "显著低于全市平均进步水平" in below[0].text
    page = login(city.bureau).get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    assert above[0].text in page


def test_an_exam_without_value_added_prints_a_note_not_an_empty_table(city):
    from tests.reports.factories import scored_exam

    semester = Semester.objects.get(is_current=True)
    earlier = scored_exam(
        schools=[city.school_a, city.school_b],
        semester=semester,
        code="E0",
        scores_by_school={city.school_a.pk: [60, 70], city.school_b.pk: [80, 90]},
    )
    scored_exam(  # compared with E0, but four students cannot make a value-added estimate
        schools=[city.school_a, city.school_b],
        semester=semester,
        code="E1",
        comparable=earlier,
        scores_by_school={city.school_a.pk: [62, 71], city.school_b.pk: [81, 88]},
    )
    report = ReportFactory(kind=Kind.SCHOOL, school=city.school_a, semester=semester)
    context = data.build_context(report)
    assert context["class_value_added"] == []
    text = rendered_text(report)
    assert "暂无增值评价结果（需设置对比监测且两次监测匹配的学生足够）" in text and "各班增值评价" not in text
