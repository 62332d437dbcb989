"""The paper-analysis engine at city scale, in numpy: one subject's item scores read in one COPY, every
figure computed in vectorised arrays, the rows written back by COPY.

1. Read: one `COPY … TO STDOUT (FORMAT binary)` of the subject's sitters in 学籍号 order (byte order, as
   the reference's str comparison): class key (a classless sitter's is its school, negated), school,
   the items (`smallint[]` of fixed length k, in its binary form) and the option masks (coalesced to
   zeros, with a flag for sitters whose choice items came as scores). Every field has a fixed size, so
   the buffer is one structured numpy array (`numpy.frombuffer`); a row's index is its tie-break rank.
2. The sitters sorted by (district, school, class): every unit of every level is a contiguous run.
   Additive sums per class and item by `numpy.add.reduceat` (Σx, Σx², full and zero counts, ΣxX, the
   option bits; ΣX, ΣX², ΣX³ per class), rolled up to schools, districts and the city by reduceat
   over the classes.
3. Top and bottom ⌈0.27 n⌉ per unit: the sitters in city rank order (X descending, 学籍号), per level
   sorted stably by unit; the first and last g of each unit's run; their item sums and option bits by
   reduceat.
4. P, D, full and zero rates, means and option shares as exact integer ratios rounded half up; item–rest
   r from the exact integer sums (R = X − x); α, SEM, skew per unit from the exact sums (Python integers
   for the third moment); knowledge-point and ability rates from the item sums. Written as COPY text.

The old rows are deleted and the new ones stored on a second thread (eduquality.db.write_behind) while
this one computes: each level's paper and knowledge rows as soon as its sums are known, then its item
rows in slices, so the database (one statement at a time, the critical path) is kept busy from the
DELETE on and stores one slice while the next is formatted.

items.reference defines every figure; the tests hold this engine to it on random data. Memory for
200,000 sitters × 30 items: arrays of 6 million small integers, about 300 MB at the peak.
"""

import math
from decimal import Decimal
from functools import partial

import numpy as np
from django.db import connection

from eduquality.db import write_behind
from monitoring.items import rules
from monitoring.items.models import ItemScore, ItemStatistic, KnowledgeStatistic, PaperStatistic
from monitoring.items.plan import Plan
from monitoring.items.reference import ITEM_COLUMNS, KNOWLEDGE_COLUMNS, PAPER_COLUMNS
from schools.models import School, Student

LEVELS = ("class", "school", "district", "city")
_SLICE = 1000  # units per COPY of item rows
_HEADER = 19  # PGCOPY signature, flags, header extension length
_TRAILER = 2


def _record_dtype(k: int, c: int) -> np.dtype:
    fields = [
        ("fields", ">i2"),
        ("l_unit", ">i4"),
        ("unit", ">i8"),
        ("l_school", ">i4"),
        ("school", ">i8"),
        ("l_points", ">i4"),
        ("ndim", ">i4"),
        ("has_null", ">i4"),
        ("oid", ">i4"),
        ("dim", ">i4"),
        ("lower", ">i4"),
        ("points", [("length", ">i4"), ("value", ">i2")], (k,)),
    ]
    if c:
        fields += [("l_has", ">i4"), ("has", "u1"), ("l_choices", ">i4"), ("choices", "u1", (c,))]
    return np.dtype(fields)


def _read(subject_id: int, k: int, c: int):
    """The sitters in 学籍号 order: class key, school, items (N × k), has-choices flag, option masks (N × c)."""
    # array_send: the items' binary form (as COPY would send the array) made by the parallel workers
    # that scan the rows, not by the one process that sends them.
    columns = "coalesce(i.school_class_id, -i.school_id), i.school_id, array_send(i.points)"
    if c:
        zeros = "\\x" + "00" * c
        columns += (
            f", i.choices IS NOT NULL AND length(i.choices) = {c}, "
            f"CASE WHEN length(i.choices) = {c} THEN i.choices ELSE '{zeros}'::bytea END"
        )
    query = (
        f"COPY (SELECT {columns} FROM {ItemScore._meta.db_table} i "
        f"JOIN {Student._meta.db_table} st ON st.id = i.student_id "
        f"WHERE i.exam_subject_id = {int(subject_id)} AND cardinality(i.points) = {int(k)} "
        'ORDER BY st.student_number COLLATE "C") TO STDOUT (FORMAT binary)'
    )
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
        while data := copy.read():
            buffer += data
    dtype = _record_dtype(k, c)
    body = len(buffer) - _HEADER - _TRAILER
    if body % dtype.itemsize:
        raise ValueError("unexpected COPY record size")
    records = np.frombuffer(buffer, dtype=dtype, offset=_HEADER, count=body // dtype.itemsize)
    if len(records) and (
        (records["fields"] != (5 if c else 3)).any()
        or (records["l_points"] != 20 + 6 * k).any()
        or (records["points"]["length"] != 2).any()
        or (records["has_null"] != 0).any()
    ):
        raise ValueError("unexpected COPY record")
    units = records["unit"].astype(np.int64)
    schools = records["school"].astype(np.int64)
    points = records["points"]["value"].astype(np.int16)
    has = records["has"].astype(bool) if c else np.zeros(len(records), bool)
    choices = records["choices"].astype(np.uint8) if c else np.zeros((len(records), 0), np.uint8)
    return units, schools, points, has, choices


def _half_up(numerator, denominator, places: int):
    """round(numerator ÷ denominator, places) half up (away from zero), as an integer scaled by 10^places;
    the denominator > 0."""
    numerator = np.asarray(numerator, dtype=np.int64)
    denominator = np.asarray(denominator, dtype=np.int64)
    scale = 10**places
    magnitude = (np.abs(numerator) * (2 * scale) + denominator) // (2 * denominator)
    return np.where(numerator < 0, -magnitude, magnitude)


class _Texts:
    """Scaled integers (10^places) as COPY text by table lookup: one object array per column, not a format
    per value."""

    def __init__(self, places: int, low: int, high: int):
        self.low = low
        scale = 10**places
        self.table = np.array(
            [f"{'-' if v < 0 else ''}{abs(v) // scale}.{abs(v) % scale:0{places}d}" for v in range(low, high + 1)]
            + ["\\N"],
            dtype=object,
        )

    def __call__(self, values, valid=None, null: str | None = None) -> np.ndarray:
        texts = self.table[np.asarray(values, dtype=np.int64) - self.low]
        if valid is not None:
            texts = np.where(valid, texts, self.table[-1] if null is None else null)
        return texts


_RATES = _Texts(4, -10000, 10000)


def _rounded_floats(values, valid) -> np.ndarray:
    """Floats rounded to 4 places half up as rules.rounded does (the float's repr, away from zero at a
    half), scaled by 10^4: by arithmetic, or by rules.rounded where a float sits within rounding error of a
    half."""
    values = np.where(valid, values, 0.0)
    scaled = np.abs(values) * 10000
    magnitude = np.floor(scaled + 0.5)
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    result = np.where(values < 0, -magnitude, magnitude).astype(np.int64)
    for index in np.flatnonzero(near & valid):
        result.flat[index] = int(rules.rounded(float(values.flat[index])).scaleb(4))
    return result


def compute_subject(exam_id: int, plan: Plan) -> int:
    """Compute and store every item, paper and knowledge figure of one subject; returns the item rows."""
    subject_id = int(plan.exam_subject_id)
    k = len(plan.items)
    choice_items = plan.choice_items
    c = len(choice_items)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling these plans costs more than it saves
    units, schools, points, has, choices = _read(subject_id, k, c)
    school_keys = np.unique(schools)
    district_of = dict(School.objects.filter(pk__in=school_keys.tolist()).values_list("pk", "district_id"))
    # The database deletes the old rows and stores each level's rows while this thread computes the next.
    with write_behind(ahead=8) as put:
        put(partial(_delete, subject_id))
        stored = 0
        if len(units):
            stored = _compute(exam_id, plan, put, units, schools, points, has, choices, school_keys, district_of)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit TO DEFAULT")
    return stored


def _delete(subject_id: int) -> None:
    with connection.cursor() as cursor:
        for model in (ItemStatistic, PaperStatistic, KnowledgeStatistic):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE exam_subject_id = %s", [subject_id])


def _compute(exam_id, plan, put, units, schools, points, has, choices, school_keys, district_of) -> int:
    choice_items = plan.choice_items
    c = len(choice_items)
    n_rows = len(units)
    districts = np.array([district_of[s] for s in school_keys.tolist()], dtype=np.int64)[
        np.searchsorted(school_keys, schools)
    ]
    # Items × sitters (each item's scores contiguous: the reductions run along rows).
    scores = np.ascontiguousarray(points.T, dtype=np.int32)
    totals = scores.sum(axis=0, dtype=np.int64)
    # The sitters in city rank order: X descending, 学籍号 (the row index) ascending.
    by_rank = np.argsort(-totals, kind="stable")
    perm = np.lexsort((units, schools, districts))
    d_p, s_p, u_p = districts[perm], schools[perm], units[perm]
    change_d = np.r_[True, d_p[1:] != d_p[:-1]]
    change_s = change_d | np.r_[True, s_p[1:] != s_p[:-1]]
    change_c = change_s | np.r_[True, u_p[1:] != u_p[:-1]]
    change_city = np.zeros(n_rows, bool)
    change_city[0] = True
    changes = {"class": change_c, "school": change_s, "district": change_d, "city": change_city}
    starts = {level: np.flatnonzero(change) for level, change in changes.items()}
    class_of_row = np.cumsum(change_c) - 1  # in perm order
    class_starts = {level: class_of_row[starts[level]] for level in LEVELS}  # each level's units as runs of classes

    maxima = np.array(plan.maxima, dtype=np.int32)
    cs = starts["class"]
    x = scores[:, perm]
    largest_class, top = int(np.diff(np.r_[cs, n_rows]).max()), int(maxima.max(initial=0))
    narrow = largest_class * top * int(maxima.sum()) < 2**31  # ΣxX of a class fits in int32
    square = x * x if largest_class * top * top < 2**31 else x.astype(np.int64) ** 2
    x_total = totals[perm]
    # Per class (rows) and item (columns); int32 within a class, int64 from there on.
    class_sums = {
        "sx": np.add.reduceat(x, cs, axis=1).T.astype(np.int64),
        "sxx": np.add.reduceat(square, cs, axis=1).T.astype(np.int64),
        "full": np.add.reduceat((x == maxima[:, None]).astype(np.int32), cs, axis=1).T.astype(np.int64),
        "zero": np.add.reduceat((x == 0).astype(np.int32), cs, axis=1).T.astype(np.int64),
        # ΣxX in int32 where a class's sum cannot overflow it (x ≤ the item's maximum, X ≤ the full marks).
        "sxt": np.add.reduceat(
            x * x_total.astype(np.int32) if narrow else x.astype(np.int64) * x_total, cs, axis=1
        ).T.astype(np.int64),
        "n": np.diff(np.r_[cs, n_rows]).astype(np.int64),
        "st": np.add.reduceat(x_total, cs),
        "stt": np.add.reduceat(x_total * x_total, cs),
        "sttt": np.add.reduceat(x_total * x_total * x_total, cs),
    }
    del x, square
    bits = None
    if c:
        # Option b of choice item j (b < its option count) as a row of 0/1 (bytes, summed in int32) per
        # sitter, in the (district, school, class) order: the group sums pick their sitters by position.
        unpacked = np.unpackbits(choices[perm], axis=1, bitorder="little")
        columns = [8 * item.choice_index + b for item in choice_items for b in range(item.option_count)]
        bits = np.ascontiguousarray(unpacked[:, columns].T)
        del unpacked
        answered = has[perm].astype(np.uint8)
        class_sums["answered"] = np.add.reduceat(answered, cs, dtype=np.int64)
        class_sums["bits"] = np.add.reduceat(bits, cs, axis=1, dtype=np.int32).T.astype(np.int64)
        position_of_row = np.empty(n_rows, np.int64)
        position_of_row[perm] = np.arange(n_rows)

    unit_of_row = np.empty(n_rows, np.int64)
    item_rows = 0
    for level in LEVELS:
        sums = {name: np.add.reduceat(value, class_starts[level], axis=0) for name, value in class_sums.items()}
        n = sums["n"]
        run_starts = starts[level]
        first = perm[run_starts]
        keys = _unit_keys(level, districts[first], schools[first], units[first])
        # The level's paper and knowledge rows first: the database stores them while this thread ranks.
        put(partial(_copy, PaperStatistic, PAPER_COLUMNS, [_paper_text(exam_id, plan, keys, sums)]))
        put(partial(_copy, KnowledgeStatistic, KNOWLEDGE_COLUMNS, [_knowledge_text(exam_id, plan, keys, sums)]))
        unit_of_row[perm] = np.cumsum(changes[level]) - 1
        # Each unit's sitters in rank order: the ranked sitters sorted by unit, stably (a radix sort for
        # unit numbers that fit in 16 bits).
        unit_numbers = unit_of_row[by_rank].astype(np.int16 if len(n) <= 2**15 else np.int64)
        order = by_rank[np.argsort(unit_numbers, kind="stable")]
        g = (n * 27 + 99) // 100
        position = np.arange(n_rows) - np.repeat(run_starts, n)
        top_rows = order[position < np.repeat(g, n)]
        bottom_rows = order[position >= np.repeat(n - g, n)]
        group_starts = np.r_[0, np.cumsum(g)[:-1]]

        def group_sum(rows, values, starts=group_starts):
            return np.add.reduceat(values[..., rows], starts, axis=-1, dtype=np.int64).T

        groups = {"top_sum": group_sum(top_rows, scores), "bottom_sum": group_sum(bottom_rows, scores)}
        if c:
            top_positions, bottom_positions = position_of_row[top_rows], position_of_row[bottom_rows]
            groups |= {
                "top_answered": group_sum(top_positions, answered),
                "top_bits": group_sum(top_positions, bits),
                "bottom_answered": group_sum(bottom_positions, answered),
                "bottom_bits": group_sum(bottom_positions, bits),
            }
        # In slices of units, so the database stores the first while this thread formats the next.
        for begin in range(0, len(n), _SLICE):
            part = slice(begin, begin + _SLICE)
            item_text = _item_text(
                exam_id,
                plan,
                keys[part],
                {name: value[part] for name, value in sums.items()},
                g[part],
                {name: value[part] for name, value in groups.items()},
            )
            item_rows += len(keys[part]) * len(plan.items)
            put(partial(_copy, ItemStatistic, ITEM_COLUMNS, [item_text]))
    return item_rows


def _copy(model, columns, parts: list[str]) -> None:
    if not any(parts):
        return
    statement = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(model._meta.db_table), ", ".join(connection.ops.quote_name(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for part in parts:
            if part:
                copy.write(part)


def _unit_keys(level: str, districts, schools, units) -> list[str]:
    """Each unit's (level, district, school, class) columns as COPY text."""
    count = len(districts)
    if level == "city":
        return ["city\t\\N\t\\N\t\\N"] * count
    if level == "district":
        return [f"district\t{d}\t\\N\t\\N" for d in districts.tolist()]
    if level == "school":
        return [f"school\t{d}\t{s}\t\\N" for d, s in zip(districts.tolist(), schools.tolist(), strict=True)]
    return [
        f"class\t{d}\t{s}\t{u if u > 0 else chr(92) + 'N'}"
        for d, s, u in zip(districts.tolist(), schools.tolist(), units.tolist(), strict=True)
    ]


def _item_text(exam_id, plan: Plan, keys, sums, g, groups) -> str:
    n = sums["n"][:, None]
    maxima = np.array(plan.maxima, dtype=np.int64)[None, :]
    units, k = sums["sx"].shape
    sx, sxx, sxt = sums["sx"], sums["sxx"], sums["sxt"]
    st, stt = sums["st"][:, None], sums["stt"][:, None]
    means = _Texts(2, 0, int(maxima.max(initial=0)) * 50)
    has_max = np.broadcast_to(maxima > 0, (units, k))
    safe_max = np.where(maxima > 0, maxima, 1)
    # Item–rest from exact sums: R = X − x.
    vx = n * sxx - sx * sx
    sr = st - sx
    vr = n * (stt - 2 * sxt + sxx) - sr * sr
    cxr = n * (sxt - sxx) - sx * sr
    defined = (vx > 0) & (vr > 0) & (n >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cxr.astype(np.float64) / np.sqrt(vx.astype(np.float64) * vr.astype(np.float64))
    columns = [
        means(_half_up(sx, 2 * n, 2)),
        _RATES(_half_up(sx, n * safe_max, 4), has_max),
        _RATES(_half_up(groups["top_sum"] - groups["bottom_sum"], g[:, None] * safe_max, 4), has_max),
        _RATES(_rounded_floats(r, defined), defined),
        _RATES(_half_up(sums["full"], n, 4)),
        _RATES(_half_up(sums["zero"], n, 4)),
        _options_texts(plan, sums, groups, units),
    ]
    cells = columns[0]
    for column in columns[1:]:
        cells = cells + "\t" + column
    head = np.array(
        [
            f"{exam_id}\t{plan.exam_subject_id}\t{key}\t{count}\t"
            for key, count in zip(keys, sums["n"].tolist(), strict=True)
        ],
        dtype=object,
    )
    item_ids = np.array([f"{item.pk}\t" for item in plan.items], dtype=object)
    lines = head[:, None] + item_ids[None, :] + cells + "\n"
    return "".join(lines.ravel().tolist())


def _options_texts(plan: Plan, sums, groups, units: int) -> np.ndarray:
    """Per unit and item: the options' JSON (COPY text; \\N for a non-choice item or no sitter who chose)."""
    out = np.full((units, len(plan.items)), "\\N", dtype=object)
    if "top_bits" not in groups:
        return out
    answered = sums["answered"]

    def shares(counts, denominators):
        valid = denominators > 0
        scaled = _half_up(counts, np.where(valid, denominators, 1)[:, None], 4)
        return _RATES(scaled, valid[:, None], null="null")

    every = shares(sums["bits"], answered)
    top = shares(groups["top_bits"], groups["top_answered"])
    bottom = shares(groups["bottom_bits"], groups["bottom_answered"])
    chose = answered > 0
    column = 0
    for item in plan.choice_items:
        text = None
        for b in range(item.option_count):
            pair = f'"{rules.OPTION_LETTERS[b]}": [' + every[:, column] + ", " + top[:, column] + ", "
            pair = pair + bottom[:, column] + "]"
            text = pair if text is None else text + ", " + pair
            column += 1
        out[:, item.position] = np.where(chose, "{" + text + "}", "\\N")
    return out


def _paper_text(exam_id, plan: Plan, keys, sums) -> str:
    k = len(plan.items)
    full = sum(plan.maxima)
    lines = []
    item_variances = (sums["n"][:, None] * sums["sxx"] - sums["sx"] * sums["sx"]).sum(axis=1).tolist()
    for u, (key, n, st, stt, sttt) in enumerate(
        zip(keys, sums["n"].tolist(), sums["st"].tolist(), sums["stt"].tolist(), sums["sttt"].tolist(), strict=True)
    ):
        # Central moments times n² and n³, exact in Python integers (half points).
        m2 = n * stt - st * st
        m3 = n * n * sttt - 3 * n * st * stt + 2 * st * st * st
        alpha = None
        if k >= 2 and m2 > 0:
            alpha = k / (k - 1) * (1 - item_variances[u] / m2)
            if alpha < rules.ALPHA_FLOOR:
                alpha = None
        sem = math.sqrt(m2) / n / 2 * math.sqrt(1 - alpha) if alpha is not None and alpha >= 0 else None
        skew = m3 / m2**1.5 if n >= 2 and m2 > 0 else None
        difficulty = rules.rounded(Decimal(st) / (n * full)) if full else None
        values = [rules.rounded(alpha), rules.rounded(sem, rules.MEAN_PLACES), difficulty, rules.rounded(skew)]
        lines.append(
            f"{exam_id}\t{plan.exam_subject_id}\t{key}\t{n}\t"
            + "\t".join("\\N" if v is None else str(v) for v in values)
            + "\n"
        )
    return "".join(lines)


def _knowledge_text(exam_id, plan: Plan, keys, sums) -> str:
    groups = [("point", key, positions) for key, positions in plan.point_positions.items()]
    groups += [("ability", key, positions) for key, positions in plan.ability_positions.items()]
    if not groups:
        return ""
    k = len(plan.items)
    membership = np.zeros((k, len(groups)), np.int64)
    for column, (_, _, positions) in enumerate(groups):
        membership[list(positions), column] = 1
    earned = sums["sx"] @ membership  # units × groups
    group_max = np.array(plan.maxima, dtype=np.int64) @ membership
    n = sums["n"]
    maximum = n[:, None] * group_max[None, :]
    valid = maximum > 0
    rates = _half_up(earned, np.where(valid, maximum, 1), 4)
    rate_texts = _RATES(rates, valid).ravel().tolist()
    fixed = [
        (f"{key}\t\\N" if kind == "point" else f"\\N\t{key}")
        + f"\t{int(group_max[column]) // 2}.{5 if group_max[column] % 2 else 0}"
        for column, (kind, key, _) in enumerate(groups)
    ]
    lines = []
    index = 0
    for key, count in zip(keys, n.tolist(), strict=True):
        head = f"{exam_id}\t{plan.exam_subject_id}\t{key}\t{count}\t"
        for column in range(len(groups)):
            lines.append(f"{head}{fixed[column]}\t{rate_texts[index]}\n")
            index += 1
    return "".join(lines)
