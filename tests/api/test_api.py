"""The JSON API as an integrating system sees it: tokens, scoping, pagination, problems, writes."""

import json
import os
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api import rules
from api.models import ApiToken
from eduquality.models import Job
from schools.models import School
from tests.api.conftest import bearer, token_of
from tests.monitoring.factories import row, workbook

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_a_token_reads_the_schools_its_owner_sees(api_world):
    city = api_world["city"]
    principal = bearer(api_world["tokens"]["principal"]).get("/api/v1/schools").json()
    assert [school["code"] for school in principal["results"]] == [city.school_a.code]
    bureau = bearer(api_world["tokens"]["bureau"]).get("/api/v1/schools").json()
    assert {school["code"] for school in bureau["results"]} == {city.school_a.code, city.school_b.code}


def test_only_the_digest_of_a_token_is_stored(city):
    plain = token_of(city.bureau)
    stored = ApiToken.objects.get(user=city.bureau)
    assert plain not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert stored.digest == rules.digest(plain)
    assert plain.startswith(stored.prefix)


def test_no_token_an_unknown_one_an_expired_one_and_a_revoked_one_get_401(city):
    from api import services

    expired = token_of(city.bureau)
    ApiToken.objects.filter(user=city.bureau).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked = token_of(city.bureau)
    services.revoke_token(token=ApiToken.objects.get(digest=rules.digest(revoked)), by=city.bureau)
    for token in (None, "eqt_00000000_nonsense", expired, revoked):
        response = bearer(token).get("/api/v1/districts")
        assert response.status_code == 401, token
        assert response["Content-Type"] == PROBLEM
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "令牌" in response.json()["detail"]


def test_a_token_without_the_scope_cannot_write(api_world):
    read_only = token_of(api_world["city"].bureau, scopes=["read"])
    response = bearer(read_only).put("/api/v1/registry/schools", data={"schools": []}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["type"] == "urn:eduquality:problem:scope-missing"
    assert "registry:write" in response.json()["detail"]


def test_a_user_without_a_role_is_refused(api_world):
    response = bearer(api_world["tokens"]["nobody"]).get("/api/v1/districts")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/schools/{school}",
        "/api/v1/exams/{exam_a}",
        "/api/v1/exams/{exam_a}/statistics",
        "/api/v1/reports/{report}",
        "/api/v1/jobs/{job}",
    ],
)
def test_an_outsider_token_gets_404_on_school_a_objects(api_world, path):
    url = path.format(
        school=api_world["school"].pk,
        exam_a=api_world["exam_a"].pk,
        report=api_world["report"].pk,
        job=api_world["job"].pk,
    )
    assert bearer(api_world["tokens"]["bureau"]).get(url).status_code == 200
    response = bearer(api_world["tokens"]["principal_b"]).get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "未找到"


def test_statistics_of_a_school_leave_out_other_schools_and_students(api_world):
    city = api_world["city"]
    url = f"/api/v1/exams/{api_world['exam'].pk}/statistics?page_size=500"
    rows = bearer(api_world["tokens"]["principal"]).get(url).json()["results"]
    assert {r["school_id"] for r in rows} == {None, city.school_a.pk}
    assert {r["level"] for r in rows} >= {"city", "school", "class"}
    assert not any("student" in key for r in rows for key in r)
    everyone = bearer(api_world["tokens"]["bureau"]).get(url).json()["results"]
    assert city.school_b.pk in {r["school_id"] for r in everyone}


def test_cursor_pagination_walks_every_row_once(api_world):
    client = bearer(api_world["tokens"]["bureau"])
    url = f"/api/v1/exams/{api_world['exam'].pk}/statistics?page_size=2"
    seen, pages = [], 0
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        pages += 1
        url = (
            f"/api/v1/exams/{api_world['exam'].pk}/statistics?page_size=2&cursor={page['next']}"
            if page["next"]
            else None
        )
    total = client.get(f"/api/v1/exams/{api_world['exam'].pk}/statistics?page_size=500").json()["results"]
    assert sorted(seen) == sorted(r["id"] for r in total) and len(seen) == len(set(seen))
    assert len(total) > 2 and pages == -(-len(total) // 2)


def test_a_forged_cursor_is_a_problem_not_an_error(api_world):
    response = bearer(api_world["tokens"]["bureau"]).get("/api/v1/schools?cursor=!!!")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("cursor 无效")


def test_invalid_parameters_are_listed_in_chinese(api_world):
    response = bearer(api_world["tokens"]["bureau"]).get("/api/v1/schools?page_size=0&district_id=x")
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "请求参数不合法"
    assert {(e["field"], e["message"]) for e in body["errors"]} >= {
        ("page_size", "不能小于 1。"),
        ("district_id", "应为整数。"),
    }


def test_warnings_are_for_bureau_roles(api_world):
    warnings = bearer(api_world["tokens"]["inspector"]).get("/api/v1/warnings").json()["results"]
    assert api_world["warning"].pk in {w["id"] for w in warnings}
    assert bearer(api_world["tokens"]["principal"]).get("/api/v1/warnings").status_code == 403


def test_each_token_is_throttled_on_its_own(api_world, settings):
    settings.API_RATE_LIMIT = "3/min"
    bureau, inspector = bearer(api_world["tokens"]["bureau"]), bearer(api_world["tokens"]["inspector"])
    assert [bureau.get("/api/v1/subjects").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = bureau.get("/api/v1/subjects")
    assert limited["Content-Type"] == PROBLEM and int(limited["Retry-After"]) > 0
    assert inspector.get("/api/v1/subjects").status_code == 200


def test_with_a_shared_cache_every_process_counts_a_tokens_requests_in_one_place(api_world, settings):
    """CACHE_URL: the request history lives in Redis, where another web process's cache reads it."""
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    url = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    prefix = f"eduquality-test-{uuid.uuid4().hex}"  # no other test's keys, nothing to flush
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": prefix}}  # fmt: skip
    settings.API_RATE_LIMIT = "3/min"
    token = ApiToken.objects.get(user=api_world["city"].bureau)
    key = f"throttle_api_token_{token.pk}"
    try:
        bureau = bearer(api_world["tokens"]["bureau"])
        assert [bureau.get("/api/v1/subjects").status_code for _ in range(3)] == [200, 200, 200]
        other_process = RedisCache(url, {"KEY_PREFIX": prefix})
        assert len(other_process.get(key)) == 3
        assert bureau.get("/api/v1/subjects").status_code == 429
    finally:
        cache.delete(key)


def _school(code: str, name: str, **extra) -> dict:
    return {"code": code, "name": name, "school_type": "211", "district": extra.pop("district"), **extra}


def test_the_registry_upsert_creates_and_updates_by_school_code(api_world):
    city = api_world["city"]
    district = city.school_a.district
    new_code = city.school_a.code[:4] + "999999"
    payload = {
        "schools": [
            _school(city.school_a.code, "甲小学（更名）", district=district.code, is_city_direct=True),
            _school(new_code, "新建小学", district=district.name),
        ]
    }
    response = bearer(api_world["tokens"]["bureau"]).put(
        "/api/v1/registry/schools", data=payload, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1 and response.json()["updated"] == 1
    assert School.objects.get(code=city.school_a.code).name == "甲小学（更名）"
    assert School.objects.get(code=new_code).district == district


def test_one_bad_school_saves_nothing_and_names_every_problem(api_world):
    city = api_world["city"]
    district = city.school_a.district
    payload = {
        "schools": [
            _school(city.school_a.code[:4] + "999998", "好学校", district=district.code),
            _school("12345", "坏学校", district="不存在区"),
        ]
    }
    before = School.objects.count()
    response = bearer(api_world["tokens"]["bureau"]).put(
        "/api/v1/registry/schools", data=payload, content_type="application/json"
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} >= {"district"} and all(e["row"] == 1 for e in errors)
    assert School.objects.count() == before


def test_only_the_bureau_upserts_schools(api_world):
    city = api_world["city"]
    payload = {"schools": [_school(city.school_a.code, "甲小学", district=city.school_a.district.code)]}
    response = bearer(api_world["tokens"]["principal"]).put(
        "/api/v1/registry/schools", data=payload, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_score_upload_starts_the_import_job_whose_state_and_problems_are_readable(
    api_world, django_capture_on_commit_callbacks
):
    city, exam = api_world["city"], api_world["exam"]
    content = workbook(exam, [row(10, city.school_a, 1, 95, 85), row(11, city.school_a, 1, "abc", 85)])
    client = bearer(api_world["tokens"]["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/exams/{exam.pk}/scores", data={"file": SimpleUploadedFile("成绩.xlsx", content)}
        )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == "monitoring.import_scores"
    state = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert state["status"] == "failed" and state["finished"]
    assert any(p["row"] == 3 for p in state["problems"]), state


def test_a_file_that_is_not_a_workbook_is_refused_before_any_job(api_world):
    response = bearer(api_world["tokens"]["bureau"]).post(
        f"/api/v1/exams/{api_world['exam'].pk}/scores", data={"file": SimpleUploadedFile("成绩.csv", b"a,b")}
    )
    assert response.status_code == 400
    assert "Excel" in response.json()["detail"]
    assert not Job.objects.filter(kind="monitoring.import_scores").exists()


def test_the_token_page_shows_a_new_token_once_and_revokes_it(city, login):
    client = login(city.principal_a)
    page = client.post("/api/tokens/", {"name": "学籍同步", "scopes": ["read"], "lifetime_days": "30"})
    plain = page.context["new_token"]
    assert plain in page.content.decode()
    assert plain not in client.get("/api/tokens/").content.decode()
    assert bearer(plain).get("/api/v1/schools").status_code == 200
    token = ApiToken.objects.get(user=city.principal_a)
    assert (token.expires_at - timezone.now()).days in (29, 30) and token.scopes == ["read"]
    client.post(f"/api/tokens/{token.pk}/revoke/")
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert bearer(plain).get("/api/v1/schools").status_code == 401
    from eduquality.models import AuditEntry

    assert AuditEntry.objects.filter(model_label="api.ApiToken", action="state").count() == 1


def test_submitting_the_token_form_twice_creates_one_token_and_says_so(city, login):
    client = login(city.principal_a)
    key = client.get("/api/tokens/").context["form"].initial["submission_key"]
    data = {"name": "学籍同步", "scopes": ["read"], "lifetime_days": "30", "submission_key": key}
    first = client.post("/api/tokens/", data)
    second = client.post("/api/tokens/", data)
    assert ApiToken.objects.filter(user=city.principal_a).count() == 1
    assert first.context["new_token"] and second.context["new_token"] is None
    assert "已提交过" in second.content.decode() and "未重复创建" in second.content.decode()
    client.post(
        "/api/tokens/", {**data, "submission_key": client.get("/api/tokens/").context["form"].initial["submission_key"]}
    )
    assert ApiToken.objects.filter(user=city.principal_a).count() == 2


def test_nobody_revokes_another_persons_token(city, login):
    token_of(city.principal_a)
    token = ApiToken.objects.get(user=city.principal_a)
    assert login(city.principal_b).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_chinese_is_sent_as_utf8_not_escapes(api_world):
    response = bearer(api_world["tokens"]["principal"]).get("/api/v1/schools")
    assert "甲小学" in response.content.decode("utf-8")
    assert response["Content-Type"].startswith("application/json")


def test_an_exam_with_the_grades_policy_gives_grades_not_ranks_in_the_api(api_world):
    exam = api_world["exam"]
    exam.grade_policy = "grades"
    exam.save()
    url = f"/api/v1/exams/{exam.pk}/statistics?level=school&page_size=500"
    for role in ("bureau", "principal"):
        rows = bearer(api_world["tokens"][role]).get(url).json()["results"]
        assert rows and all(r["rank"] is None and r["ranked_schools"] == 0 for r in rows)
        assert all(r["grade"] for r in rows if r["score_rate"] is not None)


def test_the_exam_policy_wins_over_the_city_default_in_the_api(api_world, settings):
    settings.SHOW_GRADES_INSTEAD_OF_RANKS = True
    url = f"/api/v1/exams/{api_world['exam'].pk}/statistics?level=school&page_size=500"
    assert all(r["rank"] is None for r in bearer(api_world["tokens"]["bureau"]).get(url).json()["results"])
    api_world["exam"].grade_policy = "ranks"
    api_world["exam"].save()
    rows = bearer(api_world["tokens"]["bureau"]).get(url).json()["results"]
    assert any(r["rank"] == 1 for r in rows)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/schools", "/api/v1/exams", "/api/v1/exams/{exam}/statistics", "/api/v1/warnings", "/api/v1/reports"],
)
def test_a_pages_query_count_does_not_grow_with_its_rows(api_world, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bearer(api_world["tokens"]["bureau"])
    url = path.format(exam=api_world["exam"].pk)
    client.get(url)  # the token's last use is written once a minute: not part of the count
    counts = []
    for size in (1, 500):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{url}?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_path_that_names_no_operation_is_a_problem_too(api_world):
    response = bearer(api_world["tokens"]["bureau"]).get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert "/api/v1/docs" in response.json()["detail"]
