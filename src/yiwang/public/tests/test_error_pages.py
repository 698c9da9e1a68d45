"""Error pages speak Chinese on every face, not only on the pages that render their own."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_an_unknown_address_gets_the_chinese_404_page(client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    assert "页面不存在" in answer.content.decode()


@pytest.mark.django_db
def test_a_post_without_csrf_token_gets_the_chinese_page(settings):
    from django.test import Client

    answer = Client(enforce_csrf_checks=True).post("/progress/", {"number": "x", "code": "1"})
    assert answer.status_code == 403
    assert "页面已过期" in answer.content.decode()
