"""Demo reports for the demo city: every school's report in some stage, subject and principal reports
of the demo school, a city report, a deadline, reminders and one rendered PDF."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from reports import data, findings, services
from reports.models import Deadline, ImprovementMeasure, Kind, Report, Status
from reports.rules import MEETING_KINDS
from schools.demo import DEMO_SCHOOL
from schools.models import RoleAssignment, School, Semester, Subject, Teacher, TeachingGroup

TEXT = {
    "basic_situation": "本学期{scope}共组织质量监测{exams}次。全体教师认真落实教学常规，坚持集体备课与听评课制度，"
    "教学秩序稳定。",
    # Replaced by the findings of the report's own figures where it has any (never a claim the
    # figures contradict, such as 与全市基本持平 beside a 7-point gap).
    "score_analysis": "本学期{scope}尚无已统计的质量监测成绩，成绩分析待监测结果公布后补充。",
    "problems_causes": "一是分层教学落实不够，学困生辅导缺少跟踪；二是作业设计针对性不强；"
    "三是青年教师课堂驾驭能力有待提高。",
    "measures": "一、建立学困生帮扶台账，每周跟踪；二、开展作业设计专题教研；三、实施青蓝结对，"
    "骨干教师每月听青年教师课不少于2节。",
}
STATUS_MIX = [Status.ACCEPTED] * 4 + [Status.SUBMITTED] * 3 + [Status.RETURNED] + [Status.DRAFT] * 2 + [None] * 2


def _narrative(scope: str, exams: int) -> dict:
    return {name: text.format(scope=scope, exams=exams) for name, text in TEXT.items()}


def _meeting(kind, found) -> dict:
    """The 质量分析会 of a school or region, resolving on the weaknesses its figures show."""
    weak = list(dict.fromkeys(f.subject for f in found if f.tone == findings.WEAKNESS))[:2]
    focus = f"重点研究{'、'.join(weak)}的薄弱环节，" if weak else "巩固各学科优势，"
    held_on = timezone.localdate() - timedelta(days=5)  # before the report was submitted (3 days ago)
    return {
        "meeting_held_on": held_on,
        "meeting_attendees": "校长、业务校长、教导主任、各教研组长及任课教师"
        if kind == Kind.SCHOOL
        else "市教育局基础教育科、教研室全体教研员、各区县教研室主任",
        "meeting_conclusions": f"{focus}各学科组一周内制定改进措施，下次监测后对照检查落实情况。",
    }


DEMO_MEASURES = [
    (
        "YW",
        "语文组每周开展一次作文专项教研，建立低分学生帮扶台账",
        "语文教研组长",
        30,
        ImprovementMeasure.State.ONGOING,
    ),
    ("SX", "数学组落实分层作业，每两周一次错题讲评", "数学教研组长", 45, ImprovementMeasure.State.PLANNED),
    (None, "学校每月召开一次教学例会，通报各班质量变化", "教导主任", -5, ImprovementMeasure.State.PLANNED),
]


def _measures(report: Report) -> None:
    """The demo school's measures: one under way, one planned, one already past its deadline."""
    subjects = Subject.objects.in_bulk(["YW", "SX"], field_name="code")
    today = timezone.localdate()
    ImprovementMeasure.objects.bulk_create(
        ImprovementMeasure(
            report=report,
            subject=subjects.get(code) if code else None,
            text=text,
            owner=owner,
            due_on=today + timedelta(days=days),
            state=state,
        )
        for code, text, owner, days, state in DEMO_MEASURES
    )


def _report(kind, semester, status, *, author=None, reviewer=None, **scope) -> Report:
    report = services.create_report(kind=kind, semester=semester, by=author, **scope)
    exams = semester.exams.filter(schools=scope["school"]) if scope.get("school") else semester.exams.all()
    narrative = _narrative(report.scope_label, exams.count())
    if found := data.report_findings(data.build_context(report)):
        narrative["score_analysis"] = f"以{found[0]['exam'].name}为例：" + findings.as_paragraph(found[0]["findings"])
    if kind in MEETING_KINDS and status != Status.DRAFT:  # submitted reports carry their meeting
        narrative |= _meeting(kind, found[0]["findings"] if found else [])
    Report.objects.filter(pk=report.pk).update(
        **narrative,
        status=status,
        submitted_at=timezone.now() - timedelta(days=3) if status != Status.DRAFT else None,
        reviewed_by=reviewer if status in {Status.ACCEPTED, Status.RETURNED} else None,
        reviewed_at=timezone.now() - timedelta(days=1) if status in {Status.ACCEPTED, Status.RETURNED} else None,
        review_comment="请补充各班对比分析及具体改进时间表。" if status == Status.RETURNED else "",
    )
    report.refresh_from_db()
    return report


def _writer_of(school: School, role: str, *, subject=None, teacher: Teacher | None = None):
    """The school's login in `role` (academic lead, or the group leader of `subject`) that writes its
    report; a school without a demo login gets one that cannot sign in, named after one of its
    teachers, so every report shows who wrote it (撰写人)."""
    grant = RoleAssignment.objects.filter(role=role, school=school, subject=subject).select_related("user").first()
    if grant:
        return grant.user
    teacher = teacher or Teacher.objects.filter(school=school).order_by("staff_number").first()
    suffix = f"-{subject.code}" if subject else ""
    user, created = get_user_model().objects.get_or_create(
        username=f"{role}-{school.code}{suffix}", defaults={"full_name": teacher.name if teacher else ""}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=role, school=school, subject=subject)
    return user


def build_demo() -> list[str]:
    semester = Semester.objects.filter(is_current=True).first()
    if semester is None:
        return []
    users = get_user_model().objects.in_bulk(
        ["bureau", "inspector", "principal", "academic", "leader"], field_name="username"
    )
    rng = random.Random(2026)
    with transaction.atomic():
        demo_school = School.objects.get(name=DEMO_SCHOOL)
        counts = {"school": 0}
        for school in School.objects.filter(is_active=True).order_by("code"):
            status = Status.SUBMITTED if school == demo_school else rng.choice(STATUS_MIX)
            if status is None:
                continue
            author = users.get("academic") if school == demo_school else _writer_of(school, "academic_lead")
            _report(Kind.SCHOOL, semester, status, author=author, reviewer=None, school=school)
            counts["school"] += 1
        for index, group in enumerate(
            TeachingGroup.objects.filter(school=demo_school)
            .select_related("subject", "leader")
            .order_by("subject__order")
        ):
            status = [Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED, Status.DRAFT][index % 4]
            author = _writer_of(demo_school, "group_leader", subject=group.subject, teacher=group.leader)
            _report(
                Kind.SUBJECT,
                semester,
                status,
                author=author,
                reviewer=users.get("academic"),
                school=demo_school,
                subject=group.subject,
            )
        _report(Kind.PRINCIPAL_SEMESTER, semester, Status.DRAFT, author=users.get("principal"), school=demo_school)
        _report(
            Kind.PRINCIPAL_ACCOUNT,
            semester,
            Status.RETURNED,
            author=users.get("principal"),
            reviewer=users.get("bureau"),
            school=demo_school,
        )
        _report(Kind.DISTRICT, semester, Status.SUBMITTED, author=users.get("inspector"), district=None)
        due = (semester.ends_on or timezone.localdate()) - timedelta(days=10)
        Deadline.objects.update_or_create(
            kind=Kind.SCHOOL,
            semester=semester,
            start_year=semester.start_year,
            defaults={"due_on": due, "set_by": users.get("bureau")},
        )
        from reports.tracking import unfiled_schools

        late = unfiled_schools(kind=Kind.SCHOOL, semester=semester)[:8]
        services.remind(kind=Kind.SCHOOL, semester=semester, schools=late, by=users.get("bureau"))
    demo_report = Report.objects.get(kind=Kind.SCHOOL, school=demo_school, semester=semester)
    _measures(demo_report)
    stored, _ = services.render_report_pdf(demo_report, by=users.get("academic"))
    return [
        f"质量分析报告：全校报告 {counts['school']} 份、{DEMO_SCHOOL}学科报告与校长报告、全市区域报告；"
        f"已催报 {len(late)} 所学校；示例 PDF {stored.pages} 页。"
    ]
