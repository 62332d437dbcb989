"""Exams with scores and computed statistics, and reports, for the reports tests."""

import datetime
from decimal import Decimal

import factory

from monitoring.models import Exam, ExamSubject, Score
from monitoring.statistics import compute_exam
from reports.models import Kind, Report
from schools.models import Semester, Subject
from tests.factories import SchoolClassFactory, StudentFactory


def scored_exam(
    *, schools, semester: Semester, scores_by_school: dict, code: str = "T1", subjects=("YW", "SX"), comparable=None
):
    """An exam of grade 3 over `subjects` whose students at each school score the listed values
    (the same list in every subject, shifted by the subject's index), with its statistics computed."""
    exam = Exam.objects.create(
        name=f"{semester}三年级期末统考{code}",
        code=code,
        kind=Exam.Kind.FINAL,
        semester=semester,
        grade=3,
        comparable_exam=comparable,
    )
    exam.schools.set(schools)
    exam_subjects = [
        ExamSubject.objects.create(exam=exam, subject=Subject.objects.get(code=subject_code), order=index)
        for index, subject_code in enumerate(subjects)
    ]
    rows = []
    for school in schools:
        school_class = school.classes.filter(grade=3).first() or SchoolClassFactory(school=school, grade=3)
        students = list(school.students.filter(school_class=school_class).order_by("pk"))
        values = scores_by_school[school.pk]
        while len(students) < len(values):
            students.append(StudentFactory(school=school, school_class=school_class))
        for index, exam_subject in enumerate(exam_subjects):
            for student, value in zip(students, values, strict=False):
                score = None if value is None else Decimal(value) - index
                rows.append(
                    Score(
                        exam_subject=exam_subject,
                        student=student,
                        school=school,
                        school_class=school_class,
                        score=score,
                    )
                )
    Score.objects.bulk_create(rows)
    compute_exam(exam)
    exam.refresh_from_db()
    return exam


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    kind = Kind.SCHOOL
    semester = factory.LazyFunction(lambda: Semester.objects.get(is_current=True))
    start_year = factory.LazyAttribute(lambda o: o.semester.start_year if o.semester else 2026)
    basic_situation = "本学期三年级共有学生参加统考。"
    score_analysis = "语文、数学两科成绩稳中有升。"
    problems_causes = "低分学生较为集中。"
    measures = "加强分层作业与个别辅导。"
    # The 质量分析会 a school or district report is submitted with (other kinds ignore it).
    meeting_held_on = datetime.date(2026, 11, 20)
    meeting_attendees = "全体语文、数学教师"
    meeting_conclusions = "低分学生逐一建档帮扶。"
