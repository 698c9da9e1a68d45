"""Password rules: Django's validators, with every message in Chinese, and one of our own.

Django 5.2's zh-Hans catalogue lacks the minimum-length message (its wording changed), so a
Chinese applicant choosing a short password was told so in English. None of Django's refuses a
password of spaces alone, which eight presses of the space bar make long enough.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class NotOnlySpacesValidator:
    """Refuses a password of whitespace alone (ASCII or full-width spaces, tabs). An empty one
    is left to the minimum length, which names the problem better."""

    def validate(self, password: str, user: Any = None) -> None:
        if password and not password.strip():
            raise ValidationError(
                "密码不能只由空格组成，请包含字母、数字或符号。", code="password_only_spaces"
            )

    def get_help_text(self) -> str:
        return "密码不能只由空格组成。"
