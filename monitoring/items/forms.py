"""Forms of paper analysis."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from eduquality.excel import WorkbookRejected, check_uploaded_file
from monitoring.items import knowledge
from monitoring.items.models import AbilityLevel, BlueprintItem, KnowledgePoint
from monitoring.models import ExamSubject


class BlueprintUploadForm(forms.Form):
    file = forms.FileField(label="双向细目表（Excel）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_uploaded_file(upload)
        except WorkbookRejected as error:
            raise forms.ValidationError(str(error)) from error
        return upload


BlueprintItemFormSet = inlineformset_factory(
    ExamSubject,
    BlueprintItem,
    fields=[
        "label",
        "kind",
        "points",
        "knowledge_point",
        "ability",
        "expected_difficulty",
        "answer_key",
        "option_count",
        "partial_points",
    ],
    extra=3,
    can_delete=True,
)


class KnowledgePointForm(forms.ModelForm):
    """A 领域 (no parent) or a 知识点 under a domain of the same tree; checked by items.knowledge."""

    class Meta:
        model = KnowledgePoint
        fields = ["name", "parent", "order"]
        labels = {"parent": "所属领域"}
        help_texts = {"parent": "不选则作为领域；知识点体系只有“领域—知识点”两级。", "order": "数字小的在前。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        point = self.instance
        domains = knowledge.in_tree(
            KnowledgePoint.objects.filter(subject_id=point.subject_id, parent__isnull=True), point.district_id
        )
        self.fields["parent"].queryset = domains.exclude(pk=point.pk).order_by("order", "pk")
        self.fields["parent"].empty_label = "（作为领域）"

    def clean(self):
        cleaned = super().clean()
        if "name" in cleaned:
            try:
                cleaned["name"] = knowledge.check_point(
                    subject_id=self.instance.subject_id,
                    district_id=self.instance.district_id,
                    parent=cleaned.get("parent"),
                    name=cleaned["name"],
                    pk=self.instance.pk,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class AbilityLevelForm(forms.ModelForm):
    class Meta:
        model = AbilityLevel
        fields = ["name", "order"]
        help_texts = {"order": "数字小的在前。"}

    def validate_unique(self):
        """The name's uniqueness is checked by items.knowledge.save_ability, with its own message."""
