"""知识点体系 pages: every role reads the trees; the bureau edits them and the ability levels."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import excel
from monitoring import selectors as monitoring_selectors
from monitoring.items import exports, knowledge
from monitoring.items.forms import AbilityLevelForm, KnowledgePointForm
from monitoring.items.models import AbilityLevel, KnowledgePoint
from schools.models import District, Subject
from schools.scoping import grants_of


def _require_manager(request: HttpRequest) -> None:
    if not monitoring_selectors.can_manage_exams(request.user):
        raise PermissionDenied


def _tree_url(subject_id: int, district_id: int | None) -> str:
    query = f"?subject={subject_id}" + (f"&district={district_id}" if district_id else "")
    return reverse("monitoring:knowledge-tree") + query


def _back(request: HttpRequest) -> str:
    """Where to return after an ability level is saved: the page it was edited from, if on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("monitoring:knowledge-tree")


def _chosen(request: HttpRequest, subjects: list[Subject]) -> tuple[Subject | None, District | None]:
    params = request.POST if request.method == "POST" else request.GET
    subject = next((s for s in subjects if str(s.pk) == params.get("subject")), None)
    if subject is None:
        with_points = set(KnowledgePoint.objects.values_list("subject_id", flat=True).distinct())
        subject = next((s for s in subjects if s.pk in with_points), subjects[0] if subjects else None)
    district = None
    if params.get("district", "").isdigit():
        district = get_object_or_404(District, pk=int(params["district"]))
    return subject, district


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_tree(request: HttpRequest) -> HttpResponse:
    """A subject's tree (the city's or a district's own) with how many blueprint items use each point;
    the bureau adds, edits, deletes and copies points here and keeps the ability levels."""
    if not (request.user.is_superuser or grants_of(request.user)):
        raise PermissionDenied
    subjects = list(Subject.objects.order_by("order", "pk"))
    subject, district = _chosen(request, subjects)
    can_manage = monitoring_selectors.can_manage_exams(request.user)
    district_id = district.pk if district else None
    blank = KnowledgePoint(subject=subject, district=district)
    form = KnowledgePointForm(instance=blank, prefix="point") if can_manage and subject else None
    if request.method == "POST":
        _require_manager(request)
        form = KnowledgePointForm(request.POST, instance=blank, prefix="point")
        if form.is_valid():
            point = knowledge.save_point(form.save(commit=False), by=request.user)
            messages.success(request, f"已添加{'知识点' if point.parent_id else '领域'}“{point.name}”。")
            return redirect(_tree_url(subject.pk, district_id))
    points = knowledge.tree(subject.pk, district_id) if subject else []
    used = knowledge.usage(points)
    if request.GET.get("export") == "xlsx" and subject:
        region = district.name if district else "全市"
        return excel.export_response(
            f"{region}-{subject.name}-知识点体系.xlsx",
            exports.knowledge_sheets(points, used, knowledge.abilities_with_usage()),
        )
    context = {
        "subjects": subjects,
        "districts": District.objects.order_by("code"),
        "subject": subject,
        "district": district,
        "rows": [{"point": p, "used": used[p.pk]} for p in points],
        "domain_count": sum(1 for p in points if p.parent_id is None),
        "city_count": len(knowledge.tree(subject.pk, None)) if district and subject else None,
        "abilities": knowledge.abilities_with_usage(),
        "can_manage": can_manage,
        "can_add": bool(form and (district is None or points)),
        "form": form,
        "ability_form": AbilityLevelForm(prefix="ability") if can_manage else None,
    }
    return render(request, "monitoring/items/knowledge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    point = get_object_or_404(KnowledgePoint.objects.select_related("subject", "district", "parent"), pk=pk)
    form = KnowledgePointForm(request.POST or None, instance=point, prefix="point")
    if request.method == "POST" and form.is_valid():
        knowledge.save_point(form.save(commit=False), by=request.user)
        messages.success(request, f"已保存“{point.name}”。")
        return redirect(_tree_url(point.subject_id, point.district_id))
    return render(
        request,
        "monitoring/items/knowledge_form.html",
        {"form": form, "title": f"修改{'知识点' if point.parent_id else '领域'}“{point.name}”",
         "back": _tree_url(point.subject_id, point.district_id)},
    )  # fmt: skip


@login_required
@require_POST
def knowledge_point_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    point = get_object_or_404(KnowledgePoint, pk=pk)
    back = _tree_url(point.subject_id, point.district_id)
    try:
        knowledge.delete_point(point, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已删除“{point.name}”。")
    return redirect(back)


@login_required
@require_POST
def knowledge_tree_copy(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    subject = get_object_or_404(Subject, pk=request.POST.get("subject", "0") or 0)
    district = get_object_or_404(District, pk=request.POST.get("district", "0") or 0)
    try:
        count = knowledge.copy_city_tree(subject_id=subject.pk, district_id=district.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已以全市体系为底建立{district.name}的{subject.name}知识点体系：共 {count} 个。")
    return redirect(_tree_url(subject.pk, district.pk))


@login_required
@require_http_methods(["GET", "POST"])
def ability_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    level = get_object_or_404(AbilityLevel, pk=pk) if pk else AbilityLevel()
    form = AbilityLevelForm(request.POST or None, instance=level, prefix="ability")
    back = _back(request)
    if request.method == "POST" and form.is_valid():
        try:
            knowledge.save_ability(form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存能力层级“{level.name}”。")
            return redirect(back)
    return render(
        request,
        "monitoring/items/knowledge_form.html",
        {"form": form, "title": f"修改能力层级“{level.name}”" if pk else "新增能力层级", "back": back},
    )


@login_required
@require_POST
def ability_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    level = get_object_or_404(AbilityLevel, pk=pk)
    try:
        knowledge.delete_ability(level, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已删除能力层级“{level.name}”。")
    return redirect(_back(request))
