"""The progress query form (rendered by hand in ``public/progress.html`` for its hints)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

CODE_MESSAGE = "查询码是 6 位数字"


class ProgressForm(forms.Form):
    number = forms.CharField(max_length=40, error_messages={"required": "请填写办件编号"})
    code = forms.CharField(
        max_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", CODE_MESSAGE)],
        error_messages={"required": "请填写查询码", "max_length": CODE_MESSAGE},
    )
