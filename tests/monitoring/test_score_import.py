"""Score import: all or nothing, every problem located, absences kept apart, re-import idempotent."""

import io
from decimal import Decimal

import openpyxl
import pytest

from eduquality.imports import ImportRejected
from monitoring.models import Score
from schools.models import SchoolClass, Student
from tests.factories import SchoolFactory
from tests.monitoring.factories import import_rows, make_exam, row, student_number, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(city):
    return make_exam(schools=[city.school_a, city.school_b])


def scores_of(exam) -> dict[tuple[str, str], Decimal | None]:
    return {
        (s.student.student_number, s.exam_subject.subject.code): s.score
        for s in Score.objects.filter(exam_subject__exam=exam).select_related("student", "exam_subject__subject")
    }


def rejected_problems(exam, rows, header=None) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_rows(exam, rows, header)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_it_stores_scores_exactly_and_creates_students_in_their_school_and_class(exam, city):
    outcome = import_rows(exam, [row(1, city.school_a, 2, 92.5, 88), row(2, city.school_b, 1, 60, "缺考")])

    assert outcome.rows == 2 and outcome.scores == 4 and outcome.absences == 1 and outcome.students_created == 2
    assert scores_of(exam) == {
        (student_number(1), "YW"): Decimal("92.5"),
        (student_number(1), "SX"): Decimal("88"),
        (student_number(2), "YW"): Decimal("60"),
        (student_number(2), "SX"): None,
    }
    student = Student.objects.get(student_number=student_number(1))
    assert student.school == city.school_a
    assert (student.school_class.grade, student.school_class.number) == (3, 2)
    assert student.school_class.school == city.school_a


def test_an_empty_cell_and_the_word_absent_are_absences_not_zeros(exam, city):
    import_rows(exam, [row(1, city.school_a, 1, None, "缺考"), row(2, city.school_a, 1, 0, 50)])
    scores = scores_of(exam)
    assert scores[(student_number(1), "YW")] is None
    assert scores[(student_number(1), "SX")] is None
    assert scores[(student_number(2), "YW")] == Decimal("0")


def test_importing_the_same_file_twice_leaves_the_same_data(exam, city):
    rows = [row(n, city.school_a, 1 + n % 2, 50 + n, 70.5) for n in range(1, 21)]
    import_rows(exam, rows)
    first, students = scores_of(exam), Student.objects.count()

    outcome = import_rows(exam, rows)

    assert scores_of(exam) == first
    assert Student.objects.count() == students
    assert outcome.students_created == 0
    assert Score.objects.filter(exam_subject__exam=exam).count() == 40


def test_a_second_file_replaces_only_the_schools_it_contains(exam, city):
    import_rows(exam, [row(1, city.school_a, 1, 80, 80), row(2, city.school_b, 1, 70, 70)])
    import_rows(exam, [row(3, city.school_a, 1, 90, 90)])
    numbers = {number for number, _ in scores_of(exam)}
    assert numbers == {student_number(2), student_number(3)}


def test_a_known_student_moves_to_the_class_and_name_the_sheet_gives(exam, city):
    import_rows(exam, [row(1, city.school_a, 1, 80, 80, name="王一")])
    import_rows(exam, [row(1, city.school_a, 3, 80, 80, name="王壹")])
    student = Student.objects.get(student_number=student_number(1))
    assert student.name == "王壹"
    assert student.school_class.number == 3


def test_every_bad_cell_is_listed_with_row_column_and_a_chinese_message_and_nothing_is_stored(exam, city):
    outsider = SchoolFactory(name="丙小学")
    students_before = Student.objects.count()
    rows = [
        row(1, city.school_a, 1, 80, 80),  # good: must not be stored either
        ["G123", "甲", city.school_a.code, "三年级(1)班", 80, 80],
        row(1, city.school_a, 1, 70, 70),  # repeats row 2's number
        row(4, city.school_a, 1, "八十", 80),
        row(5, city.school_a, 1, -1, 100.5),
        ["", "", "9999999999", "三年级(1)班", 80, 80],
        row(7, outsider, 1, 80, 80),
        row(8, city.school_a, 1, 80, 80, grade=4),
    ]
    problems = rejected_problems(exam, rows)

    by_cell = {(r, c): m for r, c, m in problems}
    assert "学籍号" in by_cell[(3, "学籍号")]
    assert "与第 2 行重复" in by_cell[(4, "学籍号")]
    assert "语文" in {c for r, c, _ in problems if r == 5}
    assert (6, "语文") in by_cell and (6, "数学") in by_cell
    assert "不存在" in by_cell[(7, "学校标识码")]
    assert "未参加本次监测" in by_cell[(8, "学校标识码")]
    assert "本次监测是三年级" in by_cell[(9, "班级")]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for _, _, message in problems)
    assert Score.objects.count() == 0
    assert Student.objects.count() == students_before


def test_class_labels_as_schools_write_them_are_read_as_classes_of_the_exams_grade(exam, city):
    labels = ["1班", "(2)班", "3", "04", "（５）班", "三年级6班", "三年级（7）班"]
    rows = [[student_number(n), f"学生{n}", city.school_a.code, label, 80, 80] for n, label in enumerate(labels, 1)]
    import_rows(exam, rows)
    classes = {
        s.student_number: (s.school_class.grade, s.school_class.number)
        for s in Student.objects.filter(school=city.school_a).select_related("school_class")
    }
    assert [classes[student_number(n)] for n in range(1, len(labels) + 1)] == [(3, n) for n in range(1, 8)]
    assert SchoolClass.objects.filter(school=city.school_a, grade=3, number=1).count() == 1


def test_a_class_label_naming_another_grade_or_no_class_is_refused_and_nothing_is_stored(exam, city):
    rows = [
        [student_number(1), "学生1", city.school_a.code, "1班", 80, 80],
        [student_number(2), "学生2", city.school_a.code, "五年级1班", 80, 80],
        [student_number(3), "学生3", city.school_a.code, "一班", 80, 80],
    ]
    by_cell = {(r, c): m for r, c, m in rejected_problems(exam, rows)}
    assert by_cell[(3, "班级")] == "班级“五年级1班”是五年级的班级，本次监测是三年级。"
    assert by_cell[(4, "班级")] == "班级“一班”应写作如“三年级(2)班”或“2班”。"
    assert (2, "班级") not in by_cell
    assert Score.objects.count() == 0


def test_scores_above_full_marks_below_zero_or_not_numbers_are_refused_with_reasons(exam, city):
    problems = rejected_problems(exam, [row(1, city.school_a, 1, 100.5, -2), row(2, city.school_a, 1, "abc", 50)])
    messages = {(r, c): m for r, c, m in problems}
    assert "满分" in messages[(2, "语文")] or "100" in messages[(2, "语文")]
    assert (2, "数学") in messages
    assert (3, "语文") in messages


def test_a_name_too_long_or_with_a_control_character_is_refused_with_a_message_not_a_database_error(exam, city):
    problems = rejected_problems(
        exam,
        [row(1, city.school_a, 1, 80, 80, name="张" * 31), row(2, city.school_a, 1, 80, 80, name="张\t三")],
    )
    assert problems == [
        (2, "姓名", "姓名不能超过 30 个字。"),
        (3, "姓名", "姓名中含有不可见的控制字符，请删除后重新上传。"),
    ]
    assert not Score.objects.filter(exam_subject__exam=exam).exists()


def test_the_rejected_workbook_comes_back_with_the_bad_cells_marked(exam, city):
    with pytest.raises(ImportRejected) as caught:
        import_rows(exam, [row(1, city.school_a, 1, 80, 80), row(2, city.school_a, 1, 120, 80)])
    marked = openpyxl.load_workbook(io.BytesIO(caught.value.marked))
    sheet = marked.worksheets[0]
    cell = sheet.cell(row=3, column=5)  # 语文 of the second student
    assert cell.comment is not None and cell.comment.text.strip()
    assert sheet.cell(row=2, column=5).comment is None


def test_a_wrong_header_is_refused_before_any_row_is_read(exam, city):
    problems = rejected_problems(
        exam, [row(1, city.school_a, 1, 80, 80)], header=["学籍号", "姓名", "学校", "班级", "语文", "数学"]
    )
    assert any(column for _, column, _ in problems)
    assert any("学校标识码" in message for _, _, message in problems)
    assert Score.objects.count() == 0


def test_a_file_with_only_a_header_is_refused(exam):
    with pytest.raises(ImportRejected, match="没有数据行"):
        import_rows(exam, [])


def test_exactly_85_percent_is_excellent_and_exactly_40_percent_is_not_low(city):
    from monitoring.models import Level, Statistic
    from monitoring.statistics import compute_exam

    exam = make_exam(schools=[city.school_a], subjects=(("YW", 120),), code="JC-EDGE")
    import_rows(exam, [row(1, city.school_a, 1, 102), row(2, city.school_a, 1, 48), row(3, city.school_a, 1, 47.5)])
    compute_exam(exam)
    stat = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__isnull=False)
    assert stat.excellent_rate == Decimal("0.3333")  # 102 = 85% of 120
    assert stat.low_rate == Decimal("0.3333")  # 48 = 40% is not low; 47.5 is


def test_the_template_has_the_chinese_headers_and_a_score_rule_per_subject(exam):
    from monitoring.score_import import scores_template

    book = openpyxl.load_workbook(io.BytesIO(scores_template(exam)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:6] == ["学籍号", "姓名", "学校标识码", "班级", "语文", "数学"]
    score_rules = [v for v in sheet.data_validations.dataValidation if v.type == "custom"]
    assert len(score_rules) == 2
    assert all("<=100" in v.formula1 and "缺考" in v.formula1 for v in score_rules)


def test_an_unreadable_file_is_refused_with_a_message(exam):
    from monitoring.score_import import import_scores

    with pytest.raises(ImportRejected):
        import_scores(exam, b"not a workbook at all", "成绩.xlsx", report=lambda p, m: None)
    assert Score.objects.count() == 0


def test_classes_named_in_the_sheet_are_created_for_the_school_year(exam, city):
    import_rows(exam, [row(1, city.school_a, 7, 80, 80)])
    made = SchoolClass.objects.get(school=city.school_a, grade=3, number=7)
    assert made.start_year == exam.semester.start_year


def test_workbook_helper_writes_what_the_import_reads(exam, city):
    content = workbook(exam, [row(1, city.school_a, 1, 80, 80)])
    assert content[:2] == b"PK"


def test_two_imports_that_move_students_can_run_in_one_transaction(exam, city):
    from django.db import transaction

    with transaction.atomic():
        import_rows(exam, [row(1, city.school_a, 1, 80, 80)])
        import_rows(exam, [row(1, city.school_a, 2, 80, 80)])
        import_rows(exam, [row(1, city.school_a, 3, 80, 80)])
    assert Student.objects.get(student_number=student_number(1)).school_class.number == 3


def test_a_corrected_sheet_changes_only_what_differs(exam, city):
    import_rows(
        exam, [row(1, city.school_a, 1, 80, 80), row(2, city.school_a, 1, 70, 70), row(3, city.school_a, 1, 60, 60)]
    )
    # Student 2's score changes, student 3 left the sheet, student 4 is new.
    import_rows(
        exam,
        [row(1, city.school_a, 1, 80, 80), row(2, city.school_a, 2, 75.5, "缺考"), row(4, city.school_a, 1, 50, 50)],
    )
    assert scores_of(exam) == {
        (student_number(1), "YW"): Decimal(80),
        (student_number(1), "SX"): Decimal(80),
        (student_number(2), "YW"): Decimal("75.5"),
        (student_number(2), "SX"): None,
        (student_number(4), "YW"): Decimal(50),
        (student_number(4), "SX"): Decimal(50),
    }
    assert set(
        Score.objects.filter(student__student_number=student_number(2)).values_list("school_class__number", flat=True)
    ) == {2}


def test_a_student_who_moved_school_is_scored_once_under_the_new_school(exam, city):
    import_rows(exam, [row(1, city.school_b, 1, 80, 80), row(2, city.school_b, 1, 70, 70)])
    import_rows(exam, [row(1, city.school_a, 1, 90, 90), row(3, city.school_a, 1, 60, 60)])
    moved = Score.objects.filter(student__student_number=student_number(1))
    assert moved.count() == 2
    assert set(moved.values_list("school_id", "score")) == {(city.school_a.pk, Decimal(90))}


def test_a_legacy_xls_workbook_is_read_like_an_xlsx(city):
    """Schools still send .xls (BIFF8); tests/monitoring/fixtures/scores-legacy.xls was written by xlwt."""
    from pathlib import Path

    from monitoring.score_import import import_scores

    school_1 = SchoolFactory(code="2122900001", name="老格式一小")
    school_2 = SchoolFactory(code="2122900002", name="老格式二小")
    exam = make_exam(schools=[school_1, school_2], code="JC-XLS")
    content = (Path(__file__).parent / "fixtures" / "scores-legacy.xls").read_bytes()

    outcome = import_scores(exam, content, "成绩.xls", report=lambda p, m: None)

    assert (outcome.rows, outcome.scores, outcome.absences) == (3, 6, 2)
    scores = scores_of(exam)
    assert scores[("G220602201601010001", "YW")] == Decimal("92.5")
    assert scores[("G220602201601010002", "YW")] is None
    assert scores[("G220602201601010002", "SX")] == Decimal("59.5")
    assert scores[("G220602201601010003", "SX")] is None
    assert Student.objects.get(student_number="G220602201601010003").school == school_2


# ---- Stored while checked: chunks, the writer thread, progress ---------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two rows, so a small sheet is stored in several pieces while it is checked."""
    from monitoring import score_import

    monkeypatch.setattr(score_import, "CHUNK_ROWS", 2)
    stored = []
    store = score_import._Store.store
    monkeypatch.setattr(score_import._Store, "store", lambda self, batch: (store(self, batch), stored.append(batch)))
    return stored


def test_a_problem_in_the_last_row_stores_nothing_though_earlier_chunks_were_written(
    exam, city, small_chunks, monkeypatch
):
    import time

    from monitoring import score_import

    raw_rows = score_import.excel.raw_rows

    def rows_waiting_for_the_writer(content, filename):
        for index, values in enumerate(raw_rows(content, filename)):
            deadline = time.monotonic() + 10
            while index == 8 and len(small_chunks) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)  # the last row is read only once rows 1–6 are in the database
            yield values

    monkeypatch.setattr(score_import.excel, "raw_rows", rows_waiting_for_the_writer)
    students_before = Student.objects.count()
    rows = [row(n, city.school_a, 1, 80, 70) for n in range(1, 8)] + [row(8, city.school_a, 1, 80, 101)]

    problems = rejected_problems(exam, rows)

    assert [(r, c) for r, c, _ in problems] == [(9, "数学")]
    assert len(small_chunks) == 3
    assert not Score.objects.exists()
    assert Student.objects.count() == students_before
    assert not SchoolClass.objects.filter(school=city.school_a, number=1, grade=3).exclude(pk=city.class_a.pk).exists()


def test_a_sheet_stored_in_chunks_is_stored_whole_and_again_unchanged(exam, city, small_chunks):
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1 + n % 3, 40 + n, "缺考") for n in range(1, 12)]
    outcome = import_rows(exam, rows)
    first = scores_of(exam)

    again = import_rows(exam, rows)

    assert (outcome.rows, outcome.scores, outcome.absences, outcome.students_created) == (11, 22, 11, 11)
    assert len(first) == 22 and first[(student_number(5), "YW")] == Decimal(45)
    assert scores_of(exam) == first
    assert (again.students_created, again.students_updated, again.absences) == (0, 0, 11)


def test_a_student_known_from_another_school_moves_into_the_sheets_school_and_class(exam, city, small_chunks):
    a_student_known_from_another_school_moves_into_the_sheets_school_and_class(exam, city)


@pytest.mark.django_db(transaction=True)
def test_a_student_known_from_another_school_moves_too_when_looked_up_on_a_second_connection(
    city, small_chunks, monkeypatch
):
    """Outside a caller's transaction the import looks students up through a second connection."""
    from django.db import connection

    from monitoring import score_import

    find, used = score_import._find_students, []
    monkeypatch.setattr(score_import, "_find_students", lambda *args: (used.append(args[2]), find(*args))[1])
    exam = make_exam(schools=[city.school_a, city.school_b])

    a_student_known_from_another_school_moves_into_the_sheets_school_and_class(exam, city)

    assert used and all(using is not connection for using in used)


def a_student_known_from_another_school_moves_into_the_sheets_school_and_class(exam, city):
    from tests.factories import SchoolClassFactory, StudentFactory

    elsewhere = SchoolFactory(name="丙中学")
    old = StudentFactory(
        student_number=student_number(3), school=elsewhere, school_class=SchoolClassFactory(school=elsewhere)
    )
    rows = [row(n, city.school_a, 2, 80, 80) for n in range(1, 6)]

    outcome = import_rows(exam, rows)

    old.refresh_from_db()
    assert old.school == city.school_a
    assert (old.school_class.school, old.school_class.grade, old.school_class.number) == (city.school_a, 3, 2)
    assert (outcome.students_created, outcome.students_updated) == (4, 1)
    assert Student.objects.filter(student_number=student_number(3)).count() == 1
    assert set(Score.objects.filter(student=old).values_list("school_id", flat=True)) == {city.school_a.pk}


def test_a_failure_while_storing_is_raised_and_nothing_is_stored(exam, city, monkeypatch):
    from monitoring import score_import

    monkeypatch.setattr(score_import, "CHUNK_ROWS", 2)
    store = score_import._Store.store
    stored = []

    def fail_on_the_second_chunk(self, batch):
        stored.append(batch)
        if len(stored) == 2:
            raise RuntimeError("the disk is full")
        store(self, batch)

    monkeypatch.setattr(score_import._Store, "store", fail_on_the_second_chunk)
    students_before = Student.objects.count()

    with pytest.raises(RuntimeError, match="the disk is full"):
        import_rows(exam, [row(n, city.school_a, 1, 80, 80) for n in range(1, 10)])

    assert not Score.objects.exists()
    assert Student.objects.count() == students_before


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_another_connection_while_the_import_runs(city, monkeypatch):
    """The import checks and stores inside one transaction; its progress must not wait for the commit."""
    import time

    from django.db import connection

    from eduquality import jobs
    from eduquality.models import Job

    exam = make_exam(schools=[city.school_a], code="JC-PROGRESS")
    job = Job.objects.create(owner=city.bureau, kind="monitoring.import_scores", title="导入", status="running")
    reporter = jobs._progress_reporter(job.pk)
    seen_elsewhere = []

    def report(percent, message):
        time.sleep(0.3)  # past the reporter's throttle
        reporter(percent, message)
        other = connection.copy()
        try:
            with other.cursor() as cursor:
                cursor.execute(f"SELECT progress, message FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
                seen_elsewhere.append(cursor.fetchone())
        finally:
            other.close()

    from monitoring.score_import import import_scores

    content = workbook(exam, [row(n, city.school_a, 1, 80) for n in range(1, 6)])
    import_scores(exam, content, "成绩.xlsx", report=report)

    assert (10, "正在校验并保存…") in seen_elsewhere  # reported inside the import's transaction
    assert (65, "正在写入成绩…") in seen_elsewhere
    assert Score.objects.filter(exam_subject__exam=exam).count() == 10  # 5 students, 2 subjects
