"""The portal's form rendering (eduquality/forms.py): 请选择, searchable long selects, grouped choices."""

import pytest
from django import forms

from eduquality.forms import SEARCHABLE_FROM, group_choices
from schools.forms import schools_by_district, teachers_by_school
from schools.models import School, Teacher
from tests.factories import DistrictFactory, SchoolFactory, TeacherFactory

pytestmark = pytest.mark.django_db


class Pick(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.all())
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")])
    named = forms.ChoiceField(choices=[("", "（不针对单一学科）"), ("a", "甲")])


def test_every_blank_choice_reads_please_choose_not_dashes(city):
    html = str(Pick())
    assert "---------" not in html
    assert html.count(">请选择</option>") == 2
    assert "（不针对单一学科）" in html  # a label a form chose itself stays


def test_a_long_select_is_marked_searchable_and_a_short_one_is_not(city):
    assert "data-searchable" not in str(Pick()["school"])
    for _ in range(SEARCHABLE_FROM):
        SchoolFactory()
    assert "data-searchable" in str(Pick()["school"])


def test_schools_are_grouped_by_district_for_the_dependent_select(city):
    north, south = DistrictFactory(name="北区"), DistrictFactory(name="南区")
    SchoolFactory(name="北一中", district=north)
    SchoolFactory(name="南一中", district=south)
    SchoolFactory(name="北二中", district=north)
    form = Pick()
    schools_by_district(form.fields["school"])
    html = str(form["school"])
    assert 'data-group-filter="区县"' in html
    assert html.count('<optgroup label="北区">') == 1  # ordered by district: one group each
    north_group = html.split('<optgroup label="北区">')[1].split("</optgroup>")[0]
    assert "北一中" in north_group and "北二中" in north_group and "南一中" not in north_group
    form = Pick(data={"school": School.objects.get(name="南一中").pk, "kind": "a", "named": "a"})
    schools_by_district(form.fields["school"])
    assert form.is_valid(), form.errors


def test_teachers_are_grouped_by_school_and_a_choice_still_validates(city):
    class Participants(forms.Form):
        people = forms.ModelMultipleChoiceField(queryset=Teacher.objects.all())

    TeacherFactory(school=city.school_b, name="丙老师")
    form = Participants(data={"people": [city.teacher_a.pk, city.teacher_b.pk]})
    teachers_by_school(form.fields["people"])
    html = str(form["people"])
    assert '<optgroup label="甲小学">' in html and '<optgroup label="乙小学">' in html
    assert form.is_valid() and set(form.cleaned_data["people"]) == {city.teacher_a, city.teacher_b}


def test_group_choices_keeps_the_blank_choice_first(city):
    form = Pick()
    group_choices(form.fields["school"], by=lambda school: school.district.name, filter_label="区县")
    choices = list(form.fields["school"].choices)
    assert choices[0] == ("", "---------")  # rendered as 请选择
