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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, repeat

from django.db import connection, transaction

from eduquality import excel
from eduquality.db import copy_rows
from eduquality.excel import Problem
from eduquality.imports import ImportRejected, problems_message
from monitoring import rules
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
    schools: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"导入完成：{len(self.schools)} 所学校 {self.rows} 名学生，"
            f"成绩 {self.scores} 条（其中缺考 {self.absences} 条）；"
            f"新建学生 {self.students_created} 名，更新学生信息 {self.students_updated} 名。"
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
    """Checks one score cell quickly; returns the text COPY stores, None for an absence."""

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


@dataclass
class _Parsed:
    numbers: list[str]
    names: list[str]
    school_ids: list[int]
    class_keys: list[tuple[int, int, int] | None]
    score_cells: list[list]  # per subject, per row: text or None


def _validate(exam: Exam, subjects: list[ExamSubject], rows, report: Report) -> tuple[_Parsed | None, list[Problem]]:
    header_row = next(rows, None)
    if header_row is None:
        raise ImportRejected("工作簿第一张工作表是空的。")
    header = excel.clean_header(header_row)
    wanted = expected_header(subjects)
    problems = excel.header_problems(header, wanted)
    if problems:
        return None, problems
    position = {name: header.index(name) for name in wanted}
    number_at, name_at, school_at, class_at = (position[h] for h in FIXED_HEADERS)
    subject_at = [position[s.subject.name] for s in subjects]
    subject_names = [s.subject.name for s in subjects]
    checkers = [_Checker(s) for s in subjects]

    schools = {school.code: school for school in exam.schools.all()}
    known_codes = set(School.objects.values_list("code", flat=True))
    class_cache: dict[str, tuple[int, int] | None] = {}
    seen: dict[str, int] = {}
    parsed = _Parsed([], [], [], [], [[] for _ in subjects])
    width = len(header)
    row_count = 0
    for number, values in enumerate(rows, start=2):
        if len(values) < width:
            values = list(values) + [None] * (width - len(values))
        if all(v is None or v == "" for v in values[:width]):
            continue
        row_count += 1
        if row_count > MAX_ROWS:
            raise ImportRejected(f"数据行超过上限 {MAX_ROWS} 行，请分批导入。")
        if row_count % 20000 == 0:
            report(10 + min(40, row_count * 40 // 200000), f"已校验 {row_count} 行…")
        row_problems = []

        student_number = _code_text(values[number_at]).upper()
        if not _STUDENT_NUMBER.match(student_number):
            row_problems.append(Problem(number, "学籍号", codes.STUDENT_NUMBER_MESSAGE))
        elif student_number in seen:
            row_problems.append(Problem(number, "学籍号", f"学籍号与第 {seen[student_number]} 行重复。"))
        else:
            seen[student_number] = number

        name = _code_text(values[name_at])
        if not name:
            row_problems.append(Problem(number, "姓名", "姓名不能为空。"))

        school_code = _code_text(values[school_at])
        school = schools.get(school_code)
        if school is None:
            message = (
                f"学校“{school_code}”未参加本次监测。"
                if school_code in known_codes
                else f"学校标识码“{school_code}”不存在。"
            )
            row_problems.append(Problem(number, "学校标识码", message))

        class_label = _code_text(values[class_at])
        if class_label not in class_cache:
            class_cache[class_label] = codes.parse_class_label(class_label)
        grade_number = class_cache[class_label]
        if grade_number is None:
            row_problems.append(Problem(number, "班级", f"班级“{class_label}”应写作如“三年级(2)班”。"))
        elif grade_number[0] != exam.grade:
            row_problems.append(Problem(number, "班级", f"班级“{class_label}”不是本次监测的年级。"))

        cells = []
        for index, checker in enumerate(checkers):
            try:
                cells.append(checker(values[subject_at[index]]))
            except rules.ScoreError as error:
                row_problems.append(Problem(number, subject_names[index], str(error)))
        if row_problems:
            problems.extend(row_problems)
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        parsed.numbers.append(student_number)
        parsed.names.append(name)
        parsed.school_ids.append(school.id)
        parsed.class_keys.append((school.id, *grade_number))
        for index, cell in enumerate(cells):
            parsed.score_cells[index].append(cell)
    if not row_count and not problems:
        raise ImportRejected("工作簿中没有数据行。")
    return parsed, problems


def _class_ids(exam: Exam, keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], int]:
    """The classes of this school year, created where the sheet names a new one."""
    year = exam.semester.start_year
    school_ids = {key[0] for key in keys}
    existing = {
        (c.school_id, c.grade, c.number): c.id
        for c in SchoolClass.objects.filter(school_id__in=school_ids, start_year=year, grade=exam.grade)
    }
    missing = [
        SchoolClass(school_id=school, start_year=year, grade=grade, number=number)
        for (school, grade, number) in keys - existing.keys()
    ]
    if missing:
        SchoolClass.objects.bulk_create(missing, batch_size=2000)
        existing.update(
            {
                (c.school_id, c.grade, c.number): c.id
                for c in SchoolClass.objects.filter(school_id__in=school_ids, start_year=year, grade=exam.grade)
            }
        )
    return existing


def _known_students(numbers: list[str]) -> dict[str, tuple[int, int, int | None, str]]:
    """{学籍号: (id, school, class, name)} of the students the sheet names, looked up through a
    temporary table: an IN list of 200,000 numbers is beyond what the database takes."""
    table = Student._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS sheet_numbers (number varchar(19) PRIMARY KEY)")
        cursor.execute("DELETE FROM sheet_numbers")
        copy_rows("sheet_numbers", ["number"], ((number,) for number in numbers))
        cursor.execute(
            f"SELECT s.student_number, s.id, s.school_id, s.school_class_id, s.name FROM {table} s "
            "JOIN sheet_numbers n ON n.number = s.student_number"
        )
        known = {number: (pk, school_id, class_id, name) for number, pk, school_id, class_id, name in cursor}
        cursor.execute("DROP TABLE sheet_numbers")
    return known


def _student_ids(parsed: _Parsed, class_ids: list[int], outcome: ScoreImportOutcome) -> list[int]:
    """Creates or updates the students by 学籍号 into their school and class; returns their ids."""
    existing = _known_students(parsed.numbers)
    ids = {number: known[0] for number, known in existing.items()}
    new_rows, changed = [], []
    for index, number in enumerate(parsed.numbers):
        current = existing.get(number)
        wanted = (parsed.school_ids[index], class_ids[index], parsed.names[index])
        if current is None:
            new_rows.append([number, parsed.names[index], "", parsed.school_ids[index], class_ids[index], True])
        elif current[1:] != wanted:
            changed.append((current[0], *wanted))
    if new_rows:
        columns = ["student_number", "name", "gender", "school_id", "school_class_id", "is_active"]
        if connection.vendor == "postgresql":
            # Ids taken from the table's sequence up front, so no second lookup is needed after COPY.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT nextval(pg_get_serial_sequence('{Student._meta.db_table}', 'id')) "
                    "FROM generate_series(1, %s)",
                    [len(new_rows)],
                )
                for new_row, (pk,) in zip(new_rows, cursor.fetchall(), strict=True):
                    new_row.append(pk)
                    ids[new_row[0]] = pk
            copy_rows(Student._meta.db_table, [*columns, "id"], new_rows)
        else:
            copy_rows(Student._meta.db_table, columns, new_rows)
            ids = {number: known[0] for number, known in _known_students(parsed.numbers).items()}
        outcome.students_created = len(new_rows)
    if changed:
        _update_students(changed)
        outcome.students_updated = len(changed)
    return [ids[number] for number in parsed.numbers]


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


SCORE_COLUMNS = ["exam_subject_id", "student_id", "school_id", "school_class_id", "score"]


def _replace_scores(subject_ids: list[int], school_ids: list[int], student_ids: list[int], rows) -> int:
    """Make the scores of these subjects and schools exactly `rows`.

    The first import of a school's sheet goes straight in by COPY. A re-import must not delete and
    re-insert: COPY into a table full of just-deleted rows is three times slower (the index cannot
    append). So the rows go to a staging table, one join finds what differs, and only that is written
    (re-importing the same file writes nothing).
    """
    table = Score._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # the demo's SQLite: small, plain statements
            cursor.execute(
                f"DELETE FROM {table} WHERE exam_subject_id IN ({_marks(subject_ids)}) "
                f"AND school_id IN ({_marks(school_ids)})",
                [*subject_ids, *school_ids],
            )
            cursor.executemany(
                f"DELETE FROM {table} WHERE exam_subject_id IN ({_marks(subject_ids)}) AND student_id = %s",
                [[*subject_ids, student] for student in student_ids],
            )
            return copy_rows(table, SCORE_COLUMNS, rows)
        # Nothing there yet for these schools or students (a school's first sheet): straight in.
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE exam_subject_id = ANY(%s) "
            "AND (school_id = ANY(%s) OR student_id = ANY(%s)))",
            [subject_ids, school_ids, student_ids],
        )
        if not cursor.fetchone()[0]:
            return copy_rows(table, SCORE_COLUMNS, rows)
        cursor.execute(f"CREATE TEMP TABLE score_stage (LIKE {table}) ON COMMIT DROP")
        count = copy_rows("score_stage", SCORE_COLUMNS, rows)
        cursor.execute("ANALYZE score_stage")
        # One hash join classifies every difference: gone from the file (d), changed (u), new (i).
        cursor.execute(
            "CREATE TEMP TABLE score_diff ON COMMIT DROP AS SELECT "
            "coalesce(t.exam_subject_id, s.exam_subject_id) AS exam_subject_id, "
            "coalesce(t.student_id, s.student_id) AS student_id, t.school_id, t.school_class_id, t.score, "
            "CASE WHEN t.student_id IS NULL THEN 'd' WHEN s.student_id IS NULL THEN 'i' ELSE 'u' END AS change "
            f"FROM score_stage t FULL JOIN (SELECT * FROM {table} WHERE exam_subject_id IN ({_marks(subject_ids)}) "
            f"AND school_id IN ({_marks(school_ids)})) s "
            "ON t.exam_subject_id = s.exam_subject_id AND t.student_id = s.student_id "
            "WHERE t.student_id IS NULL OR s.student_id IS NULL "
            "OR (s.school_id, s.school_class_id, s.score) IS DISTINCT FROM (t.school_id, t.school_class_id, t.score)",
            [*subject_ids, *school_ids],
        )
        keys = "s.exam_subject_id = d.exam_subject_id AND s.student_id = d.student_id"
        cursor.execute(f"DELETE FROM {table} s USING score_diff d WHERE d.change = 'd' AND {keys}")
        cursor.execute(
            f"UPDATE {table} s SET school_id = d.school_id, school_class_id = d.school_class_id, score = d.score "
            f"FROM score_diff d WHERE d.change = 'u' AND {keys}"
        )
        columns = ", ".join(SCORE_COLUMNS)
        # "New" here may still exist under a school the file does not contain (a student who moved).
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM score_diff WHERE change = 'i' "
            "ON CONFLICT (exam_subject_id, student_id) DO UPDATE SET school_id = EXCLUDED.school_id, "
            "school_class_id = EXCLUDED.school_class_id, score = EXCLUDED.score"
        )
        cursor.execute("DROP TABLE score_diff")
        # Dropped now as well: inside an outer transaction (a test, a batch) the commit is not ours.
        cursor.execute("DROP TABLE score_stage")
    return count


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def import_scores(exam: Exam, content: bytes, filename: str, *, report: Report) -> ScoreImportOutcome:
    """Validate the whole workbook, then replace the scores of its schools in one transaction."""
    subjects = list(exam.subjects.select_related("subject").order_by("order", "subject__order"))
    if not subjects:
        raise ImportRejected("本次监测尚未设置学科，请先添加学科再导入成绩。")
    report(2, "正在读取工作簿…")
    try:
        rows = excel.raw_rows(content, filename)
        parsed, problems = _validate(exam, subjects, rows, report)
    except excel.WorkbookRejected as rejected:
        raise ImportRejected(str(rejected)) from rejected
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        table = excel.read_table(content, filename, max_rows=MAX_ROWS) if len(problems) < MAX_PROBLEMS else None
        marked = excel.marked_workbook(table, problems) if table else None
        message = problems_message(len(problems))
        if len(problems) >= MAX_PROBLEMS:
            message = f"问题超过 {MAX_PROBLEMS} 处，已停止校验，未导入任何数据。请核对模板与数据后重新上传。"
        raise ImportRejected(message, problems, marked)

    outcome = ScoreImportOutcome(rows=len(parsed.numbers))
    report(55, "正在保存学生与成绩…")
    with transaction.atomic():
        class_map = _class_ids(exam, set(parsed.class_keys))
        class_ids = [class_map[key] for key in parsed.class_keys]
        student_ids = _student_ids(parsed, class_ids, outcome)
        school_ids = sorted(set(parsed.school_ids))
        report(65, "正在写入成绩…")
        outcome.scores = _replace_scores(
            [s.pk for s in subjects],
            school_ids,
            student_ids,
            chain.from_iterable(
                zip(repeat(subject.pk), student_ids, parsed.school_ids, class_ids, parsed.score_cells[index])
                for index, subject in enumerate(subjects)
            ),
        )
        if connection.vendor == "postgresql":
            # Fresh row counts for the planner: the statistics pass that follows hashes by them.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Score._meta.db_table}")
        outcome.absences = sum(cells.count(None) for cells in parsed.score_cells)
        outcome.schools = [str(pk) for pk in school_ids]
    return outcome


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
            note=f"如：{codes.class_label(exam.grade, 1)}",
            choices=[codes.class_label(exam.grade, n) for n in range(1, 31)],
        ),
    ]
    for subject in subjects:
        columns.append(
            excel.TemplateColumn(
                subject.subject.name,
                10,
                note=f"满分 {subject.full_marks.normalize():f}；可为半分（如 72.5）；缺考填“缺考”或留空",
                decimal_range=(Decimal(0), subject.full_marks),
            )
        )
    return excel.template_workbook(f"{exam.name}成绩", columns)
