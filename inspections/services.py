"""Writes of inspections: atomic, validated, audited. A refused write raises `Refused` with Chinese
messages and leaves nothing half-saved."""

import secrets
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from eduquality import audit, excel
from eduquality.models import AuditEntry
from inspections import rules
from inspections.models import (
    Attachment,
    Campaign,
    ClientSubmission,
    Criterion,
    Draw,
    Notice,
    Observation,
    ObservationQuota,
    ObservationScore,
    RectificationOrder,
    Rubric,
    RubricArea,
    Sanction,
    StarRating,
    Visit,
    VisitPhoto,
    VisitScore,
)
from schools.models import RoleAssignment, School, Teacher


class Refused(Exception):
    def __init__(self, *messages: str):
        super().__init__("；".join(messages))
        self.messages = list(messages)


STATE = AuditEntry.Action.STATE

# ---- Rubrics ------------------------------------------------------------------------------------------


def criteria_specs(rubric: Rubric) -> list[rules.CriterionSpec]:
    criteria = Criterion.objects.filter(area__rubric=rubric).order_by("area__order", "order", "pk")
    return [rules.CriterionSpec(c.id, c.code, c.title, c.max_points) for c in criteria]


@transaction.atomic
def copy_rubric_as_new_version(*, rubric: Rubric, by) -> Rubric:
    """A new, unpublished version to edit; the old one and everything scored on it stay as they are."""
    latest = Rubric.objects.filter(kind=rubric.kind, name=rubric.name).order_by("-version").first()
    copy = Rubric.objects.create(
        kind=rubric.kind,
        name=rubric.name,
        version=latest.version + 1,
        star_thresholds=rubric.star_thresholds,
        target_star_level=rubric.target_star_level,
        notes=rubric.notes,
    )
    for area in rubric.areas.prefetch_related("criteria"):
        new_area = RubricArea.objects.create(rubric=copy, name=area.name, order=area.order)
        Criterion.objects.bulk_create(
            Criterion(
                area=new_area,
                code=c.code,
                title=c.title,
                descriptor=c.descriptor,
                requirement=c.requirement,
                max_points=c.max_points,
                order=c.order,
                evidence_rule=c.evidence_rule,
            )
            for c in area.criteria.all()
        )
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=copy, note=f"由第{rubric.version}版复制")
    return copy


@transaction.atomic
def publish_rubric(*, rubric: Rubric, by) -> Rubric:
    """Freeze the version and make it the one new campaigns and observations use."""
    if rubric.is_published and rubric.is_current:
        return rubric
    if not Criterion.objects.filter(area__rubric=rubric).exists():
        raise Refused("评估细则没有任何指标，不能发布。")
    Rubric.objects.filter(kind=rubric.kind, is_current=True).update(is_current=False)
    Rubric.objects.filter(pk=rubric.pk).update(is_published=True, is_current=True)
    rubric.refresh_from_db()
    audit.record(actor=by, action=STATE, instance=rubric, note="发布并设为当前版本")
    return rubric


# ---- The draw -----------------------------------------------------------------------------------------


def inspector_slots(campaign: Campaign) -> list[rules.InspectorSlot]:
    """The pool with the schools and districts each inspector must not visit (two queries)."""
    pool = list(campaign.inspector_pool.values_list("pk", flat=True))
    if not pool:
        pool = list(RoleAssignment.objects.filter(role="inspector").values_list("user_id", flat=True).distinct())
    own: dict[int, set[int]] = {user_id: set() for user_id in pool}
    for user_id, school_id in RoleAssignment.objects.filter(user_id__in=pool, school__isnull=False).values_list(
        "user_id", "school_id"
    ):
        own[user_id].add(school_id)
    for user_id, school_id in Teacher.objects.filter(user_id__in=pool).values_list("user_id", "school_id"):
        own[user_id].add(school_id)
    districts = dict(
        School.objects.filter(pk__in={s for ids in own.values() for s in ids}).values_list("pk", "district_id")
    )
    return [
        rules.InspectorSlot(user_id, frozenset(ids), frozenset(districts[s] for s in ids))
        for user_id, ids in own.items()
    ]


def eligible_school_slots(campaign: Campaign) -> list[rules.SchoolSlot]:
    schools = campaign.eligible_schools.all()
    if not schools.exists():
        schools = School.objects.filter(is_active=True)
    return [rules.SchoolSlot(pk, district) for pk, district in schools.values_list("pk", "district_id")]


def run_draw(*, campaign: Campaign, by, seed: str | None = None) -> Draw:
    """The one draw of a campaign; a second is refused. Visits are created for the drawn schools."""
    seed = seed or secrets.token_hex(8)
    try:
        with transaction.atomic():
            Campaign.objects.select_for_update().get(pk=campaign.pk)
            if Draw.objects.filter(campaign=campaign).exists():
                raise Refused("本督导任务已完成抽取，抽取结果已公开，不能重新抽取。")
            schools = eligible_school_slots(campaign)
            inspectors = inspector_slots(campaign)
            try:
                result = rules.draw(
                    seed=seed,
                    schools=schools,
                    inspectors=inspectors,
                    school_count=campaign.schools_to_draw,
                    per_school=campaign.inspectors_per_school,
                    avoid_same_district=campaign.exclude_same_district,
                )
            except rules.DrawError as error:
                raise Refused(str(error)) from error
            draw = Draw.objects.create(
                campaign=campaign,
                seed=seed,
                run_by=by,
                eligible_count=len(schools),
                pool_count=len(inspectors),
                result=[[school_id, ids] for school_id, ids in result],
            )
            visits = Visit.objects.bulk_create(
                Visit(
                    campaign=campaign,
                    school_id=school_id,
                    semester_id=campaign.semester_id,
                    rubric_id=campaign.rubric_id,
                )
                for school_id, _ in result
            )
            Through = Visit.inspectors.through
            Through.objects.bulk_create(
                Through(visit_id=visit.pk, user_id=user_id)
                for visit, (_, ids) in zip(visits, result, strict=True)
                for user_id in ids
            )
            audit.record(
                actor=by,
                action=STATE,
                instance=campaign,
                changes={"抽取": [None, f"{len(result)}所学校"]},
                note=f"双随机抽取，随机种子 {seed}",
            )
            return draw
    except IntegrityError as error:  # a concurrent second draw lost the race on the one-to-one key
        raise Refused("本督导任务已完成抽取，不能重新抽取。") from error


# ---- Visits ---------------------------------------------------------------------------------------------


def _receipt(*, client_uuid, user, kind: str) -> ClientSubmission | None:
    if not client_uuid:
        return None
    try:
        key = uuid.UUID(str(client_uuid))
    except ValueError as error:
        raise Refused("提交编号无效，请刷新页面后重试。") from error
    return ClientSubmission.objects.filter(pk=key).first() or ClientSubmission(id=key, user=user, kind=kind)


VISIT_TEXT_FIELDS = ("lessons_listened", "things_seen", "documents_checked", "strengths", "problems", "suggestions")


def save_visit(
    *, visit: Visit, by, scores: dict, evidence: dict, fields: dict, submit: bool, client_uuid=None
) -> tuple[Visit, bool]:
    """Save a visit's draft, or submit it (all criteria scored, then locked). `scores` and `evidence`
    map criterion id → the typed value. Returns (visit, replayed): a replay of a UUID already received
    changes nothing."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        receipt = _receipt(client_uuid=client_uuid, user=by, kind="visit")
        if receipt is not None and receipt.received_at:
            if receipt.object_id != visit.pk:
                raise Refused("提交编号已被使用。")
            return visit, True
        if visit.is_locked:
            raise Refused("督导已提交并锁定，不能再修改。")
        if not visit.inspectors.filter(pk=by.pk).exists():
            raise Refused("只有被指派的督学才能填写本次督导。")
        specs = criteria_specs(visit.rubric)
        known = {spec.id for spec in specs}
        parsed, problems = {}, []
        for key, raw in scores.items():
            if int(key) not in known:
                raise Refused("评分指标不属于本次督导所用的评估细则。")
            try:
                parsed[int(key)] = rules.parse_points(raw)
            except ValueError as error:
                problems.append(str(error))
        existing = dict(VisitScore.objects.filter(visit=visit).values_list("criterion_id", "points"))
        merged = {**existing, **parsed}
        problems += rules.score_problems(specs, merged, require_complete=submit)
        if submit and not (fields.get("visited_on") or visit.visited_on):
            problems.append("请填写督导日期。")
        if problems:
            raise Refused(*problems)
        for criterion_id in known & (set(parsed) | {int(k) for k in evidence}):
            VisitScore.objects.update_or_create(
                visit=visit,
                criterion_id=criterion_id,
                defaults={
                    "points": merged.get(criterion_id),
                    **({"evidence": evidence[str(criterion_id)]} if str(criterion_id) in evidence else {}),
                },
            )
        changed = ["status", "updated_at"]
        for name in VISIT_TEXT_FIELDS:
            if name in fields:
                setattr(visit, name, fields[name])
                changed.append(name)
        if fields.get("visited_on"):
            visit.visited_on = fields["visited_on"]
            changed.append("visited_on")
        visit.status = Visit.Status.DRAFT
        if submit:
            visit.total = rules.total_of(merged.values())
            visit.star_level = rules.star_level(visit.total, rules.parse_thresholds(visit.rubric.star_thresholds))
            visit.status = Visit.Status.SUBMITTED
            visit.submitted_by = by
            visit.submitted_at = timezone.now()
            changed += ["total", "star_level", "submitted_by", "submitted_at"]
        visit.full_clean(exclude=["inspectors"])
        visit.save(update_fields=changed)
        if receipt is not None:
            receipt.object_id = visit.pk
            receipt.save(force_insert=True)
        if submit:
            audit.record(
                actor=by,
                action=STATE,
                instance=visit,
                changes={"状态": ["填写中", "已提交"], "总分": [None, str(visit.total)]},
            )
            recompute_rating(school_id=visit.school_id, start_year=visit.semester.start_year)
    return visit, False


def recompute_rating(*, school_id: int, start_year: int) -> StarRating | None:
    """The star level of a school for a year: mean of its submitted visits, by the thresholds of the
    current routine rubric (each visit's own total was scored on its own rubric version)."""
    visits = Visit.objects.filter(
        school_id=school_id, semester__start_year=start_year, status=Visit.Status.SUBMITTED
    ).select_related("rubric")
    totals = [visit.total for visit in visits]
    mean = rules.yearly_mean(totals)
    if mean is None:
        StarRating.objects.filter(school_id=school_id, start_year=start_year).delete()
        return None
    rubric = max((visit.rubric for visit in visits), key=lambda r: (r.version, r.pk))
    level = rules.star_level(mean, rules.parse_thresholds(rubric.star_thresholds))
    rating, _ = StarRating.objects.update_or_create(
        school_id=school_id,
        start_year=start_year,
        defaults={
            "visit_count": len(totals),
            "mean_total": mean,
            "star_level": level,
            "target_level": rubric.target_star_level,
        },
    )
    return rating


# ---- Attachments ---------------------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def attachment_problems(upload) -> list[str]:
    """Type by extension and by the file's first bytes; size under the limit."""
    name = upload.name or ""
    if problem := _typed_upload_problem(
        upload,
        ATTACHMENT_TYPES,
        noun="附件",
        accepted="照片（JPG、PNG）、PDF 和 Office 文件（Word、Excel、PowerPoint）",
        mismatch=f"附件“{name}”的内容与扩展名不符，请上传真实的{Path(name).suffix[1:].upper()}文件。",
    ):
        return [problem]
    head = upload.read(8)
    upload.seek(0)
    # Office Open XML: the same macro, zip-bomb and entity checks as workbook uploads.
    if head.startswith(b"PK\x03\x04") and (problem := excel.office_upload_problem(upload, what=f"附件“{name}”")):
        return [problem]
    return []


def _save_attachments(*, files, by, visit=None, order=None) -> list[Attachment]:
    problems = [problem for upload in files for problem in attachment_problems(upload)]
    if problems:
        raise Refused(*problems)
    saved = []
    for upload in files:
        attachment = Attachment(
            visit=visit, order=order, name=Path(upload.name).name[:120], size=upload.size, uploaded_by=by
        )
        attachment.file.save(attachment.name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def attach_to_visit(*, visit: Visit, files, by) -> list[Attachment]:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_locked:
        raise Refused("督导已提交并锁定，不能再添加附件。")
    if not visit.inspectors.filter(pk=by.pk).exists():
        raise Refused("只有被指派的督学才能添加附件。")
    saved = _save_attachments(files=files, by=by, visit=visit)
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=visit, note=f"上传附件 {len(saved)} 个")
    return saved


PHOTO_TYPES = {key: ATTACHMENT_TYPES[key] for key in (".jpg", ".jpeg", ".png")} | {".webp": (b"RIFF",)}


def photo_problems(upload) -> list[str]:
    """A visit photo: JPG, PNG or WebP by extension and first bytes, under the attachment size limit."""
    problem = _typed_upload_problem(
        upload,
        PHOTO_TYPES,
        noun="照片",
        accepted=" JPG、PNG、WebP",
        mismatch=f"照片“{upload.name or ''}”的内容不是图片。",
    )
    return [problem] if problem else []


def _typed_upload_problem(upload, types: dict, *, noun: str, accepted: str, mismatch: str) -> str:
    """What is wrong with an upload's type (its extension, then its first bytes) or size; "" if nothing."""
    name = upload.name or ""
    suffix = Path(name).suffix.lower()
    if suffix not in types:
        return f"{noun}“{name}”类型不支持：只接受{accepted}。"
    if upload.size > ATTACHMENT_MAX_BYTES:
        return f"{noun}“{name}”大小 {upload.size / 1048576:.1f} MB，超过 {ATTACHMENT_MAX_BYTES // 1048576} MB 的上限。"
    head = upload.read(12)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in types[suffix]):
        return mismatch
    return ""


@transaction.atomic
def add_visit_photo(
    *, visit: Visit, upload, by, client_uuid: uuid.UUID, criterion_id: int | None = None, taken_at=None
) -> tuple[VisitPhoto, bool]:
    """Keep a photo taken during the visit as its evidence. Returns (photo, replayed): the same
    client UUID sent again (an offline queue replaying after a lost answer) returns the first photo."""
    existing = VisitPhoto.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.visit_id != visit.pk or existing.uploaded_by_id != by.pk:
            raise Refused("照片编号冲突，请重新拍摄。")
        return existing, True
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_locked:
        raise Refused("督导已提交并锁定，不能再添加照片。")
    if not visit.inspectors.filter(pk=by.pk).exists():
        raise Refused("只有被指派的督学才能添加照片。")
    if problems := photo_problems(upload):
        raise Refused(*problems)
    if criterion_id is not None and not visit.rubric.areas.filter(criteria__pk=criterion_id).exists():
        criterion_id = None
    photo = VisitPhoto(
        visit=visit,
        criterion_id=criterion_id,
        name=Path(upload.name).name[:120],
        size=upload.size,
        client_uuid=client_uuid,
        taken_at=taken_at,
        uploaded_by=by,
    )
    photo.file.save(photo.name, upload, save=False)
    photo.save()
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=visit, note=f"上传现场照片 {photo.name}")
    return photo, False


# ---- Notices, rectification orders, sanctions -------------------------------------------------------------


def _items_for(school_id: int, start_year: int) -> str:
    """Rectification items: the criteria scored below 60% of their maximum in the year's visits, then
    the inspectors' written suggestions."""
    lines = []
    low = (
        VisitScore.objects.filter(
            visit__school_id=school_id, visit__semester__start_year=start_year, visit__status=Visit.Status.SUBMITTED
        )
        .select_related("criterion")
        .order_by("criterion__code")
    )
    for score in low:
        if score.points is not None and score.points < score.criterion.max_points * Decimal("0.6"):
            line = f"{score.criterion.code} {score.criterion.title}：{score.criterion.descriptor}"
            if line not in lines:
                lines.append(line)
    for suggestion in Visit.objects.filter(
        school_id=school_id, semester__start_year=start_year, status=Visit.Status.SUBMITTED
    ).values_list("suggestions", flat=True):
        lines += [text.strip() for text in suggestion.splitlines() if text.strip()]
    return "\n".join(lines) or "对照评估细则全面自查，逐项落实教学常规。"


@transaction.atomic
def issued_moment(today: date):
    """When something issued "on `today`" was issued: now when `today` is today, else 9:00 that day
    (a notice recorded after the fact, or the demo's last school year), so an order's issue day is
    always the day the caller meant and never lies after its own deadline."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time(9, 0)))


def issue_notice(*, start_year: int, deadline: date, by, today: date) -> Notice:
    """通报 the schools below their target level for the year and give each a rectification order."""
    if deadline <= today:
        raise Refused("整改期限须晚于今天。")
    below = [
        rating
        for rating in StarRating.objects.filter(start_year=start_year).select_related("school")
        if rating.below_target
    ]
    if problem := rules.notice_problem(
        year_label=rules.school_year_label(start_year),
        below_target=len(below),
        already_notified=Notice.objects.filter(start_year=start_year).exists(),
    ):
        raise Refused(problem)
    names = "、".join(rating.school.name for rating in below)
    notice = Notice.objects.create(
        title=f"关于{rules.school_year_label(start_year)}教学常规星级评估未达标学校的通报",
        start_year=start_year,
        body=f"经专项督导和随机督导，以下学校教学常规评估未达到{below[0].target_level}星级标准：{names}。"
        f"请上述学校于{deadline.year}年{deadline.month}月{deadline.day}日前完成整改并报送整改情况。",
        issued_by=by,
        issued_at=issued_moment(today),
    )
    notice.schools.set([rating.school_id for rating in below])
    for rating in below:
        order = RectificationOrder.objects.create(
            school_id=rating.school_id,
            notice=notice,
            items=_items_for(rating.school_id, start_year),
            deadline=deadline,
            issued_by=by,
            issued_at=notice.issued_at,
        )
        audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=order, note=notice.title)
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=notice, note=f"通报 {len(below)} 所学校")
    return notice


@transaction.atomic
def create_order(
    *, school: School, visit: Visit | None, items: str, deadline: date, by, today: date
) -> RectificationOrder:
    if deadline <= today:
        raise Refused("整改期限须晚于今天。")
    if not items.strip():
        raise Refused("请填写整改事项。")
    if visit is not None and visit.school_id != school.pk:
        raise Refused("督导记录不属于该学校。")
    order = RectificationOrder.objects.create(
        school=school, visit=visit, items=items.strip(), deadline=deadline, issued_by=by, issued_at=issued_moment(today)
    )
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=order)
    return order


def answer_order(*, order: RectificationOrder, by, response: str, files=()) -> RectificationOrder:
    from inspections.selectors import can_answer_order

    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        if not can_answer_order(by, order):
            if order.status in ("answered", "verified"):
                raise Refused("该整改通知已回复，不能重复回复。")
            raise Refused("只能由本校校长回复本校的整改通知。")
        if not response.strip():
            raise Refused("请填写整改情况。")
        _save_attachments(files=files, by=by, order=order)
        before = order.get_status_display()
        order.response = response.strip()
        order.responded_by = by
        order.responded_at = timezone.now()
        order.status = RectificationOrder.Status.ANSWERED
        order.save(update_fields=["response", "responded_by", "responded_at", "status"])
        audit.record(actor=by, action=STATE, instance=order, changes={"状态": [before, order.get_status_display()]})
    return order


def verify_order(*, order: RectificationOrder, by, accept: bool, note: str, today: date) -> RectificationOrder:
    """The inspector's re-inspection: accept (verified) or return it to the school (open, or overdue
    if the deadline has passed)."""
    from inspections.selectors import can_verify_order

    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        if not can_verify_order(by, order):
            raise Refused("该整改通知当前不能核查（须已回复，且由局机关或督导该校的督学核查）。")
        if not accept and not note.strip():
            raise Refused("退回整改须填写核查意见。")
        before = order.get_status_display()
        order.verification = note.strip()
        order.verified_by = by
        order.verified_at = timezone.now()
        if accept:
            order.status = RectificationOrder.Status.VERIFIED
        else:
            overdue = rules.is_overdue(status="open", deadline=order.deadline, today=today)
            order.status = RectificationOrder.Status.OVERDUE if overdue else RectificationOrder.Status.OPEN
        order.save(update_fields=["verification", "verified_by", "verified_at", "status"])
        audit.record(actor=by, action=STATE, instance=order, changes={"状态": [before, order.get_status_display()]})
    return order


def urge_order(*, order: RectificationOrder, by, note: str = "", today: date) -> RectificationOrder:
    """催办: the bureau urges a school whose order is past its deadline. Counted on the order (the
    school sees who urged and when) and written to the audit log with the message."""
    from inspections.selectors import can_manage_inspections

    if not can_manage_inspections(by):
        raise Refused("只有局机关可以催办。")
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        if not rules.is_late(status=order.status, deadline=order.deadline, today=today):
            raise Refused("只有逾期未整改的整改通知可以催办。")
        before = order.urge_count
        order.urge_count = before + 1
        order.last_urged_at = timezone.now()
        order.last_urged_by = by
        order.save(update_fields=["urge_count", "last_urged_at", "last_urged_by"])
        audit.record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            instance=order,
            changes={"催办次数": [before, order.urge_count]},
            note=f"催办：{note.strip() or '请尽快完成整改并报送整改情况。'}",
        )
    return order


def extend_order(
    *, order: RectificationOrder, by, deadline: date | None, reason: str, today: date
) -> RectificationOrder:
    """延期: the bureau moves an unanswered order's deadline, with a reason; an overdue order becomes
    open again. The old and new deadline and the reason go to the audit log (the order's history)."""
    from inspections.selectors import can_manage_inspections

    if not can_manage_inspections(by):
        raise Refused("只有局机关可以延期。")
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
        problems = rules.extension_problems(
            status=order.status, current=order.deadline, new=deadline, reason=reason, today=today
        )
        if problems:
            raise Refused(*problems)
        changes = {"整改期限": [str(order.deadline), str(deadline)]}
        if order.status == RectificationOrder.Status.OVERDUE:
            changes["状态"] = [order.get_status_display(), RectificationOrder.Status.OPEN.label]
            order.status = RectificationOrder.Status.OPEN
        order.deadline = deadline
        order.save(update_fields=["deadline", "status"])
        audit.record(
            actor=by, action=AuditEntry.Action.UPDATE, instance=order, changes=changes, note=f"延期：{reason.strip()}"
        )
    return order


def mark_overdue(*, today: date) -> int:
    """Open orders past their deadline become overdue. A conditional UPDATE: a second run finds nothing."""
    with transaction.atomic():
        ids = list(
            RectificationOrder.objects.select_for_update(skip_locked=True)
            .filter(status=RectificationOrder.Status.OPEN, deadline__lt=today)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        changed = RectificationOrder.objects.filter(pk__in=ids, status=RectificationOrder.Status.OPEN).update(
            status=RectificationOrder.Status.OVERDUE
        )
        for order in RectificationOrder.objects.filter(pk__in=ids):
            audit.record(
                actor=None,
                action=STATE,
                instance=order,
                changes={"状态": ["待整改", "逾期未整改"]},
                note="每日逾期检查",
            )
    return changed


@transaction.atomic
def record_sanction(*, school: School, kind: str, reason: str, decided_on: date, by, order=None) -> Sanction:
    if not reason.strip():
        raise Refused("请填写处理理由。")
    sanction = Sanction(
        school=school, kind=kind, reason=reason.strip(), decided_on=decided_on, order=order, decided_by=by
    )
    sanction.full_clean()
    sanction.save()
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=sanction, note=reason[:200])
    return sanction


# ---- Lesson observations -----------------------------------------------------------------------------------


def create_observation(*, by, level: str, values: dict, scores: dict, client_uuid=None) -> tuple[Observation, bool]:
    """Log an observation with its form scores (every criterion scored). A replay of the same client
    UUID returns the observation already saved. Returns (observation, replayed)."""
    if client_uuid:
        existing = Observation.objects.filter(client_uuid=client_uuid, observer=by).first()
        if existing:
            return existing, True
    form = values["form"]
    specs = criteria_specs(form)
    parsed, problems = {}, []
    for spec in specs:
        try:
            parsed[spec.id] = rules.parse_points(scores.get(spec.id))
        except ValueError as error:
            problems.append(str(error))
    problems += rules.score_problems(specs, parsed, require_complete=True)
    follow_up_of = values.get("follow_up_of")
    if follow_up_of is not None and follow_up_of.teacher_id != values["teacher"].pk:
        problems.append("跟进听课须是同一位教师的课。")
    if problems:
        raise Refused(*problems)
    try:
        with transaction.atomic():
            observation = Observation(
                client_uuid=client_uuid or None,
                observer=by,
                level=level,
                school=values["teacher"].school,
                total=rules.total_of(parsed.values()),
                **values,
            )
            observation.full_clean(exclude=["client_uuid"])
            observation.save()
            ObservationScore.objects.bulk_create(
                ObservationScore(observation=observation, criterion_id=cid, points=points)
                for cid, points in parsed.items()
            )
            audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=observation)
    except IntegrityError:
        existing = Observation.objects.filter(client_uuid=client_uuid).first()
        if existing and existing.observer_id == by.pk:
            return existing, True
        raise
    return observation, False


@transaction.atomic
def reflect(*, observation: Observation, by, text: str) -> Observation:
    """The observed teacher's reflection (教学反思); only that teacher writes it."""
    observation = Observation.objects.select_for_update().select_related("teacher").get(pk=observation.pk)
    if observation.teacher.user_id != by.pk:
        raise Refused("只有授课教师本人可以填写教学反思。")
    if not text.strip():
        raise Refused("请填写教学反思。")
    before = observation.reflection
    observation.reflection = text.strip()
    observation.reflected_at = timezone.now()
    observation.save(update_fields=["reflection", "reflected_at"])
    audit.record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=observation,
        changes={"教学反思": [before, observation.reflection]},
    )
    return observation


# ---- Observation quotas -------------------------------------------------------------------------------------


@transaction.atomic
def set_quota(*, by, role: str, lessons: int, semester=None, school=None) -> ObservationQuota:
    """Set a quota line. The bureau sets the city's (and may set a school's); a principal only their own
    school's, and never below the city's line for that semester. Below zero is refused."""
    from schools.scoping import is_bureau, school_ids_for

    if school is None and not is_bureau(by):
        raise Refused("全市听课任务由局机关设定。")
    if school is not None and not (is_bureau(by) or school.pk in school_ids_for(by, "principal")):
        raise Refused("只能设定本校的听课任务。")
    from inspections.selectors import quota_lines

    lines = [line for line in quota_lines() if line.school_id is None]
    city_line = rules.effective_quota(lines, role=role, semester_id=semester.pk if semester else None, school_id=None)
    problems = rules.quota_problems(lessons=lessons, city_line=city_line, for_school=school is not None)
    if problems:
        raise Refused(*problems)
    quota, created = ObservationQuota.objects.update_or_create(
        role=role, semester=semester, school=school, defaults={"lessons": lessons}
    )
    audit.record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=quota,
        note=str(quota),
    )
    return quota
