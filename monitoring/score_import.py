"""Score import (成绩导入): a workbook of any size, validated whole, stored all or nothing.

One row per student: 学籍号, 姓名, 学校标识码, 班级, then a column per exam subject; a cell is a score,
`缺考` or empty (both an absence). The loop over rows is kept tight because a city exam has
200,000 rows and 1.8 million scores: python-calamine reads, the checks use plain dicts and floats,
and PostgreSQL's COPY stores. The exact rules live in monitoring.rules (parse_score); the fast
path here accepts exactly what parse_score accepts and hands anything unusual to it for the
message.

A file replaces the scores of the schools it contains, so importing the same file twice leaves
the same data, and schools may send their sheets separately.
"""

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from operator import add, itemgetter

from django.db import connection, transaction

from eduquality import excel
from eduquality.db import copy_escape, copy_rows, copy_text, write_behind
from eduquality.excel import Problem
from eduquality.imports import ImportRejected, problems_message
from monitoring import rules
from monitoring.items.importing import ItemColumns, has_item_columns, item_header, normal_header
from monitoring.items.models import ItemScore
from monitoring.items.plan import Plan, plan_for
from monitoring.models import Exam, ExamSubject, Score
from schools import codes
from schools.models import School, SchoolClass, Student

Report = Callable[[int, str], None]

FIXED_HEADERS = ["学籍号", "姓名", "学校标识码", "班级"]
MAX_ROWS = 500_000
MAX_PROBLEMS = 5_000  # past this many, listing more helps nobody
_STUDENT_NUMBER = re.compile(codes.STUDENT_NUMBER_PATTERN)
_ABSENT = frozenset(rules.ABSENT_MARKERS) | {""}


@dataclass
class ScoreImportOutcome:
    rows: int = 0
    scores: int = 0
    absences: int = 0
    students_created: int = 0
    students_updated: int = 0
    item_rows: int = 0
    schools: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"导入完成：{len(self.schools)} 所学校 {self.rows} 名学生，"
            f"成绩 {self.scores} 条（其中缺考 {self.absences} 条）；"
            f"新建学生 {self.students_created} 名，更新学生信息 {self.students_updated} 名。"
            + (f"小题分 {self.item_rows} 份。" if self.item_rows else "")
        )


def expected_header(subjects: Sequence[ExamSubject]) -> list[str]:
    return FIXED_HEADERS + [s.subject.name for s in subjects]


def _code_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


class _Checker:
    """Checks one score cell; returns the text COPY stores, None for an absence."""

    def __init__(self, subject: ExamSubject):
        self.full = float(subject.full_marks)
        self.full_decimal = subject.full_marks

    def __call__(self, raw):
        if raw is None:
            return None
        if type(raw) is float or type(raw) is int:
            doubled = raw * 2
            if 0 <= raw <= self.full and doubled == int(doubled):
                return str(raw)
        elif isinstance(raw, str) and raw.strip() in _ABSENT:
            return None
        # Anything else: the exact rule decides, and explains itself if it refuses.
        value = rules.parse_score(raw, self.full_decimal)
        return None if value is None else str(value)


# A row's own values first, so that its lines are one join: prefix + prefix.join(subject parts).
SCORE_COLUMNS = ["student_id", "school_id", "school_class_id", "exam_subject_id", "score"]
NAME_MAX_LENGTH = Student._meta.get_field("name").max_length
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
CHUNK_ROWS = 10_000  # rows checked while the chunk before is stored
_NULL = "\\N"
_UNREAD = object()  # an itemized subject's score before its row's items are read closely


class _Subject:
    """A subject's column. Each cell becomes the tail of its COPY line, "subject<TAB>score<LF>":
    the scores a sheet normally holds are looked up ready-made, anything else goes to _Checker."""

    def __init__(self, subject: ExamSubject):
        self.pk = subject.pk
        self.name = subject.subject.name
        self.check = _Checker(subject)
        # Not 0 and 1: True and False are equal to them as keys, and a logical value is refused.
        halves = (half / 2 for half in range(int(self.check.full * 2) + 1) if half not in (0, 2))
        self.parts = {value: self.part(str(value)) for value in halves}
        self.parts.update(dict.fromkeys([None, *_ABSENT], self.part(None)))

    def part(self, text: str | None) -> str:
        return f"{self.pk}\t{_NULL if text is None else text}\n"


@dataclass
class _Chunk:
    numbers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    school_ids: list[int] = field(default_factory=list)
    class_keys: list[tuple[int, int, int]] = field(default_factory=list)
    parts: list[list[str]] = field(default_factory=list)  # per row, per subject: its line's tail
    items: list[list[str]] = field(default_factory=list)  # per row, per itemized subject: its item line's tail


class _Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class _Sheet:
    """The rows checked one by one: valid ones handed on a chunk at a time, problems collected."""

    def __init__(self, exam: Exam, subjects: list[ExamSubject], plans: dict[int, Plan | None] | None = None):
        self.exam = exam
        self.subjects = [_Subject(s) for s in subjects]
        self.wanted = expected_header(subjects)
        self.plans = plans or {}
        self.item_readers: list[tuple[int, ItemColumns]] = []  # (subject index, its item columns)
        self.schools = {school.code: school for school in exam.schools.all()}
        self.known_codes = set(School.objects.values_list("code", flat=True))
        # (school cell, class cell) → (school id, class key), for each pair found valid.
        self.places: dict[tuple, tuple[int, tuple[int, int, int]]] = {}
        self.class_labels: dict[str, tuple[int, int] | None] = {}

    def read_header(self, header_row) -> None:
        header = [normal_header(h) for h in excel.clean_header(header_row)]
        # A subject with a blueprint may come item by item (its total column then optional).
        wanted, optional, itemized = list(FIXED_HEADERS), [], []
        for index, subject in enumerate(self.subjects):
            plan = self.plans.get(subject.pk)
            if plan is not None and has_item_columns(header, subject.name):
                wanted += ItemColumns.expected_headers(subject.name, plan)
                optional.append(subject.name)
                itemized.append(index)
            else:
                wanted.append(subject.name)
        if problems := excel.header_problems(header, wanted, optional):
            raise _Refused(problems)
        self.width = len(header)
        position = {name: header.index(name) for name in [*wanted, *optional] if name in header}
        self.number_at, self.name_at, self.school_at, self.class_at = (position[h] for h in FIXED_HEADERS)
        self.item_readers = [
            (
                index,
                ItemColumns(
                    self.subjects[index].name,
                    self.plans[self.subjects[index].pk],
                    header,
                    position.get(self.subjects[index].name),
                ),
            )
            for index in itemized
        ]
        at = [position.get(subject.name, 0) for subject in self.subjects]
        self.scores_of = itemgetter(*at) if len(at) > 1 else lambda values: (values[at[0]],)

    def check(self, rows, store: Callable[[_Chunk], None], report: Report) -> list[Problem]:
        """Every row checked; valid rows go to `store` in chunks until the first problem (after
        that nothing will be stored, and checking goes on only to list every problem)."""
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        chunk = _Chunk()
        width, number_at, name_at, scores_of = self.width, self.number_at, self.name_at, self.scores_of
        school_at, class_at, places = self.school_at, self.class_at, self.places
        lookups = [subject.parts for subject in self.subjects]
        get = dict.get
        count = 0
        readers = self.item_readers
        tails: list = []
        # The loop runs 200,000 times for a city: the usual row takes the quick lookups only.
        for line, values in enumerate(rows, start=2):
            if len(values) < width:
                values = list(values) + [None] * (width - len(values))
            raw_number = values[number_at]
            if not raw_number and all(v is None or v == "" for v in values[:width]):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportRejected(f"数据行超过上限 {MAX_ROWS} 行，请分批导入。")
            if count % 20000 == 0:
                report(10 + min(50, count * 50 // 200000), f"已校验 {count} 行…")
            number = raw_number.strip().upper() if type(raw_number) is str else _code_text(raw_number).upper()
            name = values[name_at]
            name = name.strip() if type(name) is str else _code_text(name)
            place = places.get((values[school_at], values[class_at]))
            scores = scores_of(values)
            if readers:
                scores, tails = self._items(values, scores)
            parts = list(map(get, lookups, scores))
            if (
                place is None
                or None in tails
                or not name
                or len(name) > NAME_MAX_LENGTH
                or not name.isprintable()
                or not all(parts)
                or not _STUDENT_NUMBER.match(number)
                or seen.setdefault(number, line) != line
            ):
                row_problems = self._row_problems(line, values, number, name, scores, parts, seen, tails)
                if row_problems or problems:
                    problems.extend(row_problems)
                    if len(problems) >= MAX_PROBLEMS:
                        break
                    continue
                place = places[(values[school_at], values[class_at])]
            chunk.numbers.append(number)
            chunk.names.append(name)
            chunk.school_ids.append(place[0])
            chunk.class_keys.append(place[1])
            chunk.parts.append(parts)
            if readers:
                chunk.items.append(tails)
            if len(chunk.numbers) == CHUNK_ROWS:
                store(chunk)
                chunk = _Chunk()
        if not count and not problems:
            raise ImportRejected("工作簿中没有数据行。")
        if chunk.numbers and not problems:
            store(chunk)
        return problems

    def _items(self, values, scores) -> tuple[list, list]:
        """The scores with each itemized subject's total (the sum of its items), and the item lines'
        tails (None where the row needs a closer look)."""
        scores, tails = list(scores), []
        for index, reader in self.item_readers:
            read = reader.read(values)
            if read is None:
                scores[index] = _UNREAD
                tails.append(None)
            else:
                scores[index], tail = read
                tails.append(tail)
        return scores, tails

    def _row_problems(self, line, values, number, name, scores, parts, seen, tails) -> list[Problem]:
        """Everything wrong with one row, in column order; fills in what the quick lookups missed."""
        problems = []
        for position, (index, reader) in enumerate(self.item_readers):
            if tails[position] is None:
                item_problems, read = reader.problems(line, values)
                problems.extend(item_problems)
                if read is None:
                    parts[index] = ""  # the row is refused: nothing more to check in this subject
                else:
                    scores[index], tails[position] = read
                    parts[index] = None
        if not _STUDENT_NUMBER.match(number):
            problems.append(Problem(line, "学籍号", codes.STUDENT_NUMBER_MESSAGE))
        elif seen.setdefault(number, line) != line:
            problems.append(Problem(line, "学籍号", f"学籍号与第 {seen[number]} 行重复。"))
        if not name:
            problems.append(Problem(line, "姓名", "姓名不能为空。"))
        elif len(name) > NAME_MAX_LENGTH:
            problems.append(Problem(line, "姓名", f"姓名不能超过 {NAME_MAX_LENGTH} 个字。"))
        elif _CONTROL_CHARACTER.search(name):
            problems.append(Problem(line, "姓名", "姓名中含有不可见的控制字符，请删除后重新上传。"))
        if (values[self.school_at], values[self.class_at]) not in self.places:
            problems.extend(self._place_problems(line, values[self.school_at], values[self.class_at]))
        for index, subject in enumerate(self.subjects):
            if parts[index] is None:
                try:
                    parts[index] = subject.part(subject.check(scores[index]))
                except rules.ScoreError as error:
                    problems.append(Problem(line, subject.name, str(error)))
        return problems

    def _place_problems(self, line: int, school_cell, class_cell) -> list[Problem]:
        problems = []
        school_code = _code_text(school_cell)
        school = self.schools.get(school_code)
        if school is None:
            message = (
                f"学校“{school_code}”未参加本次监测。"
                if school_code in self.known_codes
                else f"学校标识码“{school_code}”不存在。"
            )
            problems.append(Problem(line, "学校标识码", message))
        class_label = _code_text(class_cell)
        if class_label not in self.class_labels:
            self.class_labels[class_label] = codes.parse_class_label(class_label, grade=self.exam.grade)
        grade_number = self.class_labels[class_label]
        if grade_number is None:
            example = codes.class_label(self.exam.grade, 2)
            problems.append(Problem(line, "班级", f"班级“{class_label}”应写作如“{example}”或“2班”。"))
        elif grade_number[0] != self.exam.grade:
            problems.append(
                Problem(
                    line,
                    "班级",
                    f"班级“{class_label}”是{codes.grade_label(grade_number[0])}的班级，"
                    f"本次监测是{codes.grade_label(self.exam.grade)}。",
                )
            )
        if not problems:
            self.places[(school_cell, class_cell)] = (school.id, (school.id, *grade_number))
        return problems


@dataclass
class _Batch:
    """A chunk made ready to store: COPY text for its new students and for its scores."""

    rows: int
    school_ids: set[int]
    new_classes: str  # COPY text
    new_students: str  # COPY text ("" when there are none, or SQLite has created them already)
    created: int
    changed: list[tuple[int, int, int, str]]  # students to update: id, school, class, name
    scores: str
    items: str = ""  # COPY text of the item rows (小题分)


class _Store:
    """Stores the checked rows a chunk at a time: classes, students, scores. Its writes run on the
    writer thread of eduquality.db.write_behind, where the ORM and `connection` are the import's
    own connection, inside its transaction. On PostgreSQL the checking thread does what it can for
    the writer: it looks the chunk's students up through a second connection and prepares the COPY
    text, so that the import's connection is kept busy writing."""

    def __init__(self, exam: Exam, subjects: list[ExamSubject], school_ids: list[int], outcome: ScoreImportOutcome):
        self.exam = exam
        self.year = exam.semester.start_year  # read here: the other threads must not query for it
        self.subject_ids = [s.pk for s in subjects]
        self.exam_school_ids = school_ids
        self.outcome = outcome
        self.classes: dict[tuple[int, int, int], int] = {}
        self.students: dict[str, tuple[int, int, int | None, str]] = {}  # 学籍号 → id, school, class, name
        self.school_ids: set[int] = set()
        self.table = ""  # where the scores go: the Score table itself, or a staging table
        self.item_table = ""  # where the item scores go, likewise (decided at the first item row)
        self.item_subject_ids: list[int] = []  # subjects whose items this sheet carries
        self.planned_subject_ids: list[int] = []  # subjects with a blueprint
        self.begun = threading.Event()
        self.sequence = self.class_sequence = ""
        self.reader = None  # the second connection
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')",
                    [Student._meta.db_table, SchoolClass._meta.db_table],
                )
                self.sequence, self.class_sequence = cursor.fetchone()
            # It sees committed rows only: not those of a transaction the import is called in.
            if not connection.in_atomic_block:
                self.reader = connection.copy()

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()

    def begin(self) -> None:
        """Done while the workbook is read: the exam's classes, the students they already hold (all
        of them when a sheet comes again), and where the scores go. An exam's first sheet goes straight
        into the Score table. A later one must not delete and re-insert (COPY into a table full of
        just-deleted rows is three times slower: the index cannot append), so its rows are staged
        and compared with what is stored at the end."""
        try:
            self._begin()
        finally:
            self.begun.set()

    def _begin(self) -> None:
        self.students = {
            number: tuple(rest)
            for number, *rest in Student.objects.filter(
                school_class__school_id__in=self.exam_school_ids,
                school_class__start_year=self.year,
                school_class__grade=self.exam.grade,
            ).values_list("student_number", "id", "school_id", "school_class_id", "name")
        }
        self.classes = _classes(self.exam, self.year, self.exam_school_ids)
        if (
            connection.vendor == "postgresql"
            and not Score.objects.filter(exam_subject_id__in=self.subject_ids).exists()
        ):
            self.table = Score._meta.db_table
        else:
            columns = ", ".join(SCORE_COLUMNS)
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE score_stage AS SELECT {columns} FROM {Score._meta.db_table} LIMIT 0")
            self.table = "score_stage"

    def work_for(self, chunk: _Chunk) -> Callable[[], None]:
        """The writer's work for a chunk, prepared here (on the checking thread) where there is a
        second connection: students looked up, ids reserved for new students and classes."""
        if self.reader is None:
            return partial(self.write, chunk)
        self.begun.wait()  # long done: it runs while the workbook is read
        missing = list(set(chunk.class_keys) - self.classes.keys())
        self.classes.update(zip(missing, _reserve_ids(self.class_sequence, len(missing), self.reader), strict=True))
        new_classes = "".join(f"{self.classes[key]}\t{self.year}\t{key[0]}\t{key[1]}\t{key[2]}\n" for key in missing)
        found = _find_students([n for n in chunk.numbers if n not in self.students], self.sequence, self.reader)
        return partial(self.store, self.prepare(chunk, found, new_classes))

    def write(self, chunk: _Chunk) -> None:
        """The chunk prepared and stored on the writer thread, where there is no second connection
        (SQLite, or a caller's transaction)."""
        if new_classes := self._new_classes(set(chunk.class_keys) - self.classes.keys()):
            made = SchoolClass.objects.bulk_create(new_classes)
            self.classes.update({(c.school_id, c.grade, c.number): c.pk for c in made})
        found = _find_students([n for n in chunk.numbers if n not in self.students], self.sequence, connection)
        self.store(self.prepare(chunk, found, ""))

    def _new_classes(self, keys: set[tuple[int, int, int]]) -> list[SchoolClass]:
        """The classes of this school year a sheet names that do not exist yet."""
        return [SchoolClass(school_id=key[0], start_year=self.year, grade=key[1], number=key[2]) for key in keys]

    def prepare(self, chunk: _Chunk, found: tuple[dict[str, tuple], dict[str, int]], new_classes: str) -> _Batch:
        """The chunk's students sorted into known, changed and new (with the ids reserved for them on
        PostgreSQL; SQLite creates them here), and the COPY text of its scores."""
        students, (known, reserved) = self.students, found
        students.update(known)
        class_ids = [self.classes[key] for key in chunk.class_keys]
        new, changed = [], []
        for row in zip(chunk.numbers, chunk.names, chunk.school_ids, class_ids, strict=True):
            number, name, school_id, class_id = row
            current = students.get(number)
            if current is None:
                new.append(row)
            elif current[1:] != (school_id, class_id, name):
                changed.append((current[0], school_id, class_id, name))
                students[number] = (current[0], school_id, class_id, name)
        new_students = ""
        if self.sequence:  # PostgreSQL, with ids reserved
            new_students = "".join(
                f"{reserved[number]}\t{number}\t{copy_escape(name)}\t\t{school_id}\t{class_id}\tt\n"
                for number, name, school_id, class_id in new
            )
            students.update({row[0]: (reserved[row[0]], *row[2:], row[1]) for row in new})
        else:
            students.update(_create_students(new))
        prefixes = list(
            map("{}\t{}\t{}\t".format, [students[n][0] for n in chunk.numbers], chunk.school_ids, class_ids)
        )
        # Subject by subject: a subject's rows then lie together in the table, and the statistics read
        # each subject's pages only (row by row, every page would hold every subject).
        scores = "".join("".join(map(add, prefixes, column)) for column in zip(*chunk.parts, strict=True))
        items = ""
        if chunk.items:
            items = "".join(
                "".join(prefix + tail for prefix, tail in zip(prefixes, column, strict=True) if tail)
                for column in zip(*chunk.items, strict=True)
            )
        return _Batch(
            len(chunk.numbers), set(chunk.school_ids), new_classes, new_students, len(new), changed, scores, items
        )

    def store(self, batch: _Batch) -> None:
        if batch.new_classes:
            copy_text(SchoolClass._meta.db_table, _CLASS_COLUMNS, batch.new_classes)
        if batch.new_students:
            copy_text(Student._meta.db_table, _STUDENT_COLUMNS, batch.new_students)
        if batch.changed:
            _update_students(batch.changed)
        copy_text(self.table, SCORE_COLUMNS, batch.scores)
        if batch.items:
            if not self.item_table:
                self.item_table = _item_table(self.item_subject_ids)
            copy_text(self.item_table, ITEM_COLUMNS, batch.items)
            self.outcome.item_rows += batch.items.count("\n")
        self.school_ids |= batch.school_ids
        self.outcome.rows += batch.rows
        self.outcome.scores += batch.rows * len(self.subject_ids)
        self.outcome.absences += batch.scores.count(f"\t{_NULL}\n")
        self.outcome.students_created += batch.created
        self.outcome.students_updated += len(batch.changed)

    def finish(self) -> None:
        if self.table == "score_stage":
            _apply_stage(self.subject_ids, sorted(self.school_ids))
        _apply_item_stage(self.item_table, self.planned_subject_ids, self.item_subject_ids, sorted(self.school_ids))
        if connection.vendor == "postgresql":
            # Fresh row counts for the planner: the statistics pass that follows hashes by them.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Score._meta.db_table}")
        self.outcome.schools = [str(pk) for pk in sorted(self.school_ids)]


def _classes(exam: Exam, year: int, school_ids) -> dict[tuple[int, int, int], int]:
    """{(school, grade, number): id} of the exam's grade in these schools, this school year."""
    classes = SchoolClass.objects.filter(school_id__in=school_ids, start_year=year, grade=exam.grade).values_list(
        "id", "school_id", "grade", "number"
    )
    return {(school, grade, number): pk for pk, school, grade, number in classes}


def _reserve_ids(sequence: str, count: int, using) -> list[int]:
    """Ids from a table's sequence, taken before the rows are written (none asked: none taken)."""
    if not count:
        return []
    with using.cursor() as cursor:
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [pk for (pk,) in cursor.fetchall()]


def _find_students(numbers: list[str], sequence: str, using) -> tuple[dict[str, tuple], dict[str, int]]:
    """The students among these numbers ({学籍号: (id, school, class, name)}) and, on PostgreSQL,
    an id from the table's sequence for each of the others, in the same round trip."""
    table = Student._meta.db_table
    found, reserved = {}, {}
    if not numbers:
        return found, reserved
    with using.cursor() as cursor:
        if using.vendor != "postgresql":
            cursor.execute(
                f"SELECT student_number, id, school_id, school_class_id, name FROM {table} "
                f"WHERE student_number IN ({_marks(numbers)})",
                numbers,
            )
            return {number: tuple(rest) for number, *rest in cursor.fetchall()}, reserved
        # One index probe per number (a plain join hashes the whole student table, every chunk).
        cursor.execute(
            "SELECT n.number, s.id, s.school_id, s.school_class_id, s.name, "
            "CASE WHEN s.id IS NULL THEN nextval(%s::regclass) END "
            "FROM unnest(%s::varchar[]) AS n(number) LEFT JOIN LATERAL ("
            f"SELECT id, school_id, school_class_id, name FROM {table} WHERE student_number = n.number LIMIT 1"
            ") s ON true",
            [sequence, numbers],
        )
        for number, pk, school_id, class_id, name, new_pk in cursor.fetchall():
            if pk is None:
                reserved[number] = new_pk
            else:
                found[number] = (pk, school_id, class_id, name)
    return found, reserved


_CLASS_COLUMNS = ["id", "start_year", "school_id", "grade", "number"]
_STUDENT_COLUMNS = ["id", "student_number", "name", "gender", "school_id", "school_class_id", "is_active"]


def _create_students(new: list[tuple[str, str, int, int]]) -> dict[str, tuple[int, int, int, str]]:
    """SQLite (the demo): the students created, as {学籍号: (id, school, class, name)}."""
    made = Student.objects.bulk_create(
        Student(student_number=number, name=name, school_id=school_id, school_class_id=class_id)
        for number, name, school_id, class_id in new
    )
    return {s.student_number: (s.pk, s.school_id, s.school_class_id, s.name) for s in made}


def _update_students(changed: list[tuple[int, int, int, str]]) -> None:
    if connection.vendor != "postgresql":
        for pk, school_id, class_id, name in changed:
            Student.objects.filter(pk=pk).update(school_id=school_id, school_class_id=class_id, name=name)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE student_changes (id bigint, school_id bigint, class_id bigint, name text) ON COMMIT DROP"
        )
        copy_rows("student_changes", ["id", "school_id", "class_id", "name"], changed)
        cursor.execute(
            f"UPDATE {Student._meta.db_table} s SET school_id = c.school_id, school_class_id = c.class_id, "
            "name = c.name FROM student_changes c WHERE s.id = c.id"
        )
        # Dropped now as well: inside an outer transaction (a test, a batch) the commit is not ours.
        cursor.execute("DROP TABLE student_changes")


def _apply_stage(subject_ids: list[int], school_ids: list[int]) -> None:
    """Make the scores of these subjects and schools exactly the staged rows, without deleting and
    re-inserting: one join finds what differs, and only that is written (re-importing the same
    file writes nothing). SQLite (the demo): delete and insert, small and plain."""
    table = Score._meta.db_table
    columns = ", ".join(SCORE_COLUMNS)
    subjects, schools = _marks(subject_ids), _marks(school_ids)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                f"DELETE FROM {table} WHERE exam_subject_id IN ({subjects}) "
                f"AND (school_id IN ({schools}) OR student_id IN (SELECT student_id FROM score_stage))",
                [*subject_ids, *school_ids],
            )
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM score_stage")
            cursor.execute("DROP TABLE score_stage")
            return
        cursor.execute("ANALYZE score_stage")
        # One hash join classifies every difference: gone from the file (d), changed (u), new (i).
        # With the default work_mem its 1.8 million rows a side spill to disk in batches.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            "CREATE TEMP TABLE score_diff ON COMMIT DROP AS SELECT "
            "coalesce(t.exam_subject_id, s.exam_subject_id) AS exam_subject_id, "
            "coalesce(t.student_id, s.student_id) AS student_id, t.school_id, t.school_class_id, t.score, "
            "CASE WHEN t.student_id IS NULL THEN 'd' WHEN s.student_id IS NULL THEN 'i' ELSE 'u' END AS change "
            f"FROM score_stage t FULL JOIN (SELECT * FROM {table} WHERE exam_subject_id IN ({subjects}) "
            f"AND school_id IN ({schools})) s "
            "ON t.exam_subject_id = s.exam_subject_id AND t.student_id = s.student_id "
            "WHERE t.student_id IS NULL OR s.student_id IS NULL "
            "OR (s.school_id, s.school_class_id, s.score) IS DISTINCT FROM (t.school_id, t.school_class_id, t.score)",
            [*subject_ids, *school_ids],
        )
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
        keys = "s.exam_subject_id = d.exam_subject_id AND s.student_id = d.student_id"
        cursor.execute(f"DELETE FROM {table} s USING score_diff d WHERE d.change = 'd' AND {keys}")
        cursor.execute(
            f"UPDATE {table} s SET school_id = d.school_id, school_class_id = d.school_class_id, score = d.score "
            f"FROM score_diff d WHERE d.change = 'u' AND {keys}"
        )
        # "New" here may still exist under a school the file does not contain (a student who moved).
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM score_diff WHERE change = 'i' "
            "ON CONFLICT (exam_subject_id, student_id) DO UPDATE SET school_id = EXCLUDED.school_id, "
            "school_class_id = EXCLUDED.school_class_id, score = EXCLUDED.score"
        )
        cursor.execute("DROP TABLE score_diff")
        # Dropped now as well: inside an outer transaction (a test, a batch) the commit is not ours.
        cursor.execute("DROP TABLE score_stage")


ITEM_COLUMNS = ["student_id", "school_id", "school_class_id", "exam_subject_id", "points", "choices"]


def _item_table(subject_ids: list[int]) -> str:
    """Straight into ItemScore for a subject's first item sheet on PostgreSQL; otherwise staged."""
    if connection.vendor == "postgresql" and not ItemScore.objects.filter(exam_subject_id__in=subject_ids).exists():
        return ItemScore._meta.db_table
    columns = ", ".join(ITEM_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE item_stage AS SELECT {columns} FROM {ItemScore._meta.db_table} LIMIT 0")
    return "item_stage"


def _apply_item_stage(item_table: str, planned_ids: list[int], itemized_ids: list[int], school_ids: list[int]) -> None:
    """The item scores of the sheet's schools become exactly the sheet's: staged rows replace theirs;
    a subject with a blueprint that came as totals only loses its now stale item rows there."""
    table = ItemScore._meta.db_table
    stale = [pk for pk in planned_ids if pk not in itemized_ids]
    if not school_ids:
        return
    schools = _marks(school_ids)
    with connection.cursor() as cursor:
        if stale:
            cursor.execute(
                f"DELETE FROM {table} WHERE exam_subject_id IN ({_marks(stale)}) AND school_id IN ({schools})",
                [*stale, *school_ids],
            )
        if item_table != "item_stage":
            return
        subjects = _marks(itemized_ids)
        cursor.execute(
            f"DELETE FROM {table} WHERE exam_subject_id IN ({subjects}) "
            f"AND (school_id IN ({schools}) OR student_id IN (SELECT student_id FROM item_stage))",
            [*itemized_ids, *school_ids],
        )
        columns = ", ".join(ITEM_COLUMNS)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM item_stage")
        cursor.execute("DROP TABLE item_stage")


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def import_scores(exam: Exam, content: bytes, filename: str, *, report: Report) -> ScoreImportOutcome:
    """Check every row, storing the valid ones as they come, in one transaction: the database stores
    a chunk on its own core while the next is checked. A problem anywhere rolls it all back, and
    the problems come back as a list and as the marked workbook."""
    subjects = list(exam.subjects.select_related("subject").order_by("order", "subject__order"))
    if not subjects:
        raise ImportRejected("本次监测尚未设置学科，请先添加学科再导入成绩。")
    report(2, "正在读取工作簿…")
    plans = {subject.pk: plan_for(subject.pk) for subject in subjects}
    sheet = _Sheet(exam, subjects, plans)
    outcome = ScoreImportOutcome()
    store = _Store(exam, subjects, [school.pk for school in sheet.schools.values()], outcome)
    store.planned_subject_ids = [pk for pk, plan in plans.items() if plan is not None]
    try:
        with transaction.atomic():
            # Until the writer is done, this thread reads and checks, and leaves the database to it.
            with write_behind() as put:
                put(store.begin)
                rows = excel.raw_rows(content, filename)
                header_row = next(rows, None)
                if header_row is None:
                    raise ImportRejected("工作簿第一张工作表是空的。")
                sheet.read_header(header_row)
                store.item_subject_ids = [sheet.subjects[index].pk for index, _ in sheet.item_readers]
                report(10, "正在校验并保存…")
                if problems := sheet.check(rows, lambda chunk: put(store.work_for(chunk)), report):
                    raise _Refused(problems)
            report(65, "正在写入成绩…")
            store.finish()
    except excel.WorkbookRejected as rejected:
        raise ImportRejected(str(rejected)) from rejected
    except _Refused as refused:
        raise _rejection(content, filename, refused.problems) from None
    finally:
        store.close()
    return outcome


def _rejection(content: bytes, filename: str, problems: list[Problem]) -> ImportRejected:
    """The problems in sheet order, with the workbook marked (unless there are too many to list)."""
    problems.sort(key=lambda p: (p.row, p.column))
    table = excel.read_table(content, filename, max_rows=MAX_ROWS) if len(problems) < MAX_PROBLEMS else None
    marked = excel.marked_workbook(table, problems) if table else None
    message = problems_message(len(problems))
    if len(problems) >= MAX_PROBLEMS:
        message = f"问题超过 {MAX_PROBLEMS} 处，已停止校验，未导入任何数据。请核对模板与数据后重新上传。"
    return ImportRejected(message, problems, marked)


def scores_template(exam: Exam) -> bytes:
    """The per-exam workbook schools fill in: headers, drop-downs for school and class, score rules."""
    subjects = list(exam.subjects.select_related("subject").order_by("order", "subject__order"))
    schools = list(exam.schools.order_by("code"))
    columns = [
        excel.TemplateColumn("学籍号", 22, note="G/J/L + 18位身份证号", text=True),
        excel.TemplateColumn("姓名", 10),
        excel.TemplateColumn("学校标识码", 14, choices=[s.code for s in schools], note="参加本次监测的学校", text=True),
        excel.TemplateColumn(
            "班级",
            14,
            note=f"如：{codes.class_label(exam.grade, 1)}，或只写班号“1班”",
            choices=[codes.class_label(exam.grade, n) for n in range(1, 31)],
        ),
    ]
    for subject in subjects:
        plan = plan_for(subject.pk)
        columns.append(
            excel.TemplateColumn(
                subject.subject.name,
                10,
                note=f"满分 {subject.full_marks.normalize():f}；可为半分（如 72.5）；缺考填“缺考”或留空"
                + ("；填写小题分时可留空（如填写须等于小题分之和）" if plan else ""),
                decimal_range=(Decimal(0), subject.full_marks),
            )
        )
        for item in plan.items if plan else ():
            columns.append(
                excel.TemplateColumn(
                    item_header(subject.subject.name, item.label),
                    8,
                    note=f"分值 {item.max_half / 2:g}" + ("；可填选项字母" if item.is_choice and item.key_mask else ""),
                )
            )
    return excel.template_workbook(f"{exam.name}成绩", columns)
