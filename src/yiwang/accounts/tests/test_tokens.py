"""``yiwang tokens create``: every token says what it is for."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from yiwang.accounts.models import ApiToken, User
from yiwang.accounts.tokens import issue_token, user_for_token
from yiwang.core.errors import InvalidInput


@pytest.fixture
def clerk(db) -> User:
    return User.objects.create_user("henan.clerk", password="x-test-pass-1")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "token.name_required"),
        ("  \t ", "token.name_required"),
        ("对" * 101, "token.name_too_long"),
        ("一窗\x00平台", "token.name_invalid"),
    ],
)
def test_a_token_needs_a_name_that_can_be_stored(clerk, name, code):
    with pytest.raises(InvalidInput) as refused:
        issue_token(clerk, name)
    assert refused.value.code == code
    assert not ApiToken.objects.exists()


def test_the_name_is_kept_without_surrounding_blanks(clerk):
    token = issue_token(clerk, "  一窗平台对接 ")
    assert ApiToken.objects.get().name == "一窗平台对接"
    assert user_for_token(token) == clerk


def test_the_command_refuses_a_blank_name_in_chinese(clerk):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("tokens", "create", "henan.clerk", "--name", " ", stdout=out, stderr=err)
    assert str(refused.value) == "请写明令牌的用途，不能为空"
    assert out.getvalue() == "" and not ApiToken.objects.exists()
    call_command(
        "tokens", "create", "henan.clerk", "--name", "一窗平台对接", stdout=out, stderr=err
    )
    assert user_for_token(out.getvalue().strip()) == clerk
