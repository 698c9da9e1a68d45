"""Signing in with a password, with a limit on failed attempts (登录失败次数限制).

Failures are counted twice, in the database so that every server process sees them: per login
name (someone guessing one account's password) and per client address (someone trying many
accounts). Past either limit, the form refuses at once, without checking the password, until
that window ends; a successful sign-in clears its name's failures. The same form serves the
site's login page and the admin site's.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from yiwang.core import throttle
from yiwang.core.http import client_address

#: Sign-in failures and refusals, for the security log an operator keeps (网络安全法 第21条).
security_log = logging.getLogger("yiwang.security")


#: The fields' own messages: Django's catalogue says nothing useful about a NUL ("不允许是用空字符串").
FIELD_MESSAGES = {
    "username": {
        "required": "请填写用户名",
        "null_characters_not_allowed": "用户名不能含有空字符（NUL）",
    },
    "password": {
        "required": "请填写密码",
        "null_characters_not_allowed": "密码不能含有空字符（NUL）",
    },
}


def failure_keys(username: str, address: str) -> tuple[str, str]:
    return f"login:user:{username}", f"login:address:{address or 'unknown'}"


def _locked_message(window: throttle.Window) -> str:
    minutes = throttle.minutes_left(window)
    return (
        f"登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试；如忘记密码，请联系本单位系统管理员"
    )


class LimitedLoginMixin:
    """Refuses sign-in past the failure limits; counts each wrong name or password."""

    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]
    request: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, messages in FIELD_MESSAGES.items():
            self.fields[name].error_messages.update(messages)

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        address = client_address(self.request)
        user_key, address_key = failure_keys(username, address)
        limits = (
            (user_key, settings.YIWANG_LOGIN_FAILURES_PER_USER),
            (address_key, settings.YIWANG_LOGIN_FAILURES_PER_ADDRESS),
        )
        for key, limit in limits:
            window = throttle.peek(key)
            if window is not None and window.attempts >= limit:
                security_log.warning(
                    "sign-in refused, too many failures: user=%r address=%s key=%s",
                    username,
                    address,
                    key,
                )
                raise forms.ValidationError(_locked_message(window), code="login_limited")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                security_log.info("sign-in failed: user=%r address=%s", username, address)
                seconds = settings.YIWANG_LOGIN_WINDOW_SECONDS
                for key, _limit in limits:
                    throttle.hit(key, seconds)
            raise
        throttle.forget(user_key)
        return cleaned


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    """The site's login page (staff and applicants)."""


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    """The admin site's login page."""
