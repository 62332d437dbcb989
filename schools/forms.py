"""Registry forms: validation and crispy layout, no side effects."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from eduquality import excel
from eduquality.forms import group_choices
from schools.models import (
    District,
    School,
    SchoolClass,
    SchoolType,
    Semester,
    Student,
    Teacher,
    TeachingGroup,
    Zone,
)


def schools_by_district(field) -> None:
    """A school picker in optgroups by district, with a 区县 select in front of it (dependent select)."""
    field.queryset = field.queryset.select_related("district").order_by("district__code", "code")
    group_choices(field, by=lambda school: school.district.name, filter_label="区县")


def teachers_by_school(field) -> None:
    """A teacher picker in optgroups by school, with a 学校 select in front of it."""
    field.queryset = field.queryset.select_related("school").order_by("school__code", "name", "pk")
    field.label_from_instance = lambda teacher: teacher.name
    group_choices(field, by=lambda teacher: teacher.school.name, filter_label="学校")


class CrispyModelForm(forms.ModelForm):
    submit_label = "保存"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.add_input(Submit("submit", self.submit_label))


class SchoolForm(CrispyModelForm):
    class Meta:
        model = School
        fields = [
            "code",
            "name",
            "school_type",
            "district",
            "zone",
            "urban_rural",
            "operator",
            "is_city_direct",
            "address",
            "phone",
            "is_active",
        ]
        help_texts = {"code": "10位：2位学校类别（同办学类型前两位）+2位省份代码+6位序号。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_type"].queryset = SchoolType.objects.filter(code__regex=r"^\d{3}$")
        self.fields["zone"].queryset = Zone.objects.select_related("district")
        self.fields["zone"].label_from_instance = lambda zone: f"{zone.district} · {zone.name}"


class TeacherForm(CrispyModelForm):
    class Meta:
        model = Teacher
        fields = ["staff_number", "name", "gender", "school", "title", "subjects", "phone", "is_active"]
        widgets = {"subjects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools_by_district(self.fields["school"])


class SchoolClassForm(CrispyModelForm):
    class Meta:
        model = SchoolClass
        fields = ["school", "start_year", "grade", "number", "head_teacher"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools_by_district(self.fields["school"])
        self.fields["head_teacher"].queryset = Teacher.objects.all()
        teachers_by_school(self.fields["head_teacher"])

    def clean(self):
        cleaned = super().clean()
        head = cleaned.get("head_teacher")
        if head and cleaned.get("school") and head.school_id != cleaned["school"].id:
            self.add_error("head_teacher", "班主任须是本校教师。")
        return cleaned


class TeachingGroupForm(CrispyModelForm):
    class Meta:
        model = TeachingGroup
        fields = ["school", "subject", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools_by_district(self.fields["school"])
        self.fields["leader"].queryset = Teacher.objects.all()
        teachers_by_school(self.fields["leader"])


class StudentForm(CrispyModelForm):
    class Meta:
        model = Student
        fields = ["student_number", "name", "gender", "school", "school_class", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools_by_district(self.fields["school"])
        self.fields["school_class"].queryset = SchoolClass.objects.select_related("school")
        self.fields["school_class"].label_from_instance = lambda c: f"{c.school} · {c.start_year}级学年 {c.name}"


class DistrictForm(CrispyModelForm):
    class Meta:
        model = District
        fields = ["code", "name"]


class ZoneForm(CrispyModelForm):
    class Meta:
        model = Zone
        fields = ["district", "name"]


class SemesterForm(CrispyModelForm):
    class Meta:
        model = Semester
        fields = ["start_year", "term", "starts_on", "ends_on", "is_current"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"is_current": "设为当前学期后，原当前学期自动取消。"}


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件", help_text="请使用下载的模板填写，支持 .xlsx 和 .xls。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "上传并导入"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls")):
            raise forms.ValidationError("只接受 Excel 工作簿（.xlsx 或 .xls）。")
        try:
            excel.check_uploaded_file(upload)
        except excel.WorkbookRejected as rejected:
            raise forms.ValidationError(str(rejected)) from rejected
        return upload
