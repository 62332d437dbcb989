"""The teaching-research menu and home-page panels (see eduquality/extensions.py)."""

from django.urls import reverse
from django.utils import timezone

from research import selectors
from schools.scoping import grants_of, has_role, is_bureau, is_inspector, school_ids_for, school_leader_ids_for


def menu(user) -> dict | None:
    if not (grants_of(user) or is_bureau(user)):
        return None
    children = [("教研活动", reverse("research:activity-list"))]
    if selectors.can_organise(user):
        children.append(("记录教研活动", reverse("research:activity-create")))
    if school_ids_for(user):
        children.append(("本校教研常规达标", reverse("research:my-table")))
    if selectors.sees_all(user):
        children.append(("全市教研常规达标", reverse("research:city-table")))
    if is_inspector(user):
        children.append(("我联系的学校", reverse("research:my-schools")))
    if selectors.sees_all(user) or school_leader_ids_for(user):
        children.append(("教研员联系学校", reverse("research:liaison-list")))
    if has_role(user, "teacher"):  # from the roles alone: the menu is built without queries
        children.append(("我的成长档案", reverse("research:growth-mine")))
    if school_leader_ids_for(user) or selectors.sees_all(user):
        children.append(("教师成长档案完成情况", reverse("research:growth-school")))
    return {"label": "教研与成长", "icon": "people", "children": children}


def home_panels(user) -> list[dict]:
    pending = list(selectors.pending_confirmations(user=user)[:6])
    if not pending:
        return []
    return [
        {
            "title": "待确认参加的教研活动",
            "icon": "check2-square",
            "url": reverse("research:activity-list"),
            "items": [
                {
                    "text": f"{timezone.localtime(p.activity.starts_at):%m-%d} {p.activity.activity_type.name}："
                    f"{p.activity.topic}",
                    "url": reverse("research:activity-detail", args=[p.activity_id]),
                    "badge": "待确认",
                    "badge_class": "warning",
                }
                for p in pending
            ],
            "empty": "",
        }
    ]
