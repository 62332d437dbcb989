"""The reference engine of paper analysis: every figure straight from its definition (items.rules),
student by student, in plain Python. The embedded SQLite demo uses it; the tests hold the PostgreSQL
engines (engine_numpy, engine_sql) to it on random data. Slow by design: clarity over speed."""

import json
from collections import defaultdict
from decimal import Decimal

from eduquality.db import copy_rows
from monitoring.items import rules
from monitoring.items.models import ItemScore, ItemStatistic, KnowledgeStatistic, PaperStatistic
from monitoring.items.plan import Plan, points_of
from schools.models import School, Student

UNIT = ["exam_id", "exam_subject_id", "level", "district_id", "school_id", "school_class_id", "sitters"]
ITEM_COLUMNS = [
    *UNIT,
    "item_id",
    "mean",
    "difficulty",
    "discrimination",
    "item_rest",
    "full_rate",
    "zero_rate",
    "options",
]
PAPER_COLUMNS = [*UNIT, "alpha", "sem", "mean_difficulty", "skew"]
KNOWLEDGE_COLUMNS = [*UNIT, "knowledge_point_id", "ability_id", "points", "score_rate"]


def _share(count: int, n: int) -> float | None:
    return float(rules.rounded(Decimal(count) / n)) if n else None


def unit_rows(exam_id: int, plan: Plan, unit: tuple, sitters: list[tuple]) -> tuple[list, list, list]:
    """The item, paper and knowledge rows of one unit from its sitters: (学籍号, points, choices)."""
    level, district_id, school_id, class_id = unit
    head = [exam_id, plan.exam_subject_id, level, district_id, school_id, class_id, len(sitters)]
    n = len(sitters)
    totals = [sum(points) for _, points, _ in sitters]
    numbers = [number for number, _, _ in sitters]
    top, bottom = rules.top_and_bottom(totals, numbers)
    g = len(top)
    item_rows = []
    for item in plan.items:
        xs = [points[item.position] for _, points, _ in sitters]
        rest = [total - x for total, x in zip(totals, xs, strict=True)]
        total = sum(xs)
        options = None
        if item.is_choice:
            chosen = [choices[item.choice_index] if choices else None for _, _, choices in sitters]
            answered = [i for i, c in enumerate(chosen) if c is not None]
            if answered:
                top_answered = [i for i in top if chosen[i] is not None]
                bottom_answered = [i for i in bottom if chosen[i] is not None]
                options = {
                    letter: [
                        _share(sum(1 for i in group if chosen[i] & (1 << index)), len(group))
                        for group in (answered, top_answered, bottom_answered)
                    ]
                    for index, letter in enumerate(rules.OPTION_LETTERS[: item.option_count])
                }
        item_rows.append(
            [
                *head,
                item.pk,
                rules.rounded(Decimal(total) / (2 * n), rules.MEAN_PLACES) if n else None,
                rules.difficulty(total, n, item.max_half),
                rules.discrimination(sum(xs[i] for i in top), sum(xs[i] for i in bottom), g, item.max_half),
                rules.rounded(rules.pearson(xs, rest)),
                rules.rounded(Decimal(sum(1 for x in xs if x == item.max_half)) / n) if n else None,
                rules.rounded(Decimal(sum(1 for x in xs if x == 0)) / n) if n else None,
                json.dumps(options) if options is not None else None,
            ]
        )
    item_variances = [
        rules.population_variance([points[i.position] / 2 for _, points, _ in sitters]) for i in plan.items
    ]
    scores = [total / 2 for total in totals]
    total_variance = rules.population_variance(scores)
    alpha = rules.cronbach_alpha(item_variances, total_variance)
    full = sum(plan.maxima)
    paper_rows = [
        [
            *head,
            rules.rounded(alpha),
            rules.rounded(rules.sem(total_variance**0.5, alpha), rules.MEAN_PLACES),
            rules.rounded(Decimal(sum(totals)) / (n * full)) if n and full else None,
            rules.rounded(rules.skewness(scores)),
        ]
    ]
    knowledge_rows = []
    for column, groups in (("point", plan.point_positions), ("ability", plan.ability_positions)):
        for key, positions in groups.items():
            earned = sum(points[p] for _, points, _ in sitters for p in positions)
            maximum = n * sum(plan.items[p].max_half for p in positions)
            knowledge_rows.append(
                [
                    *head,
                    key if column == "point" else None,
                    key if column == "ability" else None,
                    points_of(plan, positions),
                    rules.rounded(Decimal(earned) / maximum) if maximum else None,
                ]
            )
    return item_rows, paper_rows, knowledge_rows


def compute_subject(exam_id: int, plan: Plan) -> int:
    """Compute and store every item, paper and knowledge figure of one subject; returns the item rows."""
    scores = list(
        ItemScore.objects.filter(exam_subject_id=plan.exam_subject_id).values_list(
            "student_id", "school_id", "school_class_id", "points", "choices"
        )
    )
    numbers = dict(Student.objects.filter(pk__in=[s[0] for s in scores]).values_list("pk", "student_number"))
    district_of = dict(School.objects.filter(pk__in={s[1] for s in scores}).values_list("pk", "district_id"))
    units: dict[tuple, list[tuple]] = defaultdict(list)
    k = len(plan.items)
    for student_id, school_id, class_id, points, choices in scores:
        if len(points) != k:
            continue  # a blueprint changed after the import: the row no longer fits
        sitter = (numbers[student_id], points, choices)
        district_id = district_of[school_id]
        for unit in (
            ("class", district_id, school_id, class_id),
            ("school", district_id, school_id, None),
            ("district", district_id, None, None),
            ("city", None, None, None),
        ):
            units[unit].append(sitter)
    item_rows, paper_rows, knowledge_rows = [], [], []
    for unit, sitters in units.items():
        rows = unit_rows(exam_id, plan, unit, sitters)
        item_rows += rows[0]
        paper_rows += rows[1]
        knowledge_rows += rows[2]
    delete_subject(plan.exam_subject_id)
    copy_rows(ItemStatistic._meta.db_table, ITEM_COLUMNS, item_rows)
    copy_rows(PaperStatistic._meta.db_table, PAPER_COLUMNS, paper_rows)
    copy_rows(KnowledgeStatistic._meta.db_table, KNOWLEDGE_COLUMNS, knowledge_rows)
    return len(item_rows)


def delete_subject(exam_subject_id: int) -> None:
    for model in (ItemStatistic, PaperStatistic, KnowledgeStatistic):
        model.objects.filter(exam_subject_id=exam_subject_id).delete()
