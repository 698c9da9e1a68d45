"""Signing in: wrong passwords are limited per login name and per client address."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import Role

PASSWORD = "x-test-pass-1"
LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.YIWANG_LOGIN_FAILURES_PER_USER = 3
    settings.YIWANG_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.YIWANG_LOGIN_WINDOW_SECONDS = 900
    settings.YIWANG_TRUSTED_PROXIES = []


@pytest.fixture
def clerk(tree, make_staff):
    return make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)


def sign_in(client, username: str, password: str, address: str = "203.0.113.1", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in(client, clerk):
    response = sign_in(client, "a1.clerk", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused(client, clerk, caplog):
    caplog.set_level("INFO", logger="yiwang.security")
    for _ in range(3):
        html = sign_in(client, "a1.clerk", "wrong").content.decode()
        assert "请输入一个正确的用户名和密码" in html
        assert LOCKED not in html
    refused = sign_in(client, "a1.clerk", PASSWORD)
    assert refused.status_code == 200 and not signed_in(client)
    html = refused.content.decode()
    assert LOCKED in html and "15 分钟后再试" in html
    # Another address is refused too: the limit protects the account, wherever guesses come from.
    assert LOCKED in sign_in(client, "a1.clerk", PASSWORD, "198.51.100.7").content.decode()
    assert not signed_in(client)
    # The security log names each failure and each refusal, with the client address.
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "yiwang.security"]
    assert logged[:3] == [("INFO", "sign-in failed: user='a1.clerk' address=203.0.113.1")] * 3
    assert logged[3][0] == "WARNING" and "user='a1.clerk' address=203.0.113.1" in logged[3][1]
    assert "address=198.51.100.7" in logged[4][1] and len(logged) == 5


def test_the_lock_lifts_when_its_window_ends(client, clerk, settings):
    settings.YIWANG_LOGIN_WINDOW_SECONDS = 1
    for _ in range(3):
        sign_in(client, "a1.clerk", "wrong")
    from yiwang.core.models import AttemptWindow

    AttemptWindow.objects.update(window_ends=0)  # the window has ended
    assert sign_in(client, "a1.clerk", PASSWORD).status_code == 302 and signed_in(client)


def test_a_successful_sign_in_clears_the_names_failures(client, clerk):
    for _ in range(2):
        sign_in(client, "a1.clerk", "wrong")
    assert sign_in(client, "a1.clerk", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        sign_in(client, "a1.clerk", "wrong", "198.51.100.8")
    assert sign_in(client, "a1.clerk", PASSWORD, "198.51.100.8").status_code == 302


def test_one_address_trying_many_names_is_stopped(client, clerk, make_staff, tree):
    make_staff("a1.handler", tree.county_a1, Role.HANDLER)
    for n in range(5):
        sign_in(client, f"nobody{n}", "guess")
    html = sign_in(client, "a1.handler", PASSWORD).content.decode()
    assert LOCKED in html and not signed_in(client)
    # Others elsewhere are not affected.
    assert sign_in(client, "a1.handler", PASSWORD, "198.51.100.9").status_code == 302


def test_the_admin_login_counts_against_the_same_limit(client, clerk):
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    for _ in range(3):
        sign_in(client, "a1.clerk", "wrong", url="/admin/login/")
    html = sign_in(client, "a1.clerk", PASSWORD, url="/admin/login/").content.decode()
    assert LOCKED in html and not signed_in(client)
    assert LOCKED in sign_in(client, "a1.clerk", PASSWORD).content.decode()


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, clerk, settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.5"]
    for n in range(5):
        client.post(
            "/login/",
            {"username": f"nobody{n}", "password": "guess"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    other = client.post(
        "/login/",
        {"username": "a1.clerk", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.1",
    )
    assert other.status_code == 302 and signed_in(client)


def test_an_administrator_lifts_a_lock_by_deleting_its_count(client, clerk, django_user_model):
    from yiwang.core.models import AttemptWindow

    for _ in range(3):
        sign_in(client, "a1.clerk", "wrong")
    admin = django_user_model.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(admin)
    listed = client.get("/admin/core/attemptwindow/?q=a1.clerk").content.decode()
    assert "login:user:a1.clerk" in listed
    window = AttemptWindow.objects.get(key="login:user:a1.clerk")
    response = client.post(f"/admin/core/attemptwindow/{window.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, "a1.clerk", PASSWORD).status_code == 302 and signed_in(client)


def test_staff_without_the_permission_cannot_see_the_counts(client, clerk):
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    client.force_login(clerk)
    assert client.get("/admin/core/attemptwindow/").status_code == 403


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", "请填写用户名"),
        ("", PASSWORD, "请填写用户名"),
        ("a1.clerk", "", "请填写密码"),
        ("a1.clerk", "x-test\x00-pass-1", "密码不能含有空字符（NUL）"),
        ("a1\x00.clerk", PASSWORD, "用户名不能含有空字符（NUL）"),
    ],
)
def test_a_field_left_empty_or_invalid_is_named_on_the_page(
    client, clerk, username, password, message
):
    response = sign_in(client, username, password)
    assert response.status_code == 200 and not signed_in(client)
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert "不允许是用空字符串" not in html
