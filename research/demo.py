"""Demo records of teaching research, added to the demo city by `seed_demo` (see eduquality/extensions.py).

This semester up to today: every school's groups meet weekly (most of them; some weeks are missed),
school-wide research, 学情会商, teaching meetings, parent-school lessons; three city-wide 集中教研 and a
lesson study per zone; the demo school's 语文 group has a 集体备课 with a 同课异构 pair and minutes; the
demo teacher has an activity to confirm on their phone and a growth file half filled; every school has a
responsible researcher, the demo inspector several.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inspections.models import Observation
from research import rules, services
from research.defaults import load_defaults
from research.models import Activity, ActivityType, Book, GrowthRecord, Participation, ReadingEntry
from schools.models import ResearchLiaison, RoleAssignment, School, Semester, Subject, Teacher, TeachingGroup, Zone

SEED = 20261205
THEMES = ["大单元教学设计", "作业分层设计", "课堂随堂监测", "跨学科主题学习", "新课标解读", "学业述评"]
LESSONS = {"YW": "草船借箭", "SX": "圆的面积", "YY": "My school"}


def _moment(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _activity(types, *, code, level, school=None, group=None, zone=None, day, hours, topic, organiser_id, subject=None):
    start = _moment(day, 14 if level != "city" else 9)
    return Activity(
        level=level,
        activity_type=types[code],
        subject=subject or (group.subject if group else None),
        school=school,
        group=group,
        zone=zone,
        starts_at=start,
        ends_at=start + timedelta(hours=float(hours)),
        hours=Decimal(hours),
        place={"group": "教研室", "school": "学术报告厅", "zone": "中心校会议室", "city": "市教育学院"}.get(
            level, "会议室"
        ),
        topic=topic,
        organiser_id=organiser_id,
        minutes="一、学习课程标准相关要求；二、中心发言人说课；三、集体研讨形成共识；四、布置二次备课。",
    )


@transaction.atomic
def build_demo() -> list[str]:
    from schools.demo import DEMO_SCHOOL

    load_defaults(apps)
    rng = random.Random(SEED)
    User = get_user_model()
    bureau = User.objects.get(username="bureau")
    inspector = User.objects.get(username="inspector")
    leader = User.objects.get(username="leader")
    teacher_user = User.objects.get(username="teacher")
    current = Semester.objects.get(is_current=True)
    today = timezone.localdate()
    until = min(today, current.ends_on) - timedelta(days=1)
    if until <= current.starts_on:
        return ["教研：当前学期尚未开始，未生成教研活动。"]
    types = {t.code: t for t in ActivityType.objects.all()}
    schools = list(School.objects.filter(is_active=True).order_by("code"))
    demo_school = School.objects.get(name=DEMO_SCHOOL)
    principals = dict(RoleAssignment.objects.filter(role="principal").values_list("school_id", "user_id"))
    fallback = bureau.pk
    groups = defaultdict(list)
    for group in TeachingGroup.objects.select_related("subject"):
        groups[group.school_id].append(group)
    by_subject = defaultdict(list)
    for school_id, subject_id, teacher_id in Teacher.objects.filter(is_active=True).values_list(
        "school_id", "subjects", "pk"
    ):
        by_subject[(school_id, subject_id)].append(teacher_id)
    staff = defaultdict(list)
    for school_id, teacher_id in Teacher.objects.filter(is_active=True).values_list("school_id", "pk"):
        staff[school_id].append(teacher_id)
    weeks = rules.weeks_between(current.starts_on, min(today, current.ends_on))  # the weeks the rule counts

    planned: list[tuple[Activity, list[int], float]] = []  # activity, participants, share confirmed
    for school in schools:
        diligence = 1.0 if school == demo_school or rng.random() < 0.6 else rng.uniform(0.85, 0.98)
        lax_meetings = school != demo_school and rng.random() < 0.3
        organiser_id = principals.get(school.pk, fallback)
        for group in groups[school.pk]:
            members = by_subject[(school.pk, group.subject_id)][:8]
            for monday in weeks:
                if rng.random() > diligence:
                    continue
                day = min(until, monday + timedelta(days=rng.randint(0, 4)))
                code = "lesson_prep" if rng.random() < 0.6 else "theme"
                activity = _activity(
                    types,
                    code=code,
                    level="group",
                    school=school,
                    group=group,
                    day=day,
                    hours="2",
                    topic=f"{group.subject.name}{rng.choice(THEMES)}",
                    organiser_id=organiser_id,
                )
                planned.append((activity, members, 0.9))
        for n in range(rng.choice([1, 2, 2, 3])):
            day = current.starts_on + timedelta(days=20 + 30 * n + rng.randint(0, 6))
            if day <= until:
                activity = _activity(
                    types,
                    code="theme",
                    level="school",
                    school=school,
                    day=day,
                    hours="2.5",
                    topic=f"全校学科教研：{rng.choice(THEMES)}",
                    organiser_id=organiser_id,
                )
                planned.append((activity, staff[school.pk][:30], 0.85))
        if school == demo_school or rng.random() < 0.8:
            day = current.starts_on + timedelta(days=45 + rng.randint(0, 10))
            if day <= until:
                activity = _activity(
                    types,
                    code=rules.CONSULTATION_TYPE,
                    level="school",
                    school=school,
                    day=day,
                    hours="2",
                    topic="期中学情会商",
                    organiser_id=organiser_id,
                )
                planned.append((activity, staff[school.pk][:12], 1.0))
        day = current.starts_on + timedelta(days=rng.randint(1, 6))
        while day <= until:
            activity = _activity(
                types,
                code=rules.MEETING_TYPE,
                level="school",
                school=school,
                day=day,
                hours="1",
                topic="教学工作例会",
                organiser_id=organiser_id,
            )
            planned.append((activity, staff[school.pk][:6], 1.0))
            day += timedelta(days=rng.choice([7, 14, 14, 16] if lax_meetings else [7, 14]))
        for n in range(1 if school == demo_school else rng.choice([1, 2, 2])):
            day = current.starts_on + timedelta(days=30 + 35 * n)
            if day <= until:
                activity = _activity(
                    types,
                    code=rules.PARENT_TYPE,
                    level="school",
                    school=school,
                    day=day,
                    hours="1",
                    topic="家长学校：《牵手两代》家庭教育",
                    organiser_id=organiser_id,
                )
                planned.append((activity, staff[school.pk][:3], 1.0))

    # The city's 集中教研 (by the research office) and each zone's lesson study.
    for n, subject_code in enumerate(["YW", "SX", "YY"]):
        day = current.starts_on + timedelta(days=25 + 28 * n)
        if day > until:
            continue
        subject = Subject.objects.get(code=subject_code)
        activity = _activity(
            types,
            code=rules.CITY_TYPE,
            level="city",
            day=day,
            hours="3",
            subject=subject,
            topic=f"市直学校{subject.name}集中教研",
            organiser_id=inspector.pk,
        )
        participants = [
            ids[0] for (school_id, subject_id), ids in by_subject.items() if subject_id == subject.pk and ids
        ]
        planned.append((activity, participants, 0.8))
    for zone in Zone.objects.all():
        zone_schools = [s.pk for s in schools if s.zone_id == zone.pk]
        day = current.starts_on + timedelta(days=40 + rng.randint(0, 20))
        if not zone_schools or day > until:
            continue
        activity = _activity(
            types,
            code="zone",
            level="zone",
            zone=zone,
            day=day,
            hours="3",
            topic=f"{zone.name}同课异构：《{LESSONS['YW']}》",
            organiser_id=inspector.pk,
        )
        planned.append((activity, [t for s in zone_schools for t in staff[s][:4]], 0.85))

    for activity, _, _ in planned:
        activity.semester = current
    Activity.objects.bulk_create([activity for activity, _, _ in planned], batch_size=2000)
    now = timezone.now()
    participations = []
    for activity, members, share in planned:
        for teacher_id in dict.fromkeys(members):
            confirmed = rng.random() < share
            participations.append(
                Participation(
                    activity=activity,
                    teacher_id=teacher_id,
                    status=Participation.Status.CONFIRMED if confirmed else Participation.Status.INVITED,
                    confirmed_at=now if confirmed else None,
                )
            )
    Participation.objects.bulk_create(participations, batch_size=5000, ignore_conflicts=True)

    lines = [f"教研：{len(planned)} 次教研活动、{len(participations)} 人次参加（当前学期至今）。"]
    lines += _showcase(demo_school, current, leader, teacher_user, types)
    lines += _growth(rng, demo_school, current, teacher_user)
    lines += _liaisons(rng, schools, demo_school, inspector, current)
    return lines


def _showcase(school, semester, leader, teacher_user, types) -> list[str]:
    """The demo group leader's 集体备课 with a 同课异构 pair, and one the demo teacher must still confirm."""
    group = TeachingGroup.objects.filter(school=school, subject__code="YW").first()
    teacher = Teacher.objects.filter(user=teacher_user).first()
    if group is None or teacher is None:
        return []
    colleagues = list(Teacher.objects.filter(school=school, subjects=group.subject_id).exclude(pk=teacher.pk)[:5])
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=0)
    if start > timezone.now():
        start -= timedelta(days=1)
    values = {
        "level": "group",
        "activity_type": types["lesson_prep"],
        "group": group,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "hours": None,
        "place": "三楼语文教研室",
        "topic": f"《{LESSONS['YW']}》集体备课与同课异构",
        "lead_teacher": teacher,
        "minutes": "中心发言人说课；两位教师同课异构；组内研讨确定二次备课要点：朗读指导、问题链设计。",
    }
    activity = services.save_activity(
        by=leader, values=values, participant_ids=[teacher.pk, *[c.pk for c in colleagues]]
    )
    if colleagues:
        services.record_attendance(activity=activity, by=leader, teacher_ids=[c.pk for c in colleagues[:3]])
    # 同课异构: two teachers' observed lessons of one topic, if the inspections demo has such a pair.
    by_topic = defaultdict(dict)
    for observation in Observation.objects.filter(school=school, subject=group.subject).order_by("-observed_on"):
        by_topic[observation.topic].setdefault(observation.teacher_id, observation)
    pair = next((list(found.values())[:2] for found in by_topic.values() if len(found) >= 2), None)
    if pair:
        services.link_lesson(activity=activity, by=leader, observation=pair[0], paired_with=pair[1])
    return [f"教研：演示教研组长的集体备课“{activity.topic}”，演示教师待在手机上确认参加。"]


def _growth(rng, school, semester, teacher_user) -> list[str]:
    books = list(Book.objects.all())
    teachers = list(Teacher.objects.filter(school=school, is_active=True))
    records, entries = [], []
    tasks = [value for value, _ in GrowthRecord._meta.get_field("task").choices]
    for teacher in teachers:
        done = 3 if teacher.user_id == teacher_user.pk else rng.randint(0, 6)
        for task in rng.sample(tasks, done):
            records.append(
                GrowthRecord(
                    teacher=teacher, start_year=semester.start_year, task=task, description="已提交，材料存学校档案室"
                )
            )
        for n in range(2 if teacher.user_id == teacher_user.pk else rng.randint(0, 4)):
            entries.append(
                ReadingEntry(
                    teacher=teacher,
                    start_year=semester.start_year,
                    book=books[(teacher.pk + n) % len(books)],
                    finished_on=semester.starts_on + timedelta(days=20 + 25 * n),
                    notes="读后在教研组读书交流会上分享。",
                )
            )
    GrowthRecord.objects.bulk_create(records, ignore_conflicts=True)
    ReadingEntry.objects.bulk_create(entries)
    return [
        f"教研：{school.name} {len(teachers)} 位教师的成长档案（六个一 {len(records)} 项、读书 {len(entries)} 本）。"
    ]


def _liaisons(rng, schools, demo_school, inspector, semester) -> list[str]:
    researchers = list(
        get_user_model().objects.filter(role_assignments__role="inspector").exclude(pk=inspector.pk).distinct()
    ) or [inspector]
    mine = {demo_school.pk, *[s.pk for s in rng.sample(schools, min(5, len(schools)))]}
    subjects = list(Subject.objects.filter(code__in=["YW", "SX", "YY"]))
    rows = []
    for n, school in enumerate(schools):
        researcher = inspector if school.pk in mine else researchers[n % len(researchers)]
        rows.append(ResearchLiaison(researcher=researcher, school=school, starts_on=semester.starts_on))
        if school.pk in mine and subjects:
            other = researchers[(n + 1) % len(researchers)]
            rows.append(
                ResearchLiaison(
                    researcher=other, school=school, subject=subjects[n % len(subjects)], starts_on=semester.starts_on
                )
            )
    ResearchLiaison.objects.bulk_create(rows, ignore_conflicts=True)
    return [f"教研：{len(schools)} 所学校都有负责教研员（演示督学联系 {len(mine)} 所）。"]
