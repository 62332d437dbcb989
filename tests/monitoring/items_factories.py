"""Blueprints and item-score workbooks for the paper-analysis tests."""

from decimal import Decimal

from monitoring.items.importing import item_header
from monitoring.items.models import AbilityLevel, BlueprintItem, KnowledgePoint
from monitoring.models import ExamSubject
from monitoring.score_import import FIXED_HEADERS
from tests.monitoring.factories import import_rows, student_number  # noqa: F401  (re-exported for tests)


def point(subject_code: str, name: str) -> KnowledgePoint:
    return KnowledgePoint.objects.get(subject__code=subject_code, district__isnull=True, name=name)


def make_blueprint(exam_subject: ExamSubject, items) -> list[BlueprintItem]:
    """items: (label, kind, points, knowledge point name, ability name, key) — key "" if none."""
    code = exam_subject.subject.code
    made = []
    for position, (label, kind, points, point_name, ability, key) in enumerate(items):
        made.append(
            BlueprintItem.objects.create(
                exam_subject=exam_subject,
                position=position,
                label=label,
                kind=kind,
                points=Decimal(points),
                knowledge_point=point(code, point_name),
                ability=AbilityLevel.objects.get(name=ability),
                answer_key=key,
                option_count=4,
                partial_points=Decimal(1) if kind == BlueprintItem.Kind.MULTIPLE else None,
            )
        )
    return made


# A 数学 paper of 10 points: two single-choice items (2 each), one multiple (2, partial 1), one answer (4).
MATHS_ITEMS = [
    ("1", "single", 2, "数与运算", "了解", "B"),
    ("2", "single", 2, "图形的性质", "理解", "C"),
    ("3", "multiple", 2, "数与运算", "掌握", "AC"),
    ("4", "answer", 4, "函数", "运用", ""),
]


def item_header_row(exam, *, totals: bool = True) -> list[str]:
    header = list(FIXED_HEADERS)
    for subject in exam.subjects.order_by("order"):
        items = list(subject.items.order_by("position"))
        if totals or not items:
            header.append(subject.subject.name)
        header += [item_header(subject.subject.name, i.label) for i in items]
    return header
