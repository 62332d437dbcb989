"""Top-bar menu and home-page cards of quality monitoring (see eduquality/extensions.py)."""

from django.urls import reverse

from monitoring import dashboard as figures
from monitoring import selectors
from monitoring.models import Exam, ResearchVisit
from schools.dashboard import scope_for
from schools.scoping import school_ids_for


def menu(user) -> dict | None:
    sees_all = selectors.sees_all_schools(user)
    if not (sees_all or school_ids_for(user)):
        return None
    children = [("质量监测", reverse("monitoring:exam-list"))]
    if sees_all:
        children.append(("质量预警", reverse("monitoring:warning-list")))
        children.append(("知识点体系", reverse("monitoring:knowledge-tree")))
    children.append(("基本要求达标", reverse("monitoring:indicator-table")))
    return {"label": "质量监测", "icon": "clipboard-data", "children": children}


def home_panels(user) -> list[dict]:
    panels = []
    exams = selectors.exam_qs_for(user=user).filter(status=Exam.Status.READY).order_by("-computed_at")[:5]
    if selectors.sees_all_schools(user) or school_ids_for(user):
        panels.append(
            {
                "title": "最近完成统计的监测",
                "icon": "clipboard-data",
                "url": reverse("monitoring:exam-list"),
                "items": [
                    {
                        "text": exam.name,
                        "url": reverse("monitoring:exam-detail", args=[exam.pk]),
                        "badge": str(exam.semester),
                    }
                    for exam in exams
                ],
                "empty": "暂无已完成统计的监测。",
            }
        )
    if selectors.sees_all_schools(user):
        open_warnings = (
            selectors.warning_qs_for(user=user)
            .exclude(visit__status=ResearchVisit.Status.CLOSED)
            .order_by("-created_at")
        )
        panels.append(
            {
                "title": f"待跟进的质量预警（{open_warnings.count()} 条）",
                "icon": "exclamation-triangle",
                "url": reverse("monitoring:warning-list"),
                "items": [
                    {
                        "text": f"{w.school.name} · {w.get_kind_display()}",
                        "url": reverse("monitoring:warning-detail", args=[w.pk]),
                        "badge": w.visit.get_status_display(),
                        "badge_class": "danger" if w.visit.status == ResearchVisit.Status.OPEN else "warning",
                    }
                    for w in open_warnings[:5]
                ],
                "empty": "没有待跟进的预警。",
            }
        )
    return panels


def dashboard(user, params) -> list[dict]:
    """The cockpit's monitoring figures for the user's scope (warnings for bureau roles only)."""
    scope = scope_for(user, params)
    if scope is None:
        return []
    exams = figures.latest_exams(scope)
    found = [figures.trend_figure(scope, exams), figures.units_figure(scope, exams)]
    if scope.sees_all and selectors.sees_all_schools(user):
        found.insert(0, figures.warning_figure(scope))
    return found
