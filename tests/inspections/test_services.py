"""Writes: the draw, visits, ratings, notices, rectification, observations — and the bad input each refuses."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from eduquality.models import AuditEntry
from inspections import selectors, services
from inspections.models import Attachment, Criterion, Draw, RectificationOrder, StarRating, Visit, VisitScore
from inspections.tasks import mark_overdue_rectifications
from tests.factories import SchoolFactory, TeacherFactory, UserFactory, grant
from tests.inspections import factories

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)
PDF = b"%PDF-1.4\n%test\n"


# ---- Draw -------------------------------------------------------------------------------------------------


def test_draw_records_seed_runner_and_creates_visits(city):
    campaign = factories.campaign(by=city.bureau, schools=[city.school_a, city.school_b], inspectors=[city.inspector])
    draw = services.run_draw(campaign=campaign, by=city.bureau, seed="2026")
    assert (draw.seed, draw.run_by, draw.eligible_count, draw.pool_count) == ("2026", city.bureau, 2, 1)
    assert set(Visit.objects.filter(campaign=campaign).values_list("school_id", flat=True)) == {
        city.school_a.pk,
        city.school_b.pk,
    }
    assert AuditEntry.objects.filter(object_id=str(campaign.pk), note__contains="2026").exists()


def test_second_draw_on_the_same_campaign_is_refused_and_changes_nothing(city):
    campaign = factories.campaign(by=city.bureau, schools=[city.school_a], inspectors=[city.inspector])
    services.run_draw(campaign=campaign, by=city.bureau, seed="first")
    with pytest.raises(services.Refused, match="不能重新抽取"):
        services.run_draw(campaign=campaign, by=city.bureau, seed="second")
    assert Draw.objects.get(campaign=campaign).seed == "first"
    assert Visit.objects.filter(campaign=campaign).count() == 1


def test_draw_never_sends_an_inspector_to_the_school_where_they_teach(city):
    insider = UserFactory(username="insider")
    grant(insider, "inspector")
    TeacherFactory(school=city.school_a, user=insider)
    campaign = factories.campaign(by=city.bureau, schools=[city.school_a], inspectors=[insider])
    with pytest.raises(services.Refused, match="可派督学只有 0 人"):
        services.run_draw(campaign=campaign, by=city.bureau)
    assert not Draw.objects.exists() and not Visit.objects.exists()


def test_draw_with_district_avoidance_skips_inspectors_of_that_district(city):
    local = UserFactory(username="local")
    grant(local, "inspector")
    grant(local, "teacher", SchoolFactory(district=city.school_a.district))
    campaign = factories.campaign(
        by=city.bureau, schools=[city.school_a], inspectors=[local, city.inspector], exclude_same_district=True
    )
    services.run_draw(campaign=campaign, by=city.bureau)
    assert list(Visit.objects.get(campaign=campaign).inspectors.all()) == [city.inspector]


# ---- Visits -----------------------------------------------------------------------------------------------


def _visit(city):
    return factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)


def test_score_above_the_maximum_is_refused_and_nothing_is_saved(city):
    visit = _visit(city)
    criterion = Criterion.objects.filter(area__rubric=visit.rubric).first()
    other = Criterion.objects.filter(area__rubric=visit.rubric).last()
    with pytest.raises(services.Refused, match="超过满分"):
        services.save_visit(
            visit=visit,
            by=city.inspector,
            scores={criterion.pk: "99", other.pk: "1"},
            evidence={},
            fields={"problems": "x"},
            submit=False,
        )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED and visit.problems == ""
    assert not VisitScore.objects.filter(visit=visit).exists()


def test_submit_with_unscored_criteria_is_refused_but_a_draft_is_kept(city):
    visit = _visit(city)
    criterion = Criterion.objects.filter(area__rubric=visit.rubric).first()
    services.save_visit(
        visit=visit, by=city.inspector, scores={criterion.pk: "4"}, evidence={}, fields={}, submit=False
    )
    with pytest.raises(services.Refused, match="未评分"):
        services.save_visit(
            visit=visit, by=city.inspector, scores={}, evidence={}, fields={"visited_on": TODAY}, submit=True
        )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT and visit.total is None


def test_submit_locks_the_visit_with_its_total_star_level_and_rating(city):
    visit = factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    assert (visit.status, visit.total, visit.star_level) == (Visit.Status.SUBMITTED, Decimal("100.0"), 5)
    rating = StarRating.objects.get(school=city.school_a)
    assert (rating.star_level, rating.visit_count, rating.mean_total) == (5, 1, Decimal("100.0"))
    with pytest.raises(services.Refused, match="锁定"):
        services.save_visit(visit=visit, by=city.inspector, scores={}, evidence={}, fields={}, submit=False)


def test_only_an_assigned_inspector_fills_a_visit(city):
    stranger = UserFactory(username="stranger")
    grant(stranger, "inspector")
    with pytest.raises(services.Refused, match="被指派"):
        services.save_visit(visit=_visit(city), by=stranger, scores={}, evidence={}, fields={}, submit=False)


def test_a_replayed_submission_is_applied_once(city):
    visit = _visit(city)
    criterion = Criterion.objects.filter(area__rubric=visit.rubric).first()
    key = str(uuid.uuid4())
    services.save_visit(
        visit=visit,
        by=city.inspector,
        scores={criterion.pk: "3"},
        evidence={},
        fields={},
        submit=False,
        client_uuid=key,
    )
    services.save_visit(
        visit=visit, by=city.inspector, scores={criterion.pk: "4"}, evidence={}, fields={}, submit=False
    )
    _, replayed = services.save_visit(
        visit=visit,
        by=city.inspector,
        scores={criterion.pk: "3"},
        evidence={},
        fields={},
        submit=False,
        client_uuid=key,
    )
    assert replayed
    assert VisitScore.objects.get(visit=visit, criterion=criterion).points == Decimal("4")


def test_the_yearly_rating_is_the_mean_of_the_years_visits(city):
    factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector, title="一")
    factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.6"), title="二"
    )
    rating = StarRating.objects.get(school=city.school_a)
    assert rating.visit_count == 2
    assert rating.mean_total == Decimal("78.8")  # (100 + 57.5) / 2 = 78.75, half up
    assert rating.star_level == 3


def test_a_visit_keeps_its_rubric_version_when_the_rubric_changes(city):
    visit = factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    old = visit.rubric
    criterion = Criterion.objects.filter(area__rubric=old).first()
    criterion.max_points = Decimal("50")
    with pytest.raises(ValidationError, match="不能修改"):
        criterion.save()
    new = services.copy_rubric_as_new_version(rubric=old, by=city.bureau)
    Criterion.objects.filter(area__rubric=new, code="A1").update(max_points=Decimal("8"))
    services.publish_rubric(rubric=new, by=city.bureau)
    visit.refresh_from_db()
    assert (visit.rubric_id, visit.total) == (old.pk, Decimal("100.0"))
    assert new.version == old.version + 1 and new.is_current
    old.refresh_from_db()
    assert not old.is_current and old.max_total == Decimal("100.0")


def test_attachment_of_a_wrong_type_or_too_large_is_refused(city, settings):
    visit = _visit(city)
    with pytest.raises(services.Refused, match="类型不支持"):
        services.attach_to_visit(visit=visit, files=[SimpleUploadedFile("a.exe", b"MZ")], by=city.inspector)
    with pytest.raises(services.Refused, match="内容与扩展名不符"):
        services.attach_to_visit(visit=visit, files=[SimpleUploadedFile("a.pdf", b"MZ...")], by=city.inspector)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (services.ATTACHMENT_MAX_BYTES + 1))
    with pytest.raises(services.Refused, match="超过 20 MB"):
        services.attach_to_visit(visit=visit, files=[SimpleUploadedFile("ok.pdf", PDF), big], by=city.inspector)
    assert not Attachment.objects.exists()
    services.attach_to_visit(visit=visit, files=[SimpleUploadedFile("ok.pdf", PDF)], by=city.inspector)
    assert Attachment.objects.get().name == "ok.pdf"


# ---- Notices and rectification ---------------------------------------------------------------------------


def _weak_school(city):
    return factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )


def test_notice_lists_schools_below_target_and_orders_them_to_rectify(city):
    _weak_school(city)
    factories.submitted_visit(by=city.bureau, school=city.school_b, inspector=city.inspector)
    notice = services.issue_notice(start_year=2026, deadline=TODAY + timedelta(days=30), by=city.bureau, today=TODAY)
    assert list(notice.schools.all()) == [city.school_a]
    order = RectificationOrder.objects.get()
    assert order.school == city.school_a and order.status == "open"
    assert "落实集体备课制度" in order.items and "A1 个人备课" in order.items
    with pytest.raises(services.Refused, match="不能重复通报"):
        services.issue_notice(start_year=2026, deadline=TODAY + timedelta(days=30), by=city.bureau, today=TODAY)


def _order(city):
    visit = _weak_school(city)
    return services.create_order(
        school=city.school_a,
        visit=visit,
        items="一\n二",
        deadline=TODAY + timedelta(days=10),
        by=city.bureau,
        today=TODAY,
    )


def test_principal_answers_and_inspector_verifies(city):
    order = _order(city)
    services.answer_order(order=order, by=city.principal_a, response="已整改", files=[SimpleUploadedFile("r.pdf", PDF)])
    order.refresh_from_db()
    assert order.status == "answered" and order.attachments.count() == 1
    services.verify_order(order=order, by=city.inspector, accept=True, note="到位", today=TODAY)
    order.refresh_from_db()
    assert order.status == "verified" and order.verified_by == city.inspector


def test_answer_to_another_schools_order_is_refused(city):
    order = _order(city)
    with pytest.raises(services.Refused, match="本校校长"):
        services.answer_order(order=order, by=city.principal_b, response="不是我们的")
    order.refresh_from_db()
    assert order.status == "open" and order.response == ""


def test_answer_with_a_bad_attachment_saves_nothing(city):
    order = _order(city)
    with pytest.raises(services.Refused, match="类型不支持"):
        services.answer_order(
            order=order, by=city.principal_a, response="已整改", files=[SimpleUploadedFile("x.zip", b"PK")]
        )
    order.refresh_from_db()
    assert order.status == "open" and order.response == "" and not order.attachments.exists()


def test_a_returned_order_is_open_again_or_overdue_after_its_deadline(city):
    order = _order(city)
    services.answer_order(order=order, by=city.principal_a, response="已整改")
    with pytest.raises(services.Refused, match="核查意见"):
        services.verify_order(order=order, by=city.bureau, accept=False, note="", today=TODAY)
    services.verify_order(order=order, by=city.bureau, accept=False, note="材料不全", today=TODAY + timedelta(days=30))
    order.refresh_from_db()
    assert order.status == "overdue"


def test_daily_job_marks_overdue_orders_once(city, monkeypatch):
    factories.late_order(by=city.bureau, school=city.school_a, days_late=3)
    assert mark_overdue_rectifications() == 1
    assert mark_overdue_rectifications() == 0
    assert RectificationOrder.objects.get().status == "overdue"


def test_sanction_needs_a_reason(city):
    with pytest.raises(services.Refused, match="理由"):
        services.record_sanction(school=city.school_a, kind="criticism", reason=" ", decided_on=TODAY, by=city.bureau)


# ---- Observations --------------------------------------------------------------------------------------------


def test_observation_replay_with_the_same_uuid_returns_the_saved_one(city):
    key = uuid.uuid4()
    first = factories.observation(by=city.principal_a, teacher=city.teacher_a, client_uuid=key)
    again = factories.observation(by=city.principal_a, teacher=city.teacher_a, client_uuid=key)
    assert first.pk == again.pk
    assert first.total == Decimal("80.0")


def test_observation_with_a_score_above_the_maximum_is_refused(city):
    with pytest.raises(services.Refused, match="超过满分"):
        factories.observation(by=city.principal_a, teacher=city.teacher_a, fraction=Decimal("1.5"))


def test_follow_up_must_observe_the_same_teacher(city):
    first = factories.observation(by=city.principal_a, teacher=city.teacher_a)
    with pytest.raises(services.Refused, match="同一位教师"):
        factories.observation(by=city.principal_a, teacher=TeacherFactory(school=city.school_a), follow_up_of=first)
    follow = factories.observation(by=city.principal_a, teacher=city.teacher_a, follow_up_of=first)
    assert list(first.follow_ups.all()) == [follow]


def test_only_the_observed_teacher_writes_the_reflection(city):
    observation = factories.observation(by=city.principal_a, teacher=city.teacher_a)
    with pytest.raises(services.Refused, match="授课教师本人"):
        services.reflect(observation=observation, by=city.principal_a, text="我来写")
    services.reflect(observation=observation, by=city.teacher_user_a, text="导入环节过长")
    observation.refresh_from_db()
    assert observation.reflection == "导入环节过长" and observation.reflected_at


# ---- Read API for other apps ---------------------------------------------------------------------------------


def test_school_star_levels_and_summary(city):
    _weak_school(city)
    factories.submitted_visit(by=city.bureau, school=city.school_b, inspector=city.inspector)
    factories.observation(by=city.principal_a, teacher=city.teacher_a)
    services.issue_notice(start_year=2026, deadline=TODAY + timedelta(days=30), by=city.bureau, today=TODAY)
    assert selectors.school_star_levels(school_year="2026-2027") == {city.school_a.pk: 0, city.school_b.pk: 5}
    assert selectors.school_star_levels(school_year="2025-2026") == {}
    semester = Visit.objects.first().semester
    assert selectors.school_inspection_summary(school=city.school_a, semester=semester) == {
        "star_level": 0,
        "star_label": "未达星级",
        "visits": 1,
        "observations": 1,
        "open_rectifications": 1,
    }
    assert selectors.school_inspection_summary(school=SchoolFactory(), semester=semester)["star_level"] is None


def test_the_overdue_job_is_on_the_daily_beat_schedule(settings):
    from eduquality.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["inspections-mark-overdue-rectifications"]
    assert entry["task"] == "inspections.mark_overdue_rectifications"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {1}
