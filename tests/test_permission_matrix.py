"""Every URL × every role → the status it must answer.

Apps add their URL names through tests/<app>/matrix.py (see tests/matrix.py);
`test_every_url_pattern_is_in_the_matrix` fails when a
pattern is added without a row here.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from eduquality.models import Job
from tests.api import matrix as api_matrix
from tests.awards import matrix as awards_matrix
from tests.inspections import matrix as inspections_matrix
from tests.matrix import ANY_ROLE, BUREAU_ONLY, ROLES, SCHOOL_PEOPLE, STUDENT_READERS, statuses
from tests.monitoring import matrix as monitoring_matrix
from tests.reports import matrix as reports_matrix
from tests.research import matrix as research_matrix
from tests.security import matrix as security_matrix

# Apps with pages add their matrix module here (see tests/matrix.py).
APP_MATRICES: list = [
    monitoring_matrix,
    inspections_matrix,
    reports_matrix,
    awards_matrix,
    security_matrix,
    research_matrix,
    api_matrix,
]

OWN_JOB = statuses(404, bureau=200)  # the job below belongs to the bureau user

EXPECTED: dict[str, dict[str, int]] = {
    "home": statuses(200),
    "login": statuses(302, anonymous=200),
    "logout": statuses(405, anonymous=405),
    "password_change": statuses(200),
    "password_change_done": statuses(200),
    "healthz": statuses(200, anonymous=200),
    "favicon": statuses(301, anonymous=301),
    "job-detail": OWN_JOB,
    "job-status": OWN_JOB,
    "job-download": OWN_JOB,
    "job-retry": statuses(405),
    "schools:school-list": ANY_ROLE,
    "schools:school-export": ANY_ROLE,
    "schools:school-detail": ANY_ROLE,
    "schools:school-create": BUREAU_ONLY,
    "schools:school-update": BUREAU_ONLY,
    "schools:school-import": BUREAU_ONLY,
    "schools:school-import-template": BUREAU_ONLY,
    "schools:teacher-list": ANY_ROLE,
    "schools:teacher-export": ANY_ROLE,
    "schools:teacher-detail": ANY_ROLE,
    "schools:teacher-create": BUREAU_ONLY,
    "schools:teacher-update": BUREAU_ONLY,
    "schools:teacher-import": BUREAU_ONLY,
    "schools:teacher-import-template": BUREAU_ONLY,
    "schools:class-list": SCHOOL_PEOPLE,
    "schools:class-export": SCHOOL_PEOPLE,
    "schools:class-detail": SCHOOL_PEOPLE,
    "schools:class-create": BUREAU_ONLY,
    "schools:class-update": BUREAU_ONLY,
    "schools:class-moved": statuses(301, anonymous=301),  # /schools/classs/ → /schools/classes/ (issue 14)
    "schools:group-list": ANY_ROLE,
    "schools:group-export": ANY_ROLE,
    "schools:group-detail": ANY_ROLE,
    "schools:group-create": BUREAU_ONLY,
    "schools:group-update": BUREAU_ONLY,
    "schools:student-list": STUDENT_READERS,
    "schools:student-export": STUDENT_READERS,
    "schools:student-detail": STUDENT_READERS,
    "schools:student-create": BUREAU_ONLY,
    "schools:student-update": BUREAU_ONLY,
    "schools:district-list": ANY_ROLE,
    "schools:district-export": ANY_ROLE,
    "schools:district-detail": ANY_ROLE,
    "schools:district-create": BUREAU_ONLY,
    "schools:district-update": BUREAU_ONLY,
    "schools:zone-list": ANY_ROLE,
    "schools:zone-export": ANY_ROLE,
    "schools:zone-detail": ANY_ROLE,
    "schools:zone-create": BUREAU_ONLY,
    "schools:zone-update": BUREAU_ONLY,
    "schools:semester-list": ANY_ROLE,
    "schools:semester-export": ANY_ROLE,
    "schools:semester-detail": ANY_ROLE,
    "schools:semester-create": BUREAU_ONLY,
    "schools:semester-update": BUREAU_ONLY,
}
for _matrix in APP_MATRICES:
    assert not set(_matrix.EXPECTED) & set(EXPECTED), f"{_matrix.__name__} repeats a URL name"
    EXPECTED.update(_matrix.EXPECTED)


def url_names(resolver=None, namespace: str = "") -> list[str]:
    """Every named pattern of the project except the Django admin's."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else "(unnamed)")
    return names


def test_every_url_pattern_is_in_the_matrix():
    assert "(unnamed)" not in url_names(), "name every URL pattern so the matrix can cover it"
    assert set(url_names()) == set(EXPECTED)


@pytest.fixture
def matrix_world(city):
    """The objects each URL is asked about: the ones of school A, a job owned by the bureau user."""
    job = Job.objects.create(owner=city.bureau, kind="test", title="测试任务", status=Job.Status.SUCCEEDED)
    job.result_file.save("result.xlsx", ContentFile(b"x"))
    objects = {
        "school": city.school_a,
        "teacher": city.teacher_a,
        "class": city.class_a,
        "group": city.group_a,
        "student": city.student_a,
        "district": city.school_a.district,
        "zone": None,
        "semester": None,
    }
    from schools.models import Semester
    from tests.factories import ZoneFactory

    objects["zone"] = ZoneFactory(district=city.school_a.district)
    objects["semester"] = Semester.objects.get(is_current=True)
    users = {
        "anonymous": None,
        "nobody": city.nobody,
        "bureau": city.bureau,
        "inspector": city.inspector,
        "principal": city.principal_a,
        "academic_lead": city.academic_lead_a,
        "group_leader": city.group_leader_a,
        "teacher": city.teacher_user_a,
    }
    apps = {matrix.__name__: matrix.build(city) for matrix in APP_MATRICES}
    return {"job": job, "objects": objects, "users": users, "apps": apps}


def url_for(name: str, world) -> str:
    for matrix in APP_MATRICES:
        if name in matrix.EXPECTED:
            return matrix.url(name, world["apps"][matrix.__name__])
    if name.startswith("job-"):
        return reverse(name, kwargs={"pk": world["job"].pk})
    if name.endswith(("-detail", "-update")):
        slug = name.split(":")[1].rsplit("-", 1)[0]
        return reverse(name, kwargs={"pk": world["objects"][slug].pk})
    if name == "favicon":
        return "/favicon.ico"
    if name == "schools:class-moved":
        return reverse(name, kwargs={"rest": ""})
    return reverse(name)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_expected(role, matrix_world, client):
    user = matrix_world["users"][role]
    if user is not None:
        client.force_login(user)
    failures = []
    for name, expected in sorted(EXPECTED.items()):
        response = client.get(url_for(name, matrix_world))
        if response.status_code != expected[role]:
            failures.append(f"{name}: {response.status_code} (expected {expected[role]})")
    assert not failures, f"{role}:\n" + "\n".join(failures)


OTHER_SCHOOL_OBJECTS = ["school", "teacher", "class", "group", "student"]


@pytest.mark.parametrize("slug", OTHER_SCHOOL_OBJECTS)
def test_principal_of_another_school_gets_404_for_school_a_records(slug, matrix_world, city, login):
    url = reverse(f"schools:{slug}-detail", kwargs={"pk": matrix_world["objects"][slug].pk})
    assert login(city.principal_b).get(url).status_code == 404


def test_admin_is_closed_to_non_staff(city, login):
    response = login(city.bureau).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
