"""The reports app's top-bar menu and home-page cards."""

from django.urls import reverse

from reports import dashboard as figures
from reports import rules
from reports.models import Deadline, Kind, Reminder, Report, Status
from reports.selectors import report_qs_for
from schools.dashboard import scope_for
from schools.models import School, Semester, Subject
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
            "badge_class": "warning",
        }
        for r in waiting[:5]
    ]
    items += [
        {
            "text": f"已退回：{r}",
            "url": reverse("reports:report-detail", args=[r.pk]),
            "badge": "需修改",
            "badge_class": "danger",
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
            "badge_class": "info",
        }
        for reminder in reminders.select_related("school")[:3]
    ]
    panels = _subject_report_panels(user)
    if not items and roles <= {"teacher"}:  # a teacher writes no report: no empty card
        return panels
    return [
        *panels,
        {
            "title": "质量分析报告",
            "icon": "file-earmark-text",
            "url": reverse("reports:report-list"),
            "items": items,
            "empty": "暂无待办的报告。",
        },
    ]


STATE_BADGES = {
    None: ("未开始", "danger"),
    Status.DRAFT: ("草稿", "warning"),
    Status.RETURNED: ("已退回，需修改", "danger"),
    Status.SUBMITTED: ("已提交", "info"),
    Status.ACCEPTED: ("已通过", "success"),
}


def _subject_report_panels(user) -> list[dict]:
    """教研组长: the subject report(s) of the current semester they must write, with state and link."""
    leading = sorted({(g.school_id, g.subject_id) for g in grants_of(user) if g.role == "group_leader"})
    semester = Semester.objects.filter(is_current=True).first() if leading else None
    if semester is None:
        return []
    schools = School.objects.in_bulk({school for school, _ in leading})
    subjects = Subject.objects.in_bulk({subject for _, subject in leading})
    reports = {
        (r.school_id, r.subject_id): r
        for r in Report.objects.filter(kind=Kind.SUBJECT, semester=semester, school_id__in=schools)
    }
    due = Deadline.objects.filter(kind=Kind.SUBJECT, semester=semester).values_list("due_on", flat=True).first()
    items = []
    for school_id, subject_id in leading:
        report = reports.get((school_id, subject_id))
        label, tone = STATE_BADGES[report.status if report else None]
        if report is None:
            url, action = reverse("reports:report-create"), "开始撰写"
        elif rules.is_editable(report.status):
            url, action = reverse("reports:report-edit", args=[report.pk]), "继续撰写"
        else:
            url, action = reverse("reports:report-detail", args=[report.pk]), "查看"
        where = f"{schools[school_id].name}{subjects[subject_id].name}" if subject_id in subjects else ""
        items.append(
            {
                "text": f"{action}：{where}学科教学质量分析报告" + (f"（{due:%m月%d日}前提交）" if due else ""),
                "url": url,
                "badge": label,
                "badge_class": tone,
            }
        )
    return [
        {
            "title": f"我要撰写的报告（{semester}）",
            "icon": "pencil-square",
            "url": reverse("reports:report-list") + f"?kind={Kind.SUBJECT}",
            "items": items,
            "empty": "",
        }
    ]


def dashboard(user, params) -> list[dict]:
    """The cockpit's report figure: filing progress of the user's scope against the deadlines."""
    scope = scope_for(user, params)
    if scope is None:
        return []
    found = figures.filing_figure(scope, user_is_bureau=is_bureau(user))
    return [found] if found else []
