"""The read-only catalogue API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from yiwang.catalog.services import import_catalogue
from yiwang.catalog.tests.conftest import catalogue_text


@pytest.fixture
def catalogue(db, law_firm, legal_aid):
    import_catalogue(catalogue_text(law_firm, legal_aid), valid_from=datetime.date(2025, 1, 1))


def test_list_items_with_filters(client, catalogue):
    everything = client.get("/api/v1/items").json()
    assert everything["count"] == 2
    assert [i["code"] for i in everything["items"]] == ["SF-FY-001", "SF-LS-006"]
    by_level = client.get("/api/v1/items", {"level": "province"}).json()
    assert [i["code"] for i in by_level["items"]] == ["SF-LS-006"]
    by_category = client.get("/api/v1/items", {"category": "公共服务"}).json()
    assert [i["code"] for i in by_category["items"]] == ["SF-FY-001"]
    by_keyword = client.get("/api/v1/items", {"keyword": "律师事务所"}).json()
    assert [i["code"] for i in by_keyword["items"]] == ["SF-LS-006"]
    summary = by_keyword["items"][0]
    assert summary["statutory"] == {
        "days": 30,
        "unit": "workday",
        "counted_from": "acceptance",
        "is_default": False,
        "basis": "《律师法》第18条",
    }
    assert summary["levels"] == ["city", "province"]
    legal_aid = everything["items"][0]
    assert legal_aid["statutory"]["counted_from"] == legal_aid["promised"]["counted_from"]
    assert legal_aid["statutory"]["counted_from"] == "receipt"


def test_item_detail_has_materials_and_steps(client, catalogue):
    response = client.get("/api/v1/items/SF-LS-006")
    assert response.status_code == 200
    item = response.json()
    assert item["name"] == "律师事务所设立许可"
    assert [m["name"] for m in item["materials"]] == ["申请书", "住所证明"]
    assert [s["key"] for s in item["steps"]] == ["accept", "review", "decide", "deliver"]
    assert item["fee"]["charged"] is False and item["fee"]["basis"]
    assert item["valid_from"] == "2025-01-01"
    # 住所证明 may be pledged: checked within the province's default, as the item sets none.
    assert item["pledge_allowed"] is False and item["pledge_check_workdays"] == 30


def test_an_item_without_any_pledge_has_no_check_period(client, db, law_firm):
    law_firm["materials"][1]["pledge_replaceable"] = False
    import_catalogue(catalogue_text(law_firm), valid_from=datetime.date(2025, 1, 1))
    assert client.get("/api/v1/items/SF-LS-006").json()["pledge_check_workdays"] is None


@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/api/v1/items/SF-XX-999", 404, "catalog.item_not_found"),
        ("/api/v1/items?level=planet", 400, "invalid_level"),
        ("/api/v1/items?category=abc", 400, "invalid_category"),
        ("/api/v1/items/SF-LS-006?on=2026-13-01", 400, "invalid_date"),
        ("/api/v1/items/SF-LS-006?on=2024-06-01", 404, "catalog.item_not_found"),
        ("/api/v1/items?limit=abc", 422, "validation_error"),
    ],
)
def test_bad_requests_get_a_stable_code_and_a_chinese_message(client, catalogue, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    assert body["message"] in response.content.decode("utf-8")  # readable, not \uXXXX-escaped


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"limit": "1000000"}, "limit", "参数 limit 不能大于 1000"),
        ({"offset": "92233720368547760000"}, "offset", "参数 offset 不能大于 1000000"),
        ({"limit": "0"}, "limit", "参数 limit 不能小于 1"),
    ],
)
def test_a_page_of_items_has_bounds(client, catalogue, query, field, message):
    response = client.get("/api/v1/items", query)
    assert response.status_code == 422
    assert response.json()["details"] == [{"code": "invalid", "field": field, "message": message}]
    widest = client.get("/api/v1/items", {"limit": "1000", "offset": "1000000"})
    assert widest.status_code == 200 and widest.json() == {"items": [], "count": 2}


def test_openapi_documents_the_catalogue(client, catalogue):
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/items" in schema["paths"]
    assert "/api/v1/items/{code}" in schema["paths"]
    detail = schema["components"]["schemas"]["ItemDetailOut"]["properties"]
    assert detail["materials"]["description"] == "申请材料"


def test_today_is_the_default_day(client, catalogue):
    assert timezone.localdate() >= datetime.date(2025, 1, 1)
    assert client.get("/api/v1/items/sf-ls-006").status_code == 200
