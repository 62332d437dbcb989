"""Demo blueprints and item scores (called by monitoring.demo for the demo city's 六年级期中 exam):
语文 and 数学 with the compulsory curriculum's knowledge points, item scores drawn from each student's
ability and school so the analysis has easy, hard, discriminating and flawed items to show."""

import math
import random
from decimal import Decimal

from monitoring.items.importing import item_header
from monitoring.items.models import AbilityLevel, BlueprintItem, KnowledgePoint
from schools import codes

# (label, kind, points, knowledge point, ability, key, difficulty b); 100 points each.
BLUEPRINTS = {
    "SX": [
        *[
            (str(n), "single", 4, point, ability, key, b)
            for n, (point, ability, key, b) in enumerate(
                [
                    ("数与运算", "了解", "B", -1.6),
                    ("数与运算", "理解", "C", -1.0),
                    ("数量关系", "理解", "A", -0.6),
                    ("图形的认识与测量", "了解", "D", -1.2),
                    ("图形的位置与运动", "理解", "B", -0.2),
                    ("数据的收集、整理与表达", "了解", "C", -1.4),
                    ("随机现象发生的可能性", "理解", "A", 0.3),
                    ("图形的性质", "掌握", "D", 0.9),
                ],
                start=1,
            )
        ],
        ("9", "multiple", 4, "数与运算", "掌握", "AC", 0.2),
        ("10", "multiple", 4, "图形的性质", "掌握", "BD", 0.8),
        ("11", "blank", 4, "数量关系", "理解", "", -0.8),
        ("12", "blank", 4, "方程与不等式", "掌握", "", -0.1),
        ("13", "blank", 4, "图形的认识与测量", "掌握", "", 0.4),
        ("14", "blank", 4, "抽样与数据分析", "理解", "", 2.2),
        ("15", "answer", 10, "数与运算", "运用", "", -0.4),
        ("16", "answer", 10, "图形的认识与测量", "运用", "", 0.3),
        ("17", "answer", 12, "方程与不等式", "运用", "", 0.9),
        ("18", "answer", 12, "主题活动", "运用", "", 1.5),
    ],
    "YW": [
        ("1", "single", 3, "拼音", "了解", "A", -1.8),
        ("2", "single", 3, "字音字形", "了解", "C", -1.2),
        ("3", "single", 3, "字音字形", "理解", "B", -0.5),
        ("4", "single", 3, "语言文字积累与梳理", "理解", "D", 0.1),
        ("5", "single", 3, "古诗文阅读", "理解", "A", 0.4),
        ("6", "single", 3, "现代文阅读", "理解", "B", -2.6),
        ("7", "blank", 3, "书写", "掌握", "", -1.0),
        ("8", "blank", 3, "古诗文阅读", "掌握", "", -0.3),
        ("9", "blank", 3, "古诗文阅读", "掌握", "", 0.6),
        ("10", "blank", 3, "语言文字积累与梳理", "掌握", "", 0.2),
        ("11", "answer", 6, "现代文阅读", "理解", "", 0.0),
        ("12", "answer", 6, "现代文阅读", "运用", "", 0.8),
        ("13", "answer", 8, "整本书阅读", "运用", "", 1.1),
        ("14", "essay", 50, "写作", "运用", "", -0.3),
    ],
}


def add_blueprints(exam) -> list:
    """Blueprints for the exam's 语文 and 数学; returns those subjects."""
    abilities = {a.name: a for a in AbilityLevel.objects.all()}
    made = []
    for subject in exam.subjects.select_related("subject"):
        items = BLUEPRINTS.get(subject.subject.code)
        if not items:
            continue
        points = {
            p.name: p
            for p in KnowledgePoint.objects.filter(subject=subject.subject, district__isnull=True, parent__isnull=False)
        }
        BlueprintItem.objects.bulk_create(
            BlueprintItem(
                exam_subject=subject,
                position=position,
                label=label,
                kind=kind,
                points=Decimal(value),
                knowledge_point=points[point],
                ability=abilities[ability],
                answer_key=key,
                option_count=4,
                partial_points=Decimal(value) / 2 if kind == "multiple" else None,
                expected_difficulty=Decimal(str(round(1 / (1 + math.exp(1.7 * b)), 2))),
            )
            for position, (label, kind, value, point, ability, key, b) in enumerate(items)
        )
        made.append(subject)
    return made


# Ability shifts that bring each paper's mean to about 70 % of full marks, the level of the demo's
# other subjects and of the earlier exam (so the item-scored subjects do not look like a collapse).
LEVEL_SHIFT = {"SX": 1.1, "YW": 0.7}


def _cell(rng: random.Random, item, theta: float):
    _, kind, value, _, _, key, b = item
    p = 1 / (1 + math.exp(-1.7 * (theta - b)))
    if kind == "single":
        if rng.random() < p:
            return key
        wrong = [letter for letter in "ABCD" if letter != key]
        # Item 6 of 语文 has an attractive distractor chosen by strong students (a flawed item).
        return wrong[0] if rng.random() < 0.6 else rng.choice(wrong)
    if kind == "multiple":
        roll = rng.random()
        if roll < p:
            return key
        if roll < p + (1 - p) * 0.5:
            return key[0]
        return rng.choice(["A", "B", "AB", "CD", "ABD"])
    share = min(1.0, max(0.0, p + rng.gauss(0, 0.15)))
    return round(share * value * 2) / 2


def item_rows(rng: random.Random, exam, cohort, abilities, effects, grade: int, score_of) -> list[list]:
    """The sheet's rows: item columns for subjects with a blueprint, totals (score_of) for the others."""
    subjects = list(exam.subjects.select_related("subject").order_by("order"))
    rows = []
    for student, school_class in cohort:
        values = [
            student.student_number,
            student.name,
            student.school.code,
            codes.class_label(grade, school_class.number),
        ]
        theta = abilities[student.pk] + effects[student.school_id] * 6
        for subject in subjects:
            items = BLUEPRINTS.get(subject.subject.code)
            if not items:
                values.append(score_of(subject, student))
                continue
            values.append(None)  # the total: left to the items
            if rng.random() < 0.012:
                values += [None] * len(items)  # absent: every item empty
            else:
                shifted = theta + LEVEL_SHIFT[subject.subject.code]
                values += [_cell(rng, item, shifted + rng.gauss(0, 0.3)) for item in items]
        rows.append(values)
    return rows


def header(exam, fixed: list[str]) -> list[str]:
    names = list(fixed)
    for subject in exam.subjects.select_related("subject").order_by("order"):
        names.append(subject.subject.name)
        names += [item_header(subject.subject.name, item[0]) for item in BLUEPRINTS.get(subject.subject.code, [])]
    return names
