"""Pages of the award selections. Thin: role gate → scoped selector/form → service → redirect/render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from awards import exports, forms, rules, selectors, services, star_levels
from awards.models import Campaign, Holiday, Nomination, NominationFile, Objection, Score
from eduquality import audit, excel
from eduquality.listing import paginate
from schools.models import RoleAssignment, School
from schools.scoping import school_leader_ids_for


def _gate(request: HttpRequest) -> None:
    if not selectors.can_use_awards(request.user):
        raise PermissionDenied


def _gate_manage(request: HttpRequest) -> None:
    if not selectors.can_manage(request.user):
        raise PermissionDenied


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    _gate(request)
    return get_object_or_404(selectors.campaign_qs_for(user=request.user), pk=pk)


def _refused(request: HttpRequest, error: services.AwardError) -> None:
    messages.error(request, error.message)


# ---- Campaigns ------------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    campaigns = (
        selectors.campaign_qs_for(user=request.user)
        .annotate(nomination_count=Count("nominations", distinct=True))
        .order_by("-year", "-created_at")
    )
    stage = request.GET.get("stage", "")
    if stage in Campaign.Stage.values:
        campaigns = campaigns.filter(stage=stage)
    query = request.GET.get("q", "").strip()
    if query:
        campaigns = campaigns.filter(name__icontains=query)
    if request.GET.get("export") == "xlsx":
        header = ["活动名称", "评选类型", "年度", "申报开始", "申报截止", "阶段", "申报数"]
        rows = (
            [
                c.name,
                c.campaign_type.name,
                c.year,
                c.nomination_opens,
                c.nomination_closes,
                c.get_stage_display(),
                c.nomination_count,
            ]
            for c in campaigns.select_related("campaign_type")
        )
        return excel.export_response("评选活动.xlsx", [excel.Sheet("评选活动", header, rows)])
    page = paginate(request, campaigns)
    return render(
        request,
        "awards/campaign_list.html",
        {
            "page": page,
            "stages": Campaign.Stage.choices,
            "stage": stage,
            "query": query,
            "can_manage": selectors.can_manage(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _gate_manage(request)
    instance = get_object_or_404(selectors.campaign_qs_for(user=request.user), pk=pk) if pk else None
    form = forms.CampaignForm(request.POST or None, instance=instance)
    # Criteria may change until the judging starts; after that the scores depend on them.
    criteria = None
    if instance is not None:
        form.fields["campaign_type"].disabled = True
        if instance.stage == Campaign.Stage.NOMINATING:
            criteria = forms.CriterionFormSet(request.POST or None, instance=instance, prefix="criteria")
    if request.method == "POST" and form.is_valid() and (criteria is None or criteria.is_valid()):
        try:
            with transaction.atomic():
                if instance is None:
                    campaign = services.create_campaign(campaign=form.save(commit=False), by=request.user)
                else:
                    campaign = audit.save_form(form, actor=request.user)
                if criteria is not None and criteria.has_changed():
                    criteria.save()
                    audit.record(actor=request.user, action="update", instance=campaign, note="修改评分标准")
        except services.AwardError as error:
            _refused(request, error)
        else:
            messages.success(request, f"评选活动“{campaign}”已保存。")
            return redirect("awards:campaign-detail", pk=campaign.pk)
    return render(request, "awards/campaign_form.html", {"form": form, "object": instance, "criteria": criteria})


STAGE_ORDER = list(Campaign.Stage.values)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = request.user
    kind = campaign.campaign_type
    mine = selectors.nomination_qs_for(user=user).filter(campaign=campaign)
    counts = dict(campaign.nominations.values_list("status").annotate(n=Count("pk")).order_by())
    star_note = ""
    if kind.min_star_level is not None:
        levels = star_levels.school_star_levels(school_year=star_levels.school_year_of(campaign.year))
        star_note = star_levels.UNAVAILABLE_MESSAGE if levels is None else ""
    current = STAGE_ORDER.index(campaign.stage)
    return render(
        request,
        "awards/campaign_detail.html",
        {
            "campaign": campaign,
            "kind": kind,
            "steps": [
                (label, index < current, index == current) for index, (_, label) in enumerate(Campaign.Stage.choices)
            ],
            "criteria": campaign.criteria.all(),
            "my_nominations": mine[:50],
            "my_count": mine.count(),
            "status_counts": [(label, counts.get(value, 0)) for value, label in Nomination.Status.choices],
            "can_manage": selectors.can_manage(user),
            "can_nominate": selectors.can_nominate(user, campaign),
            "own_nomination": _own_nomination(user, campaign),
            "judge": selectors.judge_of(user, campaign),
            "judge_count": campaign.judges.count(),
            "star_note": star_note,
            "open_objections": campaign.objections.filter(status=Objection.Status.OPEN).count(),
            "blockers": services.advance_blockers(campaign, today=timezone.localdate())
            if selectors.can_manage(user)
            else {},
            "history": audit.history_for(campaign)[:10] if selectors.can_manage(user) else [],
        },
    )


def _own_nomination(user, campaign: Campaign) -> Nomination | None:
    """A teacher's own nomination in a teacher campaign (the page says 已申报 instead of 申报)."""
    if school_leader_ids_for(user) or campaign.campaign_type.nominee_kind != "teacher":
        return None
    teacher = selectors.own_teacher(user)
    return campaign.nominations.filter(teacher=teacher).first() if teacher else None


@login_required
@require_POST
def campaign_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """The bureau moves the campaign on: open judging, compute results, start the notice, announce."""
    _gate_manage(request)
    campaign = _campaign(request, pk)
    action = request.POST.get("action")
    try:
        if action == "judging":
            count = services.open_judging(campaign=campaign, by=request.user)
            messages.success(request, f"已开始专家评审，分配评审任务 {count} 项。")
        elif action == "compute":
            count = services.compute_results(campaign=campaign, by=request.user)
            messages.success(request, f"已计算 {count} 项申报的得分、名次和拟获奖名单。")
        elif action == "notice":
            campaign = services.start_notice(campaign=campaign, by=request.user)
            messages.success(
                request,
                f"公示期：{rules.chinese_date(campaign.notice_starts_on)}至{rules.chinese_date(campaign.notice_ends_on)}。",
            )
        elif action == "announce":
            count = services.announce(campaign=campaign, by=request.user)
            messages.success(request, f"已公布结果，获奖 {count} 项，荣誉已记入教师档案。")
        else:
            messages.error(request, "未知的操作。")
    except services.AwardError as error:
        _refused(request, error)
    return redirect("awards:campaign-detail", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_judges(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    campaign = _campaign(request, pk)
    judges = campaign.judges.select_related("user", "school").annotate(
        assigned=Count("assignments", distinct=True),
        done=Count("assignments", filter=Q(assignments__submitted_at__isnull=False), distinct=True),
    )
    taken = campaign.judges.values("user_id")
    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=RoleAssignment.objects.filter(
                role__in=["inspector", "principal", "academic_lead", "group_leader", "teacher"]
            ).values("user_id"),
        )
        .exclude(pk__in=taken)
        .order_by("username")
    )
    form = forms.JudgeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            judge = services.add_judge(campaign=campaign, user=form.cleaned_data["user"], by=request.user)
        except services.AwardError as error:
            _refused(request, error)
        else:
            messages.success(request, f"已将{judge}设为评委。")
            return redirect("awards:campaign-judges", pk=campaign.pk)
    return render(request, "awards/judges.html", {"campaign": campaign, "judges": judges, "form": form})


# ---- Nominations ----------------------------------------------------------------------------------


def _nominations(request: HttpRequest, campaign: Campaign):
    qs = selectors.nomination_qs_for(user=request.user).filter(campaign=campaign)
    status = request.GET.get("status", "")
    if status in Nomination.Status.values:
        qs = qs.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(
            Q(teacher__name__icontains=query) | Q(school__name__icontains=query) | Q(work_title__icontains=query)
        )
    return qs.annotate(file_count=Count("files")).order_by("school__code", "pk")


@login_required
def nomination_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    qs = _nominations(request, campaign)
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "awards/nomination_list.html",
        {
            "campaign": campaign,
            "page": page,
            "statuses": Nomination.Status.choices,
            "status": request.GET.get("status", ""),
            "q": request.GET.get("q", ""),
            "query": query.urlencode(),
            "can_manage": selectors.can_manage(request.user),
            "leader_schools": school_leader_ids_for(request.user),
        },
    )


@login_required
def nomination_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return exports.nominations_response(campaign, _nominations(request, campaign))


@login_required
@require_http_methods(["GET", "POST"])
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not selectors.can_nominate(request.user, campaign):
        raise PermissionDenied
    teachers = selectors.nominee_teachers_for(request.user)
    posted = request.method == "POST"
    form = forms.NominationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        campaign=campaign,
        teachers=teachers,
        initial=_known_nominee(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        teacher = data.get("teacher")
        school = (
            teacher.school if teacher else School.objects.filter(pk__in=school_leader_ids_for(request.user)).first()
        )
        try:
            if school is None:
                raise services.AwardError("只有学校领导可以为学校申报。")
            nomination = services.nominate(
                campaign=campaign,
                data=services.NominationInput(
                    teacher=teacher,
                    school=school,
                    subject=data.get("subject"),
                    level=data.get("level") or "",
                    work_title=data.get("work_title", ""),
                    summary=data.get("summary", ""),
                ),
                files=data.get("files") or [],
                by=request.user,
            )
        except services.AwardError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已提交“{nomination.nominee_name}”的申报。")
            return redirect("awards:nomination-detail", pk=nomination.pk)
    return render(request, "awards/nomination_form.html", {"campaign": campaign, "form": form})


def _known_nominee(user) -> dict:
    """What is known when a teacher applies for herself: she is the nominee, her subject the subject."""
    if school_leader_ids_for(user):
        return {}
    teacher = selectors.own_teacher(user)
    if teacher is None:
        return {}
    subjects = list(teacher.subjects.all()[:2])
    return {"teacher": teacher.pk, "subject": subjects[0].pk if len(subjects) == 1 else None}


def _changeable(request: HttpRequest, pk: int) -> Nomination:
    _gate(request)
    return get_object_or_404(
        selectors.nomination_qs_for(user=request.user).select_related("campaign__campaign_type"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The filer corrects the nomination while nominations are open (已申报 → 修改)."""
    nomination = _changeable(request, pk)
    if services.change_blocker(nomination, by=request.user):
        raise PermissionDenied
    campaign = nomination.campaign
    initial = {
        "subject": nomination.subject_id,
        "level": nomination.level,
        "work_title": nomination.work_title,
        "summary": nomination.summary,
    }
    form = forms.NominationForm(request.POST or None, campaign=campaign, teachers=None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_nomination(
                nomination=nomination,
                data=services.NominationInput(
                    teacher=nomination.teacher,
                    school=nomination.school,
                    subject=data.get("subject"),
                    level=data.get("level") or "",
                    work_title=data.get("work_title", ""),
                    summary=data.get("summary", ""),
                ),
                by=request.user,
            )
        except services.AwardError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "申报已修改。")
            return redirect("awards:nomination-detail", pk=nomination.pk)
    return render(
        request, "awards/nomination_form.html", {"campaign": campaign, "form": form, "nomination": nomination}
    )


@login_required
@require_POST
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _changeable(request, pk)
    name = nomination.nominee_name
    try:
        campaign = services.withdraw_nomination(nomination=nomination, by=request.user)
    except services.AwardError as error:
        _refused(request, error)
        return redirect("awards:nomination-detail", pk=pk)
    messages.success(request, f"已撤回“{name}”的申报。")
    return redirect("awards:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def nomination_materials(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _changeable(request, pk)
    form = forms.MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要补充的材料。")
    else:
        try:
            count = services.add_materials(nomination=nomination, files=form.cleaned_data["files"], by=request.user)
        except services.AwardError as error:
            _refused(request, error)
        else:
            messages.success(request, f"已补充 {count} 个申报材料。")
    return redirect("awards:nomination-detail", pk=pk)


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    nomination = get_object_or_404(selectors.nomination_qs_for(user=request.user), pk=pk)
    campaign = nomination.campaign
    user = request.user
    show_scores = selectors.can_see_scores(user, nomination)
    judge_rows = []
    if selectors.can_manage(user):
        scores = Score.objects.filter(assignment__nomination=nomination).select_related(
            "criterion", "assignment__judge__user"
        )
        by_judge: dict = {}
        for score in scores:
            by_judge.setdefault(score.assignment.judge, []).append(score)
        judge_rows = list(by_judge.items())
    return render(
        request,
        "awards/nomination_detail.html",
        {
            "nomination": nomination,
            "campaign": campaign,
            "files": nomination.files.all(),
            "show_scores": show_scores,
            "judge_rows": judge_rows,
            "can_endorse": selectors.can_endorse(user, nomination) and campaign.stage == Campaign.Stage.NOMINATING,
            "can_check": selectors.can_manage(user)
            and campaign.stage == Campaign.Stage.NOMINATING
            and nomination.status != Nomination.Status.SUBMITTED,
            "rule_problems": services.current_eligibility_problems(nomination) if selectors.can_manage(user) else [],
            "is_filer": services.is_filer(nomination, user),
            "change_blocked": services.change_blocker(nomination, by=user),
            "material_form": forms.MaterialForm(),
            "check_form": forms.EligibilityForm(),
            "certificate": selectors.certificate_qs_for(user=user).filter(pk=nomination.pk).exists(),
            "history": audit.history_for(nomination)[:10] if selectors.can_manage(user) else [],
        },
    )


@login_required
@require_POST
def nomination_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    nomination = get_object_or_404(selectors.nomination_qs_for(user=request.user), pk=pk)
    try:
        services.endorse(nomination=nomination, by=request.user)
        messages.success(request, "已推荐，等待教育局资格审查。")
    except services.AwardError as error:
        _refused(request, error)
    return redirect("awards:nomination-detail", pk=pk)


@login_required
@require_POST
def nomination_check(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    nomination = get_object_or_404(selectors.nomination_qs_for(user=request.user), pk=pk)
    form = forms.EligibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审查结论。")
        return redirect("awards:nomination-detail", pk=pk)
    try:
        services.check_eligibility(
            nomination=nomination, passed=form.cleaned_data["passed"], note=form.cleaned_data["note"], by=request.user
        )
        messages.success(request, "资格审查结论已保存。")
    except services.AwardError as error:
        _refused(request, error)
    return redirect("awards:nomination-detail", pk=pk)


@login_required
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    _gate(request)
    material = get_object_or_404(
        NominationFile.objects.filter(nomination__in=selectors.nomination_qs_for(user=request.user)), pk=pk
    )
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.original_name)


# ---- Judging --------------------------------------------------------------------------------------


@login_required
def judge_queue(request: HttpRequest) -> HttpResponse:
    _gate(request)
    assignments = selectors.judge_queue(user=request.user)
    return render(request, "awards/judge_queue.html", {"assignments": assignments})


@login_required
@require_http_methods(["GET", "POST"])
def score_form(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    assignment = get_object_or_404(selectors.assignment_qs_for(user=request.user), pk=pk)
    nomination = assignment.nomination
    criteria = nomination.campaign.criteria.all()
    existing = dict(assignment.scores.values_list("criterion_id", "value"))
    form = forms.ScoreForm(request.POST or None, criteria=criteria, initial_values=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scores(assignment=assignment, values=form.values(), by=request.user)
        except services.AwardError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"对“{nomination.nominee_name}”的评分已保存。")
            return redirect("awards:judge-queue")
    return render(
        request,
        "awards/score_form.html",
        {
            "assignment": assignment,
            "nomination": nomination,
            "files": nomination.files.all(),
            "form": form,
            "open": nomination.campaign.stage == Campaign.Stage.JUDGING,
        },
    )


# ---- Results, notice, objections ------------------------------------------------------------------


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    campaign = _campaign(request, pk)
    rows = selectors.results(campaign)
    return render(
        request,
        "awards/results.html",
        {"campaign": campaign, "rows": rows, "quota": campaign.campaign_type.quota_per_group},
    )


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    campaign = _campaign(request, pk)
    return exports.results_response(campaign, selectors.results(campaign))


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable public notice (公示): winners without scores, the period and how to object.
    Public to anyone signed in, with or without a role in the programme."""
    campaign = get_object_or_404(selectors.public_campaign_qs(), pk=pk)
    winners = selectors.winners(campaign)
    today = timezone.localdate()
    objection_open = (
        campaign.stage == Campaign.Stage.NOTICE and campaign.notice_starts_on <= today <= campaign.notice_ends_on
    )
    return render(
        request,
        "awards/notice.html",
        {
            "campaign": campaign,
            "winners": winners,
            "objection_open": objection_open,
            "form": forms.ObjectionForm(winners=winners)
            if objection_open and selectors.may_object(request.user)
            else None,
            "has_titles": any(n.work_title for n in winners),
            "has_levels": any(n.level for n in winners),
            "starts": rules.chinese_date(campaign.notice_starts_on),
            "ends": rules.chinese_date(campaign.notice_ends_on),
            "issuer": services.issuer(),
        },
    )


@login_required
@require_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(selectors.public_campaign_qs(), pk=pk)
    form = forms.ObjectionForm(request.POST, winners=selectors.winners(campaign))
    if not form.is_valid():
        messages.error(request, "请填写异议内容。")
        return redirect("awards:notice", pk=pk)
    try:
        services.lodge_objection(
            campaign=campaign,
            nomination=form.cleaned_data["nomination"],
            text=form.cleaned_data["text"],
            by=request.user,
        )
        messages.success(request, "异议已提交，教育局将核实处理。")
    except services.AwardError as error:
        _refused(request, error)
    return redirect("awards:notice", pk=pk)


@login_required
def objection_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Bureau staff see every objection; anyone else the ones they lodged (public campaigns only)."""
    campaigns = Campaign.objects.all() if selectors.can_manage(request.user) else selectors.public_campaign_qs()
    campaign = get_object_or_404(campaigns, pk=pk)
    objections = selectors.objection_qs_for(user=request.user).filter(campaign=campaign)
    return render(
        request,
        "awards/objections.html",
        {
            "campaign": campaign,
            "objections": objections,
            "can_manage": selectors.can_manage(request.user),
            "resolve_form": forms.ResolveForm(),
        },
    )


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    objection = get_object_or_404(selectors.objection_qs_for(user=request.user), pk=pk)
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结论并填写处理意见。")
    else:
        try:
            services.resolve_objection(
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                resolution=form.cleaned_data["resolution"],
                by=request.user,
            )
            messages.success(request, "异议已处理。")
        except services.AwardError as error:
            _refused(request, error)
    return redirect("awards:objection-list", pk=objection.campaign_id)


# ---- Certificates ---------------------------------------------------------------------------------


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    nomination = get_object_or_404(selectors.certificate_qs_for(user=request.user), pk=pk)
    pdf = services.certificate_pdf(nomination)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{nomination.certificate_number}.pdf"'
    return response


@login_required
@require_POST
def certificate_batch(request: HttpRequest, pk: int) -> HttpResponse:
    _gate_manage(request)
    campaign = _campaign(request, pk)
    try:
        job = services.start_certificate_batch(
            campaign=campaign, by=request.user, as_zip=request.POST.get("format") == "zip"
        )
    except services.AwardError as error:
        _refused(request, error)
        return redirect("awards:campaign-detail", pk=pk)
    return redirect("job-detail", pk=job.pk)


# ---- Holidays -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def holiday_list(request: HttpRequest) -> HttpResponse:
    _gate_manage(request)
    form = forms.HolidayForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("delete"):
            holiday = get_object_or_404(Holiday, pk=request.POST["delete"])
            audit.record(actor=request.user, action="delete", instance=holiday)
            holiday.delete()
            messages.success(request, "已删除。")
            return redirect("awards:holiday-list")
        if form.is_valid():
            audit.save_form(form, actor=request.user)
            messages.success(request, "已保存。")
            return redirect("awards:holiday-list")
    return render(request, "awards/holidays.html", {"form": form, "holidays": Holiday.objects.all()})
