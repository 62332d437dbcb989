"""Writes of teaching research: atomic, validated, audited. A refused write raises `Refused` with
Chinese messages and leaves nothing half-saved."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from eduquality import audit
from eduquality.models import AuditEntry
from inspections.models import Observation
from inspections.services import attachment_problems
from research import rules, selectors
from research.models import Activity, ActivityAttachment, GrowthRecord, LessonLink, Participation, ReadingEntry
from schools.models import ResearchLiaison, School, Semester, Teacher, Zone
from schools.scoping import is_bureau, school_leader_ids_for


class Refused(Exception):
    def __init__(self, *messages: str):
        super().__init__("；".join(messages))
        self.messages = list(messages)


def _validation_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


# ---- Activities ------------------------------------------------------------------------------------------------

ACTIVITY_FIELDS = [
    "level",
    "activity_type",
    "subject",
    "school",
    "group",
    "zone",
    "starts_at",
    "ends_at",
    "hours",
    "place",
    "topic",
    "lead_teacher",
    "minutes",
]


def semester_of(day: date) -> Semester | None:
    return (
        Semester.objects.filter(starts_on__lte=day, ends_on__gte=day).first()
        or Semester.objects.filter(is_current=True, starts_on__isnull=True).first()
    )


def _scope_problems(*, by, values: dict) -> list[str]:
    """The level, group, school and zone the user may organise; the group sets school and subject."""
    level = values["level"]
    if level not in selectors.levels_for(by):
        return [f"您不能组织{Activity.Level(level).label}教研活动。"]
    if level == "group":
        group = values.get("group")
        if group is None:
            return ["教研组活动须选择教研组。"]
        if not selectors.organisable_groups(by).filter(pk=group.pk).exists():
            return ["您只能为自己负责的教研组记录活动。"]
        values["school"], values["subject"] = group.school, values.get("subject") or group.subject
    elif level in ("school", "inter_school"):
        school = values.get("school")
        if school is None:
            return ["校级和校际活动须选择组织学校。"]
        if not selectors.organisable_schools(by).filter(pk=school.pk).exists():
            return ["您只能为本校记录教研活动。"]
        values["group"] = None
    elif level == "zone":
        zone: Zone | None = values.get("zone")
        if zone is None:
            return ["片区教研须选择片区。"]
        if not (is_bureau(by) or selectors.is_inspector(by)):
            own_zones = set(School.objects.filter(pk__in=school_leader_ids_for(by)).values_list("zone_id", flat=True))
            if zone.pk not in own_zones:
                return ["您只能组织本校所在片区的教研活动。"]
        values["group"] = None
        values["school"] = (
            values.get("school") if values.get("school") and values["school"].zone_id == zone.pk else None
        )
    else:  # city
        values["group"] = values["school"] = values["zone"] = None
    if level != "zone":
        values["zone"] = None
    return []


@transaction.atomic
def save_activity(*, by, values: dict, participant_ids, activity: Activity | None = None) -> Activity:
    """Create or edit an activity with its participant list. Refused: a level or group outside the user's
    scope, an end before the start, hours that don't match the times, a participant outside the
    organiser's scope, a confirmed participant taken off the list."""
    values = dict(values)
    problems = _scope_problems(by=by, values=values)
    problems += rules.activity_time_problems(values.get("starts_at"), values.get("ends_at"), values.get("hours"))
    if problems:
        raise Refused(*problems)
    if values.get("hours") is None:
        values["hours"] = rules.default_hours(values["starts_at"], values["ends_at"])
    semester = semester_of(timezone.localtime(values["starts_at"]).date())
    if semester is None:
        raise Refused("活动日期不在任何学期内，请先设置学期。")
    creating = activity is None
    if creating:
        activity = Activity(organiser=by)
        before = {}
    else:
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if not selectors.can_edit_activity(by, activity):
            raise Refused("只有组织者和组织学校的负责人可以修改本活动。")
        before = audit.snapshot(activity, ACTIVITY_FIELDS)
    for name in ACTIVITY_FIELDS:
        value = values.get(name)
        setattr(activity, name, (value or "") if name in ("place", "topic", "minutes") else value)
    activity.semester = semester
    try:
        activity.full_clean()
    except ValidationError as error:
        raise Refused(*_validation_messages(error)) from error

    wanted = list(Teacher.objects.filter(pk__in=set(participant_ids)).select_related("school"))
    allowed = selectors.participant_school_ids(activity)
    outside = [t for t in wanted if allowed is not None and t.school_id not in allowed]
    if outside:
        names = "、".join(f"{t.name}（{t.school.name}）" for t in outside[:5])
        raise Refused(f"参加人员超出组织范围：{names}。")
    activity.save()
    current = {p.teacher_id: p for p in Participation.objects.filter(activity=activity)}
    wanted_ids = {t.pk for t in wanted}
    removed = [p for teacher_id, p in current.items() if teacher_id not in wanted_ids]
    if any(p.status == Participation.Status.CONFIRMED for p in removed):
        raise Refused("已确认参加的教师不能移出名单。")
    Participation.objects.filter(pk__in=[p.pk for p in removed]).delete()
    Participation.objects.bulk_create(
        Participation(activity=activity, teacher_id=teacher_id) for teacher_id in wanted_ids - set(current)
    )
    if creating:
        audit.record(
            actor=by, action=AuditEntry.Action.CREATE, instance=activity, note=f"参加人员 {len(wanted_ids)} 人"
        )
    else:
        changes = audit.changes_between(before, audit.snapshot(activity, ACTIVITY_FIELDS))
        audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=activity, changes=changes)
    return activity


def confirm_attendance(*, activity: Activity, by) -> Participation:
    """The teacher confirms their own attendance, once. Only after the activity has started."""
    participation = Participation.objects.filter(activity=activity, teacher__user=by).select_related("teacher").first()
    if participation is None:
        raise Refused("您不在本次活动的参加人员名单中，请联系组织者。")
    if activity.starts_at > timezone.now():
        raise Refused("活动尚未开始，开始后再确认参加。")
    with transaction.atomic():
        # A conditional UPDATE: a second tap (or a double submit) finds nothing to change.
        changed = Participation.objects.filter(pk=participation.pk, status=Participation.Status.INVITED).update(
            status=Participation.Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=by
        )
        if not changed:
            raise Refused("您已确认过参加本次活动，无需重复确认。")
        participation.refresh_from_db()
        audit.record(
            actor=by, action=AuditEntry.Action.STATE, instance=activity, note=f"{participation.teacher}确认参加"
        )
    return participation


@transaction.atomic
def record_attendance(*, activity: Activity, by, teacher_ids) -> int:
    """The organiser marks who attended (those on the list); already confirmed ones stay as they are."""
    if not selectors.can_edit_activity(by, activity):
        raise Refused("只有组织者和组织学校的负责人可以登记出勤。")
    listed = set(Participation.objects.filter(activity=activity).values_list("teacher_id", flat=True))
    unknown = set(map(int, teacher_ids)) - listed
    if unknown:
        raise Refused("只能为名单中的教师登记出勤，请先把教师加入参加人员。")
    changed = Participation.objects.filter(
        activity=activity, teacher_id__in=teacher_ids, status=Participation.Status.INVITED
    ).update(status=Participation.Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=by)
    audit.record(actor=by, action=AuditEntry.Action.STATE, instance=activity, note=f"登记出勤 {changed} 人")
    return changed


@transaction.atomic
def attach(*, activity: Activity, files, by) -> list[ActivityAttachment]:
    """Minutes' attachments, with the same checks as inspection attachments (type, magic, size, Office)."""
    if not selectors.can_edit_activity(by, activity):
        raise Refused("只有组织者和组织学校的负责人可以上传附件。")
    problems = [problem for upload in files for problem in attachment_problems(upload)]
    if problems:
        raise Refused(*problems)
    saved = []
    for upload in files:
        attachment = ActivityAttachment(
            activity=activity, name=Path(upload.name).name[:120], size=upload.size, uploaded_by=by
        )
        attachment.file.save(attachment.name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=activity, note=f"上传附件 {len(saved)} 个")
    return saved


@transaction.atomic
def link_lesson(
    *, activity: Activity, by, observation: Observation, paired_with: Observation | None = None
) -> LessonLink:
    """A lesson observed in the activity; 同课异构 pairs two observations of one topic by two teachers."""
    if not selectors.can_edit_activity(by, activity):
        raise Refused("只有组织者和组织学校的负责人可以关联课例。")
    if paired_with is not None:
        if paired_with.pk == observation.pk:
            raise Refused("同课异构须是两节不同的课。")
        if paired_with.topic.strip() != observation.topic.strip():
            raise Refused(f"同课异构须是同一课题：《{observation.topic}》与《{paired_with.topic}》不同。")
        if paired_with.teacher_id == observation.teacher_id:
            raise Refused("同课异构须由两位不同的教师执教。")
    if LessonLink.objects.filter(activity=activity, observation=observation).exists():
        raise Refused("该听课记录已关联到本活动。")
    link = LessonLink.objects.create(activity=activity, observation=observation, paired_with=paired_with)
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=activity, note=f"关联课例《{observation.topic}》")
    return link


# ---- Growth file -----------------------------------------------------------------------------------------------


def _own_teacher(by, teacher: Teacher) -> None:
    if teacher.user_id != by.pk:
        raise Refused("成长档案由教师本人填写。")


@transaction.atomic
def save_growth_record(
    *, teacher: Teacher, by, start_year: int, task: str, description: str, upload=None, activity=None, observation=None
) -> GrowthRecord:
    _own_teacher(by, teacher)
    if not description.strip():
        raise Refused("请填写说明（题目、刊物名称等）。")
    if upload is not None and (problems := attachment_problems(upload)):
        raise Refused(*problems)
    record, _ = GrowthRecord.objects.update_or_create(
        teacher=teacher,
        start_year=start_year,
        task=task,
        defaults={"description": description.strip(), "activity": activity, "observation": observation},
    )
    if upload is not None:
        record.file.save(Path(upload.name).name[:100], upload, save=True)
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=record, note=record.get_task_display())
    return record


@transaction.atomic
def add_reading(
    *,
    teacher: Teacher,
    by,
    start_year: int,
    book=None,
    title: str = "",
    finished_on: date,
    notes: str = "",
    today: date,
) -> ReadingEntry:
    _own_teacher(by, teacher)
    if book is None and not title.strip():
        raise Refused("请选择参考书目或填写书名。")
    if finished_on > today:
        raise Refused("读完日期不能晚于今天。")
    entry = ReadingEntry.objects.create(
        teacher=teacher, start_year=start_year, book=book, title=title.strip(), finished_on=finished_on, notes=notes
    )
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=entry)
    return entry


# ---- Liaison ----------------------------------------------------------------------------------------------------


@transaction.atomic
def assign_liaison(*, by, researcher, school, subject, starts_on: date, ends_on: date | None) -> ResearchLiaison:
    if not is_bureau(by):
        raise Refused("只有局机关可以分配联系学校。")
    if not selectors.is_inspector(researcher):
        raise Refused(f"{researcher.display_name}不是教研员/督学，不能联系学校。")
    liaison = ResearchLiaison(
        researcher=researcher, school=school, subject=subject, starts_on=starts_on, ends_on=ends_on
    )
    try:
        liaison.full_clean()
    except ValidationError as error:
        raise Refused(*_validation_messages(error)) from error
    liaison.save()
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=liaison)
    return liaison
