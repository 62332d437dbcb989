"""The inspections menu and home-page panels (see eduquality/extensions.py)."""

from django.urls import reverse

from inspections import dashboard as figures
from inspections import selectors
from inspections.models import Observation, RectificationOrder, Visit
from schools.dashboard import scope_for
from schools.models import Semester
from schools.scoping import grants_of, is_bureau, is_inspector, school_leader_ids_for


def menu(user) -> dict | None:
    if not (grants_of(user) or is_bureau(user)):
        return None
    children = []
    if is_bureau(user) or is_inspector(user) or school_leader_ids_for(user):
        children.append(("督导视导", reverse("inspections:visit-list")))
    children.append(("督导任务与双随机抽取", reverse("inspections:campaign-list")))
    children.append(("抽取结果公示", reverse("inspections:draw-list")))
    if selectors.sees_city_ratings(user):
        children.append(("星级学校", reverse("inspections:star-table")))
    if selectors.sees_city_ratings(user) or school_leader_ids_for(user):
        children.append(("整改看板", reverse("inspections:order-list")))
    children.append(("听评课记录", reverse("inspections:observation-list")))
    if selectors.can_manage_inspections(user):
        children.append(("听课任务完成情况", reverse("inspections:quota-table")))
    if selectors.can_manage_inspections(user) or selectors.quota_school_ids(user):
        children.append(("听课任务设定", reverse("inspections:quota-edit")))
    if selectors.sees_city_ratings(user):
        children.append(("评估细则", reverse("inspections:rubric-list")))
    return {"label": "督导与听评课", "icon": "clipboard-check", "children": children}


def _item(text, url, badge="", badge_class="secondary"):
    return {"text": text, "url": url, "badge": badge, "badge_class": badge_class}


def home_panels(user) -> list[dict]:
    panels = []
    if is_bureau(user):
        overdue = list(
            RectificationOrder.objects.filter(status=RectificationOrder.Status.OVERDUE)
            .select_related("school")
            .order_by("deadline")[:6]
        )
        panels.append(
            {
                "title": "逾期未整改",
                "icon": "exclamation-triangle",
                "url": reverse("inspections:order-list") + "?status=overdue",
                "items": [
                    _item(
                        f"{order.school.name}（期限 {order.deadline:%Y-%m-%d}）",
                        reverse("inspections:order-detail", args=[order.pk]),
                        "逾期",
                        "danger",
                    )
                    for order in overdue
                ],
                "empty": "没有逾期的整改通知。",
            }
        )
    if is_inspector(user):
        visits = list(
            Visit.objects.filter(inspectors=user)
            .exclude(status=Visit.Status.SUBMITTED)
            .select_related("school", "campaign")[:6]
        )
        panels.append(
            {
                "title": "待完成的督导",
                "icon": "clipboard-check",
                "url": reverse("inspections:visit-list"),
                "items": [
                    _item(
                        f"{visit.school.name} · {visit.campaign.title}",
                        reverse("inspections:visit-fill", args=[visit.pk]),
                        visit.get_status_display(),
                    )
                    for visit in visits
                ],
                "empty": "没有待完成的督导。",
            }
        )
    leader_schools = school_leader_ids_for(user)
    if leader_schools:
        orders = list(
            RectificationOrder.objects.filter(school_id__in=leader_schools)
            .exclude(status=RectificationOrder.Status.VERIFIED)
            .select_related("school")[:6]
        )
        panels.append(
            {
                "title": "本校整改通知",
                "icon": "tools",
                "url": reverse("inspections:order-list"),
                "items": [
                    _item(
                        f"{order.school.name}：{order.deadline:%Y-%m-%d}前",
                        reverse("inspections:order-detail", args=[order.pk]),
                        order.get_status_display(),
                        "danger" if order.status == "overdue" else "warning",
                    )
                    for order in orders
                ],
                "empty": "没有待处理的整改通知。",
            }
        )
    semester = Semester.objects.filter(is_current=True).first()
    quota = selectors.my_quota(user=user, semester=semester)
    if quota:
        panels.append(
            {
                "title": f"本学期听课任务（{quota['done']}/{quota['quota']} 节）",
                "icon": "easel",
                "url": reverse("inspections:observation-list"),
                "items": [
                    _item(
                        f"已完成 {quota['progress']}%",
                        reverse("inspections:observation-create"),
                        "记录听课",
                        "success" if quota["progress"] >= 100 else "primary",
                    )
                ],
                "empty": "",
            }
        )
    teacher = getattr(user, "teacher", None) if hasattr(user, "teacher") else None
    if teacher is not None:
        pending = Observation.objects.filter(teacher=teacher, reflection="").order_by("-observed_on")[:5]
        panels.append(
            {
                "title": "我的课堂教学考核档案",
                "icon": "journal-text",
                "url": reverse("inspections:teacher-file", args=[teacher.pk]),
                "items": [
                    _item(
                        f"{o.observed_on:%Y-%m-%d}《{o.topic}》待写教学反思",
                        reverse("inspections:observation-detail", args=[o.pk]),
                        "待反思",
                        "warning",
                    )
                    for o in pending
                ],
                "empty": "所有听课记录都已完成教学反思。",
            }
        )
    return panels


def dashboard(user, params) -> list[dict]:
    """The cockpit's inspection figures: orders and star levels of the user's scope."""
    scope = scope_for(user, params)
    if scope is None:
        return []
    return [figures.order_figure(scope), figures.star_figure(scope)]
