"""A NUL character in the address is refused with a clear 400 before any lookup (PostgreSQL would
refuse it in the query as a server error); a whole refusal page answering htmx replaces the body."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/verify/letter/?n=a%00b&c=12",
        "/verify/licence/a%00b/",
        "/progress/?x%00=1",
        "/my/cases/a%00b/",
    ],
)
def test_pages_refuse_a_nul_in_the_address(client, address):
    response = client.get(address)
    assert response.status_code == 400
    assert "请求地址中含有空字符" in response.content.decode()


def test_the_api_answers_in_json_with_a_stable_code(client):
    response = client.get("/api/v1/cases/a%00b")
    assert response.status_code == 400
    assert response.json() == {
        "code": "request.nul_character",
        "message": "请求地址中含有空字符（NUL），无法处理",
    }


def test_ordinary_addresses_pass(client):
    assert client.get("/verify/letter/?n=x&c=y").status_code == 404  # the view answered


def test_a_whole_refusal_page_replaces_the_body_of_an_htmx_page():
    from django.test import Client

    # A CSRF failure (a token gone stale) answers with a whole page, not a fragment.
    answer = Client(enforce_csrf_checks=True).post(
        "/progress/", {"number": "x", "code": "1"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 403 and "页面已过期" in answer.content.decode()
    assert (answer["HX-Retarget"], answer["HX-Reswap"]) == ("body", "innerHTML")
    plain = Client(enforce_csrf_checks=True).post("/progress/", {"number": "x", "code": "1"})
    assert plain.status_code == 403 and "HX-Retarget" not in plain
