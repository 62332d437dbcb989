import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from api import rules


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="例如：学籍系统同步、局看板。")
    scopes = forms.MultipleChoiceField(
        label="权限范围",
        choices=list(rules.SCOPES.items()),
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
        help_text="令牌能做的事不超过您的角色在页面上能做的事。",
    )
    lifetime_days = forms.TypedChoiceField(
        label="有效期",
        coerce=int,
        choices=[(days, f"{days} 天") for days in rules.LIFETIMES_DAYS],
        initial=90,
    )

    # One key per rendered form: submitting it twice (a double click, a resent POST) creates one token.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = secrets.token_hex(16)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "创建令牌"))
