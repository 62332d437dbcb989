"""The reports app's top-bar menu and home-page cards."""

from django.urls import reverse

from reports import rules
from reports.models import Kind, Reminder, Status
from reports.selectors import report_qs_for
from schools.scoping import grants_of, is_bureau, is_inspector, school_ids_for


def menu(user) -> dict | None:
    if not (grants_of(user) or is_bureau(user)):
        return None
    children = [("质量分析报告", reverse("reports:report-list"))]
    if is_bureau(user) or is_inspector(user) or {g.role for g in grants_of(user)} - {"teacher"}:
        children.append(("撰写报告", reverse("reports:report-create")))
    if is_bureau(user):
        children.append(("报送情况与催报", reverse("reports:tracking")))
        children.append(("改进措施落实情况", reverse("reports:measures-overview")))
    return {"label": "质量报告", "icon": "file-earmark-text", "children": children}


def home_panels(user) -> list[dict]:
    if not (grants_of(user) or is_bureau(user)):
        return []
    roles = {g.role for g in grants_of(user)} | ({"bureau"} if is_bureau(user) else set())
    to_review = [k for k, reviewers in rules.REVIEWER_ROLES.items() if reviewers & roles]
    waiting = report_qs_for(user=user).filter(status=Status.SUBMITTED, kind__in=to_review)
    if not is_bureau(user):
        own = school_ids_for(user, "principal", "academic_lead")
        waiting = waiting.filter(school_id__in=own)
    returned = report_qs_for(user=user).filter(status=Status.RETURNED)
    items = [
        {
            "text": f"待审阅：{r}",
            "url": reverse("reports:report-detail", args=[r.pk]),
            "badge": "待审阅",
            "badge_class": "text-bg-warning",
        }
        for r in waiting[:5]
    ]
    items += [
        {
            "text": f"已退回：{r}",
            "url": reverse("reports:report-detail", args=[r.pk]),
            "badge": "需修改",
            "badge_class": "text-bg-danger",
        }
        for r in returned[:5]
    ]
    reminders = Reminder.objects.filter(
        school_id__in=school_ids_for(user, "principal", "academic_lead", "group_leader")
    )
    items += [
        {
            "text": reminder.message,
            "url": reverse("reports:report-create"),
            "badge": Kind(reminder.kind).label[:6],
            "badge_class": "text-bg-info",
        }
        for reminder in reminders.select_related("school")[:3]
    ]
    return [
        {
            "title": "质量分析报告",
            "icon": "file-earmark-text",
            "url": reverse("reports:report-list"),
            "items": items,
            "empty": "暂无待办的报告。",
        }
    ]
