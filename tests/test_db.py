"""Database helpers: COPY text, and work written behind on a second thread inside the transaction."""

import threading

import pytest
from django.db import connection, transaction

from eduquality.db import copy_escape, copy_text, write_behind
from schools.models import School, Student
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_copy_text_stores_free_text_exactly():
    school = SchoolFactory()
    names = ["王\t小明", "李\\四", "赵\n五", "钱\r六", "孙七"]
    text = "".join(
        f"G22060220160101{n:04d}\t{copy_escape(name)}\t\t{school.pk}\t\\N\tt\n" for n, name in enumerate(names)
    )

    copy_text(
        Student._meta.db_table, ["student_number", "name", "gender", "school_id", "school_class_id", "is_active"], text
    )

    stored = dict(Student.objects.filter(school=school).values_list("student_number", "name"))
    assert sorted(stored.values()) == sorted(names)
    assert not Student.objects.filter(school=school, school_class__isnull=False).exists()


def test_work_written_behind_runs_in_order_on_another_thread_inside_the_transaction():
    done = []

    def work(number):
        def run():
            done.append((number, threading.current_thread().name))
            SchoolFactory(code=f"21229{number:05d}")

        return run

    with transaction.atomic(), write_behind() as put:
        for number in range(5):
            put(work(number))

    assert [number for number, _ in done] == list(range(5))
    assert {thread for _, thread in done} == {"write-behind"}
    assert School.objects.filter(code__startswith="21229").count() == 5


def test_a_failure_behind_is_raised_here_and_rolls_the_transaction_back():
    def fail():
        raise ValueError("no room")

    before = School.objects.count()
    with pytest.raises(ValueError, match="no room"), transaction.atomic(), write_behind() as put:
        put(lambda: SchoolFactory(code="2122990001"))
        put(fail)
        put(lambda: SchoolFactory(code="2122990002"))  # skipped: the writer has failed
    assert School.objects.count() == before


def test_an_error_here_stops_the_writer_before_the_transaction_rolls_back():
    started, release = threading.Event(), threading.Event()
    done = []

    def slow():
        started.set()
        release.wait(5)
        done.append("slow")

    before = School.objects.count()
    with pytest.raises(RuntimeError, match="bad row"), transaction.atomic(), write_behind() as put:
        put(lambda: SchoolFactory(code="2122990003"))
        put(slow)
        started.wait(5)
        put(lambda: done.append("after"))  # still queued when the error comes: never run
        release.set()
        raise RuntimeError("bad row")
    assert done == ["slow"]
    assert School.objects.count() == before
    with connection.cursor() as cursor:  # the connection is this thread's again, and usable
        cursor.execute("SELECT 1")
