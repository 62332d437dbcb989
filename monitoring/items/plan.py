"""What the engines and the import need to know of an exam subject's blueprint, read once."""

from dataclasses import dataclass
from decimal import Decimal

from monitoring.items import rules
from monitoring.items.models import BlueprintItem, KnowledgePoint


@dataclass(frozen=True)
class PlannedItem:
    pk: int
    position: int
    label: str
    kind: str
    max_half: int
    knowledge_point_id: int
    ability_id: int
    is_choice: bool
    choice_index: int | None  # its place in ItemScore.choices
    key_mask: int
    option_count: int
    partial_half: int | None


@dataclass(frozen=True)
class Plan:
    exam_subject_id: int
    items: tuple[PlannedItem, ...]
    # {knowledge point id: the item positions under it (its own and its descendants')}
    point_positions: dict[int, tuple[int, ...]]
    ability_positions: dict[int, tuple[int, ...]]

    @property
    def maxima(self) -> list[int]:
        return [item.max_half for item in self.items]

    @property
    def choice_items(self) -> list[PlannedItem]:
        return [item for item in self.items if item.is_choice]


def plan_for(exam_subject_id: int) -> Plan | None:
    """None: the subject has no blueprint."""
    items = list(BlueprintItem.objects.filter(exam_subject_id=exam_subject_id).order_by("position"))
    if not items:
        return None
    planned, choice = [], 0
    for item in items:
        is_choice = item.is_choice
        key = 0
        if is_choice and item.answer_key:
            try:
                key = rules.option_mask(item.answer_key, item.option_count)
            except rules.ItemError:
                key = 0
        planned.append(
            PlannedItem(
                pk=item.pk,
                position=item.position,
                label=item.label,
                kind=item.kind,
                max_half=rules.half_points(item.points) or 0,
                knowledge_point_id=item.knowledge_point_id,
                ability_id=item.ability_id,
                is_choice=is_choice,
                choice_index=choice if is_choice else None,
                key_mask=key,
                option_count=item.option_count,
                partial_half=rules.half_points(item.partial_points) if item.partial_points is not None else None,
            )
        )
        choice += is_choice
    parents = dict(
        KnowledgePoint.objects.filter(subject_id__in=[items[0].knowledge_point.subject_id]).values_list(
            "pk", "parent_id"
        )
    )
    points: dict[int, list[int]] = {}
    abilities: dict[int, list[int]] = {}
    for item in planned:
        node, seen = item.knowledge_point_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            points.setdefault(node, []).append(item.position)
            node = parents.get(node)
        abilities.setdefault(item.ability_id, []).append(item.position)
    return Plan(
        exam_subject_id=exam_subject_id,
        items=tuple(planned),
        point_positions={k: tuple(v) for k, v in points.items()},
        ability_positions={k: tuple(v) for k, v in abilities.items()},
    )


def points_of(plan: Plan, positions) -> Decimal:
    return Decimal(sum(plan.items[p].max_half for p in positions)) / 2
