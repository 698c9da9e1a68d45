"""Password rules: Django's validators, with every message in Chinese.

Django 5.2's zh-Hans catalogue lacks the minimum-length message (its wording changed), so a
Chinese applicant choosing a short password was told so in English.
"""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
