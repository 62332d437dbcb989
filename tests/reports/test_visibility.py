"""Who reads a report at which stage (issue 14 §9): a draft is its authors' until submitted.

A school's draft is read inside the school only (its authors and the school's leaders); bureau staff
and 督学/教研员 read it once it has been submitted. The district/city report is the bureau side's own
document, so its draft is theirs."""

import pytest
from django.urls import reverse

from api.services import issue_token
from reports import rules
from reports.models import Kind, Status
from tests.reports.factories import ReportFactory

PERSONAS = [
    "bureau",
    "inspector",
    "principal_a",
    "academic_lead_a",
    "group_leader_a",
    "teacher_user_a",
    "principal_b",
    "nobody",
]

# School A's draft school report: its leaders only.
SCHOOL_DRAFT = dict.fromkeys(PERSONAS, 404) | {"principal_a": 200, "academic_lead_a": 200, "nobody": 403}
# Once submitted: the bureau side too.
SCHOOL_SUBMITTED = SCHOOL_DRAFT | {"bureau": 200, "inspector": 200}
# School A's draft 语文 subject report: its author (the group leader) and the school's leaders.
SUBJECT_DRAFT = SCHOOL_DRAFT | {"group_leader_a": 200}
# The city report in draft: the bureau side writes it; schools never see it.
CITY_DRAFT = dict.fromkeys(PERSONAS, 404) | {"bureau": 200, "inspector": 200, "nobody": 403}


def _report(city, kind, status):
    scope = {"district": None} if kind == Kind.DISTRICT else {"school": city.school_a}
    if kind == Kind.SUBJECT:
        scope["subject"] = city.group_a.subject
    if kind == Kind.DISTRICT:
        scope["semester"] = None
    return ReportFactory(kind=kind, status=status, **scope)


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (Kind.SCHOOL, Status.DRAFT, SCHOOL_DRAFT),
        (Kind.SCHOOL, Status.SUBMITTED, SCHOOL_SUBMITTED),
        (Kind.SCHOOL, Status.RETURNED, SCHOOL_SUBMITTED),
        (Kind.SUBJECT, Status.DRAFT, SUBJECT_DRAFT),
        (Kind.PRINCIPAL_SEMESTER, Status.DRAFT, SCHOOL_DRAFT),
        (Kind.PRINCIPAL_ACCOUNT, Status.DRAFT, SCHOOL_DRAFT),
        (Kind.DISTRICT, Status.DRAFT, CITY_DRAFT),
    ],
)
def test_a_draft_is_read_by_its_school_until_submitted(city, login, kind, status, expected):
    report = _report(city, kind, status)
    detail = reverse("reports:report-detail", args=[report.pk])
    seen = {persona: login(getattr(city, persona)).get(detail).status_code for persona in PERSONAS}
    assert seen == expected


def test_bureau_and_inspector_do_not_find_a_schools_draft_in_the_list_or_the_api(city, login, client):
    draft = _report(city, Kind.SCHOOL, Status.DRAFT)
    submitted = ReportFactory(kind=Kind.SCHOOL, school=city.school_b, status=Status.SUBMITTED)
    for user in (city.bureau, city.inspector):
        page = login(user).get(reverse("reports:report-list")).content.decode()
        assert reverse("reports:report-detail", args=[submitted.pk]) in page
        assert reverse("reports:report-detail", args=[draft.pk]) not in page
        token = issue_token(user=user, name="测试", scopes=["read"], lifetime_days=1)[1]
        api = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 200, api.content
        ids = {row["id"] for row in api.json()["results"]}
        assert submitted.pk in ids and draft.pk not in ids
    # The school's own leader still finds it.
    assert (
        reverse("reports:report-detail", args=[draft.pk])
        in login(city.academic_lead_a).get(reverse("reports:report-list")).content.decode()
    )


@pytest.mark.parametrize(
    ("kind", "status", "readable"),
    [
        ("school", "draft", False),
        ("subject", "draft", False),
        ("principal_semester", "draft", False),
        ("principal_account", "draft", False),
        ("school", "submitted", True),
        ("school", "returned", True),
        ("school", "accepted", True),
        ("district", "draft", True),
    ],
)
def test_outsiders_may_read_a_report_only_once_submitted(kind, status, readable):
    assert rules.outsiders_may_read(kind, status) is readable


def test_the_filing_page_links_a_submitted_report_but_not_a_draft(city, login):
    draft = _report(city, Kind.SCHOOL, Status.DRAFT)
    submitted = ReportFactory(kind=Kind.SCHOOL, school=city.school_b, status=Status.SUBMITTED)
    page = login(city.bureau).get(reverse("reports:tracking")).content.decode()
    assert "草稿未提交" in page  # the draft's state is still shown
    assert reverse("reports:report-detail", args=[draft.pk]) not in page
    assert reverse("reports:report-detail", args=[submitted.pk]) in page


def test_the_author_is_shown_and_a_batch_started_report_gets_its_submitter_as_author(city, login):
    """Issue 14 §7: 撰写人 was empty on reports the bureau's batch had started."""
    from reports import services

    report = _report(city, Kind.SCHOOL, Status.DRAFT)  # as the batch leaves it: no author
    assert report.author is None
    services.transition(report=report, action="submit", by=city.academic_lead_a)
    report.refresh_from_db()
    assert report.author == city.academic_lead_a
    page = login(city.bureau).get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "撰写人 甲教导主任" in page
    listed = login(city.bureau).get(reverse("reports:report-list")).content.decode()
    assert "<td>甲教导主任</td>" in listed
