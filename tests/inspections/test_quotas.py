"""Observation quotas per semester and per school, with the 副校长 role."""

import pytest
from django.urls import reverse

from inspections import rules, selectors, services
from inspections.models import ObservationQuota
from inspections.rules import QuotaLine
from schools.models import Semester
from tests.factories import SemesterFactory, UserFactory, grant
from tests.inspections import factories

LINES = [
    QuotaLine("principal", 20),
    QuotaLine("principal", 24, semester_id=2),
    QuotaLine("principal", 30, school_id=7),
    QuotaLine("principal", 18, school_id=8),
    QuotaLine("principal", 40, semester_id=2, school_id=9),
]


@pytest.mark.parametrize(
    ("semester_id", "school_id", "lessons"),
    [
        (1, None, 20),  # the city's line for every semester
        (2, None, 24),  # the city's line for that semester
        (1, 7, 30),  # the school's own, higher
        (1, 8, 20),  # the school's own, lower: the city's still holds
        (2, 8, 24),
        (2, 9, 40),  # the school's line for that semester
        (1, 9, 20),
    ],
)
def test_the_effective_quota_is_the_most_specific_line_never_below_the_city(semester_id, school_id, lessons):
    assert rules.effective_quota(LINES, role="principal", semester_id=semester_id, school_id=school_id) == lessons


def test_a_role_without_a_line_owes_nothing():
    assert rules.effective_quota(LINES, role="teacher", semester_id=1, school_id=7) is None


@pytest.mark.parametrize(
    ("lessons", "city", "school", "message"),
    [
        (-1, 20, False, "不能小于0"),
        (19, 20, True, "不能低于全市标准（20节）"),
        (20, 20, True, None),
        (0, 20, False, None),
    ],
)
def test_quota_problems(lessons, city, school, message):
    problems = rules.quota_problems(lessons=lessons, city_line=city, for_school=school)
    assert (problems[0] if problems else None) == message or message in problems[0]


@pytest.mark.django_db
def test_a_principal_sets_a_higher_quota_for_their_school_only(city, login):
    factories.routine_rubric()
    vice = UserFactory(username="vice_a", full_name="甲副校长")
    grant(vice, "vice_principal", city.school_a)
    client = login(city.principal_a)
    response = client.post(
        reverse("inspections:quota-edit"), {"role": "vice_principal", "school": city.school_a.pk, "lessons": 25}
    )
    assert response.status_code == 400 and "不能低于全市标准（30节）" in response.content.decode()
    response = client.post(
        reverse("inspections:quota-edit"), {"role": "vice_principal", "school": city.school_a.pk, "lessons": -2}
    )
    assert response.status_code == 400 and "不能小于0" in response.content.decode()
    assert not ObservationQuota.objects.filter(school__isnull=False).exists()
    client.post(
        reverse("inspections:quota-edit"), {"role": "vice_principal", "school": city.school_a.pk, "lessons": 36}
    )
    with pytest.raises(services.Refused, match="本校"):
        services.set_quota(by=city.principal_a, role="principal", lessons=40, school=city.school_b)
    semester = Semester.objects.get(is_current=True)
    rows = {row["user"]: row for row in selectors.quota_table(semester=semester)}
    assert rows[vice]["quota"] == 36 and rows[vice]["role"] == "副校长" and rows[vice]["behind"]
    assert rows[city.principal_a]["quota"] == 20


@pytest.mark.django_db
def test_the_bureau_sets_a_line_for_one_semester_and_reads_progress_by_semester(city, login):
    factories.routine_rubric()
    current = Semester.objects.get(is_current=True)
    previous = SemesterFactory(start_year=2025, term=2, is_current=False)
    services.set_quota(by=city.bureau, role="principal", lessons=12, semester=previous)
    factories.observation(by=city.principal_a, teacher=city.teacher_a)
    page = login(city.bureau).get(reverse("inspections:quota-table"), {"semester": previous.pk, "show": "all"})
    assert page.status_code == 200
    rows = {row["user"]: row for row in page.context["rows"]}
    assert rows[city.principal_a]["quota"] == 12 and rows[city.principal_a]["done"] == 0
    rows = {row["user"]: row for row in selectors.quota_table(semester=current)}
    assert rows[city.principal_a]["quota"] == 20 and rows[city.principal_a]["done"] == 1
