"""Writes of teaching research: scope, bad input refused with nothing half-saved, attendance once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from research import rules, selectors, services
from research.models import Activity, ActivityAttachment, GrowthRecord, LessonLink, Participation
from schools.models import ResearchLiaison, Subject, responsible_researchers
from tests.factories import TeacherFactory, TeachingGroupFactory
from tests.inspections.factories import observation
from tests.research import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def research(city):
    factories.defaults()
    return city


def test_group_leader_records_a_lesson_preparation_with_its_participants(research):
    city = research
    colleague = TeacherFactory(school=city.school_a, name="丙老师")
    activity = factories.activity(
        by=city.group_leader_a,
        group=city.group_a,
        participants=[city.teacher_a, colleague],
        lead_teacher=city.teacher_a,
    )
    assert activity.school == city.school_a and activity.subject.code == "YW"
    assert activity.hours == Decimal("2.0")  # blank hours: the duration
    assert set(activity.participations.values_list("status", flat=True)) == {"invited"}
    assert activity.participations.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"length": -1}, "结束时间应晚于开始时间"),
        ({"hours": Decimal("3")}, "不符"),
    ],
)
def test_bad_times_are_refused_and_nothing_is_saved(research, changes, message):
    with pytest.raises(services.Refused, match=message):
        factories.activity(
            by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a], **changes
        )
    assert not Activity.objects.exists() and not Participation.objects.exists()


def test_a_participant_outside_the_organisers_school_is_refused(research):
    with pytest.raises(services.Refused, match=r"超出组织范围.*乙老师"):
        factories.activity(
            by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a, research.teacher_b]
        )
    assert not Activity.objects.exists() and not Participation.objects.exists()


def test_a_group_leader_cannot_record_another_subjects_group_or_a_school_activity(research):
    maths = TeachingGroupFactory(school=research.school_a, subject=Subject.objects.get(code="SX"))
    with pytest.raises(services.Refused, match="自己负责的教研组"):
        factories.activity(by=research.group_leader_a, group=maths)
    with pytest.raises(services.Refused, match="不能组织校级"):
        factories.activity(by=research.group_leader_a, level="school", school=research.school_a)


def test_a_principal_records_only_their_own_school(research):
    with pytest.raises(services.Refused, match="只能为本校"):
        factories.activity(by=research.principal_a, level="school", code="theme", school=research.school_b)


def test_a_teacher_confirms_their_attendance_once(research):
    activity = factories.activity(by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a])
    services.confirm_attendance(activity=activity, by=research.teacher_user_a)
    with pytest.raises(services.Refused, match="已确认过"):
        services.confirm_attendance(activity=activity, by=research.teacher_user_a)
    participation = activity.participations.get()
    assert participation.status == "confirmed" and participation.self_confirmed
    assert Participation.objects.filter(status="confirmed").count() == 1


def test_only_listed_teachers_confirm_and_not_before_the_start(research):
    activity = factories.activity(by=research.group_leader_a, group=research.group_a, participants=[])
    with pytest.raises(services.Refused, match="不在本次活动的参加人员名单"):
        services.confirm_attendance(activity=activity, by=research.teacher_user_a)
    later = factories.activity(
        by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a], days_ago=-2
    )
    with pytest.raises(services.Refused, match="尚未开始"):
        services.confirm_attendance(activity=later, by=research.teacher_user_a)


def test_the_organiser_records_attendance_of_listed_teachers_only(research):
    activity = factories.activity(by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a])
    with pytest.raises(services.Refused, match="名单中的教师"):
        services.record_attendance(activity=activity, by=research.group_leader_a, teacher_ids=[research.teacher_b.pk])
    assert (
        services.record_attendance(activity=activity, by=research.group_leader_a, teacher_ids=[research.teacher_a.pk])
        == 1
    )
    assert not activity.participations.get().self_confirmed
    with pytest.raises(services.Refused, match="只有组织者"):
        services.record_attendance(activity=activity, by=research.teacher_user_a, teacher_ids=[research.teacher_a.pk])


def test_a_confirmed_participant_cannot_be_taken_off_the_list(research):
    activity = factories.activity(by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a])
    services.confirm_attendance(activity=activity, by=research.teacher_user_a)
    values = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    with pytest.raises(services.Refused, match="不能移出名单"):
        services.save_activity(by=research.group_leader_a, values=values, participant_ids=[], activity=activity)
    assert activity.participations.count() == 1


def test_attachments_get_the_inspections_upload_checks(research):
    activity = factories.activity(by=research.group_leader_a, group=research.group_a)
    fake = SimpleUploadedFile("纪要.pdf", b"not a pdf at all")
    with pytest.raises(services.Refused, match="内容与扩展名不符"):
        services.attach(activity=activity, files=[fake], by=research.group_leader_a)
    good = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes")
    services.attach(activity=activity, files=[good], by=research.group_leader_a)
    assert ActivityAttachment.objects.get().name == "纪要.pdf"


def test_same_topic_lessons_pair_two_teachers_on_one_topic(research):
    activity = factories.activity(by=research.principal_a, level="school", code="theme", school=research.school_a)
    colleague = TeacherFactory(school=research.school_a, name="丁老师")
    first = observation(by=research.principal_a, teacher=research.teacher_a, topic="草船借箭")
    second = observation(by=research.principal_a, teacher=colleague, topic="草船借箭")
    other = observation(by=research.principal_a, teacher=colleague, topic="将相和")
    with pytest.raises(services.Refused, match="同一课题"):
        services.link_lesson(activity=activity, by=research.principal_a, observation=first, paired_with=other)
    services.link_lesson(activity=activity, by=research.principal_a, observation=first, paired_with=second)
    assert LessonLink.objects.get().paired_with == second


def test_the_semester_table_counts_the_schools_records(research):
    city = research
    for days_ago in (1, 2):
        factories.activity(by=city.principal_a, level="school", code="theme", school=city.school_a, days_ago=days_ago)
    factories.activity(by=city.principal_a, level="school", code=rules.PARENT_TYPE, school=city.school_a, length=1)
    factories.activity(by=city.principal_a, level="school", code=rules.CONSULTATION_TYPE, school=city.school_a)
    city_activity = factories.activity(
        by=city.bureau, level="city", code=rules.CITY_TYPE, participants=[city.teacher_a]
    )
    factories.activity(by=city.principal_b, level="school", code="theme", school=city.school_b)
    semester = city_activity.semester
    table = {
        row["result"].code: row
        for row in selectors.school_semester_table(school=city.school_a, semester=semester, as_of=timezone.localdate())
    }
    assert table[rules.SCHOOL_WIDE]["result"].met and len(table[rules.SCHOOL_WIDE]["activities"]) == 3
    assert table[rules.CONSULTATIONS]["result"].met
    assert not table[rules.PARENT_HOURS]["result"].met and table[rules.PARENT_HOURS]["result"].figure == Decimal("1.0")
    assert table[rules.CITY_ATTENDED]["result"].figure == 0  # on the list, not yet confirmed
    services.confirm_attendance(activity=city_activity, by=city.teacher_user_a)
    results = selectors.semester_results(school_ids=[city.school_a.pk], semester=semester, as_of=timezone.localdate())
    attended = {r.code: r for r in results[city.school_a.pk]}[rules.CITY_ATTENDED]
    assert attended.figure == 1 and attended.evidence == (city_activity.pk,)


def test_a_teacher_fills_only_their_own_growth_file(research):
    services.save_growth_record(
        teacher=research.teacher_a,
        by=research.teacher_user_a,
        start_year=2026,
        task="journal",
        description="《人民教育》",
    )
    with pytest.raises(services.Refused, match="教师本人"):
        services.save_growth_record(
            teacher=research.teacher_a, by=research.principal_a, start_year=2026, task="case", description="案例"
        )
    services.save_growth_record(
        teacher=research.teacher_a,
        by=research.teacher_user_a,
        start_year=2026,
        task="journal",
        description="《中国教育学刊》",
    )
    assert GrowthRecord.objects.get().description == "《中国教育学刊》"  # one per task and year


def test_the_warnings_page_names_the_responsible_researcher(research):
    today = timezone.localdate()
    services.assign_liaison(
        by=research.bureau,
        researcher=research.inspector,
        school=research.school_a,
        subject=Subject.objects.get(code="YW"),
        starts_on=today - timedelta(days=30),
        ends_on=None,
    )
    ResearchLiaison.objects.create(
        researcher=research.inspector,
        school=research.school_b,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=1),
    )
    names = responsible_researchers([research.school_a.pk, research.school_b.pk], on=today)
    assert names == {research.school_a.pk: ["督学（语文）"]}
    with pytest.raises(services.Refused, match="不是教研员"):
        services.assign_liaison(
            by=research.bureau,
            researcher=research.principal_a,
            school=research.school_a,
            subject=None,
            starts_on=today,
            ends_on=None,
        )
