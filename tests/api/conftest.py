"""A city with figures in every part the API reads, and a personal token for each persona."""

from decimal import Decimal

import pytest
from django.test import Client

from api import services
from eduquality.models import Job
from inspections.models import StarRating
from monitoring.models import EarlyWarning, Indicator, IndicatorReport
from monitoring.statistics import compute_exam
from reports.models import Kind, Status
from tests.monitoring.factories import import_rows, make_exam, row
from tests.reports.factories import ReportFactory

ALL_SCOPES = ["read", "registry:write", "scores:write"]
PERSONAS = ["nobody", "bureau", "inspector", "principal", "academic_lead", "group_leader", "teacher", "principal_b"]


def token_of(user, scopes=ALL_SCOPES, days: int = 30) -> str:
    return services.issue_token(user=user, name="测试", scopes=list(scopes), lifetime_days=days)[1]


def bearer(token: str | None) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"} if token else {})


@pytest.fixture
def api_world(city) -> dict:
    """School A's objects (an exam of A and B, one of A alone, a warning, a star rating, an indicator
    figure, an accepted school report, a job of the bureau) and a token of every persona."""
    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-API")
    import_rows(exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_b, 1, 30, 20)])
    compute_exam(exam)
    exam_a = make_exam(schools=[city.school_a], code="JC-API-A")
    import_rows(exam_a, [row(3, city.school_a, 1, 70, 60)])
    compute_exam(exam_a)
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="测试")
    StarRating.objects.create(
        school=city.school_a, start_year=2026, visit_count=1, mean_total=Decimal("88.0"), star_level=4, target_level=3
    )
    IndicatorReport.objects.create(
        school=city.school_a,
        indicator=Indicator.objects.order_by("pk").first(),
        start_year=2026,
        value=Decimal("95"),
        filed_by=city.principal_a,
    )
    report = ReportFactory(kind=Kind.SCHOOL, school=city.school_a, status=Status.ACCEPTED, author=city.academic_lead_a)
    job = Job.objects.create(owner=city.bureau, kind="test", title="测试任务", status=Job.Status.SUCCEEDED)
    users = {
        "nobody": city.nobody,
        "bureau": city.bureau,
        "inspector": city.inspector,
        "principal": city.principal_a,
        "academic_lead": city.academic_lead_a,
        "group_leader": city.group_leader_a,
        "teacher": city.teacher_user_a,
        "principal_b": city.principal_b,
    }
    return {
        "city": city,
        "exam": exam,
        "exam_a": exam_a,
        "warning": warning,
        "report": report,
        "job": job,
        "school": city.school_a,
        "district": city.school_a.district,
        "users": users,
        "tokens": {persona: token_of(user) for persona, user in users.items()},
    }
