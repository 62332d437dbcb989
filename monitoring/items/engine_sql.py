"""The paper-analysis engine at city scale, in PostgreSQL: one subject's every figure in a few statements.

1. `item_flags_<pid>` (unlogged: the next passes may then run in parallel workers): each sitter's
   total X (its subject score, the sum of its items), its city rank by X descending and 学籍号
   ascending (one sort), and by window functions over that integer rank whether it is in the top or
   bottom ⌈0.27 n⌉ of its class, school, district and the city (a bit each, in `flags`); the flags
   also as packed weights (see Packing).
2. One pass over the item arrays (unnest), grouped by class (one integer key) and item: Σx, Σx², full
   and zero counts as one sum of looked-up packed constants (see _item_lookups), ΣxX, and Σx over the
   members of each of the eight groups (Σ x·w, a few packed bigints). All additive: a school's
   top-group sum is the sum of its classes' sums over the students flagged top-of-school.
3. One pass over the sitters with choices grouped by class and flags, the letters chosen as packed
   counts; unpacked per class and item (see _option_sql).
4. INSERT … SELECT from those few rows: schools, districts and the city summed from the classes (one
   branch per level, the units joined by one integer key); P, D, item–rest r (from the sums: R = X − x),
   rates, option shares; α, SEM, skew from the per-class sums of X, X², X³ and the items' variances;
   knowledge-point and ability score rates.

The definitions live in items.rules; items.reference applies them student by student, and the tests
hold this engine to it. Sums are exact integers (half points); the stored ratios are rounded half up
in integer arithmetic (r, α, SEM and skew in numeric or float, as before).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from monitoring.items import rules
from monitoring.items.models import ItemScore, ItemStatistic, KnowledgeStatistic, PaperStatistic
from monitoring.items.plan import Plan
from monitoring.models import Score
from schools.models import School, Student

LEVEL_BITS = {"class": 1, "school": 4, "district": 16, "city": 64}  # top; bottom is the next bit
_PARTITION = {"class": "school_class_id", "school": "school_id", "district": "district_id", "city": "1"}
# Each unit of every level as one integer, so the per-level tables join on (pos, unit) alone: a class by
# its id (a classless sitter's unit is its school, negated), a school, a district or the city offset by its level.
_UNIT = {
    "class": "coalesce(school_class_id, -school_id)",
    "school": f"{1 << 50} + school_id",
    "district": f"{2 << 50} + coalesce(district_id, 0)",
    "city": f"{3 << 50}",
}


def _flags_sql(subject_id: int, k: int) -> str:
    """Each sitter's total and group flags (narrow: the windows sort these rows, not the arrays)."""
    # A window's row number and its partition's count in one pass (one window: the whole partition is
    # the frame, which row_number() ignores).
    whole = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
    windows, named, flags = [], [], []
    for level, bit in LEVEL_BITS.items():
        part = _PARTITION[level]
        if level == "city":  # the city rank itself
            windows.append("rank AS r_city")
        else:
            windows.append(f"row_number() OVER w_{level} AS r_{level}, count(*) OVER w_{level} AS n_{level}")
            named.append(f"w_{level} AS (PARTITION BY {part} ORDER BY rank {whole})")
        g = f"((n_{level} * 27 + 99) / 100)"
        flags.append(f"CASE WHEN r_{level} <= {g} THEN {bit} ELSE 0 END")
        flags.append(f"CASE WHEN r_{level} > n_{level} - {g} THEN {bit * 2} ELSE 0 END")
    return (
        "SELECT student_id, school_class_id, school_id, district_id, total, "
        f"({' + '.join(flags)})::int AS flags FROM ("
        f"SELECT w.*, {', '.join(windows)} FROM ("
        # One sort by X descending and 学籍号 (as bytes) gives each sitter's city rank; every level's windows
        # then sort by integers.
        "SELECT w.*, row_number() OVER city AS rank, count(*) OVER city AS n_city FROM ("
        # X is the subject score: the import makes it the items' sum, and a correction goes through the
        # items (monitoring.services.correct_score), so it is read, not summed again.
        "SELECT i.student_id, i.school_class_id, i.school_id, sc.district_id, st.student_number, "
        "s.half_points::int AS total "
        f"FROM {ItemScore._meta.db_table} i JOIN {Student._meta.db_table} st ON st.id = i.student_id "
        f"JOIN {School._meta.db_table} sc ON sc.id = i.school_id "
        f"JOIN {Score._meta.db_table} s ON s.exam_subject_id = i.exam_subject_id AND s.student_id = i.student_id "
        f"WHERE i.exam_subject_id = {int(subject_id)} AND cardinality(i.points) = {int(k)}) w "
        f'WINDOW city AS (ORDER BY total DESC, student_number COLLATE "C" {whole})) w '
        f"WINDOW {', '.join(named)}) ranked"
    )


@dataclass(frozen=True)
class Packing:
    """The eight groups' sums packed into a few bigints: a sitter's weight w_c holds, in a field of `width`
    bits per group, 1 if it belongs to the group, so Σ x·w_c sums the item over every group at once (one
    aggregate instead of a filtered sum per group). `width` fits the largest class's sitters
    times the larger of its highest X and the full marks: no field of a class's sums can carry into the
    next (0 ≤ x ≤ X, and x ≤ the item's full marks)."""

    width: int

    @property
    def per(self) -> int:
        return 62 // self.width

    @property
    def columns(self) -> int:
        return -(-2 * len(LEVEL_BITS) // self.per)

    def weights(self) -> str:
        """The weight columns of a sitter, from its flags (bit g = group g)."""
        columns = []
        for c in range(self.columns):
            groups = range(c * self.per, min((c + 1) * self.per, 2 * len(LEVEL_BITS)))
            terms = " + ".join(f"(((flags >> {g}) & 1)::bigint << {self.width * (g - c * self.per)})" for g in groups)
            columns.append(f"({terms}) AS w{c}")
        return ", ".join(columns)

    def sums(self, value: str) -> str:
        """The packed sums of `value` (an expression of the sitter's row; '' to count the sitters)."""
        return ", ".join(f"sum({value + ' * ' if value else ''}f.w{c})::bigint AS p{c}" for c in range(self.columns))

    def group(self, level: str, side: str, prefix: str = "p") -> str:
        """One class row's sum for the top or bottom group of `level`, unpacked (from the columns
        `prefix`0, `prefix`1 …)."""
        g = LEVEL_BITS[level].bit_length() - (1 if side == "top" else 0)
        c, j = divmod(g, self.per)
        return f"(({prefix}{c} >> {self.width * j}) & {(1 << self.width) - 1})"


def compute_subject(exam_id: int, plan: Plan) -> int:
    subject_id = int(plan.exam_subject_id)
    k = len(plan.items)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        # The sitters' flags in an unlogged table, not a temporary one: the passes over the item arrays
        # join it, and only a plan without temporary tables can scan the arrays in parallel workers.
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
        flags_table, ranks_table = f"item_flags_{pid}", f"item_ranks_{pid}"
        cursor.execute(f"DROP TABLE IF EXISTS {ranks_table}, {flags_table}")
        # A hash join of the sitters' item, score and student rows (one index probe each costs more).
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"CREATE UNLOGGED TABLE {ranks_table} AS {_flags_sql(subject_id, k)}")
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute(
            # Whichever holds, x ≤ X (the items' sum) or x ≤ the item's full marks: a class's sums fit.
            f"SELECT coalesce(max(n * greatest(top, {sum(plan.maxima)}, 1)), 0), coalesce(max(n), 0) FROM ("
            f"SELECT count(*) AS n, max(total) AS top FROM {ranks_table} GROUP BY school_class_id, school_id) c"
        )
        bound, largest_class = (int(value) for value in cursor.fetchone())
        packing = Packing(width=max(bound.bit_length(), 1))
        cursor.execute(
            f"CREATE UNLOGGED TABLE {flags_table} AS SELECT *, ({_UNIT['class']})::bigint AS unit, "
            f"{packing.weights()} FROM {ranks_table}"
        )
        cursor.execute(f"DROP TABLE {ranks_table}")
        cursor.execute(f"ANALYZE {flags_table}")
        # Per class: the students' sums (sitters, X, X², X³); also the passes' map of a class's unit key to
        # its school and district (they group by the one integer).
        cursor.execute(
            "CREATE TEMP TABLE item_student_sums AS SELECT unit, school_class_id, school_id, district_id, "
            "count(*)::bigint AS n, sum(total)::bigint AS sx, sum(total::bigint * total) AS sxx, "
            "sum(total::numeric * total * total) AS sxxx "
            f"FROM {flags_table} GROUP BY unit, school_class_id, school_id, district_id"
        )
        classes = "JOIN item_student_sums m ON m.unit = s.unit"
        arrays = (
            f"FROM {ItemScore._meta.db_table} i JOIN {flags_table} f ON f.student_id = i.student_id "
            f"AND i.exam_subject_id = {subject_id}"
        )
        lookups, unpack = _item_lookups(plan.maxima, largest_class)
        cursor.execute(
            "CREATE TEMP TABLE item_class_sums AS SELECT m.school_class_id, m.school_id, m.district_id, s.unit, s.pos, "
            f"m.n, {unpack}, s.sxt, {', '.join(f's.p{c}' for c in range(packing.columns))} FROM ("
            f"SELECT f.unit, u.pos::int AS pos, {lookups}, "
            # x·X in int4 (half points: far below 2³¹), summed exactly to bigint.
            f"sum(u.x::int * f.total)::bigint AS sxt, {packing.sums('u.x::bigint')} "
            f"{arrays}, unnest(i.points) WITH ORDINALITY u(x, pos) "
            f"GROUP BY f.unit, u.pos) s {classes}"
        )
        choice_items = plan.choice_items
        if choice_items:
            for statement in _option_sql(choice_items, packing, largest_class, flags_table, subject_id, classes):
                cursor.execute(statement)
        cursor.execute(f"DROP TABLE {flags_table}")
        cursor.execute(f"DELETE FROM {ItemStatistic._meta.db_table} WHERE exam_subject_id = %s", [subject_id])
        cursor.execute(f"DELETE FROM {PaperStatistic._meta.db_table} WHERE exam_subject_id = %s", [subject_id])
        cursor.execute(f"DELETE FROM {KnowledgeStatistic._meta.db_table} WHERE exam_subject_id = %s", [subject_id])
        # The unit tables are joined by hashing (the planner, knowing nothing of the unanalysed temporary
        # tables, would sort the 135,000 item rows of a city to merge them).
        cursor.execute("SET LOCAL enable_mergejoin = off")
        for statement in _rollup_sql(exam_id, plan, packing):
            cursor.execute(statement)
        count = cursor.rowcount
        cursor.execute(_paper_sql(exam_id, plan))
        cursor.execute(_knowledge_sql(exam_id, plan))
        cursor.execute(
            "DROP TABLE item_student_sums, item_class_sums, item_units, item_student_units"
            + (", item_option_sums, item_option_units" if choice_items else "")
        )
        cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
        cursor.execute("SET LOCAL jit TO DEFAULT")
    return count


def _item_lookups(maxima: list[int], largest_class: int) -> tuple[str, str]:
    """Σx, Σx², the full-mark and the zero count of a class and item as one or two sums of looked-up
    constants: item j's score x maps to x, x², [x = full], [x = 0] packed into a bigint, each field wide
    enough for the largest class's sums (0 ≤ x ≤ the item's full marks, as the import ensures). One
    aggregate instead of four over the six million (sitter, item) rows. Returns the sums' SQL and the
    unpacking of their columns (s.l0 …) into sx, sxx, full_count, zero_count."""
    top = max(maxima, default=0)
    n = max(largest_class, 1)
    fields = [
        ("sx", (n * top).bit_length() or 1, lambda x, m: x),
        ("sxx", (n * top * top).bit_length() or 1, lambda x, m: x * x),
        ("full_count", n.bit_length(), lambda x, m: int(x == m)),
        ("zero_count", n.bit_length(), lambda x, m: int(x == 0)),
    ]
    columns: list[list[tuple]] = [[]]
    used = 0
    for name, width, value in fields:
        if used + width > 62 and columns[-1]:
            columns.append([])
            used = 0
        columns[-1].append((name, width, value, used))
        used += width
    sums, unpack = [], []
    for c, column in enumerate(columns):
        table = [sum(value(x, m) << shift for _, _, value, shift in column) for m in maxima for x in range(top + 1)]
        array = "'{" + ",".join(map(str, table)) + "}'::bigint[]"
        sums.append(f"sum(({array})[(u.pos::int - 1) * {top + 1} + u.x + 1])::bigint AS l{c}")
        unpack += [f"((s.l{c} >> {shift}) & {(1 << width) - 1}) AS {name}" for name, width, _, shift in column]
    return ", ".join(sums), ", ".join(unpack)


def _option_sql(choice_items, packing: Packing, largest_class: int, flags_table: str, subject_id: int, classes: str):
    """Per class and choice item: the sitters who chose (n), each letter's count (a_b) and both as packed
    group counts (p_c, q_b_c), in two steps that never make a row per (sitter, item).

    1. One pass over the sitters with choices, grouped by class and group flags: the letters chosen, as
       counts packed `width` bits apart (a field per item and letter, each ≤ the class's sitters; a
       constant table spreads a byte's bits into fields), a few bigints.
    2. Those few rows (a class has a handful of flag combinations), unpacked per item and summed per
       class, the group counts weighted by the flags' packed weights."""
    letters = max(i.option_count for i in choice_items)
    width = max(largest_class.bit_length(), 1)
    per = max(62 // width, 1)
    fields = [(item, b) for item in choice_items for b in range(letters)]  # field k: column k // per
    columns: list[list[str]] = [[] for _ in range(-(-len(fields) // per))]
    spreads: dict[tuple[int, int], str] = {}
    for column in range(len(columns)):
        chunk = fields[column * per : (column + 1) * per]
        for item in dict.fromkeys(i for i, _ in chunk):
            bits = [b for i, b in chunk if i is item]
            first, slot = bits[0], next(k for k, (i, _) in enumerate(chunk) if i is item)
            key = (first, len(bits))
            if key not in spreads:
                table = [
                    sum(((mask >> b) & 1) << (width * (b - first)) for b in range(first, first + len(bits)))
                    for mask in range(256)
                ]
                spreads[key] = "'{" + ",".join(map(str, table)) + "}'::bigint[]"
            columns[column].append(
                f"(({spreads[key]})[get_byte(i.choices, {item.choice_index}) + 1] << {width * slot})"
            )
    weights = [f"w{c}" for c in range(packing.columns)]
    first_pass = (
        "CREATE TEMP TABLE item_choice_flags AS SELECT f.unit, f.flags, "
        + ", ".join(f"min(f.{w}) AS {w}" for w in weights)
        + ", count(*)::bigint AS n, "
        + ", ".join(f"sum({' + '.join(terms)})::bigint AS o{c}" for c, terms in enumerate(columns))
        + f" FROM {ItemScore._meta.db_table} i JOIN {flags_table} f ON f.student_id = i.student_id "
        f"AND i.exam_subject_id = {int(subject_id)} WHERE i.choices IS NOT NULL GROUP BY f.unit, f.flags"
    )
    mask = (1 << width) - 1
    branches = []
    for item in choice_items:
        counts = []
        for b in range(letters):
            k = fields.index((item, b))
            counts.append(f"((o{k // per} >> {width * (k % per)}) & {mask}) AS c{b}")
        branches.append(
            f"SELECT unit, {item.position + 1} AS pos, n, {', '.join(weights)}, {', '.join(counts)} "
            "FROM item_choice_flags"
        )
    per_letter = ", ".join(
        f"sum(c{b})::bigint AS a{b}, "
        + ", ".join(f"sum(c{b} * w{c})::bigint AS q{b}_{c}" for c in range(packing.columns))
        for b in range(letters)
    )
    second_pass = (
        "CREATE TEMP TABLE item_option_sums AS SELECT m.school_class_id, m.school_id, m.district_id, s.* "
        "FROM (SELECT unit, pos, sum(n)::bigint AS n, "
        + ", ".join(f"sum(n * w{c})::bigint AS p{c}" for c in range(packing.columns))
        + f", {per_letter} FROM ({' UNION ALL '.join(branches)}) x GROUP BY unit, pos) s {classes}"
    )
    return [first_pass, second_pass, "DROP TABLE item_choice_flags"]


_LEVEL_KEYS = {
    "class": ("district_id", "school_id", "school_class_id"),
    "school": ("district_id", "school_id"),
    "district": ("district_id",),
    "city": (),
}


def _per_level(
    columns: Callable[[str, Callable[[str], str]], str], source: str, extra_keys: tuple[str, ...] = ()
) -> str:
    """The classes' rows summed to every level, one branch per level (each with only its own groups'
    columns: GROUPING SETS would sum every level's group columns at every level). `columns(level, total)`
    gives a level's columns with `total(expression)` for a sum: the source holds one row per class (and
    extra key), so a class's figures are its row's, not grouped again."""
    branches = []
    for level, keys in _LEVEL_KEYS.items():
        unit = ", ".join(key if key in keys else f"NULL::bigint AS {key}" for key in _LEVEL_KEYS["class"])
        group = ", ".join([*extra_keys, *keys])
        by_class = level == "class"
        branches.append(
            f"SELECT {', '.join(extra_keys) + ', ' if extra_keys else ''}'{level}'::text AS level, {unit}, "
            f"({_UNIT[level]})::bigint AS unit, "
            f"{columns(level, (lambda e: f'({e})') if by_class else (lambda e: f'sum({e})'))} FROM {source}"
            + (f" GROUP BY {group}" if group and not by_class else "")
        )
    return " UNION ALL ".join(branches)


def _rollup_sql(exam_id: int, plan: Plan, packing: Packing) -> list[str]:
    subject_id = int(plan.exam_subject_id)
    items = "(VALUES " + ", ".join(f"({i.position + 1}, {int(i.pk)}, {i.max_half})" for i in plan.items) + ")"

    def item_columns(level: str, total: Callable[[str], str]) -> str:
        sums = ["n", "sx", "sxx", "sxt", "full_count", "zero_count"]
        return ", ".join(
            [f"{total(c)}::bigint AS {c}" for c in sums]
            + [
                f"{total(packing.group(level, 'top'))}::bigint AS top_sum",
                f"{total(packing.group(level, 'bottom'))}::bigint AS bottom_sum",
            ]
        )

    def student_columns(level: str, total: Callable[[str], str]) -> str:
        return ", ".join(
            f"{total(c)}::{'bigint' if c == 'n' else 'numeric'} AS {c}" for c in ("n", "sx", "sxx", "sxxx")
        )

    statements = [
        f"CREATE TEMP TABLE item_units AS {_per_level(item_columns, 'item_class_sums', ('pos',))}",
        f"CREATE TEMP TABLE item_student_units AS {_per_level(student_columns, 'item_student_sums')}",
    ]
    option_json = "NULL::jsonb"
    if plan.choice_items:
        letters = max(i.option_count for i in plan.choice_items)

        def option_columns(level: str, total: Callable[[str], str]) -> str:
            top, bottom = packing.group(level, "top"), packing.group(level, "bottom")
            return (
                f"{total('n')}::bigint AS n, {total(top)}::bigint AS top_n, {total(bottom)}::bigint AS bottom_n, "
                + ", ".join(
                    f"{total(f'a{b}')}::bigint AS a{b}, "
                    f"{total(packing.group(level, 'top', f'q{b}_'))}::bigint AS top{b}, "
                    f"{total(packing.group(level, 'bottom', f'q{b}_'))}::bigint AS bottom{b}"
                    for b in range(letters)
                )
            )

        statements.append(
            f"CREATE TEMP TABLE item_option_units AS {_per_level(option_columns, 'item_option_sums', ('pos',))}"
        )

        def share(count: str, n: str) -> str:
            return f"coalesce((CASE WHEN {n} > 0 THEN {_half_up(f'coalesce({count}, 0)', n, 4)} END)::text, 'null')"

        # The object as text, parsed once: cheaper than building it of jsonb values (the same document).
        pairs = [
            f"""'"{"ABCDEFGH"[b]}":[', {share(f"o.a{b}", "o.n")}, ',', {share(f"o.top{b}", "o.top_n")}, ',', """
            f"{share(f'o.bottom{b}', 'o.bottom_n')}, ']'"
            for b in range(letters)
        ]
        option_counts = {i.position + 1: i.option_count for i in plan.choice_items}
        option_json = _option_object(pairs, option_counts, letters)
    statements.append(
        f"""WITH it(pos, item_id, max_half) AS {items},
u AS (
    SELECT u.*, it.item_id, it.max_half, s.sx::bigint AS st, s.sxx::bigint AS stt, ((u.n * 27 + 99) / 100) AS g
    FROM item_units u JOIN it ON it.pos = u.pos JOIN item_student_units s ON s.unit = u.unit
),
v AS (
    -- Item–rest: R = X − x, so ΣR = ΣX − Σx, ΣR² = ΣX² − 2ΣxX + Σx², ΣxR = ΣxX − Σx². Exact in bigint (a
    -- city's n·ΣX² is far below 2⁶³; an overflow would fail, not round).
    SELECT u.*, u.n * u.sxx - u.sx * u.sx AS vx,
           u.n * (u.stt - 2 * u.sxt + u.sxx) - (u.st - u.sx) * (u.st - u.sx) AS vr,
           u.n * (u.sxt - u.sxx) - u.sx * (u.st - u.sx) AS cxr,
           coalesce(u.top_sum, 0) - coalesce(u.bottom_sum, 0) AS d
    FROM u
)
INSERT INTO {ItemStatistic._meta.db_table}
    (exam_id, exam_subject_id, level, district_id, school_id, school_class_id, sitters, item_id, mean, difficulty,
     discrimination, item_rest, full_rate, zero_rate, options)
SELECT {int(exam_id)}, {subject_id}, u.level, u.district_id, u.school_id, u.school_class_id, u.n, u.item_id,
       {_half_up("u.sx", "2 * u.n", 2)},
       {_half_up("u.sx", "u.n * u.max_half", 4)},
       CASE WHEN u.d >= 0 THEN {_half_up("u.d", "u.g * u.max_half", 4)}
            ELSE -{_half_up("-u.d", "u.g * u.max_half", 4)} END,
       CASE WHEN u.vx > 0 AND u.vr > 0
            THEN round((u.cxr::float8 / sqrt(u.vx::float8 * u.vr::float8))::numeric, 4) END,
       {_half_up("u.full_count", "u.n", 4)}, {_half_up("u.zero_count", "u.n", 4)},
       {option_json}
FROM v u {"LEFT JOIN item_option_units o ON o.pos = u.pos AND o.unit = u.unit" if plan.choice_items else ""}
WHERE u.n > 0 AND u.max_half > 0"""
    )
    return statements


def _half_up(numerator: str, denominator: str, places: int) -> str:
    """round(numerator ÷ denominator, places), half up, for integers numerator ≥ 0 and denominator > 0, in
    integer arithmetic (a numeric division per figure costs more than the rest of the row)."""
    scale = 10**places
    return (
        f"((({numerator})::bigint * {2 * scale} + ({denominator})::bigint) / (2 * ({denominator})::bigint) "
        f"* {Decimal(1).scaleb(-places)})"
    )


def _option_object(pairs: list[str], option_counts: dict[int, int], letters: int) -> str:
    """The options' JSON object of a unit's choice item (None without sitters who chose): every letter,
    or only its own where items have fewer options than the widest."""

    def text(count: int) -> str:
        return "concat('{', " + ", ',', ".join(pairs[:count]) + ", '}')::jsonb"

    if len(set(option_counts.values())) > 1:
        cases = " ".join(f"WHEN {pos} THEN {text(count)}" for pos, count in option_counts.items())
        return f"CASE WHEN o.n > 0 THEN CASE u.pos {cases} END END"
    return f"CASE WHEN o.n > 0 THEN {text(letters)} END"


def _paper_sql(exam_id: int, plan: Plan) -> str:
    k = len(plan.items)
    full = sum(plan.maxima)
    return f"""
WITH items AS (
    SELECT unit, sum((n * sxx - sx * sx)::numeric / (n * n)) AS item_variances
    FROM item_units WHERE n > 0 GROUP BY unit
),
p AS (
    SELECT s.*, i.item_variances, (s.n * s.sxx - s.sx * s.sx) / (s.n * s.n) AS total_variance, s.sx / s.n AS mean
    FROM item_student_units s JOIN items i ON i.unit = s.unit WHERE s.n > 0
),
r AS (
    SELECT p.*, CASE WHEN {k} > 1 AND total_variance > 0
                THEN {k}::numeric / {k - 1 if k > 1 else 1} * (1 - item_variances / total_variance) END AS raw_alpha
    FROM p
),
a AS (
    SELECT r.*, CASE WHEN raw_alpha >= {rules.ALPHA_FLOOR} THEN raw_alpha END AS alpha FROM r
)
INSERT INTO {PaperStatistic._meta.db_table}
    (exam_id, exam_subject_id, level, district_id, school_id, school_class_id, sitters, alpha, sem,
     mean_difficulty, skew)
SELECT {int(exam_id)}, {int(plan.exam_subject_id)}, level, district_id, school_id, school_class_id, n,
       round(alpha, 4),
       CASE WHEN alpha >= 0 THEN round((sqrt(total_variance) / 2 * sqrt(1 - alpha))::numeric, 2) END,
       CASE WHEN {full} > 0 THEN round(sx / (n * {full}), 4) END,
       CASE WHEN n > 1 AND total_variance > 0 THEN round(
           ((sxxx / n - 3 * mean * sxx / n + 2 * mean * mean * mean) / power(total_variance, 1.5))::numeric, 4) END
FROM a
"""


def _knowledge_sql(exam_id: int, plan: Plan) -> str:
    mapping = [(p, pos + 1, "point") for p, positions in plan.point_positions.items() for pos in positions]
    mapping += [(a, pos + 1, "ability") for a, positions in plan.ability_positions.items() for pos in positions]
    values = ", ".join(f"({key}, {pos}, '{kind}')" for key, pos, kind in mapping)
    return f"""
WITH m(key, pos, kind) AS (VALUES {values}),
it(pos, max_half) AS (VALUES {", ".join(f"({i.position + 1}, {i.max_half})" for i in plan.items)})
INSERT INTO {KnowledgeStatistic._meta.db_table}
    (exam_id, exam_subject_id, level, district_id, school_id, school_class_id, sitters, knowledge_point_id,
     ability_id, points, score_rate)
SELECT {int(exam_id)}, {int(plan.exam_subject_id)}, u.level, u.district_id, u.school_id, u.school_class_id,
       max(u.n), CASE WHEN m.kind = 'point' THEN m.key END, CASE WHEN m.kind = 'ability' THEN m.key END,
       sum(it.max_half) / 2.0,
       CASE WHEN sum(it.max_half) > 0 THEN round(sum(u.sx)::numeric / (max(u.n) * sum(it.max_half)), 4) END
FROM item_units u JOIN m ON m.pos = u.pos JOIN it ON it.pos = u.pos
WHERE u.n > 0
GROUP BY u.level, u.district_id, u.school_id, u.school_class_id, m.key, m.kind
"""
