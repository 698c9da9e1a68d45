"""The calendar endpoints under /api/v1/calendar (no login needed)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

DEADLINE = "/api/v1/calendar/deadline"
BETWEEN = "/api/v1/calendar/between"


def test_deadline(seeded, client):
    response = client.get(DEADLINE, {"start": "2026-09-28", "workdays": "20"})
    assert response.status_code == 200
    assert response.json() == {"deadline": "2026-10-30", "provisional": False}


def test_deadline_into_an_unloaded_year_is_provisional(seeded, client):
    response = client.get(DEADLINE, {"start": "2026-12-25", "workdays": "5"})
    assert response.status_code == 200
    assert response.json() == {"deadline": "2027-01-04", "provisional": True}


def test_between(seeded, client):
    response = client.get(BETWEEN, {"start": "2025-12-31", "end": "2026-12-31"})
    assert response.status_code == 200
    assert response.json() == {"workdays": 248, "provisional": False}
    response = client.get(BETWEEN, {"start": "2026-10-30", "end": "2026-09-28"})
    assert response.json() == {"workdays": -20, "provisional": False}


@pytest.mark.parametrize(
    ("url", "params", "code", "field"),
    [
        (DEADLINE, {"start": "2026-02-30", "workdays": "5"}, "calendar.invalid_date", "start"),
        (DEADLINE, {"start": "28/09/2026", "workdays": "5"}, "calendar.invalid_date", "start"),
        (DEADLINE, {"start": "2026-09-28", "workdays": "-1"}, "calendar.negative_workdays", None),
        (
            DEADLINE,
            {"start": "2026-09-28", "workdays": "1.5"},
            "calendar.invalid_workdays",
            "workdays",
        ),
        (DEADLINE, {"start": "2100-12-30", "workdays": "10"}, "calendar.out_of_range", None),
        (DEADLINE, {"start": "2026-09-28", "workdays": "１"}, "calendar.invalid_workdays", None),
        (DEADLINE, {"start": "2026-09-28", "workdays": "٥"}, "calendar.invalid_workdays", None),
        (
            DEADLINE,
            {"start": "2026-09-28", "workdays": "99999999999"},
            "calendar.too_many_workdays",
            "workdays",
        ),
        (BETWEEN, {"start": "2026-09-28", "end": "soon"}, "calendar.invalid_date", "end"),
        (BETWEEN, {"start": "1999-12-31", "end": "2026-01-01"}, "calendar.out_of_range", None),
    ],
)
def test_bad_input_is_400_with_a_stable_code(db, client, url, params, code, field):
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # a Chinese message
    if field:
        assert body["details"][0]["field"] == field


def test_openapi_documents_the_endpoints_in_chinese(client):
    schema = client.get("/api/v1/openapi.json").json()
    deadline = schema["paths"]["/api/v1/calendar/deadline"]["get"]
    assert deadline["summary"] == "计算工作日期限"
    assert {p["name"] for p in deadline["parameters"]} == {"start", "workdays"}
    assert "400" in deadline["responses"]
    out = schema["components"]["schemas"]["DeadlineOut"]["properties"]
    assert "第 N 个工作日" in out["deadline"]["description"]
    assert "暂定" in out["provisional"]["description"]
