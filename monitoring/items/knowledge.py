"""知识点体系与能力层级: the bureau keeps each subject's knowledge-point tree as data — the city's, and
a district's own where it keeps one — and the ability levels. Two levels: 领域 (a domain, no parent)
and 知识点 under it. Every change is audited; a point or level that a blueprint uses is never deleted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from eduquality import audit
from monitoring.items.models import AbilityLevel, BlueprintItem, KnowledgePoint


def tree_district(exam_district_ids: set[int], districts_with_tree: set[int]) -> int | None:
    """Whose tree an exam subject uses: an exam whose schools all lie in one district that keeps its
    own tree of the subject uses that district's (区县自行组织的监测); every other exam the city's (None)."""
    if len(exam_district_ids) == 1:
        (district_id,) = exam_district_ids
        if district_id in districts_with_tree:
            return district_id
    return None


def ordered(points: list[KnowledgePoint]) -> list[KnowledgePoint]:
    """Domains in their order, each followed by its points; anything else (deeper nodes) last."""
    points = sorted(points, key=lambda p: (p.order, p.pk))
    ordered_points = []
    for root in (p for p in points if p.parent_id is None):
        ordered_points.append(root)
        ordered_points += [p for p in points if p.parent_id == root.pk]
    return ordered_points + [p for p in points if p not in ordered_points]


def in_tree(points, district_id: int | None):
    """The points of one region's tree: a district's own, or the city's (no district)."""
    return points.filter(district_id=district_id) if district_id else points.filter(district__isnull=True)


def tree(subject_id: int, district_id: int | None) -> list[KnowledgePoint]:
    return ordered(list(in_tree(KnowledgePoint.objects.filter(subject_id=subject_id), district_id)))


def tree_for_exam_subject(exam_subject) -> list[KnowledgePoint]:
    """The tree an exam subject's blueprint names its points from (see tree_district)."""
    exam_districts = set(exam_subject.exam.schools.values_list("district_id", flat=True).distinct())
    with_tree = set(
        KnowledgePoint.objects.filter(subject_id=exam_subject.subject_id, district_id__in=exam_districts)
        .values_list("district_id", flat=True)
        .distinct()
    )
    return tree(exam_subject.subject_id, tree_district(exam_districts, with_tree))


def usage(points: list[KnowledgePoint]) -> dict[int, int]:
    """How many blueprint items name each point (a domain counts its points' items too)."""
    counts = dict(
        BlueprintItem.objects.filter(knowledge_point__in=points)
        .values_list("knowledge_point")
        .annotate(n=Count("pk"))
        .values_list("knowledge_point", "n")
    )
    by_point = {p.pk: counts.get(p.pk, 0) for p in points}
    for point in points:
        if point.parent_id in by_point:
            by_point[point.parent_id] += counts.get(point.pk, 0)
    return by_point


def check_point(*, subject_id: int, district_id: int | None, parent: KnowledgePoint | None, name: str, pk=None):
    """Refuses a nameless point, a parent that is not a domain of the same tree, or a name the
    domain (or, for a domain, the tree) already has."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写名称。"})
    if parent is not None:
        if parent.pk == pk:
            raise ValidationError({"parent": "知识点不能属于它自己。"})
        if parent.parent_id is not None:
            raise ValidationError({"parent": "知识点体系只有两级：请选择一个领域作为上级。"})
        if parent.subject_id != subject_id or parent.district_id != district_id:
            raise ValidationError({"parent": "上级领域须属于同一学科、同一知识点体系。"})
        if pk is not None and KnowledgePoint.objects.filter(parent_id=pk).exists():
            raise ValidationError({"parent": "该领域下还有知识点，不能改为其他领域的知识点。"})
    siblings = in_tree(KnowledgePoint.objects.filter(subject_id=subject_id, name=name, parent=parent), district_id)
    if siblings.exclude(pk=pk).exists():
        where = f"领域“{parent.name}”下" if parent else "本学科"
        raise ValidationError({"name": f"{where}已有名为“{name}”的{'知识点' if parent else '领域'}。"})
    return name


def save_point(point: KnowledgePoint, *, by) -> KnowledgePoint:
    creating = point.pk is None
    before = None if creating else KnowledgePoint.objects.get(pk=point.pk)
    point.name = check_point(
        subject_id=point.subject_id,
        district_id=point.district_id,
        parent=point.parent,
        name=point.name,
        pk=point.pk,
    )
    with transaction.atomic():
        point.save()
        if creating:
            audit.record(actor=by, action="create", instance=point)
        else:
            changes = {
                field: [str(getattr(before, field) or ""), str(getattr(point, field) or "")]
                for field in ("name", "parent", "order")
                if getattr(before, field) != getattr(point, field)
            }
            audit.record(actor=by, action="update", instance=point, changes=changes)
    return point


def delete_point(point: KnowledgePoint, *, by) -> None:
    """Deletes a point, or a domain with its points, unless a blueprint item names any of them."""
    used = BlueprintItem.objects.filter(Q(knowledge_point=point) | Q(knowledge_point__parent=point)).count()
    if used:
        raise ValidationError(f"“{point.name}”已被 {used} 道题的细目表使用，不能删除；可以改名或调整顺序。")
    with transaction.atomic():
        audit.record(actor=by, action="delete", instance=point)
        point.delete()


def copy_city_tree(*, subject_id: int, district_id: int, by) -> int:
    """Starts a district's own tree of a subject as a copy of the city's; refused if it has one."""
    if KnowledgePoint.objects.filter(subject_id=subject_id, district_id=district_id).exists():
        raise ValidationError("本区县已有该学科的知识点体系。")
    city = tree(subject_id, None)
    if not city:
        raise ValidationError("全市尚无该学科的知识点体系，无从复制。")
    with transaction.atomic():
        copies: dict[int, KnowledgePoint] = {}
        for point in city:  # domains come before their points
            copies[point.pk] = KnowledgePoint.objects.create(
                subject_id=subject_id,
                district_id=district_id,
                parent=copies.get(point.parent_id),
                name=point.name,
                order=point.order,
            )
        first = next(iter(copies.values()))
        audit.record(actor=by, action="create", instance=first, note=f"复制全市知识点体系，共 {len(copies)} 个")
    return len(copies)


def abilities_with_usage() -> list[AbilityLevel]:
    """The ability levels in order, each with `used`: how many blueprint items name it."""
    return list(AbilityLevel.objects.annotate(used=Count("blueprintitem")).order_by("order", "pk"))


def save_ability(level: AbilityLevel, *, by) -> AbilityLevel:
    level.name = level.name.strip()
    if not level.name:
        raise ValidationError({"name": "请填写名称。"})
    if AbilityLevel.objects.filter(name=level.name).exclude(pk=level.pk).exists():
        raise ValidationError({"name": f"已有名为“{level.name}”的能力层级。"})
    creating = level.pk is None
    with transaction.atomic():
        level.save()
        audit.record(actor=by, action="create" if creating else "update", instance=level)
    return level


def delete_ability(level: AbilityLevel, *, by) -> None:
    used = BlueprintItem.objects.filter(ability=level).count()
    if used:
        raise ValidationError(f"能力层级“{level.name}”已被 {used} 道题使用，不能删除；可以改名或调整顺序。")
    with transaction.atomic():
        audit.record(actor=by, action="delete", instance=level)
        level.delete()
