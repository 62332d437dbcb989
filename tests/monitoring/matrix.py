"""Quality monitoring in the URL × role matrix (see tests/matrix.py).

Rankings and warnings are for bureau roles (局机关, 督学/教研员); school staff see their own school in
an exam and the city figures; managing exams is the bureau's.
"""

from django.urls import reverse

from monitoring.items.models import AbilityLevel, KnowledgePoint
from monitoring.models import EarlyWarning, Indicator, ResearchVisit
from monitoring.statistics import compute_exam
from tests.matrix import ANY_ROLE, BUREAU_ONLY, POST_ONLY, statuses
from tests.monitoring.factories import import_rows, make_exam, row
from tests.monitoring.items_factories import MATHS_ITEMS, make_blueprint

EXAM_READERS = statuses(200, nobody=403)  # bureau, inspector and the staff of a school in the exam
# An exam outside a user's scope is a 404 before any role check (the same answer as a missing one).
SEES_ALL = statuses(403, bureau=200, inspector=200)
SCHOOL_A_FIGURES = statuses(200, nobody=404)  # school A's own staff and the bureau roles
OWN_SCHOOL_LEADERS = statuses(404, principal=200, academic_lead=200)  # filing school A's figures

EXPECTED = {
    "monitoring:exam-list": EXAM_READERS,
    "monitoring:exam-create": BUREAU_ONLY,
    "monitoring:exam-detail": statuses(200, nobody=404),
    "monitoring:exam-update": BUREAU_ONLY,
    "monitoring:exam-template": statuses(403, bureau=200, nobody=404),
    "monitoring:exam-upload": POST_ONLY,
    "monitoring:exam-recompute": POST_ONLY,
    "monitoring:exam-ranking": statuses(403, bureau=200, inspector=200, nobody=404),
    "monitoring:exam-scores": statuses(403, bureau=200, nobody=404),
    "monitoring:exam-school": SCHOOL_A_FIGURES,
    # Value-added: the city's schools like rankings; a school's classes for its leaders (and the bureau).
    "monitoring:exam-value-added": statuses(403, bureau=200, inspector=200, nobody=404),
    "monitoring:exam-value-added-school": statuses(404, bureau=200, inspector=200, principal=200, academic_lead=200),
    "monitoring:school-trend": statuses(200, nobody=403),
    "monitoring:warning-list": SEES_ALL,
    "monitoring:warning-detail": statuses(404, bureau=200, inspector=200),
    "monitoring:indicator-table": EXAM_READERS,
    "monitoring:indicator-file": OWN_SCHOOL_LEADERS,
    # Paper analysis: the city's item figures for everyone in the exam, a school's for its own staff.
    "monitoring:item-analysis": statuses(200, nobody=404),
    "monitoring:item-blueprint": statuses(200, nobody=404),
    "monitoring:item-blueprint-edit": statuses(403, bureau=200, nobody=404),
    "monitoring:item-blueprint-template": statuses(403, bureau=200, nobody=404),
    "monitoring:item-blueprint-download": statuses(200, nobody=404),
    "monitoring:item-school": SCHOOL_A_FIGURES,
    # 知识点体系: everyone with a role reads the trees; the bureau edits them.
    "monitoring:knowledge-tree": ANY_ROLE,
    "monitoring:knowledge-tree-copy": POST_ONLY,
    "monitoring:knowledge-point-edit": BUREAU_ONLY,
    "monitoring:knowledge-point-delete": POST_ONLY,
    "monitoring:ability-create": BUREAU_ONLY,
    "monitoring:ability-edit": BUREAU_ONLY,
    "monitoring:ability-delete": POST_ONLY,
}


def build(city) -> dict:
    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-MATRIX")
    import_rows(exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_b, 1, 30, 20)])
    make_blueprint(exam.subjects.get(subject__code="SX"), MATHS_ITEMS)
    compute_exam(exam)
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="测试")
    ResearchVisit.objects.create(warning=warning)
    assert Indicator.objects.exists()
    return {"exam": exam, "school": city.school_a, "warning": warning}


def url(name: str, objects: dict) -> str:
    exam, school = objects["exam"], objects["school"]
    short = name.split(":")[1]
    if short.startswith("item-") and short != "item-school":
        return reverse(name, args=[exam.pk, exam.subjects.get(subject__code="SX").pk])
    if short in ("exam-school", "exam-value-added-school", "item-school"):
        return reverse(name, args=[exam.pk, school.pk])
    if short.startswith("exam-") and short not in ("exam-list", "exam-create"):
        return reverse(name, args=[exam.pk])
    if short in ("school-trend", "indicator-file"):
        return reverse(name, args=[school.pk])
    if short == "warning-detail":
        return reverse(name, args=[objects["warning"].pk])
    if short.startswith("knowledge-point-"):
        return reverse(name, args=[KnowledgePoint.objects.filter(parent__isnull=False).first().pk])
    if short in ("ability-edit", "ability-delete"):
        return reverse(name, args=[AbilityLevel.objects.first().pk])
    return reverse(name)
