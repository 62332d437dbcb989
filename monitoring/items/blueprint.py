"""The blueprint (双向细目表) of an exam subject: its Excel template, its import (validated whole,
stored all or nothing) and the two-way table teachers draw (知识点 × 能力层级, points in the cells)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from eduquality import audit, excel
from eduquality.excel import Problem, Sheet
from eduquality.imports import ImportRejected, problems_message
from monitoring.items import knowledge, rules
from monitoring.items.models import AbilityLevel, BlueprintItem, ItemScore, KnowledgePoint

HEADER = ["题号", "题型", "分值", "知识点", "能力层级", "预估难度", "答案", "选项数", "多选部分得分"]
REQUIRED = HEADER[:5]
KIND_BY_LABEL = {label: value for value, label in BlueprintItem.Kind.choices}


def knowledge_points_for(exam_subject) -> list[KnowledgePoint]:
    """The subject's tree the blueprint names points from: the city's, or the district's own for an
    exam of one district that keeps one (knowledge.tree_district)."""
    return knowledge.tree_for_exam_subject(exam_subject)


def point_names(points: list[KnowledgePoint]) -> dict[str, KnowledgePoint]:
    """A point by its name, and by 领域/名称 (the only form for a name used twice)."""
    by_pk = {p.pk: p for p in points}
    names: dict[str, KnowledgePoint] = {}
    counts: dict[str, int] = {}
    for point in points:
        counts[point.name] = counts.get(point.name, 0) + 1
    for point in points:
        if counts[point.name] == 1:
            names[point.name] = point
        if point.parent_id:
            names[f"{by_pk[point.parent_id].name}/{point.name}"] = point
    return names


def template(exam_subject) -> bytes:
    points = knowledge_points_for(exam_subject)
    abilities = list(AbilityLevel.objects.values_list("name", flat=True))
    names = list(point_names(points))
    columns = [
        excel.TemplateColumn("题号", 8, note="如 1、13(1)", text=True),
        excel.TemplateColumn("题型", 8, choices=list(KIND_BY_LABEL)),
        excel.TemplateColumn("分值", 8, note="整分或半分", decimal_range=(Decimal("0.5"), exam_subject.full_marks)),
        excel.TemplateColumn("知识点", 22, choices=names[:250], note="本学科知识点体系中的名称"),
        excel.TemplateColumn("能力层级", 10, choices=abilities),
        excel.TemplateColumn("预估难度", 10, note="0–1，可空", decimal_range=(Decimal(0), Decimal(1))),
        excel.TemplateColumn("答案", 8, note="选择题，如 B 或 ACD", text=True),
        excel.TemplateColumn("选项数", 8, note="选择题，默认 4"),
        excel.TemplateColumn("多选部分得分", 12, note="多选题选对但不全的得分"),
    ]
    return excel.template_workbook(f"{exam_subject.subject.name}双向细目表", columns)


@dataclass
class _Row:
    label: str
    kind: str
    points: Decimal
    point: KnowledgePoint
    ability: AbilityLevel
    expected: Decimal | None
    key: str
    option_count: int
    partial: Decimal | None


def _decimal(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None


def parse(exam_subject, header: list[str], rows: list[tuple[int, list]]) -> tuple[list[_Row], list[Problem]]:
    """The blueprint's rows checked one by one, then the sum against the subject's full marks."""
    problems = excel.header_problems(header, REQUIRED, HEADER[5:])
    if problems:
        return [], problems
    at = {name: header.index(name) for name in HEADER if name in header}
    names = point_names(knowledge_points_for(exam_subject))
    abilities = {a.name: a for a in AbilityLevel.objects.all()}
    parsed, labels = [], {}

    def cell(values, name):
        return values[at[name]] if name in at else None

    for line, values in rows:
        before = len(problems)
        label = excel.text_of(cell(values, "题号")).strip()
        if not label:
            problems.append(Problem(line, "题号", "题号不能为空。"))
        elif label in labels:
            problems.append(Problem(line, "题号", f"题号与第 {labels[label]} 行重复。"))
        labels.setdefault(label, line)
        kind = KIND_BY_LABEL.get(excel.text_of(cell(values, "题型")).strip())
        if kind is None:
            problems.append(Problem(line, "题型", f"题型应为：{'、'.join(KIND_BY_LABEL)}。"))
        try:
            points = _decimal(cell(values, "分值"))
        except ValueError:
            points = None
        if points is None or points <= 0 or rules.half_points(points) is None:
            problems.append(Problem(line, "分值", "分值应为大于0的整分或半分。"))
        point = names.get(excel.text_of(cell(values, "知识点")).strip())
        if point is None:
            problems.append(
                Problem(line, "知识点", f"知识点“{excel.text_of(cell(values, '知识点'))}”不在本学科的知识点体系中。")
            )
        ability = abilities.get(excel.text_of(cell(values, "能力层级")).strip())
        if ability is None:
            problems.append(Problem(line, "能力层级", f"能力层级应为：{'、'.join(abilities)}。"))
        try:
            expected = _decimal(cell(values, "预估难度"))
            if expected is not None and not (0 <= expected <= 1):
                raise ValueError
        except ValueError:
            expected = None
            problems.append(Problem(line, "预估难度", "预估难度应为0到1之间的小数。"))
        try:
            count = _decimal(cell(values, "选项数"))
            option_count = int(count) if count is not None else 4
            if not 2 <= option_count <= len(rules.OPTION_LETTERS):
                raise ValueError
        except ValueError:
            option_count = 4
            problems.append(Problem(line, "选项数", "选项数应为2到8之间的整数。"))
        key = excel.text_of(cell(values, "答案")).strip().upper().replace(" ", "")
        if key:
            if kind not in (BlueprintItem.Kind.SINGLE, BlueprintItem.Kind.MULTIPLE, BlueprintItem.Kind.TRUE_FALSE):
                problems.append(Problem(line, "答案", "只有选择题（单选、多选、判断）可以填写答案。"))
            else:
                try:
                    mask = rules.option_mask(key, option_count)
                    key = rules.mask_letters(mask)
                    if kind != BlueprintItem.Kind.MULTIPLE and len(key) != 1:
                        problems.append(Problem(line, "答案", "单选、判断题的答案只能是一个选项。"))
                except rules.ItemError as error:
                    problems.append(Problem(line, "答案", str(error)))
        try:
            partial = _decimal(cell(values, "多选部分得分"))
        except ValueError:
            partial = Decimal(-1)
        if partial is not None:
            if kind != BlueprintItem.Kind.MULTIPLE:
                problems.append(Problem(line, "多选部分得分", "只有多选题可以设置部分得分。"))
            elif partial <= 0 or rules.half_points(partial) is None or (points is not None and partial >= points):
                problems.append(Problem(line, "多选部分得分", "部分得分应为小于分值的整分或半分。"))
        if len(problems) == before:
            parsed.append(_Row(label, kind, points, point, ability, expected, key, option_count, partial))
    if not rows:
        problems.append(Problem(2, "题号", "细目表中没有题目。"))
    if not problems and (message := total_problem(exam_subject, [r.points for r in parsed])):
        problems.append(Problem(len(rows) + 2, "分值", message))
    return parsed, problems


def total_problem(exam_subject, points: list[Decimal]) -> str:
    """The refusal when the items do not add up to the subject's full marks, with the difference."""
    difference = rules.blueprint_difference(points, exam_subject.full_marks)
    if not difference:
        return ""
    total = exam_subject.full_marks + difference
    return (
        f"各题分值合计 {total.normalize():f} 分，与满分 {exam_subject.full_marks.normalize():f} 分"
        f"相差 {difference.normalize():+f} 分。"
    )


def rows_from_forms(cleaned: list[dict]) -> list[_Row]:
    """The blueprint's rows from the entry form's cleaned items (in the order entered)."""
    return [
        _Row(
            label=c["label"].strip(),
            kind=c["kind"],
            points=c["points"],
            point=c["knowledge_point"],
            ability=c["ability"],
            expected=c.get("expected_difficulty"),
            key=rules.mask_letters(rules.option_mask(c.get("answer_key") or "", c.get("option_count") or 4)),
            option_count=c.get("option_count") or 4,
            partial=c.get("partial_points"),
        )
        for c in cleaned
    ]


def save(exam_subject, parsed: list[_Row], *, by) -> int:
    """Replace the subject's blueprint. Refused when item scores are stored and the items change in
    number (the stored arrays would no longer fit)."""
    with transaction.atomic():
        stored = exam_subject.items.count()
        if stored != len(parsed) and ItemScore.objects.filter(exam_subject=exam_subject).exists():
            raise ImportRejected(
                f"本学科已导入小题分（{stored} 题），新细目表有 {len(parsed)} 题；请先重新导入总分或保持题目数量一致。"
            )
        exam_subject.items.all().delete()
        BlueprintItem.objects.bulk_create(
            BlueprintItem(
                exam_subject=exam_subject,
                position=position,
                label=row.label,
                kind=row.kind,
                points=row.points,
                knowledge_point=row.point,
                ability=row.ability,
                expected_difficulty=row.expected,
                answer_key=row.key,
                option_count=row.option_count,
                partial_points=row.partial,
            )
            for position, row in enumerate(parsed)
        )
        audit.record(
            actor=by,
            action="update",
            instance=exam_subject,
            changes={"blueprint": ["", f"{len(parsed)} 题"]},
            note="导入双向细目表",
        )
    return len(parsed)


def import_blueprint(exam_subject, content: bytes, filename: str, *, by) -> int:
    """Check every row, then store all of it or nothing; problems come back with the marked workbook."""
    try:
        table = excel.read_table(content, filename, max_rows=500)
    except excel.WorkbookRejected as rejected:
        raise ImportRejected(str(rejected)) from rejected
    parsed, problems = parse(exam_subject, table.header, table.rows)
    if problems:
        raise ImportRejected(problems_message(len(problems)), problems, excel.marked_workbook(table, problems))
    return save(exam_subject, parsed, by=by)


def two_way(exam_subject) -> tuple[list[str], list[list]]:
    """(ability names, rows) of the two-way table: see items.rules.two_way_table."""
    items = list(exam_subject.items.select_related("knowledge_point", "ability"))
    abilities = list(AbilityLevel.objects.values_list("name", flat=True))
    points = []
    for item in items:
        if item.knowledge_point.name not in points:
            points.append(item.knowledge_point.name)
    rows = rules.two_way_table(
        [(i.label, i.knowledge_point.name, i.ability.name, i.points) for i in items], points, abilities
    )
    return abilities, rows


def two_way_sheets(exam_subject) -> list[Sheet]:
    abilities, rows = two_way(exam_subject)

    def text(cell) -> str:
        value, labels = cell
        return f"{value:f}（{'、'.join(labels)}）" if labels else ("" if not value else f"{value:f}")

    table = Sheet(
        title="双向细目表",
        header=["知识点", *abilities, "合计"],
        rows=[[row[0], *[text(c) for c in row[1:-1]], f"{row[-1]:f}"] for row in rows],
        widths=[24, *[16] * len(abilities), 10],
    )
    items = Sheet(
        title="题目",
        header=HEADER,
        rows=[
            [
                i.label,
                i.get_kind_display(),
                i.points,
                i.knowledge_point.name,
                i.ability.name,
                i.expected_difficulty,
                i.answer_key,
                i.option_count if i.is_choice else "",
                i.partial_points,
            ]
            for i in exam_subject.items.select_related("knowledge_point", "ability")
        ],
        widths=[8, 8, 8, 24, 10, 10, 8, 8, 12],
    )
    return [table, items]
