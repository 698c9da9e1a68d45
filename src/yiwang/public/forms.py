"""The progress query form (rendered by hand in ``public/progress.html`` for its hints).

Each field answers with one message of its own: Django's stock texts read badly here (a long
number got "确保该变量包含不超过 40 字符", a NUL "不允许是用空字符串", and a malformed code was
reported twice, by its length and by its pattern)."""

from __future__ import annotations

import re
import unicodedata

from django import forms

NUMBER_LENGTH = 40
NUMBER_MESSAGE = "办件编号只由字母和数字组成，请按受理回执上的编号填写"
NUMBER_TOO_LONG = (
    f"办件编号不超过 {NUMBER_LENGTH} 位（您输入了 {{length}} 位），请按受理回执上的编号填写"
)
CODE_MESSAGE = "查询码是 6 位数字"
NUMBER = re.compile(r"[0-9A-Za-z]+")
CODE = re.compile(r"[0-9]{6}")


class ProgressForm(forms.Form):
    number = forms.CharField(
        error_messages={
            "required": "请填写办件编号",
            "null_characters_not_allowed": "办件编号不能含有空字符（NUL）",
        }
    )
    code = forms.CharField(
        error_messages={
            "required": "请填写查询码",
            "null_characters_not_allowed": "查询码不能含有空字符（NUL）",
        }
    )

    def clean_number(self) -> str:
        # Full-width characters and spaces typed with a Chinese input method count as plain ones.
        number = "".join(unicodedata.normalize("NFKC", self.cleaned_data["number"]).split())
        if len(number) > NUMBER_LENGTH:
            raise forms.ValidationError(
                NUMBER_TOO_LONG.format(length=len(number)), code="max_length"
            )
        if not NUMBER.fullmatch(number):
            raise forms.ValidationError(NUMBER_MESSAGE, code="invalid")
        return number

    def clean_code(self) -> str:
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not CODE.fullmatch(code):
            raise forms.ValidationError(CODE_MESSAGE, code="invalid")
        return code
