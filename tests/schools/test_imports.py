"""School and teacher imports from Excel: all or nothing, every problem located, idempotent."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from eduquality.models import AuditEntry, Job
from schools.models import School, Teacher

SCHOOL_HEADER = [
    "学校标识码",
    "学校名称",
    "办学类型",
    "区县",
    "教研片区",
    "城乡分类",
    "办别",
    "市直",
    "地址",
    "联系电话",
]
TEACHER_HEADER = ["教师工号", "姓名", "性别", "学校标识码", "职称", "任教学科", "荣誉称号", "手机号"]


def workbook(header, rows, name="upload.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def upload(city, login, django_capture_on_commit_callbacks):
    """upload(slug, file) → the finished Job; the job runs in-process as in the demo set-up."""
    client = login(city.bureau)

    def send(slug, file):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(f"schools:{slug}-import"), {"file": file})
        assert response.status_code == 302
        job = Job.objects.latest("created_at")
        assert response["Location"] == reverse("job-detail", kwargs={"pk": job.pk})
        return job

    return send


def good_school_rows(city):
    district = city.school_a.district.name
    return [
        ["2122000501", "白山市第五小学", "211 小学", district, None, "111 主城区", "公办", "是", "民中街1号", None],
        [2122000502, "白山市第六小学", "211", district, None, None, None, "否", None, None],
        ["3122000503", "白山市第三中学", "311 初级中学", district, None, None, "公办", None, None, None],
    ]


def test_a_good_school_workbook_is_imported(city, upload):
    job = upload("school", workbook(SCHOOL_HEADER, good_school_rows(city)))
    assert job.status == "succeeded"
    assert job.message == "导入完成：新增 3 条，更新 0 条，未变化 0 条。"
    fifth = School.objects.get(code="2122000501")
    assert (fifth.name, fifth.is_city_direct, fifth.urban_rural_id, fifth.operator.name) == (
        "白山市第五小学",
        True,
        "111",
        "公办",
    )
    # A code typed as a number in Excel still counts as the code.
    assert School.objects.filter(code="2122000502").exists()
    assert AuditEntry.objects.filter(action="import", model_label="schools.School").count() == 3


def test_importing_the_same_file_twice_leaves_the_same_data(city, upload):
    upload("school", workbook(SCHOOL_HEADER, good_school_rows(city)))
    before = list(School.objects.order_by("code").values())
    again = upload("school", workbook(SCHOOL_HEADER, good_school_rows(city)))
    assert again.message == "导入完成：新增 0 条，更新 0 条，未变化 3 条。"
    assert list(School.objects.order_by("code").values()) == before


def test_a_changed_row_updates_the_school_and_logs_old_and_new(city, upload):
    upload("school", workbook(SCHOOL_HEADER, good_school_rows(city)))
    rows = good_school_rows(city)
    rows[0][1] = "白山市第五实验小学"
    job = upload("school", workbook(SCHOOL_HEADER, rows))
    assert job.message == "导入完成：新增 0 条，更新 1 条，未变化 2 条。"
    entry = AuditEntry.objects.filter(action="import", changes__has_key="name").get()
    assert entry.changes["name"] == ["白山市第五小学", "白山市第五实验小学"]


def test_a_bad_school_workbook_is_rejected_whole_with_every_problem_located(city, upload, login):
    district = city.school_a.district.name
    rows = [
        ["2122000601", "好学校", "211 小学", district, None, None, None, None, None, None],  # fine on its own
        ["21220006", "码太短", "211 小学", district, None, None, None, None, None, None],
        ["2122000603", "无此区县", "211 小学", "火星区", None, None, None, None, None, None],
        ["2122000604", "重复一", "211 小学", district, None, None, None, None, None, None],
        ["2122000604", "重复二", "211 小学", district, None, None, None, None, None, None],
        ["3122000605", "类型不符", "211 小学", district, None, None, None, "也许", None, None],
    ]
    job = upload("school", workbook(SCHOOL_HEADER, rows))
    assert job.status == "failed"
    assert job.message == "发现 6 处问题，未导入任何数据。请下载标注了问题的工作簿，修改后重新上传。"
    located = {(p["row"], p["column"]) for p in job.problems}
    assert located == {
        (3, "学校标识码"),
        (4, "区县"),
        (5, "学校标识码"),
        (6, "学校标识码"),
        (7, "学校标识码"),
        (7, "市直"),
    }
    messages = {(p["row"], p["column"]): p["message"] for p in job.problems}
    assert messages[(3, "学校标识码")] == "学校标识码应为10位数字。"
    assert messages[(4, "区县")] == "区县“火星区”不存在，请先在“区县”中添加。"
    assert "重复出现" in messages[(5, "学校标识码")]
    assert not School.objects.filter(code__startswith="21220006").exists()

    # The page lists the problems; the workbook comes back with the bad cells marked.
    page = login(city.bureau).get(reverse("job-detail", kwargs={"pk": job.pk})).content.decode()
    assert "区县“火星区”不存在" in page
    download = login(city.bureau).get(reverse("job-download", kwargs={"pk": job.pk}))
    marked = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    data = marked.worksheets[0]
    assert data["D4"].comment.text == "区县“火星区”不存在，请先在“区县”中添加。"
    assert data["D4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert data["A2"].comment is None
    assert marked["问题清单"].max_row == 7


def test_a_workbook_with_a_wrong_header_is_rejected(city, upload):
    job = upload(
        "school", workbook(["代码", "学校名称", "办学类型", "区县"], [["2122000701", "某校", "211", "浑江区"]])
    )
    assert job.status == "failed"
    assert any(p["message"] == "缺少必需的列“学校标识码”，请使用下载的模板。" for p in job.problems)
    assert not School.objects.filter(name="某校").exists()


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese_at_upload(city, login):
    fake = SimpleUploadedFile("schools.xlsx", "学校标识码,学校名称\n2122000801,某校\n".encode())
    response = login(city.bureau).post(reverse("schools:school-import"), {"file": fake})
    assert response.status_code == 200
    assert "不是有效的 Excel 工作簿" in response.content.decode()
    assert not Job.objects.exists()


def test_the_template_carries_the_headers_and_drop_downs(city, login):
    response = login(city.bureau).get(reverse("schools:school-import-template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == SCHOOL_HEADER
    assert any("'选项'!$C$1" in dv.formula1 for dv in sheet.data_validations.dataValidation)


def test_teachers_are_imported_with_subjects_and_honours(city, upload):
    rows = [
        ["T9000001", "王芳", "女", city.school_a.code, "高级教师", "语文、数学", "骨干教师", "13800000000"],
        ["T9000002", "李强", "男", city.school_b.code, None, "英语", None, None],
    ]
    job = upload("teacher", workbook(TEACHER_HEADER, rows))
    assert job.status == "succeeded", job.problems
    wang = Teacher.objects.get(staff_number="T9000001")
    assert wang.school == city.school_a
    assert sorted(wang.subjects.values_list("name", flat=True)) == ["数学", "语文"]
    assert list(wang.honours.values_list("name", flat=True)) == ["骨干教师"]
    again = upload("teacher", workbook(TEACHER_HEADER, rows))
    assert again.message == "导入完成：新增 0 条，更新 0 条，未变化 2 条。"
    assert wang.honour_records.count() == 1


def test_teacher_rows_with_unknown_codes_are_rejected_whole(city, upload):
    rows = [
        ["T9000011", "王芳", "女", city.school_a.code, "高级教师", "语文", None, None],
        ["T9000012", "赵六", "未知", "2122999999", "特级大师", "炼丹", "神仙", None],
    ]
    job = upload("teacher", workbook(TEACHER_HEADER, rows))
    assert job.status == "failed"
    assert {p["column"] for p in job.problems if p["row"] == 3} == {
        "性别",
        "学校标识码",
        "职称",
        "任教学科",
        "荣誉称号",
    }
    assert not Teacher.objects.filter(staff_number__startswith="T90000").exists()


def test_only_bureau_staff_may_import(city, login):
    response = login(city.principal_a).post(
        reverse("schools:school-import"), {"file": workbook(SCHOOL_HEADER, good_school_rows(city))}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()
