"""Forms of the awards app: validation and layout only; the services decide."""

from django import forms
from django.contrib.auth import get_user_model

from awards.models import Campaign, Criterion, Holiday, Nomination
from eduquality import words
from schools.forms import teachers_by_school
from schools.models import Subject


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "campaign_type",
            "name",
            "year",
            "description",
            "nomination_opens",
            "nomination_closes",
            "notice_working_days",
            "judges_per_nomination",
        ]
        widgets = {
            "nomination_opens": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nomination_closes": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("nomination_opens"), data.get("nomination_closes")
        if opens and closes and opens > closes:
            self.add_error("nomination_closes", "申报截止日期不能早于开始日期。")
        return data


CriterionFormSet = forms.inlineformset_factory(
    Campaign, Criterion, fields=["name", "max_score", "order"], extra=1, can_delete=True, min_num=1, validate_min=True
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.pptx,.jpg,.jpeg,.png,.mp4"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class NominationForm(forms.Form):
    """Fields follow the campaign type: the nominee (teacher or school), subject, level, materials."""

    teacher = forms.ModelChoiceField(label="被推荐教师", queryset=None, required=False)
    subject = forms.ModelChoiceField(label="申报学科", queryset=Subject.objects.all(), required=False)
    level = forms.ChoiceField(label="申报层次", required=False)
    work_title = forms.CharField(label="成果/课例/事迹题目", max_length=100, required=False)
    summary = forms.CharField(
        label="主要事迹或成果简介", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(
        label="申报材料",
        required=False,
        help_text="可多选；pdf、doc、docx、pptx、jpg、png、mp4，单个文件不超过 20 MB。",
    )

    def __init__(self, *args, campaign: Campaign, teachers, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        kind = campaign.campaign_type
        if editing:  # the nominee stays; materials are added on the nomination's page
            del self.fields["files"]
        if kind.nominee_kind == "school" or editing:
            del self.fields["teacher"]
        else:
            self.fields["teacher"].queryset = teachers
            self.fields["teacher"].required = True
            self.fields["teacher"].label_from_instance = lambda t: f"{t.name}（{t.school}）"
            if len(teachers) == 1:  # a teacher applying for herself: nothing to choose
                self.fields["teacher"].empty_label = None
            else:
                teachers_by_school(self.fields["teacher"])
        if kind.levels:
            self.fields["level"].choices = [("", "请选择")] + [(level, level) for level in kind.levels]
            self.fields["level"].required = True
        else:
            del self.fields["level"]
        if kind.requires_subject:
            self.fields["subject"].required = True
        elif kind.nominee_kind == "school":
            del self.fields["subject"]


class ScoreForm(forms.Form):
    """One decimal field per criterion; the range is checked by the service (one rule, one message)."""

    def __init__(self, *args, criteria, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（满分 {words.figure(criterion.max_score)}）",
                max_digits=5,
                decimal_places=1,
                required=True,
                initial=(initial_values or {}).get(criterion.pk),
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": str(criterion.max_score)}),
            )

    def values(self) -> dict:
        return {criterion.pk: self.cleaned_data.get(f"c{criterion.pk}") for criterion in self.criteria}


class EligibilityForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="审查结论", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    note = forms.CharField(label="审查意见", max_length=300, required=False)


class JudgeForm(forms.Form):
    user = forms.ModelChoiceField(label="评委", queryset=get_user_model().objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates


class MaterialForm(forms.Form):
    files = MultipleFileField(
        label="补充申报材料", help_text="可多选；pdf、doc、docx、pptx、jpg、png、mp4，单个文件不超过 20 MB。"
    )


class ObjectionForm(forms.Form):
    nomination = forms.ModelChoiceField(label="针对的公示对象", queryset=Nomination.objects.none(), required=False)
    text = forms.CharField(
        label="异议内容（请写明事实与依据）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, winners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].queryset = winners
        self.fields["nomination"].empty_label = "公示名单整体（不针对具体对象）"
        self.fields["nomination"].label_from_instance = _notice_label


def _notice_label(nomination: Nomination) -> str:
    """A row of the notice in a word: 刘冬梅（浑江区红旗小学）· 农村小学阅读能力培养 · 一等奖; a
    school-level entry is named once by its school."""
    name = nomination.nominee_name
    parts = [name if name == nomination.school.name else f"{name}（{nomination.school}）"]
    return " · ".join([*parts, *filter(None, [nomination.work_title, nomination.prize])])


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结论",
        choices=[("0", "异议不成立"), ("1", "异议成立（取消其拟获奖资格）")],
        coerce=lambda v: v == "1",
    )
    resolution = forms.CharField(label="处理意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "is_workday"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
