"""Every error the API returns has a stable code and a Chinese message, including the ones the
framework raises before an endpoint runs."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Literal

import pytest
from django.test import Client
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from yiwang.accounts.models import User
from yiwang.api.errors import field_name, validation_body

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class Sample(BaseModel):
    count: int
    ratio: float
    flag: bool
    day: dt.date
    at: dt.datetime
    name: str = Field(max_length=4)
    code: str = Field(min_length=3)
    items: list[int] = Field(max_length=2)
    level: Literal["city", "county"]
    limit: int = Field(ge=1, le=100)
    nested: dict[str, int]


BAD = {
    "count": "x",
    "ratio": "y",
    "flag": "maybe",
    "day": "2026-13-01",
    "at": "yesterday",
    "name": "过长的名称",
    "code": "a",
    "items": [1, 2, 3],
    "level": "village",
    "limit": 0,
    "nested": [],
}


def test_field_problems_are_explained_in_chinese():
    with pytest.raises(PydanticError) as caught:
        Sample.model_validate({**BAD})
    body = validation_body([dict(e) for e in caught.value.errors()])
    assert body["code"] == "validation_error" and body["message"] == "请求参数有误"
    messages = {d["field"]: d["message"] for d in body["details"]}
    assert set(messages) == set(BAD)
    for field, message in messages.items():
        # Only the field's name, quoted allowed values and JSON's literals are not Chinese.
        rest = re.sub(r"'[^']*'|true|false|JSON", "", message.replace(field, ""))
        assert not LATIN_WORD.search(rest), message
    assert messages["name"] == "参数 name 不能超过 4 个字符"
    assert messages["limit"] == "参数 limit 不能小于 1"
    assert messages["items"] == "参数 items 不能超过 2 项"
    assert messages["day"] == "参数 day 必须是形如 2026-11-21 的日期"
    assert messages["level"] == "参数 level 只能是 'city'、'county' 之一"


def test_a_missing_field_is_named_as_the_caller_wrote_it():
    assert field_name(("body", "payload", "item_code")) == "item_code"
    assert field_name(("body", "payload", "answers", 0, "value")) == "answers.0.value"
    assert field_name(("query", "limit")) == "limit"
    assert field_name(("path", "number")) == "number"


@pytest.fixture
def applicant(db, client: Client) -> Client:
    user = User.objects.create_user("api.caller", password="x-test-pass-1")
    client.force_login(user)
    return client


def test_a_body_that_is_not_json_is_refused_with_a_code(applicant):
    response = applicant.post("/api/v1/drafts", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "request.unreadable",
        "message": "请求内容无法解析：请求体须为有效的 JSON",
    }


def test_a_web_session_without_its_csrf_token_is_refused_with_a_code(db):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.create_user("web.caller", password="x-test-pass-1"))
    response = browser.post(
        "/api/v1/drafts", json.dumps({"item_code": "x"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "request.csrf_failed"
    assert "X-CSRFToken" in response.json()["message"]


def test_no_credentials_and_bad_query_values_answer_in_chinese(db, client: Client):
    assert client.get("/api/v1/drafts").json() == {
        "code": "not_authenticated",
        "message": "请先登录",
    }
    response = client.get("/api/v1/items", {"limit": "abc"})
    assert response.status_code == 422
    [detail] = response.json()["details"]
    assert detail == {"code": "invalid", "field": "limit", "message": "参数 limit 必须是整数"}


def test_an_address_or_method_no_endpoint_takes_answers_in_json(db, client: Client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "接口不存在"}
    wrong = client.delete("/api/v1/items")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET"
    assert wrong.json()["code"] == "request.method_not_allowed"
    page = client.get("/no-such-page/")  # pages keep their HTML error page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_an_unexpected_failure_answers_in_json_and_is_logged(
    db, client: Client, monkeypatch, caplog
):
    from yiwang.catalog import api as catalog_api

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(catalog_api, "current_versions", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/items")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "服务器内部错误，已记录，请稍后再试",
    }
    assert "database went away" in caplog.text


def test_a_body_too_large_to_read_is_413_with_a_code(applicant):
    body = json.dumps({"form_data": {"note": "x" * (3 * 1024 * 1024)}})
    response = applicant.put("/api/v1/drafts/1", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "code": "request.too_large",
        "message": "请求内容过大：请求体不能超过 2.5 MB（材料文件请通过上传接口以文件提交）",
    }
