"""Forms of inspections: validation and layout only, no side effects."""

from django import forms
from django.utils import timezone

from inspections.models import Campaign, Observation, RectificationOrder, Rubric, Sanction, Visit
from schools.forms import schools_by_district, teachers_by_school
from schools.models import Role, School, SchoolClass, Semester, Teacher

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "kind",
            "semester",
            "rubric",
            "description",
            "schools_to_draw",
            "inspectors_per_school",
            "exclude_same_district",
            "eligible_schools",
            "inspector_pool",
            "visit_from",
            "visit_until",
        ]
        widgets = {
            "visit_from": DATE,
            "visit_until": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligible_schools": forms.SelectMultiple(attrs={"size": 8}),
            "inspector_pool": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["rubric"].queryset = Rubric.objects.filter(kind="routine", is_published=True)
        self.fields["semester"].initial = Semester.objects.filter(is_current=True).first()
        self.fields["eligible_schools"].queryset = School.objects.filter(is_active=True)
        self.fields["inspector_pool"].queryset = (
            get_user_model().objects.filter(role_assignments__role="inspector").distinct()
        )


class VisitHeaderForm(forms.ModelForm):
    """The free-text parts of a visit (一听二看三查阅 and the findings); scores come per criterion."""

    class Meta:
        model = Visit
        fields = [
            "visited_on",
            "lessons_listened",
            "things_seen",
            "documents_checked",
            "strengths",
            "problems",
            "suggestions",
        ]
        widgets = {"visited_on": DATE, **{name: forms.Textarea(attrs={"rows": 3}) for name in fields[1:]}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class AttachmentForm(forms.Form):
    files = MultipleFileField(label="附件（照片、PDF、Office 文件，每个不超过 20 MB）")


class VisitPhotoForm(forms.Form):
    """A camera photo for a visit; the client UUID and time come from the offline queue."""

    photo = forms.FileField(
        label="现场照片",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    criterion = forms.IntegerField(required=False, widget=forms.HiddenInput)
    taken_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    response = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label="佐证材料", required=False)


class VerifyForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="核查结论", choices=[("1", "整改到位，销号"), ("0", "整改不到位，退回")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="核查意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OrderForm(forms.ModelForm):
    class Meta:
        model = RectificationOrder
        fields = ["school", "visit", "items", "deadline"]
        widgets = {"deadline": DATE, "items": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools_by_district(self.fields["school"])
        self.fields["visit"].queryset = Visit.objects.filter(status="submitted").select_related("school", "campaign")


class NoticeForm(forms.Form):
    start_year = forms.IntegerField(widget=forms.HiddenInput)
    deadline = forms.DateField(label="整改期限", widget=DATE)


class SanctionForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["school", "kind", "reason", "decided_on", "order"]
        widgets = {"decided_on": DATE, "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        schools_by_district(self.fields["school"])


class ObservationForm(forms.ModelForm):
    """The lesson's facts and the diagnosis loop; the form scores are read per criterion by the view."""

    class Meta:
        model = Observation
        fields = [
            "teacher",
            "subject",
            "school_class",
            "observed_on",
            "lesson_type",
            "announced",
            "topic",
            "strengths",
            "problems",
            "causes",
            "strategy",
            "follow_up_of",
        ]
        widgets = {
            "observed_on": DATE,
            **{name: forms.Textarea(attrs={"rows": 2}) for name in ("strengths", "problems", "causes", "strategy")},
        }

    def __init__(self, *args, teachers=None, observations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers if teachers is not None else Teacher.objects.none()
        teachers_by_school(self.fields["teacher"])
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            school_id__in=self.fields["teacher"].queryset.values("school_id")
        ).select_related("school")
        self.fields["follow_up_of"].queryset = observations if observations is not None else Observation.objects.none()
        self.fields["observed_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        teacher, school_class = data.get("teacher"), data.get("school_class")
        if teacher and school_class and school_class.school_id != teacher.school_id:
            self.add_error("school_class", "班级不属于授课教师所在学校。")
        if data.get("observed_on") and data["observed_on"] > timezone.localdate():
            self.add_error("observed_on", "听课日期不能晚于今天。")
        return data


class ReflectionForm(forms.Form):
    reflection = forms.CharField(label="教学反思", widget=forms.Textarea(attrs={"rows": 6}))


class QuotaForm(forms.Form):
    """A quota line: the role, the semester (blank: every semester), the school (blank: the city's)."""

    role = forms.ChoiceField(label="角色")
    semester = forms.ModelChoiceField(label="学期（空=每学期）", queryset=Semester.objects.all(), required=False)
    school = forms.ModelChoiceField(label="学校（空=全市）", queryset=School.objects.none(), required=False)
    lessons = forms.IntegerField(label="每学期听课节数", error_messages={"invalid": "请填写整数节数。"})

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in QUOTA_ROLES]
        if schools is None:  # the bureau: the city's line or any school's
            self.fields["school"].queryset = School.objects.filter(is_active=True)
            schools_by_district(self.fields["school"])
        else:
            self.fields["school"].queryset = schools
            self.fields["school"].required = True
            self.fields["school"].label = "学校"
            self.fields["school"].empty_label = None
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


QUOTA_ROLES = {"principal", "vice_principal", "academic_lead", "group_leader"}


class UrgeForm(forms.Form):
    """催办 an overdue order: an optional message to the school."""

    note = forms.CharField(
        label="催办说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "请尽快完成整改并报送整改情况。"}),
    )


class ExtendForm(forms.Form):
    """延期: the new deadline and the reason, both required (the reason goes into the history)."""

    deadline = forms.DateField(label="新的整改期限", widget=DATE)
    reason = forms.CharField(label="延期理由", max_length=250, widget=forms.Textarea(attrs={"rows": 2}))
