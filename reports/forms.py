"""Report forms: validation and crispy layout, no side effects."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from reports.models import ImprovementMeasure, Kind, Report, Status
from reports.rules import MEETING_KINDS
from schools.models import District, Semester

NARRATIVE_HELP = "系统已自动填入统计表与图表，此处请撰写文字分析。"


class NarrativeForm(forms.ModelForm):
    """The author's part of a report: the narrative, and the quality-analysis meeting of a school report."""

    class Meta:
        model = Report
        fields = [
            "basic_situation",
            "score_analysis",
            "problems_causes",
            "measures",
            "meeting_held_on",
            "meeting_attendees",
            "meeting_conclusions",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 6, "maxlength": 20000})
            for name in ["basic_situation", "score_analysis", "problems_causes", "measures"]
        } | {
            "meeting_attendees": forms.Textarea(attrs={"rows": 2}),
            "meeting_conclusions": forms.Textarea(attrs={"rows": 4}),
            "meeting_held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind not in MEETING_KINDS:
            for name in ["meeting_held_on", "meeting_attendees", "meeting_conclusions"]:
                del self.fields[name]
        self.fields["score_analysis"].help_text = NARRATIVE_HELP
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存草稿"))
        self.helper.add_input(
            Submit(
                "save_and_submit",
                "保存并提交",
                css_class="btn-success",
                data_confirm="提交后不能再修改，确定提交？",
            )
        )
        self.helper.attrs = {"data-autosave": "1"}


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[("submit", "提交"), ("return", "退回修改"), ("accept", "审阅通过")])
    comment = forms.CharField(label="审阅意见", required=False, max_length=2000, widget=forms.Textarea)


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label="报告类型", choices=Kind.choices)
    semester = forms.ModelChoiceField(label="学期", queryset=Semester.objects.all())
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))


class TrackingForm(forms.Form):
    kind = forms.ChoiceField(label="报告类型", choices=[c for c in Kind.choices if c[0] != Kind.DISTRICT])
    semester = forms.ModelChoiceField(label="学期", queryset=Semester.objects.all(), empty_label=None)


class TrackingFilterForm(TrackingForm):
    """The 报送情况 page's filters: the period, plus where a report stands, the district, the school."""

    state = forms.ChoiceField(label="报送状态", required=False)
    district = forms.ModelChoiceField(label="区县", queryset=District.objects.all(), required=False, empty_label="全部")
    q = forms.CharField(label="学校", required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        from reports.tracking import STATE_FILTERS

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部"), *STATE_FILTERS]


class BatchForm(forms.Form):
    semester = forms.ModelChoiceField(label="学期", queryset=Semester.objects.all(), empty_label=None)


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="学校", field_name="school__name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label="报告类型", choices=Kind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=Status.choices)
    start_year = django_filters.NumberFilter(label="学年起始年份")

    class Meta:
        model = Report
        fields = ["q", "kind", "status", "start_year"]


class MeasureForm(forms.ModelForm):
    """A new 改进措施 of a report: what, for which subject, who, by when."""

    class Meta:
        model = ImprovementMeasure
        fields = ["text", "subject", "owner", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        if report.kind == Kind.SUBJECT:  # a subject report's measures are its subject's
            del self.fields["subject"]
        else:
            self.fields["subject"].empty_label = "（不针对单一学科）"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MeasureStateForm(forms.ModelForm):
    """How a measure was carried out (落实情况)."""

    class Meta:
        model = ImprovementMeasure
        fields = ["state", "follow_up"]
