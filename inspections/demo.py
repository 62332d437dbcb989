"""Demo records of inspections, added to the demo city by `seed_demo` (see eduquality/extensions.py).

Last school year: a random campaign drawn and fully scored, star ratings, a notice and its
rectification orders in every state, a sanction. This semester: a special campaign whose visits are
partly submitted (the demo inspector still has one to fill and one draft), a campaign waiting for its
draw, a rectification order for the demo principal to answer, lesson observations with the diagnosis
loop, a follow-up, reflections and quota progress.
"""

import contextlib
import random
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inspections import services
from inspections.defaults import load_defaults
from inspections.models import Campaign, Criterion, Observation, RectificationOrder, Rubric, Visit
from schools.models import RoleAssignment, School, SchoolClass, Semester, Teacher

SEED = 20261128
INSPECTOR_NAMES = ["钱志远", "周文博", "吴静怡", "郑国强", "冯晓梅", "陈建华", "褚丽娟", "卫明轩"]
FINDINGS = {
    "strengths": "学校重视教学常规管理，集体备课制度健全，课堂教学秩序良好。",
    "problems": "部分教师教案缺少课后反思；跨学科主题学习课时不足10%；学业述评未覆盖全体学生。",
    "suggestions": (
        "完善个人备课中的课后反思环节\n制定跨学科主题学习课时计划并留存记录\n落实学业述评，每学期覆盖每一名学生"
    ),
}
LISTENED = "随堂听课3节（语文、数学、英语各1节），课后与授课教师交流反馈。"
SEEN = "查看校园环境、课表与作息时间公示、教研组活动现场。"
CHECKED = "查阅教案、作业批改记录、教研活动记录、家长学校记录、校长听课笔记。"
TOPICS = {
    "YW": ["草船借箭", "桂林山水", "落花生", "将相和", "少年中国说"],
    "SX": ["分数的意义", "圆的面积", "简易方程", "长方体的体积", "百分数的应用"],
    "YY": ["My school", "Seasons", "At the farm", "Shopping", "My family"],
}


def _user(username: str, full_name: str):
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role="inspector", school=None)
    return user


def _picture(name: str, label: str, kind: str = "PNG"):
    """A small generated picture (or a one-page PDF of it) to stand in for a photo taken on site."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (226, 236, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 600, 360], outline=(30, 80, 140), width=4)
    draw.text((60, 60), label, fill=(30, 80, 140))
    buffer = BytesIO()
    image.save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue())


def _principal_of(school: School):
    """The school's principal login; schools without a demo login get one that cannot sign in."""
    assignment = RoleAssignment.objects.filter(role="principal", school=school).select_related("user").first()
    if assignment:
        return assignment.user
    user, created = get_user_model().objects.get_or_create(
        username=f"principal-{school.code}", defaults={"full_name": f"{school.name}校长"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role="principal", school=school)
    return user


def _scores(rng: random.Random, visit: Visit, quality: float) -> dict:
    scores = {}
    for criterion in Criterion.objects.filter(area__rubric=visit.rubric):
        fraction = min(1.0, max(0.3, quality + rng.uniform(-0.12, 0.08)))
        points = (criterion.max_points * Decimal(str(fraction)) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2
        scores[criterion.pk] = str(points)
    return scores


def _submit(rng, visit: Visit, quality: float, visited_on: date) -> Visit:
    inspector = visit.inspectors.order_by("pk").first()
    visit, _ = services.save_visit(
        visit=visit,
        by=inspector,
        scores=_scores(rng, visit, quality),
        evidence={},
        fields={
            "visited_on": visited_on,
            "lessons_listened": LISTENED,
            "things_seen": SEEN,
            "documents_checked": CHECKED,
            **FINDINGS,
        },
        submit=True,
    )
    return visit


def _campaign(*, title, kind, semester, rubric, by, schools=(), pool=(), count, per_school=2, description=""):
    campaign = Campaign.objects.create(
        title=title,
        kind=kind,
        semester=semester,
        rubric=rubric,
        description=description,
        schools_to_draw=count,
        inspectors_per_school=per_school,
        visit_from=semester.starts_on,
        visit_until=semester.ends_on,
        created_by=by,
    )
    campaign.eligible_schools.set(schools)
    campaign.inspector_pool.set(pool)
    return campaign


def _observations(rng, *, observer, level, teachers, semester, form, count, today) -> list[Observation]:
    made = []
    criteria = list(Criterion.objects.filter(area__rubric=form))
    for index in range(count):
        teacher = teachers[index % len(teachers)]
        subject = teacher.subjects.first()
        if subject is None:
            continue
        school_class = SchoolClass.objects.filter(school=teacher.school).order_by("?").first()
        quality = rng.uniform(0.7, 0.95)
        observation, _ = services.create_observation(
            by=observer,
            level=level,
            values={
                "teacher": teacher,
                "subject": subject,
                "school_class": school_class,
                "observed_on": min(today, semester.starts_on + timedelta(days=rng.randint(7, 85))),
                "lesson_type": rng.choice(["routine", "routine", "seminar", "report", "open", "same_topic"]),
                "announced": rng.random() < 0.4,
                "topic": rng.choice(TOPICS.get(subject.code, ["新授课"])),
                "form": form,
                "semester": semester,
                "strengths": "教学目标明确，课堂气氛活跃。",
                "problems": "小组合作流于形式，部分学生参与不足。",
                "causes": "合作任务设计不够具体，缺少分工与评价。",
                "strategy": "设计有明确分工的合作任务，增加组间互评。",
            },
            scores={
                c.pk: str((c.max_points * Decimal(str(quality)) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2)
                for c in criteria
            },
        )
        made.append(observation)
    return made


@transaction.atomic
def build_demo() -> list[str]:
    from schools.demo import DEMO_SCHOOL, SECOND_SCHOOL

    load_defaults(apps)
    rng = random.Random(SEED)
    User = get_user_model()
    bureau = User.objects.get(username="bureau")
    inspector = User.objects.get(username="inspector")
    principal = User.objects.get(username="principal")
    academic = User.objects.get(username="academic")
    leader = User.objects.get(username="leader")
    teacher_user = User.objects.get(username="teacher")
    others = [_user(f"inspector{n + 1:02d}", name) for n, name in enumerate(INSPECTOR_NAMES)]
    rubric = Rubric.objects.get(kind="routine", is_current=True)
    form = Rubric.objects.get(kind="observation", is_current=True)
    current = Semester.objects.get(is_current=True)
    last = Semester.objects.get(start_year=current.start_year - 1, term=2)
    today = timezone.localdate()
    demo_school = School.objects.get(name=DEMO_SCHOOL)
    second_school = School.objects.get(name=SECOND_SCHOOL)

    # Last school year: random campaign, everything submitted, notice and orders.
    previous = _campaign(
        title=f"{last}教学常规随机督导",
        kind=Campaign.Kind.RANDOM,
        semester=last,
        rubric=rubric,
        by=bureau,
        pool=[inspector, *others],
        count=min(12, School.objects.filter(is_active=True).count()),
        description="按照“双随机、一公开”要求，随机抽取学校和督学，对教学常规落实情况进行督导评估。",
    )
    services.run_draw(campaign=previous, by=bureau, seed="20260410-demo")
    for visit in previous.visits.order_by("school__code"):
        _submit(rng, visit, rng.uniform(0.55, 0.99), last.starts_on + timedelta(days=rng.randint(20, 90)))
    notice = None
    # Issued "today=last.ends_on": the notice and its orders are dated the end of last school year, not
    # the day the demo is built, so moving deadlines into the past below (to show overdue orders) never
    # makes an order due before it was issued (a check constraint refuses that).
    with contextlib.suppress(services.Refused):  # no school below target: nothing to notify
        notice = services.issue_notice(
            start_year=last.start_year, deadline=last.ends_on + timedelta(days=60), by=bureau, today=last.ends_on
        )
    orders = list(RectificationOrder.objects.filter(notice=notice).order_by("pk")) if notice else []
    for index, order in enumerate(orders):
        if index % 3 == 0:
            RectificationOrder.objects.filter(pk=order.pk).update(deadline=today + timedelta(days=20))
            continue
        if index % 3 == 1:
            responder = _principal_of(order.school)
            services.answer_order(
                order=order,
                by=responder,
                response="已组织全体教师对照整改事项逐项整改，相关制度已修订。",
                files=[_picture("rectification.pdf", "rectification report", "PDF")],
            )
            if index % 2:
                services.verify_order(
                    order=order, by=bureau, accept=True, note="经复查，整改到位，予以销号。", today=today
                )
        else:
            RectificationOrder.objects.filter(pk=order.pk).update(deadline=today - timedelta(days=10))
    services.mark_overdue(today=today)
    overdue = (
        RectificationOrder.objects.filter(status=RectificationOrder.Status.OVERDUE).select_related("school").first()
    )
    if overdue:
        services.record_sanction(
            school=overdue.school,
            kind="criticism",
            reason="未按期完成教学常规整改，予以通报批评。",
            decided_on=today - timedelta(days=3),
            by=bureau,
            order=overdue,
        )

    # This semester: a special campaign over six schools including the two demo schools.
    others_in_campaign = School.objects.filter(is_active=True).exclude(pk__in=[demo_school.pk, second_school.pk])
    chosen = [demo_school, second_school, *others_in_campaign.order_by("code")[:4]]
    special = _campaign(
        title=f"{current}教学常规专项督导",
        kind=Campaign.Kind.SPECIAL,
        semester=current,
        rubric=rubric,
        by=bureau,
        schools=chosen,
        pool=[inspector, *others[:3]],
        count=len(chosen),
        description="专项督导“五项管理”与教学常规落实情况，重点查阅集体备课、作业批改和学业述评。",
    )
    services.run_draw(campaign=special, by=bureau, seed="20261008-demo")
    kept_open = 0
    for visit in special.visits.order_by("school__code"):
        mine = visit.inspectors.filter(pk=inspector.pk).exists()
        if mine and visit.school_id not in (demo_school.pk, second_school.pk) and kept_open < 2:
            if kept_open == 1:  # a draft half filled
                scores = dict(list(_scores(rng, visit, 0.85).items())[:6])
                services.save_visit(
                    visit=visit,
                    by=inspector,
                    scores=scores,
                    evidence={},
                    fields={"lessons_listened": LISTENED},
                    submit=False,
                )
                services.attach_to_visit(
                    visit=visit, files=[_picture("classroom.png", "classroom photo")], by=inspector
                )
            kept_open += 1
            continue
        quality = 0.62 if visit.school_id == demo_school.pk else rng.uniform(0.7, 0.98)
        _submit(rng, visit, quality, min(today, current.starts_on + timedelta(days=rng.randint(30, 80))))
    demo_visit = special.visits.get(school=demo_school)
    services.create_order(
        school=demo_school,
        visit=demo_visit,
        items=FINDINGS["suggestions"],
        deadline=today + timedelta(days=30),
        by=bureau,
        today=today,
    )
    _campaign(
        title=f"{current}教学常规随机督导（第二批）",
        kind=Campaign.Kind.RANDOM,
        semester=current,
        rubric=rubric,
        by=bureau,
        count=10,
        per_school=2,
        description="待抽取：局机关点击“双随机抽取”后结果自动公开。",
    )

    # Lesson observations at the three levels.
    demo_teachers = list(Teacher.objects.filter(school=demo_school, is_active=True).order_by("staff_number")[:12])
    teacher_record = Teacher.objects.get(user=teacher_user)
    ordered = [teacher_record] + [t for t in demo_teachers if t.pk != teacher_record.pk]
    made = _observations(
        rng, observer=principal, level="school", teachers=ordered, semester=current, form=form, count=8, today=today
    )
    made += _observations(
        rng, observer=academic, level="school", teachers=ordered[1:], semester=current, form=form, count=6, today=today
    )
    chinese = [t for t in ordered if t.subjects.filter(code="YW").exists()]
    made += _observations(
        rng,
        observer=leader,
        level="school",
        teachers=chinese or ordered,
        semester=current,
        form=form,
        count=4,
        today=today,
    )
    made += _observations(
        rng, observer=inspector, level="research", teachers=ordered, semester=current, form=form, count=3, today=today
    )
    made += _observations(
        rng,
        observer=bureau,
        level="supervision",
        teachers=ordered[:2],
        semester=current,
        form=form,
        count=2,
        today=today,
    )
    own = sorted((o for o in made if o.teacher_id == teacher_record.pk), key=lambda o: (o.observed_on, o.pk))
    first = own[0]
    later = next((o for o in own[1:] if o.observed_on > first.observed_on), None)
    if later is not None:
        Observation.objects.filter(pk=later.pk).update(follow_up_of=first)
    services.reflect(
        observation=first,
        by=teacher_user,
        text="本节课小组合作的任务不够明确，部分学生游离于讨论之外。下节课将为每组设计分工卡，并在展示环节加入组间互评。",
    )
    for observation in made[:10]:
        if (
            observation.teacher.user_id
            and observation.teacher.user_id != teacher_user.pk
            and not observation.reflection
        ):
            services.reflect(observation=observation, by=observation.teacher.user, text="已根据评课意见调整教学设计。")

    # The demo school asks more of its academic lead than the city does (a school's own, higher quota).
    services.set_quota(by=principal, role="academic_lead", lessons=36, school=demo_school)

    return [
        f"督导与听评课：督导任务 {Campaign.objects.count()} 个，督导 {Visit.objects.count()} 次"
        f"（已提交 {Visit.objects.filter(status='submitted').count()} 次），"
        f"整改通知 {RectificationOrder.objects.count()} 份，听课记录 {Observation.objects.count()} 条。"
    ]
