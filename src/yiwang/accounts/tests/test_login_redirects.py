"""Where a visitor whose login has ended is sent: to the login page, told why, and back to the
page they were on afterwards; an htmx request is told to load the login page, never given it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

EXPIRED = "登录已过期，请重新登录"
UPLOAD = "/my/drafts/7/materials/1/"  # POST only


def test_an_htmx_request_is_sent_to_the_login_page_of_the_page_it_came_from(client):
    answer = client.post(
        UPLOAD,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/my/drafts/7/?tab=2",
    )
    assert answer.status_code == 401 and not answer.content
    assert answer["HX-Redirect"] == "/login/?next=/my/drafts/7/%3Ftab%3D2"
    assert EXPIRED in client.get(answer["HX-Redirect"]).content.decode()
    # Another site's address is never where the visitor is sent back to.
    foreign = client.get(
        "/work/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/my/"
    )
    assert foreign["HX-Redirect"] == "/login/?next=/work/"


def test_a_session_the_server_no_longer_knows_is_named_expired(client):
    client.cookies["sessionid"] = "ended-long-ago"
    answer = client.get("/work/")
    assert answer.status_code == 302 and answer["Location"] == "/login/?next=/work/"
    assert EXPIRED in client.get(answer["Location"]).content.decode()


def test_a_first_visit_is_not_told_of_an_expired_login(client):
    answer = client.get("/work/", follow=True)
    assert answer.redirect_chain == [("/login/?next=/work/", 302)]
    assert EXPIRED not in answer.content.decode()


def test_a_form_posted_after_the_end_comes_back_to_its_page_not_its_action(client):
    answer = client.post(
        "/my/cases/X1/act/withdraw/", HTTP_REFERER="http://testserver/my/cases/X1/"
    )
    assert answer.status_code == 302 and answer["Location"] == "/login/?next=/my/cases/X1/"
