"""Forms of paper analysis."""

from django import forms
from django.forms import inlineformset_factory

from eduquality.excel import WorkbookRejected, check_uploaded_file
from monitoring.items.models import BlueprintItem
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
