"""Reads of paper analysis, scoped by the user as the rest of monitoring (monitoring.selectors):
the city's figures for everyone in the exam, a school's and its classes' for its own staff and the
bureau roles. Student item scores are never read here (they stay in their school's score pages).

The reports app reads its sections through the functions at the end (stored figures only)."""

from collections import defaultdict
from decimal import Decimal

from django.http import Http404

from monitoring import selectors
from monitoring.items import rules
from monitoring.items.models import BlueprintItem, ItemStatistic, KnowledgePoint, KnowledgeStatistic, PaperStatistic
from monitoring.models import Exam, ExamSubject, Level
from schools import codes
from schools.models import School


def can_see_school(user, exam: Exam, school_id: int) -> bool:
    visible = selectors.school_ids_visible_in_exam(user=user, exam=exam)
    return visible is None or school_id in visible


def require_school(user, exam: Exam, school_id: int) -> None:
    """Outsiders get the same 404 as a school that is not in the exam."""
    if not can_see_school(user, exam, school_id):
        raise Http404


def items_of(exam_subject: ExamSubject) -> list[BlueprintItem]:
    return list(exam_subject.items.select_related("knowledge_point", "ability").order_by("position"))


def _unit_filter(level: str, school_id: int | None = None, district_id: int | None = None) -> dict:
    if level == Level.CITY:
        return {"level": level}
    if level == Level.DISTRICT:
        return {"level": level, "district_id": district_id}
    return {"level": level, "school_id": school_id}


def item_rows(exam_subject: ExamSubject, *, school: School | None = None) -> list[dict]:
    """The item table: each item with the city's figures (and the school's, if given), its flags."""
    items = items_of(exam_subject)
    city = {s.item_id: s for s in ItemStatistic.objects.filter(exam_subject=exam_subject, level=Level.CITY)}
    own = {}
    if school is not None:
        own = {
            s.item_id: s
            for s in ItemStatistic.objects.filter(exam_subject=exam_subject, level=Level.SCHOOL, school=school)
        }
    flag_rules = exam_subject.exam.item_flag_rules
    rows = []
    for item in items:
        stat = own.get(item.pk) if school is not None else city.get(item.pk)
        city_stat = city.get(item.pk)
        rows.append(
            {
                "item": item,
                "stat": stat,
                "city": city_stat,
                "flags": rules.item_flags(stat.difficulty, stat.discrimination, stat.item_rest, flag_rules)
                if stat
                else [],
                "difficulty_label": rules.difficulty_label(stat.difficulty) if stat else "",
                "discrimination_label": rules.discrimination_label(stat.discrimination) if stat else "",
                "gap": (stat.difficulty - city_stat.difficulty)
                if stat and city_stat and stat.difficulty is not None and city_stat.difficulty is not None
                else None,
                "options": _options(item, stat),
            }
        )
    return rows


def _options(item: BlueprintItem, stat) -> list[dict]:
    if not stat or not stat.options:
        return []
    key = set(item.answer_key)
    return [
        {"letter": letter, "all": shares[0], "top": shares[1], "bottom": shares[2], "is_key": letter in key}
        for letter, shares in stat.options.items()
    ]


def paper(exam_subject: ExamSubject, *, level: str = Level.CITY, school_id=None, district_id=None):
    return PaperStatistic.objects.filter(
        exam_subject=exam_subject, **_unit_filter(level, school_id, district_id)
    ).first()


def two_way_rates(exam_subject: ExamSubject, *, school: School | None = None) -> tuple[list[str], list[dict]]:
    """双向细目表 coloured by score rate: per knowledge point (of the items) × ability level, the points
    and the unit's score rate of the items in that cell (from the stored item means)."""
    from monitoring.items.blueprint import two_way

    abilities, rows = two_way(exam_subject)
    level = Level.SCHOOL if school is not None else Level.CITY
    filters = {"school": school} if school is not None else {}
    means = {
        s.item_id: s.mean
        for s in ItemStatistic.objects.filter(exam_subject=exam_subject, level=level, **filters).only("item_id", "mean")
    }
    by_label = {i.label: i for i in exam_subject.items.all()}
    table = []
    for row in rows:
        cells = []
        for value, labels in row[1:-1]:
            earned = [means.get(by_label[label].pk) for label in labels]
            rate = None
            if labels and all(e is not None for e in earned) and value:
                rate = rules.rounded(sum(earned, Decimal(0)) / value)
            cells.append({"points": value, "labels": labels, "rate": rate})
        table.append({"point": row[0], "cells": cells, "total": row[-1]})
    return abilities, table


def knowledge_profile(exam_subject: ExamSubject, school: School) -> list[dict]:
    """Each knowledge point of the paper: the school's score rate against its district's and the city's."""
    stats = KnowledgeStatistic.objects.filter(exam_subject=exam_subject, knowledge_point__isnull=False).filter(
        _levels(school)
    )
    by_point: dict[int, dict] = defaultdict(dict)
    for stat in stats:
        by_point[stat.knowledge_point_id][stat.level] = stat
    points = {p.pk: p for p in KnowledgePoint.objects.filter(pk__in=by_point)}
    rows = []
    for point_id, levels in by_point.items():
        point = points[point_id]
        school_stat, city_stat = levels.get(Level.SCHOOL), levels.get(Level.CITY)
        rows.append(
            {
                "point": point,
                "is_domain": point.parent_id is None,
                "points": (city_stat or school_stat).points,
                "school": school_stat.score_rate if school_stat else None,
                "district": levels[Level.DISTRICT].score_rate if Level.DISTRICT in levels else None,
                "city": city_stat.score_rate if city_stat else None,
                "gap": _gap(school_stat, city_stat),
            }
        )

    def domain_first(row: dict) -> tuple:
        point = row["point"]
        domain = points.get(point.parent_id, point) if point.parent_id else point
        return (domain.order, domain.pk, point.parent_id is not None, point.order, point.pk)

    rows.sort(key=domain_first)
    return rows


def _gap(stat, city) -> Decimal | None:
    if stat is None or city is None or stat.score_rate is None or city.score_rate is None:
        return None
    return stat.score_rate - city.score_rate


def _levels(school: School):
    from django.db.models import Q

    return (
        Q(level=Level.SCHOOL, school=school)
        | Q(level=Level.DISTRICT, district_id=school.district_id)
        | Q(level=Level.CITY)
    )


def class_heatmap(exam_subject: ExamSubject, school: School) -> tuple[list[KnowledgePoint], list[dict]]:
    """Class × knowledge point score rates of one school (the points the items name directly)."""
    direct = {i.knowledge_point_id for i in exam_subject.items.all()}
    stats = (
        KnowledgeStatistic.objects.filter(
            exam_subject=exam_subject, level=Level.CLASS, school=school, knowledge_point_id__in=direct
        )
        .select_related("school_class")
        .order_by("school_class__number")
    )
    points = list(KnowledgePoint.objects.filter(pk__in=direct).order_by("parent__order", "order"))
    classes: dict[int | None, dict] = {}
    for stat in stats:
        row = classes.setdefault(
            stat.school_class_id,
            {
                "name": codes.class_label(stat.school_class.grade, stat.school_class.number)
                if stat.school_class
                else "未分班",
                "sitters": stat.sitters,
                "rates": {},
            },
        )
        row["rates"][stat.knowledge_point_id] = stat.score_rate
    rows = [{**row, "cells": [row["rates"].get(p.pk) for p in points]} for row in classes.values()]
    return points, rows


def lost_items(exam_subject: ExamSubject, school: School, *, limit: int = 8) -> list[dict]:
    """典型失分题: the school's items furthest below the city's score rate."""
    rows = [row for row in item_rows(exam_subject, school=school) if row["gap"] is not None]
    rows.sort(key=lambda row: (row["gap"], row["item"].position))
    return [row for row in rows[:limit] if row["gap"] < 0]


def analysed_subjects(exam: Exam) -> list[ExamSubject]:
    """The exam's subjects with a blueprint, in the exam's order."""
    return list(
        exam.subjects.filter(items__isnull=False)
        .distinct()
        .select_related("subject", "exam")
        .order_by("order", "subject__order")
    )


# ---- For the reports (stored figures only) -------------------------------------------------------


def subject_report_section(exam_subject: ExamSubject, school: School | None = None, *, limit: int = 5) -> dict:
    """The subject report's 试卷分析: the paper's quality and, for a school, its weakest knowledge points
    and items against the city (each with its numbers)."""
    section = {
        "paper": paper(exam_subject),
        "flagged": [row for row in item_rows(exam_subject) if row["flags"]],
        "weakest_points": [],
        "lost_items": [],
        "finding": "",
    }
    if school is not None:
        profile = [row for row in knowledge_profile(exam_subject, school) if row["gap"] is not None]
        profile.sort(key=lambda row: row["gap"])
        section["weakest_points"] = profile[:limit]
        section["lost_items"] = lost_items(exam_subject, school, limit=limit)
        if profile:
            section["finding"] = _finding(profile[0])
    return section


def _finding(row: dict) -> str:
    """A finding prints its number and the direction it shows."""
    gap = row["gap"] * 100
    direction = "低于" if gap < 0 else "不低于"
    return f"“{row['point'].name}”得分率 {row['school'] * 100:.1f}%，{direction}全市 {abs(gap):.1f} 个百分点，" + (
        "是本学科最需要加强的知识点。" if gap < 0 else "各知识点均不低于全市。"
    )


def school_report_summary(exam: Exam, school: School) -> list[dict]:
    """The school report's per-subject summary: score rate against the city's and the weakest point."""
    summary = []
    for subject in analysed_subjects(exam):
        profile = [row for row in knowledge_profile(subject, school) if row["gap"] is not None and not row["is_domain"]]
        profile.sort(key=lambda row: row["gap"])
        own = paper(subject, level=Level.SCHOOL, school_id=school.pk)
        city = paper(subject)
        summary.append(
            {
                "subject": subject,
                "mean_difficulty": own.mean_difficulty if own else None,
                "city_mean_difficulty": city.mean_difficulty if city else None,
                "weakest": profile[0] if profile else None,
                "lost_items": lost_items(subject, school, limit=3),
            }
        )
    return summary


def region_report_section(exam: Exam, *, district_id: int | None = None, limit: int = 5) -> list[dict]:
    """The district/city report: each paper's quality (α, SEM, flagged items) and the region's weakest
    knowledge points."""
    level = Level.DISTRICT if district_id else Level.CITY
    rows = []
    for subject in analysed_subjects(exam):
        points = (
            KnowledgeStatistic.objects.filter(
                exam_subject=subject,
                knowledge_point__isnull=False,
                knowledge_point__parent__isnull=False,
                **_unit_filter(level, district_id=district_id),
            )
            .select_related("knowledge_point")
            .order_by("score_rate")[:limit]
        )
        rows.append(
            {
                "subject": subject,
                "paper": paper(subject, level=level, district_id=district_id),
                "flagged": [row for row in item_rows(subject) if row["flags"]],
                "weakest_points": list(points),
            }
        )
    return rows
