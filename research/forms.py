"""Forms of teaching research: validation and layout only (the service checks scope and writes)."""

from django import forms

from inspections.forms import MultipleFileField
from research import rules, selectors
from research.models import Activity, ActivityType, Book, GrowthTask
from schools.forms import schools_by_district, teachers_by_school
from schools.models import Role, Subject, Teacher, Zone

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class ActivityForm(forms.ModelForm):
    hours = forms.DecimalField(
        label="学时（留空按活动时间计算）", required=False, max_digits=4, decimal_places=1, min_value=0
    )
    participants = forms.ModelMultipleChoiceField(
        label="参加人员",
        queryset=Teacher.objects.none(),
        required=False,
        help_text="输入姓名查找，可多选；先选学校可缩小范围。",
    )

    class Meta:
        model = Activity
        fields = [
            "level",
            "activity_type",
            "group",
            "school",
            "zone",
            "subject",
            "topic",
            "starts_at",
            "ends_at",
            "hours",
            "place",
            "lead_teacher",
            "minutes",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "minutes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        levels = selectors.levels_for(user)
        self.fields["level"].choices = [(v, label) for v, label in Activity.Level.choices if v in levels]
        self.fields["activity_type"].queryset = ActivityType.objects.all()
        self.fields["group"].queryset = selectors.organisable_groups(user)
        self.fields["school"].queryset = selectors.organisable_schools(user)
        schools_by_district(self.fields["school"])
        self.fields["zone"].queryset = Zone.objects.all()
        self.fields["subject"].queryset = Subject.objects.all()
        teachers = selectors.participant_choices(self.instance if self.instance.pk else None, user=user)
        self.fields["participants"].queryset = teachers
        self.fields["lead_teacher"].queryset = teachers
        teachers_by_school(self.fields["participants"])
        teachers_by_school(self.fields["lead_teacher"])
        if self.instance.pk:
            self.fields["participants"].initial = list(
                self.instance.participations.values_list("teacher_id", flat=True)
            )
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        _style(self)

    def _post_clean(self):
        # The model's checks run in the service, after it has filled the school and subject from the
        # group (the form alone would find a group activity without its school).
        pass

    def clean(self):
        data = super().clean()
        for problem in rules.activity_time_problems(data.get("starts_at"), data.get("ends_at"), data.get("hours")):
            self.add_error("ends_at" if "结束" in problem else "hours", problem)
        return data


class AttachmentForm(forms.Form):
    files = MultipleFileField(label="附件（照片、PDF、Office 文件，每个不超过 20 MB）")


class LessonLinkForm(forms.Form):
    observation = forms.ModelChoiceField(label="听课记录", queryset=None)
    paired_with = forms.ModelChoiceField(label="同课异构（另一节，可空）", queryset=None, required=False)

    def __init__(self, *args, observations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observation"].queryset = observations
        self.fields["paired_with"].queryset = observations
        _style(self)


class GrowthRecordForm(forms.Form):
    task = forms.ChoiceField(label="任务", choices=GrowthTask.choices)
    description = forms.CharField(label="说明（题目、刊物名称等）", max_length=200)
    file = forms.FileField(label="材料（可空）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReadingForm(forms.Form):
    book = forms.ModelChoiceField(label="参考书目", queryset=Book.objects.all(), required=False)
    title = forms.CharField(label="或书目外的书名", max_length=100, required=False)
    finished_on = forms.DateField(label="读完日期", widget=DATE)
    notes = forms.CharField(label="读书心得", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LiaisonForm(forms.Form):
    researcher = forms.ModelChoiceField(label="教研员", queryset=None)
    school = forms.ModelChoiceField(label="联系学校", queryset=None)
    subject = forms.ModelChoiceField(label="包科学科（空=全校）", queryset=Subject.objects.all(), required=False)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期（可空）", widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        from schools.models import School

        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, role_assignments__role=Role.INSPECTOR)
            .distinct()
            .order_by("username")
        )
        self.fields["researcher"].label_from_instance = lambda user: user.display_name
        self.fields["school"].queryset = School.objects.filter(is_active=True)
        schools_by_district(self.fields["school"])
        _style(self)
