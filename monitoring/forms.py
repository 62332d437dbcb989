"""Quality-monitoring forms: validation and crispy layout, no side effects."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory

from eduquality import excel
from monitoring.models import Exam, ExamSubject, Indicator, ResearchVisit
from monitoring.value_added import rules as value_added_rules
from schools.forms import CrispyModelForm
from schools.models import Role, School, Subject


class ExamForm(CrispyModelForm):
    value_added_covariates = forms.MultipleChoiceField(
        label="增值：协变量",
        choices=list(value_added_rules.COVARIATES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="默认不加；加入后增值同时扣除性别或城乡差异。",
    )

    class Meta:
        model = Exam
        fields = [
            "name",
            "code",
            "kind",
            "semester",
            "grade",
            "held_on",
            "schools",
            "comparable_exam",
            "grade_policy",
            "band_share",
            "borderline_margin_share",
            "warning_bottom_places",
            "warning_subjects",
            "warning_rank_drop",
            "warning_rate_drop",
            "warning_value_added",
            "value_added_min_matched",
            "value_added_min_match_rate",
            "value_added_covariates",
            "value_added_school_visible",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "schools": forms.SelectMultiple(attrs={"size": 12}),
        }
        help_texts = {
            "schools": "按住 Ctrl（或 ⌘）可多选；也可留空后按学段自动选择。",
            "band_share": "如 0.1 表示按满分的 10% 划分分数段。",
            "borderline_margin_share": "如 0.05 表示线下满分 5% 以内的学生计为临界生。",
            "warning_value_added": "增值的95%区间整体低于0且低于此值（标准差）时预警；学校成绩名次再好也预警。",
            "value_added_min_match_rate": "如 0.8：匹配率低于 80% 的学校照常列出但不作判断。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.inputs = []
        self.fields["schools"].queryset = School.objects.filter(is_active=True).order_by("code")
        self.fields["schools"].required = False
        previous = Exam.objects.select_related("semester")
        if self.instance.pk:
            previous = previous.exclude(pk=self.instance.pk)
        self.fields["comparable_exam"].queryset = previous

    def clean(self):
        cleaned = super().clean()
        comparable, grade = cleaned.get("comparable_exam"), cleaned.get("grade")
        if comparable and grade and comparable.grade not in (grade, grade - 1):
            self.add_error("comparable_exam", "对比监测应为同一批学生此前的监测（同年级或上一年级）。")
        return cleaned


class ExamSubjectForm(forms.ModelForm):
    class Meta:
        model = ExamSubject
        fields = ["subject", "full_marks", "excellent_share", "good_share", "pass_share", "low_share", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.filter(commonly_monitored=True)


ExamSubjectFormSet = inlineformset_factory(
    Exam, ExamSubject, form=ExamSubjectForm, extra=3, can_delete=True, min_num=1, validate_min=True
)


class ScoreUploadForm(forms.Form):
    file = forms.FileField(
        label="成绩工作簿", help_text="使用本次监测的模板，支持 .xlsx 和 .xls；文件再大也由后台处理。"
    )

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


class ScoreCorrectionForm(forms.Form):
    value = forms.CharField(label="新分数", max_length=10, help_text="缺考请填“缺考”。")
    reason = forms.CharField(label="更正原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "更正"))


class ResearchVisitForm(CrispyModelForm):
    class Meta:
        model = ResearchVisit
        fields = ["researcher", "visited_on", "causes", "measures", "status"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}),
            "causes": forms.Textarea(attrs={"rows": 4}),
            "measures": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 教研员: people holding the inspector/researcher role, never the bureau's clerks or the admin.
        researchers = get_user_model().objects.filter(is_active=True, role_assignments__role=Role.INSPECTOR)
        self.fields["researcher"].queryset = researchers.distinct().order_by("full_name")


class IndicatorFilingForm(forms.Form):
    """A school's figures for the year: one field per indicator."""

    def __init__(self, *args, indicators: list[Indicator], initial_values: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in indicators:
            label = f"{indicator.name}（{indicator.line_label}）"
            initial = initial_values.get(indicator.pk)
            if indicator.yes_no:  # a qualitative requirement: 是 or 否, stored as 1 or 0
                self.fields[f"i_{indicator.pk}"] = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "未填报"), ("1", "是"), ("0", "否")],
                    coerce=Decimal,
                    empty_value=None,
                    help_text=indicator.description,
                    initial=None if initial is None else ("1" if initial >= 1 else "0"),
                )
                continue
            self.fields[f"i_{indicator.pk}"] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=7,
                decimal_places=2,
                help_text=indicator.description,
                initial=initial,
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存填报"))
