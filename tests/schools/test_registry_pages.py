"""Registry pages as the bureau and the schools use them."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eduquality.models import AuditEntry
from schools.models import School, Semester
from tests.factories import SchoolFactory, StudentFactory, TeacherFactory


def school_form_data(school, **changes):
    data = {
        "code": school.code,
        "name": school.name,
        "school_type": school.school_type_id,
        "district": school.district_id,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_bureau_creates_a_school_and_the_change_is_audited(city, login):
    client = login(city.bureau)
    response = client.post(
        reverse("schools:school-create"),
        {"code": "2122009999", "name": "新建小学", "school_type": "211", "district": city.school_a.district_id},
    )
    school = School.objects.get(code="2122009999")
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school-detail", kwargs={"pk": school.pk})
    entry = AuditEntry.objects.get(model_label="schools.School", object_id=str(school.pk))
    assert entry.actor == city.bureau
    assert entry.action == "create"


def test_editing_a_school_records_old_and_new_values(city, login):
    client = login(city.bureau)
    url = reverse("schools:school-update", kwargs={"pk": city.school_a.pk})
    client.post(url, school_form_data(city.school_a, name="甲小学（更名）"))
    entry = AuditEntry.objects.get(action="update", object_id=str(city.school_a.pk))
    assert entry.changes["name"] == ["甲小学", "甲小学（更名）"]
    page = client.get(reverse("schools:school-detail", kwargs={"pk": city.school_a.pk}))
    assert "修改记录" in page.content.decode()


def test_editing_a_school_into_a_duplicate_code_is_refused_with_a_field_error(city, login):
    client = login(city.bureau)
    url = reverse("schools:school-update", kwargs={"pk": city.school_a.pk})
    response = client.post(url, school_form_data(city.school_a, code=city.school_b.code))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["学校标识码已被其他学校使用。"]
    city.school_a.refresh_from_db()
    assert city.school_a.code != city.school_b.code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("21220001", "学校标识码应为10位数字。"),
        ("3122000001", "学校标识码前两位应为21（与办学类型一致），实为31。"),
        ("2111000001", "学校标识码第3—4位应为省份代码22，实为11。"),
    ],
)
def test_a_malformed_school_code_is_refused(city, login, code, message):
    response = login(city.bureau).post(
        reverse("schools:school-update", kwargs={"pk": city.school_a.pk}), school_form_data(city.school_a, code=code)
    )
    assert message in response.context["form"].errors["code"]


def test_school_list_filters_by_district_and_searches_by_name(city, login):
    other = SchoolFactory(name="丙中学", district__code="220581", district__name="梅河口市")
    client = login(city.bureau)
    by_district = client.get(reverse("schools:school-list"), {"district": other.district_id})
    assert [row["object"] for row in by_district.context["rows"]] == [other]
    by_name = client.get(reverse("schools:school-list"), {"q": "甲"})
    assert [row["object"] for row in by_name.context["rows"]] == [city.school_a]


def test_school_names_sort_by_pinyin(city, login):
    for name in ["赵家小学", "阿荣小学", "王村小学"]:
        SchoolFactory(name=name, district=city.school_a.district)
    rows = login(city.bureau).get(reverse("schools:school-list")).context["rows"]
    names = [row["object"].name for row in rows]
    # 阿(a) 甲(jia) 王(wang) 乙(yi) 赵(zhao)
    assert names == ["阿荣小学", "甲小学", "王村小学", "乙小学", "赵家小学"]


def test_school_list_is_paginated(city, login):
    SchoolFactory.create_batch(30, district=city.school_a.district)
    response = login(city.bureau).get(reverse("schools:school-list"))
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 32
    second = login(city.bureau).get(reverse("schools:school-list"), {"page": 2})
    assert len(second.context["rows"]) == 7


@pytest.mark.parametrize("slug", ["school", "teacher", "class", "group", "student", "district", "zone", "semester"])
def test_list_pages_run_a_fixed_number_of_queries(city, login, django_assert_max_num_queries, slug):
    client = login(city.bureau)
    url = reverse(f"schools:{slug}-list")
    client.get(url)  # warm caches (content types)
    with CaptureQueriesContext(connection) as few_rows:
        client.get(url)
    SchoolFactory.create_batch(10, district=city.school_a.district)
    for school in School.objects.all():
        TeacherFactory.create_batch(2, school=school)
        StudentFactory(school=school)
    # As many queries for a full page as for a nearly empty one, and few in all.
    with django_assert_max_num_queries(len(few_rows)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(few_rows) <= 16


def test_principal_sees_only_their_own_school_in_lists_and_exports(city, login):
    client = login(city.principal_a)
    rows = client.get(reverse("schools:school-list")).context["rows"]
    assert [row["object"] for row in rows] == [city.school_a]
    teachers = client.get(reverse("schools:teacher-list")).context["rows"]
    assert {row["object"] for row in teachers} == {city.teacher_a}
    export = client.get(reverse("schools:teacher-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["甲老师"]


def test_student_names_and_numbers_are_masked_outside_their_school(city, login):
    bureau_rows = login(city.bureau).get(reverse("schools:student-list")).context["rows"]
    cells = {row["object"].pk: [value for _, value in row["cells"]] for row in bureau_rows}
    assert cells[city.student_a.pk][1] == "张*明"
    assert "*" in cells[city.student_a.pk][0]
    assert city.student_a.student_number not in login(city.bureau).get(reverse("schools:student-list")).content.decode()

    own_rows = login(city.principal_a).get(reverse("schools:student-list")).context["rows"]
    assert [[value for _, value in row["cells"]][:2] for row in own_rows] == [[city.student_a.student_number, "张小明"]]


def test_saving_a_student_of_another_school_does_not_show_the_full_name(city, login):
    client = login(city.bureau)
    url = reverse("schools:student-update", args=[city.student_a.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {key: getattr(value, "pk", value) for key, value in data.items() if value is not None}
    page = client.post(url, data, follow=True).content.decode()
    assert "张*明" in page and "张小明" not in page


def test_student_export_masks_minors_for_bureau_staff(city, login):
    export = login(city.bureau).get(reverse("schools:student-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in rows} == {"张*明", "李*红"}
    assert all(row[0].count("*") >= 10 for row in rows)


def test_student_search_needs_the_full_number(city, login):
    client = login(city.bureau)
    full = client.get(reverse("schools:student-list"), {"q": city.student_a.student_number})
    assert [row["object"] for row in full.context["rows"]] == [city.student_a]
    partial = client.get(reverse("schools:student-list"), {"q": city.student_a.student_number[:8]})
    assert list(partial.context["rows"]) == []


def test_export_is_a_real_workbook_with_a_chinese_file_name(city, login):
    response = login(city.bureau).get(reverse("schools:school-export"), {"district": city.school_a.district_id})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''%E5%AD%A6%E6%A0%A1" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["学校标识码", "学校名称"]
    # The export holds what the filtered list shows: school A's district only.
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲小学"]


def test_making_a_semester_current_demotes_the_previous_one(city, login):
    client = login(city.bureau)
    response = client.post(reverse("schools:semester-create"), {"start_year": 2026, "term": 2, "is_current": "on"})
    assert response.status_code == 302
    assert list(Semester.objects.filter(is_current=True).values_list("start_year", "term")) == [(2026, 2)]
    assert str(Semester.objects.get(is_current=True)) == "2026—2027学年第二学期"


def test_home_page_shows_each_role_its_own_work(city, login):
    bureau_home = login(city.bureau).get(reverse("home")).content.decode()
    assert "全市概况" in bureau_home
    principal_home = login(city.principal_a).get(reverse("home")).content.decode()
    assert "我的学校" in principal_home and "甲小学" in principal_home
    assert "全市概况" not in principal_home and "乙小学" not in principal_home
    teacher_home = login(city.teacher_user_a).get(reverse("home")).content.decode()
    assert "我的教师档案" in teacher_home


def test_navigation_offers_each_role_only_what_it_may_open(city, login):
    bureau_nav = login(city.bureau).get(reverse("home")).content.decode()
    assert reverse("schools:district-list") in bureau_nav
    teacher_nav = login(city.teacher_user_a).get(reverse("home")).content.decode()
    assert reverse("schools:student-list") not in teacher_nav
    assert reverse("schools:district-list") not in teacher_nav
