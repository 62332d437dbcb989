"""The item columns of the score sheet (小题分), read by monitoring.score_import.

A subject with a blueprint may come as one column per item, headed `学科-题号` (数学-1, 数学-13(1)),
with or without the subject's total column (if present and filled, it must equal the items' sum).
A cell is the item's score (whole or half points), or for a choice item with an answer key the
letters chosen (scored against the key, the option kept). An empty item of a sitter is 0; `缺考` in
the total column or the first item column, or every item empty, is an absence. Without its item
columns the subject is imported as today, from its total column alone.

The usual cell is looked up ready-made (value → half points); anything else goes to `_cell` for
the exact rule and its message.
"""

import itertools
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from eduquality.excel import Problem
from monitoring import rules as score_rules
from monitoring.items import rules
from monitoring.items.plan import Plan, PlannedItem

SEPARATOR = "-"
_ABSENT = frozenset(score_rules.ABSENT_MARKERS)


def item_header(subject_name: str, label: str) -> str:
    return f"{subject_name}{SEPARATOR}{label}"


def normal_header(header: str) -> str:
    return header.replace("_", SEPARATOR).replace("－", SEPARATOR).replace("（", "(").replace("）", ")")


def has_item_columns(header: list[str], subject_name: str) -> bool:
    prefix = subject_name + SEPARATOR
    return any(normal_header(h).startswith(prefix) for h in header)


def _letters(option_count: int) -> list[str]:
    letters = rules.OPTION_LETTERS[:option_count]
    return [
        "".join(combination)
        for size in range(1, option_count + 1)
        for combination in itertools.combinations(letters, size)
    ]


class ItemColumns:
    """The item columns of one subject in one sheet."""

    def __init__(self, subject_name: str, plan: Plan, header: list[str], total_at: int | None):
        self.name = subject_name
        self.plan = plan
        self.items = plan.items
        normal = [normal_header(h) for h in header]
        self.headers = [item_header(subject_name, item.label) for item in self.items]
        self.at = [normal.index(h) for h in self.headers]
        self.total_at = total_at
        self.cells_of = itemgetter(*self.at) if len(self.at) > 1 else lambda values: (values[self.at[0]],)
        self.lookups = [self._lookup(item) for item in self.items]
        self.choice_positions = [item.position for item in plan.choice_items if item.key_mask]
        self.mask_lookups = [self._mask_lookup(self.items[p]) for p in self.choice_positions]
        self.masks_of = (
            itemgetter(*self.choice_positions)
            if len(self.choice_positions) > 1
            else (lambda cells: (cells[self.choice_positions[0]],))
        )
        self.all_choice = [item.position for item in plan.choice_items]
        self.full = sum(item.max_half for item in self.items)

    @staticmethod
    def expected_headers(subject_name: str, plan: Plan) -> list[str]:
        return [item_header(subject_name, item.label) for item in plan.items]

    @staticmethod
    def _lookup(item: PlannedItem) -> dict:
        # Not True/False: they equal 1 and 0 as keys; a row with a logical value takes the slow path.
        table: dict = {half / 2: half for half in range(item.max_half + 1)}
        table.update({half // 2: half for half in range(0, item.max_half + 1, 2)})
        table.update({None: 0, "": 0})
        if item.is_choice and item.key_mask:
            for letters in _letters(item.option_count):
                mask = rules.option_mask(letters, item.option_count)
                half = rules.choice_half_points(mask, item.key_mask, item.max_half, item.partial_half)
                table[letters] = table[letters.lower()] = half
        return table

    @staticmethod
    def _mask_lookup(item: PlannedItem) -> dict:
        table: dict = {
            letters: rules.option_mask(letters, item.option_count) for letters in _letters(item.option_count)
        }
        table.update({letters.lower(): mask for letters, mask in list(table.items())})
        table.update({None: 0, "": 0})
        return table

    def read(self, values) -> tuple[object, str] | None:
        """(the subject's score for the Score table, the item row's COPY tail) — or None when the row
        needs `problems` (anything unusual). An absence is ("缺考", "")."""
        cells = self.cells_of(values)
        halves = list(map(dict.get, self.lookups, cells))
        if None in halves or bool in set(map(type, cells)):
            return None
        total = sum(halves)
        given = values[self.total_at] if self.total_at is not None else None
        if not total and all(c is None or c == "" for c in cells):
            return ("缺考", "") if given is None or given == "" or given in _ABSENT else None
        if given is not None and given != "" and given != total / 2:
            return None
        choices = "\\N"
        if self.choice_positions:
            masks = list(map(dict.get, self.mask_lookups, self.masks_of(cells)))
            if None not in masks:
                choices = masks_text(self._all_masks(cells, masks))
        return total / 2, f"{self.plan.exam_subject_id}\t{{{','.join(map(str, halves))}}}\t{choices}\n"

    def _all_masks(self, cells, masks) -> list[int]:
        """One mask per choice item (those without a key: from their letters, 0 if none)."""
        if len(self.all_choice) == len(self.choice_positions):
            return masks
        by_position = dict(zip(self.choice_positions, masks, strict=True))
        result = []
        for position in self.all_choice:
            if position in by_position:
                result.append(by_position[position])
                continue
            cell = cells[position]
            try:
                result.append(
                    rules.option_mask(cell, self.items[position].option_count) if isinstance(cell, str) else 0
                )
            except rules.ItemError:
                result.append(0)
        return result

    def problems(self, line: int, values) -> tuple[list[Problem], tuple[object, str] | None]:
        """Everything wrong with the row's items, or, if nothing is, what `read` would have given."""
        cells = self.cells_of(values)
        problems, halves, masks = [], [], []
        for item, header, cell in zip(self.items, self.headers, cells, strict=True):
            try:
                half, mask = _cell(cell, item)
            except rules.ItemError as error:
                problems.append(Problem(line, header, str(error)))
                continue
            halves.append(half)
            masks.append(mask)
        given = values[self.total_at] if self.total_at is not None else None
        total_header = self.name
        empty = all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
        absent_mark = isinstance(given, str) and given.strip() in _ABSENT
        first = cells[0] if cells else None
        if isinstance(first, str) and first.strip() in _ABSENT:
            absent_mark = True
            problems = [p for p in problems if p.column != self.headers[0]]
            empty = all(c is None or (isinstance(c, str) and not c.strip()) for c in cells[1:])
        if absent_mark and not empty:
            problems.append(Problem(line, total_header, "标为缺考的学生不应填写小题分。"))
        if problems:
            return problems, None
        if empty:
            if given is not None and not (isinstance(given, str) and (not given.strip() or absent_mark)):
                return [Problem(line, total_header, "小题分均为空（缺考），总分却有分数。")], None
            return [], ("缺考", "")
        total = sum(halves)
        if given is not None and not (isinstance(given, str) and not given.strip()):
            try:
                stated = score_rules.parse_score(given, Decimal(self.full) / 2)
            except score_rules.ScoreError as error:
                return [Problem(line, total_header, str(error))], None
            if stated is None or stated * 2 != total:
                return [Problem(line, total_header, f"总分 {given} 与小题分之和 {_points(total)} 不一致。")], None
        choices = "\\N"
        choice_masks = [masks[item.position] for item in self.plan.choice_items]
        if self.plan.choice_items and all(m is not None for m in choice_masks):
            choices = masks_text(choice_masks)
        return [], (total / 2, f"{self.plan.exam_subject_id}\t{{{','.join(map(str, halves))}}}\t{choices}\n")


def masks_text(masks: list[int]) -> str:
    """The options chosen as COPY text of a bytea (one byte per choice item)."""
    return "\\\\x" + bytes(masks).hex()


def _points(half: int) -> str:
    return f"{Decimal(half) / 2:f}".rstrip("0").rstrip(".") if half % 2 else str(half // 2)


def _cell(cell, item: PlannedItem) -> tuple[int, int | None]:
    """One item cell: (half points, option mask or None if no letters). Raises ItemError."""
    if cell is None:
        return 0, 0
    if isinstance(cell, bool):
        raise rules.ItemError("应为分数，不能是逻辑值。")
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return 0, 0
        if text.upper()[0] in rules.OPTION_LETTERS:
            if not item.is_choice:
                raise rules.ItemError(f"第{item.label}题不是选择题，应填写分数。")
            mask = rules.option_mask(text, item.option_count)
            if not item.key_mask:
                raise rules.ItemError(f"第{item.label}题未设置答案，请填写得分或先在细目表中设置答案。")
            return rules.choice_half_points(mask, item.key_mask, item.max_half, item.partial_half), mask
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise rules.ItemError(f"“{text}”不是有效的分数。") from None
    elif isinstance(cell, int | float):
        value = Decimal(repr(float(cell)))
    else:
        raise rules.ItemError(f"“{cell}”不是有效的分数。")
    half = rules.half_points(value)
    if half is None:
        raise rules.ItemError(f"得分 {cell} 应为非负的整分或半分。")
    if half > item.max_half:
        raise rules.ItemError(f"得分 {cell} 超过本题分值 {_points(item.max_half)}。")
    return half, None
