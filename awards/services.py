"""Writes of the awards app: atomic, validated, audited. Each refusal is an AwardError with a message in
Chinese for the person who tried, and nothing is half-saved."""

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from awards import rules, selectors, star_levels
from awards.models import (
    Assignment,
    Campaign,
    CampaignType,
    Criterion,
    Holiday,
    Judge,
    Nomination,
    NominationFile,
    Objection,
    Score,
)
from eduquality import audit, excel, jobs
from eduquality.models import AuditEntry
from schools.models import Honour, School, Teacher, TeacherHonour
from schools.scoping import is_bureau, school_ids_for, school_leader_ids_for

CERTIFICATES_JOB = "awards.certificates"


def issuer() -> str:
    """Who signs notices and certificates; a deployment for another city sets AWARDS_ISSUER."""
    from django.conf import settings

    return getattr(settings, "AWARDS_ISSUER", "白山市教育局")


class AwardError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _state(campaign_or_nomination, actor, note: str, changes: dict | None = None) -> None:
    audit.record(
        actor=actor, action=AuditEntry.Action.STATE, instance=campaign_or_nomination, changes=changes, note=note
    )


def _require_stage(campaign: Campaign, stage: str, doing: str) -> None:
    if campaign.stage != stage:
        raise AwardError(f"本评选当前处于“{campaign.get_stage_display()}”阶段，不能{doing}。")


# ---- Campaigns ------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(*, campaign: Campaign, by) -> Campaign:
    """Save a new campaign and copy its type's default criteria (which the campaign then owns)."""
    campaign.created_by = by
    campaign.full_clean()
    if campaign.nomination_opens > campaign.nomination_closes:
        raise AwardError("申报截止日期不能早于开始日期。")
    kind = campaign.campaign_type
    held = Campaign.objects.filter(campaign_type=kind).values_list("year", flat=True)
    if problem := rules.cycle_problem(campaign.year, list(held), kind.cycle_years):
        raise AwardError(problem)
    campaign.save()
    Criterion.objects.bulk_create(
        Criterion(campaign=campaign, name=item["name"], max_score=Decimal(str(item["max"])), order=index)
        for index, item in enumerate(campaign.campaign_type.default_criteria)
    )
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=campaign)
    return campaign


# ---- Nominations ----------------------------------------------------------------------------------


@dataclass
class NominationInput:
    teacher: Teacher | None
    school: School
    subject: object = None
    level: str = ""
    work_title: str = ""
    summary: str = ""


def eligibility_rules(campaign_type: CampaignType) -> rules.EligibilityRules:
    return rules.EligibilityRules(
        nominee_kind=campaign_type.nominee_kind,
        city_direct_only=campaign_type.city_direct_only,
        requires_subject=campaign_type.requires_subject,
        min_title_order=campaign_type.min_title.order if campaign_type.min_title_id else None,
        min_title_name=campaign_type.min_title.name if campaign_type.min_title_id else "",
        required_honours=frozenset(campaign_type.required_honours.values_list("name", flat=True)),
        min_star_level=campaign_type.min_star_level,
        levels=tuple(campaign_type.levels),
    )


def nominee_facts(campaign: Campaign, data: NominationInput) -> rules.Nominee:
    teacher = data.teacher
    star = None
    if campaign.campaign_type.min_star_level is not None and teacher is None:
        levels = star_levels.school_star_levels(school_year=star_levels.school_year_of(campaign.year))
        star = (levels or {}).get(data.school.pk)
    return rules.Nominee(
        kind="teacher" if teacher else "school",
        school_is_city_direct=data.school.is_city_direct,
        subject_given=data.subject is not None,
        level=data.level,
        title_order=teacher.title.order if teacher and teacher.title_id and teacher.title.order < 90 else None,
        honours=frozenset(teacher.honours.values_list("name", flat=True)) if teacher else frozenset(),
        teaches_subject=bool(teacher and data.subject and teacher.subjects.filter(pk=data.subject.pk).exists()),
        star_level=star,
        active=teacher.is_active if teacher else True,
    )


def _may_put_forward(by, campaign: Campaign, data: NominationInput) -> bool:
    if data.school.pk in school_leader_ids_for(by):
        return True
    return data.teacher is not None and data.teacher.user_id == by.pk


def _check_materials(files, *, already: int) -> None:
    problems = []
    for upload in files:
        head = upload.read(16)
        upload.seek(0)
        if problem := rules.material_problem(upload.name, upload.size, head):
            problems.append(problem)
        elif head.startswith(b"PK\x03\x04") and (
            problem := excel.office_upload_problem(upload, what=f"材料“{upload.name}”")
        ):
            # Word and PowerPoint materials go to the judges: the workbook uploads' macro, zip-bomb
            # and entity checks apply to them too.
            problems.append(problem)
    if already + len(files) > rules.MAX_MATERIAL_FILES:
        problems.append(f"申报材料最多 {rules.MAX_MATERIAL_FILES} 个文件。")
    if problems:
        raise AwardError(" ".join(problems))


def nominate(*, campaign: Campaign, data: NominationInput, files=(), by, today: date | None = None) -> Nomination:
    """File a nomination with its materials. Refused when outside the window, over the school's quota,
    for an ineligible nominee, twice for the same nominee, or with a bad file."""
    today = today or timezone.localdate()
    if not _may_put_forward(by, campaign, data):
        raise AwardError("您只能为本校教师（或本人）申报。")
    _check_materials(files, already=0)
    with transaction.atomic():
        # Lock the campaign: quota counting and the duplicate check see every earlier nomination.
        campaign = Campaign.objects.select_for_update().select_related("campaign_type").get(pk=campaign.pk)
        _require_stage(campaign, Campaign.Stage.NOMINATING, "申报")
        if problem := rules.window_problem(today, campaign.nomination_opens, campaign.nomination_closes):
            raise AwardError(problem)
        kind = campaign.campaign_type
        if eligibility := rules.eligibility_problems(nominee_facts(campaign, data), eligibility_rules(kind)):
            raise AwardError("不符合申报条件：" + " ".join(eligibility))
        duplicate = Nomination.objects.filter(campaign=campaign)
        duplicate = (
            duplicate.filter(teacher=data.teacher)
            if data.teacher
            else duplicate.filter(teacher__isnull=True, school=data.school, level=data.level)
        )
        if duplicate.exists():
            raise AwardError(f"“{data.teacher or data.school}”已在本次评选中申报，不能重复申报。")
        used = Nomination.objects.filter(campaign=campaign, school=data.school).count()
        if problem := rules.quota_problem(used, kind.max_per_school):
            raise AwardError(problem)
        leader = data.school.pk in school_leader_ids_for(by)
        nomination = Nomination(
            campaign=campaign,
            teacher=data.teacher,
            school=data.school,
            subject=data.subject,
            level=data.level,
            school_category=data.school.category_code,
            work_title=data.work_title,
            summary=data.summary,
            nominated_by=by,
        )
        if leader:  # the school itself puts the nominee forward: that is its endorsement
            nomination.status = Nomination.Status.ENDORSED
            nomination.endorsed_by = by
            nomination.endorsed_at = timezone.now()
        try:
            nomination.full_clean(exclude=["campaign", "teacher", "school", "subject", "nominated_by"])
            with transaction.atomic():
                nomination.save()
        except IntegrityError as error:
            raise AwardError("该对象已在本次评选中申报，不能重复申报。") from error
        except ValidationError as error:
            raise AwardError(" ".join(error.messages)) from error
        for upload in files:
            NominationFile.objects.create(
                nomination=nomination, file=upload, original_name=upload.name[:150], size=upload.size
            )
        audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=nomination)
    return nomination


def is_filer(nomination: Nomination, user) -> bool:
    """Who filed it: the teacher nominating themselves, or the school leader who put them forward."""
    return nomination.nominated_by_id == user.pk or (
        nomination.teacher_id is not None and nomination.teacher.user_id == user.pk
    )


def change_blocker(nomination: Nomination, *, by, today: date | None = None) -> str | None:
    """Why `by` may not edit, withdraw or add materials to the nomination now (None: they may)."""
    today = today or timezone.localdate()
    campaign = nomination.campaign
    return rules.nomination_change_problem(
        stage_is_nominating=campaign.stage == Campaign.Stage.NOMINATING,
        window=rules.window_problem(today, campaign.nomination_opens, campaign.nomination_closes),
        status=nomination.status,
        by_filer=is_filer(nomination, by),
    )


def _lock_for_change(nomination: Nomination, by, today: date | None) -> Nomination:
    locked = Nomination.objects.select_for_update(of=("self",)).select_related(
        "campaign__campaign_type", "teacher", "school"
    )
    nomination = locked.get(pk=nomination.pk)
    if problem := change_blocker(nomination, by=by, today=today):
        raise AwardError(problem)
    return nomination


@transaction.atomic
def update_nomination(*, nomination: Nomination, data: NominationInput, by, today: date | None = None) -> Nomination:
    """The filer corrects the subject, level, title or summary; the eligibility rules apply again."""
    nomination = _lock_for_change(nomination, by, today)
    data = NominationInput(
        teacher=nomination.teacher,
        school=nomination.school,
        subject=data.subject,
        level=data.level,
        work_title=data.work_title,
        summary=data.summary,
    )
    campaign = nomination.campaign
    if eligibility := rules.eligibility_problems(
        nominee_facts(campaign, data), eligibility_rules(campaign.campaign_type)
    ):
        raise AwardError("不符合申报条件：" + " ".join(eligibility))
    fields = {"subject": data.subject, "level": data.level, "work_title": data.work_title, "summary": data.summary}
    changes = {
        name: [str(getattr(nomination, name) or ""), str(value or "")]
        for name, value in fields.items()
        if getattr(nomination, name) != value
    }
    for name, value in fields.items():
        setattr(nomination, name, value)
    nomination.save(update_fields=list(fields))
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=nomination, changes=changes)
    return nomination


@transaction.atomic
def add_materials(*, nomination: Nomination, files, by, today: date | None = None) -> int:
    nomination = _lock_for_change(nomination, by, today)
    _check_materials(files, already=nomination.files.count())
    for upload in files:
        NominationFile.objects.create(
            nomination=nomination, file=upload, original_name=upload.name[:150], size=upload.size
        )
    audit.record(actor=by, action=AuditEntry.Action.UPDATE, instance=nomination, note=f"补充申报材料 {len(files)} 个")
    return len(files)


@transaction.atomic
def withdraw_nomination(*, nomination: Nomination, by, today: date | None = None) -> Campaign:
    """The filer takes the nomination back (撤回); it frees the school's quota place."""
    nomination = _lock_for_change(nomination, by, today)
    campaign = nomination.campaign
    audit.record(actor=by, action=AuditEntry.Action.DELETE, instance=nomination, note="撤回申报")
    for material in nomination.files.all():
        material.file.delete(save=False)
    nomination.delete()
    return campaign


@transaction.atomic
def endorse(*, nomination: Nomination, by) -> Nomination:
    nomination = Nomination.objects.select_for_update(of=("self",)).with_people().get(pk=nomination.pk)
    if nomination.school_id not in school_leader_ids_for(by):
        raise AwardError("只有被推荐人所在学校的校长或业务校长可以推荐。")
    if nomination.status != Nomination.Status.SUBMITTED:
        raise AwardError("该申报已推荐过。")
    _require_stage(nomination.campaign, Campaign.Stage.NOMINATING, "推荐")
    nomination.status = Nomination.Status.ENDORSED
    nomination.endorsed_by = by
    nomination.endorsed_at = timezone.now()
    nomination.save(update_fields=["status", "endorsed_by", "endorsed_at"])
    _state(nomination, by, "学校推荐", {"status": ["待学校推荐", "待资格审查"]})
    return nomination


@transaction.atomic
def check_eligibility(*, nomination: Nomination, passed: bool, note: str, by) -> Nomination:
    nomination = Nomination.objects.select_for_update(of=("self",)).with_people().get(pk=nomination.pk)
    if not is_bureau(by):
        raise AwardError("只有教育局工作人员可以进行资格审查。")
    if nomination.campaign.stage not in (Campaign.Stage.NOMINATING,):
        raise AwardError("评审已开始，不能再修改资格审查结论。")
    if nomination.status == Nomination.Status.SUBMITTED:
        raise AwardError("该申报尚未经学校推荐，不能审查。")
    if not passed and not note.strip():
        raise AwardError("审查不通过时请填写审查意见。")
    before = nomination.get_status_display()
    nomination.status = Nomination.Status.ELIGIBLE if passed else Nomination.Status.INELIGIBLE
    nomination.check_note = note.strip()[:300]
    nomination.checked_by = by
    nomination.save(update_fields=["status", "check_note", "checked_by"])
    _state(nomination, by, "资格审查", {"status": [before, nomination.get_status_display()]})
    return nomination


def current_eligibility_problems(nomination: Nomination) -> list[str]:
    """The rules re-checked now, for the bureau's eligibility review."""
    data = NominationInput(
        teacher=nomination.teacher, school=nomination.school, subject=nomination.subject, level=nomination.level
    )
    kind = nomination.campaign.campaign_type
    return rules.eligibility_problems(nominee_facts(nomination.campaign, data), eligibility_rules(kind))


# ---- Judges and judging ---------------------------------------------------------------------------


def home_school_of(user) -> School | None:
    teacher = Teacher.objects.filter(user=user).select_related("school").first()
    if teacher:
        return teacher.school
    schools = sorted(school_ids_for(user))
    return School.objects.filter(pk=schools[0]).first() if schools else None


@transaction.atomic
def add_judge(*, campaign: Campaign, user, by) -> Judge:
    if campaign.stage not in (Campaign.Stage.NOMINATING, Campaign.Stage.JUDGING):
        raise AwardError("评审已结束，不能再增加评委。")
    judge, created = Judge.objects.get_or_create(
        campaign=campaign, user=user, defaults={"school": home_school_of(user)}
    )
    if not created:
        raise AwardError(f"{user}已是本次评选的评委。")
    audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=judge, note=f"评选：{campaign}")
    return judge


# ---- Why the next step cannot be taken yet: one answer for the page's button and for the action -----


def judging_blocker(campaign: Campaign, *, today: date) -> str | None:
    nominations = campaign.nominations
    return rules.judging_problem(
        today=today,
        closes=campaign.nomination_closes,
        has_criteria=campaign.criteria.exists(),
        pending=nominations.filter(status__in=[Nomination.Status.SUBMITTED, Nomination.Status.ENDORSED]).count(),
        eligible=nominations.filter(status=Nomination.Status.ELIGIBLE).count(),
        judges=campaign.judges.count(),
    )


def notice_blocker(campaign: Campaign) -> str | None:
    computed = campaign.results_computed_at
    latest = Score.objects.filter(assignment__nomination__campaign=campaign).order_by("-updated_at").first()
    return rules.notice_problem(
        results_computed=computed is not None,
        unscored=Assignment.objects.filter(nomination__campaign=campaign, submitted_at__isnull=True).count(),
        rescored_after_results=bool(computed and latest and latest.updated_at > computed),
    )


def announce_blocker(campaign: Campaign, *, today: date) -> str | None:
    return rules.announce_problem(
        today=today,
        notice_ends_on=campaign.notice_ends_on,
        open_objections=campaign.objections.filter(status=Objection.Status.OPEN).count(),
    )


def advance_blockers(campaign: Campaign, *, today: date) -> dict[str, str | None]:
    """For the campaign page: each next-step button of the current stage, with why it is disabled."""
    if campaign.stage == Campaign.Stage.NOMINATING:
        return {"judging": judging_blocker(campaign, today=today)}
    if campaign.stage == Campaign.Stage.JUDGING:
        return {"compute": None, "notice": notice_blocker(campaign)}
    if campaign.stage == Campaign.Stage.NOTICE:
        return {"announce": announce_blocker(campaign, today=today)}
    return {}


@transaction.atomic
def open_judging(*, campaign: Campaign, by, today: date | None = None) -> int:
    """Close the nominations and hand the eligible ones to the judges; returns the number of assignments."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_stage(campaign, Campaign.Stage.NOMINATING, "开始评审")
    if problem := judging_blocker(campaign, today=today):
        raise AwardError(problem)
    eligible = list(
        campaign.nominations.filter(status=Nomination.Status.ELIGIBLE).order_by("pk").values_list("pk", "school_id")
    )
    judges = list(campaign.judges.order_by("pk").values_list("pk", "school_id"))
    pairs = rules.plan_assignments(eligible, judges, campaign.judges_per_nomination)
    assigned = {nomination for _, nomination in pairs}
    if len(assigned) < len(eligible):
        raise AwardError("部分申报找不到非本校评委，请增加评委。")
    Assignment.objects.bulk_create(
        [Assignment(judge_id=judge, nomination_id=nomination) for judge, nomination in pairs], ignore_conflicts=True
    )
    campaign.stage = Campaign.Stage.JUDGING
    campaign.save(update_fields=["stage"])
    _state(campaign, by, f"开始专家评审，分配 {len(pairs)} 项评审任务", {"stage": ["申报推荐", "专家评审"]})
    return len(pairs)


def save_scores(*, assignment: Assignment, values: dict[int, Decimal | None], by) -> Assignment:
    """A judge's scores on every criterion of one nomination, saved whole or not at all. Each score is
    its own row keyed by (assignment, criterion), so judges saving at the same time never overwrite
    each other."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("judge", "nomination__campaign")
            .get(pk=assignment.pk)
        )
        if assignment.judge.user_id != by.pk:
            raise AwardError("该申报未分配给您评审。")
        campaign = assignment.nomination.campaign
        _require_stage(campaign, Campaign.Stage.JUDGING, "评分")
        if rules.is_conflicted(assignment.judge.school_id, assignment.nomination.school_id):
            raise AwardError("评委不能评审本校的申报。")
        criteria = list(campaign.criteria.all())
        problems = []
        for criterion in criteria:
            if problem := rules.score_problem(values.get(criterion.pk), criterion.max_score):
                problems.append(f"{criterion.name}：{problem}")
        if problems:
            raise AwardError(" ".join(problems))
        for criterion in criteria:
            Score.objects.update_or_create(
                assignment=assignment, criterion=criterion, defaults={"value": values[criterion.pk]}
            )
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
        audit.record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            instance=assignment,
            changes={c.name: [None, str(values[c.pk])] for c in criteria},
            note="评分",
        )
    return assignment


@transaction.atomic
def compute_results(*, campaign: Campaign, by=None) -> int:
    """Aggregate and rank every eligible nomination in a fixed number of queries (whatever the number of
    nominations, judges and criteria): per-judge totals in one grouped query, the trimmed mean and the
    quota-respecting ranking in Python (awards.rules), one bulk UPDATE."""
    campaign = Campaign.objects.select_for_update().select_related("campaign_type").get(pk=campaign.pk)
    _require_stage(campaign, Campaign.Stage.JUDGING, "计算结果")
    kind = campaign.campaign_type
    criteria_count = campaign.criteria.count()
    totals: dict[int, list[Decimal]] = defaultdict(list)
    # Only a judge who scored every criterion counts.
    per_judge = (
        Score.objects.filter(assignment__nomination__campaign=campaign)
        .values("assignment_id", "assignment__nomination_id")
        .annotate(total=Sum("value"), scored=Count("id"))
        .order_by()
        .values_list("assignment__nomination_id", "total", "scored")
    )
    for nomination_id, total, scored in per_judge:
        if scored == criteria_count:
            totals[nomination_id].append(total)
    nominations = list(
        Nomination.objects.filter(campaign=campaign, status=Nomination.Status.ELIGIBLE).only(
            "pk", "level", "subject_id", "school_category"
        )
    )
    entries = []
    for nomination in nominations:
        nomination.final_score = rules.aggregate(totals.get(nomination.pk, []))
        nomination.judge_count = len(totals.get(nomination.pk, []))
        nomination.campaign = campaign  # its type, already here, decides the ranking group
        entries.append(rules.Entry(nomination.pk, nomination.ranking_group, nomination.final_score))
    placings = rules.rank_and_award(entries, kind.prizes, kind.min_winning_score)
    for nomination in nominations:
        placing = placings[nomination.pk]
        nomination.rank, nomination.prize, nomination.tie_at_quota = placing.rank, placing.prize, placing.tie_at_quota
    _write_results(nominations)
    campaign.results_computed_at = timezone.now()
    campaign.save(update_fields=["results_computed_at"])
    if by is not None:
        _state(campaign, by, "计算评审结果与拟获奖名单")
    return len(nominations)


def _write_results(nominations: list[Nomination]) -> None:
    """One UPDATE … FROM (VALUES …) per batch (one in all up to 10,000 nominations on PostgreSQL):
    Django's bulk_update builds a CASE per row and field, which takes seconds at this size."""
    table = Nomination._meta.db_table
    vendor_batch = 10_000 if connection.vendor == "postgresql" else 1_000  # bound parameters per statement
    types = ["integer", "numeric", "integer", "integer", "varchar(40)", "boolean"]
    row_sql = "(" + ", ".join(f"CAST(%s AS {kind})" for kind in types) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(nominations), vendor_batch):
            batch = nominations[start : start + vendor_batch]
            params = []
            for n in batch:
                params += [n.pk, n.final_score, n.judge_count, n.rank, n.prize, n.tie_at_quota]
            values = ", ".join([row_sql] * len(batch))
            cursor.execute(
                f"WITH v(id, final_score, judge_count, rank, prize, tie) AS (VALUES {values}) "
                f"UPDATE {table} SET final_score = v.final_score, judge_count = v.judge_count, rank = v.rank, "
                f"prize = v.prize, tie_at_quota = v.tie FROM v WHERE {table}.id = v.id",
                params,
            )


# ---- Public notice, objections, announcement ------------------------------------------------------


def holiday_calendar() -> tuple[set[date], set[date]]:
    holidays, workdays = set(), set()
    for day, is_workday in Holiday.objects.values_list("date", "is_workday"):
        (workdays if is_workday else holidays).add(day)
    return holidays, workdays


@transaction.atomic
def start_notice(*, campaign: Campaign, by, today: date | None = None) -> Campaign:
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_stage(campaign, Campaign.Stage.JUDGING, "开始公示")
    if problem := notice_blocker(campaign):
        raise AwardError(problem)
    holidays, workdays = holiday_calendar()
    campaign.notice_starts_on, campaign.notice_ends_on = rules.notice_period(
        today, campaign.notice_working_days, holidays, workdays
    )
    campaign.stage = Campaign.Stage.NOTICE
    campaign.save(update_fields=["stage", "notice_starts_on", "notice_ends_on"])
    _state(
        campaign,
        by,
        f"公示 {rules.chinese_date(campaign.notice_starts_on)}至{rules.chinese_date(campaign.notice_ends_on)}",
        {"stage": ["专家评审", "结果公示"]},
    )
    return campaign


def lodge_objection(*, campaign: Campaign, nomination: Nomination | None, text: str, by, today: date | None = None):
    today = today or timezone.localdate()
    if not selectors.may_object(by):
        raise AwardError("教育局工作人员负责处理异议，不能提出异议。")
    if not text.strip():
        raise AwardError("请填写异议内容。")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.stage != Campaign.Stage.NOTICE or not campaign.notice_starts_on:
            raise AwardError("本评选不在公示期内，不能提出异议。")
        if today < campaign.notice_starts_on:
            raise AwardError("公示尚未开始，不能提出异议。")
        if today > campaign.notice_ends_on:
            raise AwardError(f"公示期已于{rules.chinese_date(campaign.notice_ends_on)}结束，不能再提出异议。")
        on_notice = Nomination.objects.filter(campaign=campaign, status=Nomination.Status.ELIGIBLE).exclude(prize="")
        if nomination is not None and not on_notice.filter(pk=nomination.pk).exists():
            raise AwardError("所选对象不在公示名单中。")
        objection = Objection.objects.create(
            campaign=campaign, nomination=nomination, text=text.strip()[:2000], lodged_by=by
        )
        audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=objection)
    return objection


@transaction.atomic
def resolve_objection(*, objection: Objection, upheld: bool, resolution: str, by) -> Objection:
    objection = (
        Objection.objects.select_for_update(of=("self",)).select_related("campaign", "nomination").get(pk=objection.pk)
    )
    if not is_bureau(by):
        raise AwardError("只有教育局工作人员可以处理异议。")
    if objection.status != Objection.Status.OPEN:
        raise AwardError("该异议已处理。")
    if not resolution.strip():
        raise AwardError("请填写处理意见。")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution = resolution.strip()
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    _state(objection, by, objection.get_status_display())
    nomination = objection.nomination
    if upheld and nomination is not None and nomination.prize:
        # An upheld objection takes the prize away; the place stays vacant (quotas are never exceeded).
        before = nomination.prize
        nomination.prize = ""
        nomination.status = Nomination.Status.INELIGIBLE
        nomination.check_note = f"公示期异议成立：{objection.resolution}"[:300]
        nomination.save(update_fields=["prize", "status", "check_note"])
        _state(nomination, by, "公示异议成立，取消拟获奖资格", {"prize": [before, ""]})
    return objection


@transaction.atomic
def announce(*, campaign: Campaign, by, today: date | None = None) -> int:
    """Publish the results: certificate numbers, and the honour on each winning teacher's record."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_for_update().select_related("campaign_type").get(pk=campaign.pk)
    _require_stage(campaign, Campaign.Stage.NOTICE, "公布结果")
    if problem := announce_blocker(campaign, today=today):
        raise AwardError(problem)
    winners = list(selectors.winners(campaign))
    kind = campaign.campaign_type
    for number, nomination in enumerate(winners, start=1):
        nomination.certificate_number = f"{campaign.year}{kind.code[:6].upper()}{campaign.pk:03d}{number:04d}"
        nomination.bonus_amount = kind.bonus_amount
        if nomination.teacher_id:
            honour = kind.honour or Honour.objects.get_or_create(name=f"{kind.name}{nomination.prize}"[:30])[0]
            TeacherHonour.objects.get_or_create(
                teacher_id=nomination.teacher_id,
                honour=honour,
                year=campaign.year,
                defaults={"source": campaign.name[:100]},
            )
    Nomination.objects.bulk_update(winners, ["certificate_number", "bonus_amount"])
    campaign.stage = Campaign.Stage.ANNOUNCED
    campaign.announced_on = today
    campaign.save(update_fields=["stage", "announced_on"])
    _state(campaign, by, f"公布结果，获奖 {len(winners)} 项", {"stage": ["结果公示", "结果公布"]})
    return len(winners)


# ---- Certificates ---------------------------------------------------------------------------------


def certificate_context(nominations: list[Nomination]) -> dict:
    return {"certificates": nominations, "issuer": issuer()}


def certificate_pdf(nomination: Nomination) -> bytes:
    from eduquality.pdf import render_template_pdf

    return render_template_pdf("awards/pdf/certificates.html", certificate_context([nomination]))


def start_certificate_batch(*, campaign: Campaign, by, as_zip: bool = False):
    if campaign.stage != Campaign.Stage.ANNOUNCED:
        raise AwardError("结果公布后才能生成证书。")
    return jobs.start_job(
        owner=by,
        kind=CERTIFICATES_JOB,
        title=f"{campaign.name} 获奖证书",
        params={"campaign": campaign.pk, "zip": as_zip},
    )


@jobs.job_handler(CERTIFICATES_JOB)
def render_certificate_batch(job, report) -> None:
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from eduquality.pdf import render_template_pdf

    campaign = Campaign.objects.get(pk=job.params["campaign"])
    winners = list(selectors.winners(campaign))
    if not winners:
        raise jobs.JobRejected("本评选没有获奖名单，未生成证书。")
    if job.params.get("zip"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, nomination in enumerate(winners, start=1):
                pdf = render_template_pdf("awards/pdf/certificates.html", certificate_context([nomination]))
                archive.writestr(f"{nomination.certificate_number}-{nomination.nominee_name}.pdf", pdf)
                report(index * 100 // len(winners), f"已生成 {index}/{len(winners)} 份证书")
        content, name = buffer.getvalue(), f"{campaign.name}-获奖证书.zip"
    else:
        report(10, f"正在生成 {len(winners)} 份证书")
        content = render_template_pdf("awards/pdf/certificates.html", certificate_context(winners))
        name = f"{campaign.name}-获奖证书.pdf"
    job.result_file.save(name, ContentFile(content), save=False)
    job.result_name = name
    job.result_url = reverse("awards:campaign-detail", kwargs={"pk": campaign.pk})
    job.message = f"已生成 {len(winners)} 份获奖证书。"
