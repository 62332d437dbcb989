"""The API in the URL × role matrix (see tests/matrix.py).

With a session cookie (the page matrix) every API operation answers 401: the API takes personal
tokens only, so a page's session cannot be used from another site. TOKEN_EXPECTED is the same
matrix asked with a token of each role (tests/api/test_matrix.py).
"""

from django.urls import reverse

from tests.matrix import POST_ONLY, SIGNED_IN, statuses
from tests.monitoring.factories import make_exam

OPERATIONS = {
    "district-list": "GET",
    "district-detail": "GET",
    "school-list": "GET",
    "school-detail": "GET",
    "school-upsert": "PUT",
    "semester-list": "GET",
    "subject-list": "GET",
    "exam-list": "GET",
    "exam-detail": "GET",
    "exam-statistics": "GET",
    "exam-score-upload": "POST",
    "warning-list": "GET",
    "indicator-list": "GET",
    "indicator-report-list": "GET",
    "star-rating-list": "GET",
    "report-list": "GET",
    "report-detail": "GET",
    "job-detail": "GET",
}
TOKEN_ONLY = {"anonymous": 401, **dict.fromkeys(SIGNED_IN, 401)}

EXPECTED = {
    "api:token-list": statuses(200, nobody=403),
    "api:token-revoke": POST_ONLY,
    "api:v1:openapi-json": statuses(200),
    "api:v1:openapi-view": statuses(200),
    "api:v1:api-root": {"anonymous": 404, **dict.fromkeys(SIGNED_IN, 404)},
    "api:v1-not-found": {"anonymous": 404, **dict.fromkeys(SIGNED_IN, 404)},
    **{f"api:v1:{name}": TOKEN_ONLY for name in OPERATIONS},
    # A GET where only PUT or POST is served (the path has no other operation), before authentication.
    "api:v1:school-upsert": {"anonymous": 405, **dict.fromkeys(SIGNED_IN, 405)},
    "api:v1:exam-score-upload": {"anonymous": 405, **dict.fromkeys(SIGNED_IN, 405)},
}

ANY_ROLE = statuses(200, nobody=403) | {"anonymous": 401}
BUREAU_WRITES = statuses(403, bureau=200) | {"anonymous": 401}
TOKEN_EXPECTED = {
    "district-list": ANY_ROLE,
    "district-detail": ANY_ROLE,
    "school-list": ANY_ROLE,
    "school-detail": ANY_ROLE,  # school A: its staff, the bureau, inspectors
    "school-upsert": BUREAU_WRITES,
    "semester-list": ANY_ROLE,
    "subject-list": ANY_ROLE,
    "exam-list": ANY_ROLE,
    "exam-detail": ANY_ROLE,  # an exam of school A
    "exam-statistics": ANY_ROLE,
    "exam-score-upload": statuses(403, bureau=202) | {"anonymous": 401},
    "warning-list": statuses(403, bureau=200, inspector=200) | {"anonymous": 401},
    "indicator-list": ANY_ROLE,
    "indicator-report-list": ANY_ROLE,
    "star-rating-list": ANY_ROLE,
    "report-list": ANY_ROLE,
    "report-detail": ANY_ROLE,  # school A's accepted school report: every teacher of A reads it
    "job-detail": statuses(404, bureau=200, nobody=403) | {"anonymous": 401},  # the bureau user's job
}


def build(city) -> dict:
    from eduquality.models import Job
    from reports.models import Kind, Report, Status
    from tests.reports.factories import ReportFactory

    report = Report.objects.filter(kind=Kind.SCHOOL, school=city.school_a).first()

    return {
        "district": city.school_a.district,
        "school": city.school_a,
        "exam": make_exam(schools=[city.school_a], code="JC-API-MATRIX"),
        "report": report or ReportFactory(kind=Kind.SCHOOL, school=city.school_a, status=Status.ACCEPTED),
        "job": Job.objects.create(owner=city.bureau, kind="test", title="测试任务"),
    }


def url(name: str, objects: dict) -> str:
    short = name.split(":")[-1]
    for key in ("district", "school", "exam", "report", "job"):
        if short.startswith(f"{key}-") and short not in (f"{key}-list", "school-upsert"):
            return reverse(name, kwargs={f"{key}_id": objects[key].pk})
    if short == "v1-not-found":
        return reverse(name, kwargs={"rest": "no-such-endpoint"})
    if short == "token-revoke":
        return reverse(name, kwargs={"pk": 1})
    return reverse(name)
