"""Every API operation × a token of every role → the status it must answer (tests/api/matrix.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.api import matrix
from tests.api.conftest import bearer, token_of
from tests.matrix import ROLES


def test_every_api_operation_is_in_the_token_matrix():
    assert set(matrix.TOKEN_EXPECTED) == set(matrix.OPERATIONS)


def _request(client, name: str, objects: dict, city):
    url = matrix.url(f"api:v1:{name}", objects)
    method = matrix.OPERATIONS[name]
    if name == "school-upsert":
        school = city.school_a
        body = {
            "schools": [
                {
                    "code": school.code,
                    "name": school.name,
                    "school_type": school.school_type_id,
                    "district": school.district.code,
                }
            ]
        }
        return client.put(url, data=body, content_type="application/json")
    if name == "exam-score-upload":
        from tests.monitoring.factories import row, workbook

        content = workbook(objects["exam"], [row(1, city.school_a, 1, 90, 80)])
        return client.post(url, data={"file": SimpleUploadedFile("成绩.xlsx", content)})
    assert method == "GET"
    return client.get(url)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_answers_each_role_as_expected(role, matrix_world):
    city, objects = matrix_world["city"], matrix_world["objects"]
    user = matrix_world["users"][role]
    client = bearer(token_of(user) if user else None)
    failures = []
    for name, expected in sorted(matrix.TOKEN_EXPECTED.items()):
        response = _request(client, name, objects, city)
        if response.status_code != expected[role]:
            failures.append(f"{name}: {response.status_code} (expected {expected[role]})")
        elif response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", name
    assert not failures, f"{role}:\n" + "\n".join(failures)


@pytest.fixture
def matrix_world(city):
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
    return {"city": city, "objects": matrix.build(city), "users": users}


def test_the_docs_page_lists_every_operation_and_loads_nothing_from_outside(city, login):
    page = login(city.bureau).get(reverse("api:v1:openapi-view")).content.decode()
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    schema = login(city.bureau).get(reverse("api:v1:openapi-json")).json()
    documented = {op.get("operationId") for item in schema["paths"].values() for op in item.values()}
    assert len(documented) == len(matrix.OPERATIONS)
