"""The audit log: snapshots, the differences between them, entries and an object's history."""

from datetime import date

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser

from eduquality import audit
from eduquality.models import AuditEntry
from schools.models import School, Semester, Subject, Teacher
from tests.factories import DistrictFactory, SchoolFactory, SemesterFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.usefixtures("reference_data")

SCHOOL_FIELDS = ["name", "district", "zone", "is_active", "phone"]


@pytest.fixture
def school():
    return SchoolFactory(name="甲小学", district=DistrictFactory(code="220602", name="浑江区"))


@pytest.fixture
def editor():
    return UserFactory(username="editor", full_name="编辑人")


# ---- Snapshots and changes ----------------------------------------------------------------------------


def test_snapshot_gives_readable_values(school):
    assert audit.snapshot(school, SCHOOL_FIELDS) == {
        "name": "甲小学",
        "district": "浑江区",
        "zone": None,
        "is_active": True,
        "phone": "",
    }


def test_unchanged_record_has_no_changes(school):
    before = audit.snapshot(school, SCHOOL_FIELDS)
    school.refresh_from_db()
    assert audit.changes_between(before, audit.snapshot(school, SCHOOL_FIELDS)) == {}


def test_changes_list_old_and_new_of_changed_fields_only(school):
    before = audit.snapshot(school, SCHOOL_FIELDS)
    school.name = "甲实验小学"
    school.district = DistrictFactory(code="220605", name="江源区")
    school.is_active = False
    school.save()
    changes = audit.changes_between(before, audit.snapshot(School.objects.get(pk=school.pk), SCHOOL_FIELDS))
    assert changes == {
        "name": ["甲小学", "甲实验小学"],
        "district": ["浑江区", "江源区"],
        "is_active": [True, False],
    }


def test_foreign_key_set_from_empty_is_a_change(school):
    from tests.factories import ZoneFactory

    before = audit.snapshot(school, ["zone"])
    school.zone = ZoneFactory(district=school.district, name="第一片区")
    assert audit.changes_between(before, audit.snapshot(school, ["zone"])) == {"zone": [None, "第一片区"]}


def test_many_to_many_is_snapshot_as_sorted_names():
    teacher = TeacherFactory()
    teacher.subjects.add(Subject.objects.get(code="SX"), Subject.objects.get(code="YW"))
    assert audit.snapshot(teacher, ["subjects"]) == {"subjects": sorted(["数学", "语文"])}


def test_many_to_many_change_shows_the_whole_old_and_new_sets():
    teacher = TeacherFactory()
    teacher.subjects.add(Subject.objects.get(code="YW"))
    before = audit.snapshot(teacher, ["name", "subjects"])
    teacher.subjects.add(Subject.objects.get(code="SX"))
    changes = audit.changes_between(before, audit.snapshot(teacher, ["name", "subjects"]))
    assert changes == {"subjects": [["语文"], sorted(["数学", "语文"])]}


def test_many_to_many_order_of_adding_is_no_change():
    first = TeacherFactory()
    first.subjects.add(Subject.objects.get(code="YW"), Subject.objects.get(code="SX"))
    second = TeacherFactory()
    second.subjects.add(Subject.objects.get(code="SX"))
    second.subjects.add(Subject.objects.get(code="YW"))
    assert audit.changes_between(audit.snapshot(first, ["subjects"]), audit.snapshot(second, ["subjects"])) == {}


def test_unsaved_record_has_no_many_to_many_values():
    teacher = Teacher(name="新老师", staff_number="T9999999")
    assert audit.snapshot(teacher, ["name", "subjects"]) == {"name": "新老师", "subjects": []}


def test_dates_are_snapshot_as_text():
    semester = SemesterFactory(starts_on=date(2025, 9, 1), ends_on=date(2026, 1, 20))
    assert audit.snapshot(semester, ["starts_on", "ends_on"]) == {"starts_on": "2025-09-01", "ends_on": "2026-01-20"}


def test_field_new_in_after_counts_as_a_change():
    assert audit.changes_between({}, {"phone": "0439-1234567"}) == {"phone": [None, "0439-1234567"]}


# ---- Entries --------------------------------------------------------------------------------------------


def test_record_stores_who_did_what_to_which_object(school, editor):
    entry = audit.record(
        actor=editor,
        action=AuditEntry.Action.UPDATE,
        instance=school,
        changes={"name": ["甲小学", "甲实验小学"]},
        note="更名",
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == editor
    assert stored.action == AuditEntry.Action.UPDATE
    assert stored.get_action_display() == "修改"
    assert stored.model_label == "schools.School"
    assert stored.object_id == str(school.pk)
    assert stored.object_repr == "甲小学"
    assert stored.changes == {"name": ["甲小学", "甲实验小学"]}
    assert stored.note == "更名"
    assert stored.created_at is not None
    assert str(stored) == "修改 甲小学"


def test_record_keeps_snapshot_values_through_json():
    semester = SemesterFactory(starts_on=date(2025, 9, 1))
    before = audit.snapshot(semester, ["starts_on", "is_current"])
    semester.starts_on = date(2025, 9, 2)
    changes = audit.changes_between(before, audit.snapshot(semester, ["starts_on", "is_current"]))
    entry = audit.record(actor=None, action=AuditEntry.Action.UPDATE, instance=semester, changes=changes)
    entry.refresh_from_db()
    assert entry.changes == {"starts_on": ["2025-09-01", "2025-09-02"]}
    assert entry.model_label == Semester._meta.label


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_record_without_a_signed_in_actor_stores_no_actor(school, actor):
    entry = audit.record(actor=actor, action=AuditEntry.Action.IMPORT, instance=school)
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.changes == {}


def test_record_cuts_long_note_and_object_name_to_fit(school, editor):
    school.name = "长" * 250  # only in memory: longer than the field, as a computed __str__ can be
    entry = audit.record(actor=editor, action=AuditEntry.Action.STATE, instance=school, note="备" * 400)
    entry.refresh_from_db()
    assert entry.object_repr == "长" * 200
    assert entry.note == "备" * 300


def test_history_is_newest_first(school, editor):
    first = audit.record(actor=editor, action=AuditEntry.Action.CREATE, instance=school)
    second = audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=school, changes={"a": [1, 2]})
    third = audit.record(actor=editor, action=AuditEntry.Action.STATE, instance=school, note="停办")
    assert list(audit.history_for(school)) == [third, second, first]


def test_history_with_equal_timestamps_is_still_newest_first(school, editor):
    entries = [audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=school) for _ in range(3)]
    AuditEntry.objects.update(created_at=entries[0].created_at)
    assert list(audit.history_for(school)) == entries[::-1]


def test_history_holds_only_that_objects_entries(school, editor):
    other_school = SchoolFactory()
    mine = audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=school)
    audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=other_school)
    # Another model's row with the same primary key is another object.
    teacher = Teacher(pk=school.pk, name="同号教师")
    audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=teacher)
    assert list(audit.history_for(school)) == [mine]


def test_history_names_the_actor_without_a_query_per_entry(school, editor, django_assert_num_queries):
    for _ in range(5):
        audit.record(actor=editor, action=AuditEntry.Action.UPDATE, instance=school)
    with django_assert_num_queries(1):
        names = [entry.actor.display_name for entry in audit.history_for(school)]
    assert names == ["编辑人"] * 5


# ---- Saving a form -------------------------------------------------------------------------------------


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "school_type", "district", "is_active"]


def form_data(school, **changes):
    data = {
        "code": school.code,
        "name": school.name,
        "school_type": school.school_type_id,
        "district": school.district_id,
        "is_active": "on" if school.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_save_form_logs_a_change_with_old_and_new_values(school, editor):
    new_district = DistrictFactory(code="220605", name="江源区")
    form = SchoolForm(form_data(school, name="甲实验小学", district=new_district.pk), instance=school)
    assert form.is_valid(), form.errors
    audit.save_form(form, actor=editor)
    (entry,) = audit.history_for(school)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == editor
    assert entry.changes == {"name": ["甲小学", "甲实验小学"], "district": ["浑江区", "江源区"]}
    assert School.objects.get(pk=school.pk).name == "甲实验小学"


def test_save_form_without_changes_logs_nothing(school, editor):
    form = SchoolForm(form_data(school), instance=School.objects.get(pk=school.pk))
    assert form.is_valid(), form.errors
    audit.save_form(form, actor=editor)
    assert not AuditEntry.objects.exists()


def test_save_form_logs_a_creation(school, editor):
    form = SchoolForm(form_data(school, code="2122000777", name="新建小学"))
    assert form.is_valid(), form.errors
    created = audit.save_form(form, actor=editor)
    (entry,) = audit.history_for(created)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.object_repr == "新建小学"
    assert entry.actor == editor
