"""Pages: scope, the offline form protocol, refusals in Chinese, exports, the letter, query counts."""

import subprocess
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import ClientSubmission, Criterion, Observation, RectificationOrder, Visit
from tests.factories import SchoolFactory, TeacherFactory
from tests.inspections import factories

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _visit(city):
    return factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)


def _form_data(visit, fraction=Decimal("1"), **extra):
    data = {f"score-{pk}": points for pk, points in factories.full_scores(visit, fraction).items()}
    return {"visited_on": "2026-10-15", "lessons_listened": "听课3节", **data, **extra}


def test_offline_replay_of_a_submit_is_idempotent(city, login):
    visit = _visit(city)
    client = login(city.inspector)
    url = reverse("inspections:visit-fill", args=[visit.pk])
    key = str(uuid.uuid4())
    first = client.post(url, _form_data(visit, action="submit", client_uuid=key), **JSON)
    again = client.post(url, _form_data(visit, action="submit", client_uuid=key), **JSON)
    assert first.status_code == again.status_code == 200
    assert first.json()["redirect"] == reverse("inspections:visit-detail", args=[visit.pk])
    assert again.json()["replayed"] is True
    assert ClientSubmission.objects.filter(pk=key).count() == 1
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED and visit.lessons_listened == "听课3节"


def test_a_new_submission_after_the_lock_is_refused_in_chinese(city, login):
    visit = _visit(city)
    client = login(city.inspector)
    url = reverse("inspections:visit-fill", args=[visit.pk])
    client.post(url, _form_data(visit, action="submit", client_uuid=str(uuid.uuid4())), **JSON)
    response = client.post(url, _form_data(visit, action="draft", client_uuid=str(uuid.uuid4())), **JSON)
    assert response.status_code == 400
    assert "锁定" in response.json()["errors"][0]


def test_score_above_maximum_answers_400_with_the_criterion_named(city, login):
    visit = _visit(city)
    criterion = Criterion.objects.filter(area__rubric=visit.rubric, code="A1").get()
    data = _form_data(visit, action="draft")
    data[f"score-{criterion.pk}"] = "7"
    response = login(city.inspector).post(reverse("inspections:visit-fill", args=[visit.pk]), data)
    assert response.status_code == 400
    assert "A1 个人备课：得分 7 超过满分 5.0。" in response.content.decode()
    assert not visit.scores.exists()


def test_visit_form_page_renders_for_a_phone(city, login):
    visit = _visit(city)
    response = login(city.inspector).get(reverse("inspections:visit-fill", args=[visit.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-offline-form="visit-' in body and 'inputmode="decimal"' in body and "js/inspections.js" in body


def test_principal_sees_own_submitted_visits_only(city, login):
    planned = _visit(city)
    done = factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector, title="二")
    factories.submitted_visit(by=city.bureau, school=city.school_b, inspector=city.inspector, title="三")
    response = login(city.principal_a).get(reverse("inspections:visit-list"))
    assert [row["object"].pk for row in response.context["rows"]] == [done.pk]
    assert login(city.principal_a).get(reverse("inspections:visit-detail", args=[planned.pk])).status_code == 404
    assert login(city.principal_b).get(reverse("inspections:visit-detail", args=[done.pk])).status_code == 404


def test_inspector_sees_only_visits_assigned_to_them(city, login):
    from tests.factories import UserFactory, grant

    other = UserFactory(username="other_inspector")
    grant(other, "inspector")
    visit = _visit(city)
    assert login(other).get(reverse("inspections:visit-detail", args=[visit.pk])).status_code == 404
    assert login(city.inspector).get(reverse("inspections:visit-detail", args=[visit.pk])).status_code == 200


def test_second_draw_through_the_page_shows_a_chinese_refusal(city, login):
    campaign = factories.campaign(by=city.bureau, schools=[city.school_a], inspectors=[city.inspector])
    client = login(city.bureau)
    url = reverse("inspections:campaign-draw", args=[campaign.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "不能重新抽取" in response.content.decode()
    assert Visit.objects.filter(campaign=campaign).count() == 1


def test_draw_result_is_public_to_every_signed_in_user(city, login):
    campaign = factories.campaign(by=city.bureau, schools=[city.school_b], inspectors=[city.inspector])
    services.run_draw(campaign=campaign, by=city.bureau, seed="public-seed")
    body = login(city.teacher_user_a).get(reverse("inspections:campaign-detail", args=[campaign.pk])).content.decode()
    assert "public-seed" in body and "乙小学" in body
    assert "public-seed" in login(city.nobody).get(reverse("inspections:draw-list")).content.decode()


def test_answer_to_someone_elses_order_is_404(city, login):
    visit = factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    today = timezone.localdate()
    order = services.create_order(
        school=city.school_a, visit=visit, items="一", deadline=today + timedelta(days=5), by=city.bureau, today=today
    )
    response = login(city.principal_b).post(reverse("inspections:order-answer", args=[order.pk]), {"response": "x"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "open"
    response = login(city.academic_lead_a).post(
        reverse("inspections:order-answer", args=[order.pk]), {"response": "x"}, follow=True
    )
    assert "只能由本校校长回复" in response.content.decode()


def test_overdue_orders_appear_on_the_bureau_home_page(city, login):
    visit = factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    today = timezone.localdate()
    factories.late_order(by=city.bureau, school=city.school_a, visit=visit, days_late=1, items="一")
    services.mark_overdue(today=today)
    body = login(city.bureau).get(reverse("home")).content.decode()
    assert "逾期未整改" in body and "甲小学" in body


def test_observation_offline_replay_creates_one_record(city, login):
    form = factories.observation_form()
    data = {
        "teacher": city.teacher_a.pk,
        "subject": city.teacher_a.subjects.first().pk,
        "observed_on": "2026-10-20",
        "lesson_type": "routine",
        "topic": "草船借箭",
        "client_uuid": str(uuid.uuid4()),
        **{f"score-{c.pk}": str(c.max_points - 1) for c in Criterion.objects.filter(area__rubric=form)},
    }
    client = login(city.principal_a)
    first = client.post(reverse("inspections:observation-create"), data, **JSON)
    again = client.post(reverse("inspections:observation-create"), data, **JSON)
    assert first.status_code == again.status_code == 200
    assert Observation.objects.count() == 1
    observation = Observation.objects.get()
    assert observation.level == "school" and observation.total == Decimal("94.0")


def test_principal_cannot_observe_a_teacher_of_another_school(city, login):
    form = factories.observation_form()
    data = {
        "teacher": city.teacher_b.pk,
        "subject": 1,
        "observed_on": "2026-10-20",
        "lesson_type": "routine",
        "topic": "x",
        **{f"score-{c.pk}": "1" for c in Criterion.objects.filter(area__rubric=form)},
    }
    response = login(city.principal_a).post(reverse("inspections:observation-create"), data)
    assert response.status_code == 400 and not Observation.objects.exists()


def test_teacher_sees_own_observations_and_writes_reflection(city, login):
    mine = factories.observation(by=city.principal_a, teacher=city.teacher_a)
    factories.observation(by=city.principal_a, teacher=TeacherFactory(school=city.school_a, name="丙老师"))
    client = login(city.teacher_user_a)
    rows = client.get(reverse("inspections:observation-list")).context["rows"]
    assert [row["object"].pk for row in rows] == [mine.pk]
    client.post(reverse("inspections:observation-reflect", args=[mine.pk]), {"reflection": "板书需更清晰"})
    mine.refresh_from_db()
    assert mine.reflection == "板书需更清晰"
    page = client.get(reverse("inspections:teacher-file", args=[city.teacher_a.pk]))
    assert page.status_code == 200 and "草船借箭" in page.content.decode()


def test_quota_table_lists_who_is_behind(city, login):
    for _ in range(2):
        factories.observation(by=city.principal_a, teacher=city.teacher_a)
    rows = login(city.bureau).get(reverse("inspections:quota-table")).context["rows"]
    principal = next(row for row in rows if row["user"] == city.principal_a)
    assert (principal["done"], principal["quota"], principal["progress"], principal["behind"]) == (2, 20, 10, True)


@pytest.mark.parametrize("name", ["visit-export", "star-export", "order-export", "observation-export", "quota-export"])
def test_exports_are_excel_files(city, login, name):
    factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    response = login(city.bureau).get(reverse(f"inspections:{name}"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_feedback_letter_prints_as_pdf(city, login, tmp_path):
    visit = factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    response = login(city.principal_a).get(reverse("inspections:visit-letter", args=[visit.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "督导意见书" in text and "甲小学" in text and "100.0" in text


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LIST_PAGES = ["star-table", "order-list", "visit-list", "observation-list", "quota-table"]


def test_list_pages_run_a_fixed_number_of_queries(city, login):
    client = login(city.bureau)
    today = timezone.localdate()

    def add_schools(n):
        for _ in range(n):
            school = SchoolFactory()
            visit = factories.submitted_visit(
                by=city.bureau, school=school, inspector=city.inspector, title=school.code
            )
            services.create_order(
                school=school, visit=visit, items="一", deadline=today + timedelta(days=3), by=city.bureau, today=today
            )
            factories.observation(by=city.principal_a, teacher=TeacherFactory(school=city.school_a))

    add_schools(2)
    few = [_count_queries(client, reverse(f"inspections:{name}")) for name in LIST_PAGES]
    add_schools(6)
    many = [_count_queries(client, reverse(f"inspections:{name}")) for name in LIST_PAGES]
    assert few == many


def test_admin_edits_draft_rubric_versions_but_not_published_ones(city, login):
    from inspections.models import Rubric
    from inspections.services import copy_rubric_as_new_version

    city.bureau.is_staff = city.bureau.is_superuser = True
    city.bureau.save()
    published = factories.routine_rubric()
    draft = copy_rubric_as_new_version(rubric=published, by=city.bureau)
    client = login(city.bureau)
    area = draft.areas.first()
    page = client.get(reverse("admin:inspections_rubricarea_change", args=[area.pk]))
    assert page.status_code == 200 and b'name="criteria-0-max_points"' in page.content
    frozen = client.get(reverse("admin:inspections_rubricarea_change", args=[published.areas.first().pk]))
    assert b'name="criteria-0-max_points"' not in frozen.content
    assert Rubric.objects.get(pk=published.pk).is_published


def test_bureau_creates_a_campaign_and_draws_it_through_the_pages(city, login):
    rubric = factories.routine_rubric()
    from schools.models import Semester

    client = login(city.bureau)
    response = client.post(
        reverse("inspections:campaign-create"),
        {
            "title": "秋季随机督导",
            "kind": "random",
            "semester": Semester.objects.get(is_current=True).pk,
            "rubric": rubric.pk,
            "schools_to_draw": 2,
            "inspectors_per_school": 1,
            "eligible_schools": [city.school_a.pk, city.school_b.pk],
            "inspector_pool": [city.inspector.pk],
        },
    )
    campaign_url = response["Location"]
    client.post(campaign_url + "draw/")
    body = client.get(campaign_url).content.decode()
    assert "抽取结果已公开" in body and "甲小学" in body and "乙小学" in body
    assert Visit.objects.filter(campaign__title="秋季随机督导").count() == 2


def test_notice_from_the_star_table_orders_weak_schools_to_rectify(city, login):
    factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5"))
    client = login(city.bureau)
    table = client.get(reverse("inspections:star-table"))
    assert table.context["below_count"] == 1
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        reverse("inspections:notice-create"), {"start_year": 2026, "deadline": deadline}, follow=True
    )
    assert "甲小学" in response.content.decode()
    order = RectificationOrder.objects.get()
    assert order.school == city.school_a
    # The principal answers it; the inspector of that school verifies it.
    login(city.principal_a).post(reverse("inspections:order-answer", args=[order.pk]), {"response": "已整改到位"})
    login(city.inspector).post(reverse("inspections:order-verify", args=[order.pk]), {"accept": "1", "note": "属实"})
    order.refresh_from_db()
    assert order.status == "verified"


def test_sanction_is_recorded_on_the_school_history(city, login):
    client = login(city.bureau)
    response = client.post(
        reverse("inspections:sanction-create"),
        {"school": city.school_a.pk, "kind": "on_site", "reason": "整改逾期", "decided_on": "2026-11-20"},
        follow=True,
    )
    body = response.content.decode()
    assert "驻点整改" in body and "整改逾期" in body
    assert (
        login(city.principal_a).get(reverse("inspections:school-history", args=[city.school_a.pk])).status_code == 200
    )


def test_teacher_home_lists_lessons_waiting_for_a_reflection(city, login):
    factories.observation(by=city.principal_a, teacher=city.teacher_a, topic="桂林山水")
    body = login(city.teacher_user_a).get(reverse("home")).content.decode()
    assert "我的课堂教学考核档案" in body and "《桂林山水》待写教学反思" in body


def test_follow_up_form_is_prefilled_from_the_first_observation(city, login):
    first = factories.observation(by=city.principal_a, teacher=city.teacher_a)
    response = login(city.principal_a).get(reverse("inspections:observation-create") + f"?follow_up={first.pk}")
    assert response.context["form"].initial["follow_up_of"] == first


def test_attachments_are_served_only_within_their_visits_scope(city, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    visit = _visit(city)
    (attachment,) = services.attach_to_visit(
        visit=visit, files=[SimpleUploadedFile("听课记录.pdf", b"%PDF-1.4 x")], by=city.inspector
    )
    url = reverse("inspections:attachment-download", args=[attachment.pk])
    response = login(city.inspector).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert login(city.principal_a).get(url).status_code == 404  # not yet submitted
    assert login(city.principal_b).get(url).status_code == 404


def test_star_levels_and_full_marks_read_as_words_and_whole_numbers(city, login):
    """Issue 14 §7: a visit's star level read “0 星”, full marks “10.0”; one form everywhere."""
    visit = factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    client = login(city.bureau)
    history = client.get(reverse("inspections:school-history", args=[city.school_a.pk])).content.decode()
    assert "未达星级" in history and " 星</td>" not in history
    table = client.get(reverse("inspections:star-table")).content.decode()
    assert '<option value="5">★★★★★</option>' in table and '<option value="0">未达星级</option>' in table
    assert "0星" not in table
    rubric = client.get(reverse("inspections:rubric-detail", args=[visit.rubric_id])).content.decode()
    assert "达标星级：" in rubric and "★★★☆☆" in rubric
    detail = client.get(reverse("inspections:visit-detail", args=[visit.pk])).content.decode()
    maxima = {criterion.max_points for criterion in Criterion.objects.filter(area__rubric=visit.rubric)}
    assert all(m == m.to_integral_value() for m in maxima)  # the default rubric's maxima are whole
    assert not any(f"/ {m}</td>" in detail for m in maxima)  # “/ 10.0” no longer
    assert f"（满分 {int(visit.rubric.max_total)}）" in detail


# ---- Photos from the inspector's phone --------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _photo(name="课堂.jpg", content=JPEG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_an_inspector_uploads_a_photo_once_even_when_the_queue_replays_it(city, login):
    from inspections.models import VisitPhoto

    visit = _visit(city)
    client = login(city.inspector)
    url = reverse("inspections:visit-photo-upload", args=[visit.pk])
    key = str(uuid.uuid4())
    first = client.post(url, {"photo": _photo(), "client_uuid": key, "taken_at": "2026-10-15T09:30:00Z"}, **JSON)
    again = client.post(url, {"photo": _photo(), "client_uuid": key}, **JSON)
    assert first.json()["ok"] and again.json() == {**first.json(), "replayed": True}
    photo = VisitPhoto.objects.get()
    assert (photo.visit, photo.uploaded_by, photo.name) == (visit, city.inspector, "课堂.jpg")
    detail = client.get(reverse("inspections:visit-detail", args=[visit.pk])).content.decode()
    assert reverse("inspections:visit-photo", args=[photo.pk]) in detail
    served = client.get(reverse("inspections:visit-photo", args=[photo.pk]))
    assert served["Content-Type"] == "image/jpeg" and served["Content-Disposition"].startswith("inline")


def test_a_photo_that_is_not_an_image_or_comes_after_submission_is_refused(city, login):
    from inspections.models import VisitPhoto

    visit = _visit(city)
    client = login(city.inspector)
    url = reverse("inspections:visit-photo-upload", args=[visit.pk])
    fake = client.post(url, {"photo": _photo("课堂.jpg", b"MZ\x90\x00 not a jpeg")}, **JSON)
    assert fake.status_code == 400 and "不是图片" in fake.json()["errors"][0]
    wrong = client.post(url, {"photo": _photo("课堂.pdf", b"%PDF-1.4")}, **JSON)
    assert "只接受 JPG、PNG、WebP" in wrong.json()["errors"][0]
    submitted = factories.submitted_visit(by=city.bureau, school=city.school_b, inspector=city.inspector)
    locked = client.post(reverse("inspections:visit-photo-upload", args=[submitted.pk]), {"photo": _photo()}, **JSON)
    assert "已提交并锁定" in locked.json()["errors"][0]
    assert not VisitPhoto.objects.exists()


def test_photos_are_seen_only_with_their_visit(city, login):
    visit = _visit(city)
    login(city.inspector).post(reverse("inspections:visit-photo-upload", args=[visit.pk]), {"photo": _photo()})
    from inspections.models import VisitPhoto

    photo = VisitPhoto.objects.get()
    url = reverse("inspections:visit-photo", args=[photo.pk])
    assert login(city.principal_b).get(url).status_code == 404
    assert login(city.principal_a).get(url).status_code == 404  # school A sees its visit once submitted
    other = login(city.principal_b).post(
        reverse("inspections:visit-photo-upload", args=[visit.pk]), {"photo": _photo()}
    )
    assert other.status_code == 404


def test_the_visit_form_offers_the_camera_and_lists_the_photos(city, login):
    visit = _visit(city)
    html = login(city.inspector).get(reverse("inspections:visit-fill", args=[visit.pk])).content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert reverse("inspections:visit-photo-upload", args=[visit.pk]) in html


def test_confirmations_before_answering_a_rectification_order(city, login):
    submitted = factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    today = timezone.localdate()
    notice = services.issue_notice(
        start_year=submitted.semester.start_year, deadline=today + timedelta(days=30), by=city.bureau, today=today
    )
    order = notice.orders.get()
    html = login(city.principal_a).get(reverse("inspections:order-detail", args=[order.pk])).content.decode()
    assert 'data-confirm="报送后整改情况交局里核查，不能再修改，确定报送吗？"' in html


def test_a_field_error_on_the_observation_form_is_shown_once_beside_its_field(city, login):
    form = factories.observation_form()
    data = {
        "teacher": city.teacher_a.pk,
        "subject": city.teacher_a.subjects.first().pk,
        "observed_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "lesson_type": "routine",
        "topic": "草船借箭",
        **{f"score-{c.pk}": "1" for c in Criterion.objects.filter(area__rubric=form)},
    }
    client = login(city.principal_a)
    page = client.post(reverse("inspections:observation-create"), data)
    assert page.status_code == 400
    assert page.content.decode().count("听课日期不能晚于今天。") == 1
    # The offline queue has no fields to show them beside: its JSON answer lists them all.
    answer = client.post(reverse("inspections:observation-create"), data, **JSON)
    assert any("听课日期不能晚于今天" in error for error in answer.json()["errors"])


def test_the_star_table_disables_a_second_notice_and_says_why(city, login):
    visit = factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    year = visit.semester.start_year
    client = login(city.bureau)
    url = reverse("inspections:star-table") + f"?year={year}"
    before = client.get(url).content.decode()
    assert "发布通报" in before and "why-notify" not in before
    today = timezone.localdate()
    services.issue_notice(start_year=year, deadline=today + timedelta(days=30), by=city.bureau, today=today)
    after = client.get(url).content.decode()
    assert 'disabled aria-describedby="why-notify"' in after and "已通报，不能重复通报" in after
