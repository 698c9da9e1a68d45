"""What the API accepts in a request, on the demo province: text the database can store, the
fields each body defines and nothing else, pages that exist, the same key for the same
application only; and tokens wherever the session is accepted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import Applicant, User
from yiwang.accounts.tokens import issue_token
from yiwang.cases import drafts
from yiwang.cases.models import Case, Draft, Rating
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.organizations.models import Organization

ITEM = "SF-LS-006"  # 律师事务所设立许可, filed at the 中牟县 window


def bearer(username: str) -> dict[str, Any]:
    user = User.objects.get(username=username)
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, '测试')}"}


def application(zhongmou: Organization, firm: Applicant, **changes: Any) -> dict[str, Any]:
    """The body of zhang.wei's application for the firm, the item's own example answers."""
    return {
        "item_code": ITEM,
        "organization": zhongmou.credit_code,
        "applicant_id": firm.pk,
        "idempotency_key": "key-1",
        "form_data": example_data(form_definition(drafts.current_version(ITEM))),
        **changes,
    }


def post(client: Client, url: str, body: Any, username: str = "zhang.wei"):
    # json.dumps escapes a lone surrogate as "\ud800", as a client's JSON library does.
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(username))


@pytest.fixture
def case(client, db, zhongmou, firm) -> Case:
    answer = post(client, "/api/v1/cases", application(zhongmou, firm))
    assert answer.status_code == 201, answer.content
    return Case.objects.get(number=answer.json()["number"])


# --- Text the database cannot store ---------------------------------------------------------


LONE = "\ud800"


@pytest.mark.parametrize(
    ("url", "changes", "field"),
    [
        ("/api/v1/cases", {"idempotency_key": LONE}, "idempotency_key"),
        ("/api/v1/cases", {"item_code": LONE}, "item_code"),
        ("/api/v1/cases", {"organization": "1141" + LONE}, "organization"),
        ("/api/v1/cases", {"form_data": {"firm_name": "正道" + LONE}}, "form_data.firm_name"),
        ("/api/v1/cases", {"form_data": {LONE + "x": "y"}}, "form_data.\ufffdx"),
        ("/api/v1/drafts", {"organization": LONE}, "organization"),
        ("/api/v1/drafts", {"item_code": LONE}, "item_code"),
    ],
)
def test_a_lone_surrogate_in_a_new_application_is_refused(
    client, db, zhongmou, firm, url, changes, field
):
    body = application(zhongmou, firm, **changes)
    if url == "/api/v1/drafts":
        body = {k: body[k] for k in ("item_code", "organization", "applicant_id")} | changes
    answer = post(client, url, body)
    assert answer.status_code == 400, answer.content
    assert answer.json() == {
        "code": "request.text_invalid",
        "message": "请求内容含有无法识别的字符（单独的 UTF-16 代理项，如 \\ud800），无法保存",
        "details": [
            {
                "code": "text_invalid",
                "field": field,
                "message": f"参数 {field} 含有无法识别的字符，无法保存",
            }
        ],
    }
    assert not Case.objects.exists() and not Draft.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("materials/reuse", {"material": LONE, "source_id": 1}, "material"),
        ("rating", {"level": 1, "comment": "慢" + LONE}, "comment"),
        ("licence/revoke", {"reason": LONE}, "reason"),
        ("actions/refuse", {"reason": "材料不全" + LONE}, "reason"),
        ("pledge-check", {"verdict": "confirmed", "finding": LONE}, "finding"),
    ],
)
def test_a_lone_surrogate_sent_about_a_case_is_refused(client, case, path, body, field):
    before = Case.objects.values().get(pk=case.pk)
    answer = post(client, f"/api/v1/cases/{case.number}/{path}", body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "request.text_invalid"
    assert answer.json()["details"][0]["field"] == field
    assert Case.objects.values().get(pk=case.pk) == before
    assert not Rating.objects.exists() and not case.materials.exists()


def test_a_body_that_is_nothing_but_a_lone_surrogate_is_refused(client, demo_province, db):
    answer = post(client, "/api/v1/drafts", LONE)
    assert answer.status_code == 400
    assert answer.json()["code"] == "request.text_invalid"
    assert answer.json()["details"][0]["message"] == "含有无法识别的字符，无法保存"


def test_a_pair_of_surrogates_is_one_character_and_welcome(client, db, zhongmou, firm):
    """ "\ud83d\ude00" in JSON is 😀: only a surrogate without its partner is refused."""
    raw = json.dumps(application(zhongmou, firm, idempotency_key="key-😀"))
    assert "\\ud83d\\ude00" in raw
    answer = client.post(
        "/api/v1/cases", raw, content_type="application/json", **bearer("zhang.wei")
    )
    assert answer.status_code == 201, answer.content
    assert Case.objects.get().idempotency_key == "key-😀"


# --- Fields a body does not define ----------------------------------------------------------


def test_a_misspelt_field_is_refused_rather_than_ignored(client, case):
    url = f"/api/v1/cases/{case.number}/actions/accept"
    answer = post(client, url, {"expected_verison": 99}, "zhongmou.clerk")
    assert answer.status_code == 422, answer.content
    assert answer.json() == {
        "code": "validation_error",
        "message": "请求参数有误",
        "details": [
            {
                "code": "invalid",
                "field": "expected_verison",
                "message": "参数 expected_verison 不是可接受的字段",
            }
        ],
    }
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.version) == (case.status, case.version)
    # Spelt right, the concurrency check it carries works.
    stale = post(client, url, {"expected_version": 99}, "zhongmou.clerk")
    assert stale.status_code == 409 and stale.json()["code"] == "case.conflict"


def test_a_misspelt_field_inside_a_list_is_refused(client, case):
    url = f"/api/v1/cases/{case.number}/actions/request_supplement"
    body = {"materials": [{"material": "申请书", "problme": "缺少签字页"}]}
    answer = post(client, url, body, "zhongmou.clerk")
    assert answer.status_code == 422
    [detail] = answer.json()["details"]
    assert detail["field"] == "materials.0.problme"
    assert Case.objects.get(pk=case.pk).status == case.status


def test_every_json_body_of_the_api_refuses_fields_it_does_not_define(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    bodies = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ref = content["application/json"]["schema"]["$ref"]
                bodies[f"{method.upper()} {path}"] = ref.rsplit("/", 1)[-1]
    assert len(bodies) >= 10  # submit, actions, drafts, ratings, revocation, …
    pending = set(bodies.values())
    seen = set()
    while pending:
        name = pending.pop()
        seen.add(name)
        schema = schemas[name]
        assert schema.get("additionalProperties") is False, name
        for ref in _refs(schema):
            if ref not in seen:
                pending.add(ref)


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[-1]} if "$ref" in value else set()
        return found.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


# --- The idempotency key --------------------------------------------------------------------


def test_a_retry_of_the_same_application_answers_with_its_case(client, case, zhongmou, firm):
    again = post(client, "/api/v1/cases", application(zhongmou, firm))
    assert again.status_code == 200 and again.json()["number"] == case.number
    assert Case.objects.count() == 1


@pytest.mark.parametrize("change", ["organization", "firm_name", "no_form", "channel"])
def test_the_same_key_with_another_application_is_a_conflict(client, case, zhongmou, firm, change):
    body = application(zhongmou, firm)
    if change == "organization":
        body["organization"] = Organization.objects.get(name="郑州市司法局").credit_code
    elif change == "firm_name":
        body["form_data"]["firm_name"] = "河南另一家律师事务所"
    elif change == "no_form":
        body["form_data"] = {}
    else:
        body["channel"] = "platform"
    answer = post(client, "/api/v1/cases", body)
    assert answer.status_code == 409, answer.content
    assert answer.json() == {
        "code": "case.idempotency_reused",
        "message": "该幂等键已用于另一项申请，请为新申请生成新的键",
    }
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]
    stored = Case.objects.get()
    assert (stored.accepting_org_id, stored.channel) == (zhongmou.pk, "online")
    assert stored.form_data == case.form_data


def test_a_clerk_cannot_tell_a_used_key_from_an_unused_one(client, case, zhongmou, firm):
    answers = [
        # A probe cannot know the application filed under the key: its form differs.
        post(
            client,
            "/api/v1/cases",
            application(zhongmou, firm, idempotency_key=key, form_data={}),
            who,
        )
        for key in ("key-1", "key-never-used")
        for who in ("zhongyuan.clerk", "henan.leader")
    ]
    assert {(a.status_code, a.json()["code"]) for a in answers} == {(403, "case.forbidden")}
    assert Case.objects.count() == 1


# --- Tokens and pages -----------------------------------------------------------------------


def test_a_machine_client_reads_organizations_with_its_token(client, db, zhongmou):
    listed = client.get("/api/v1/organizations", **bearer("zhongmou.clerk"))
    assert listed.status_code == 200, listed.content
    assert [(o["name"], o["credit_code"]) for o in listed.json()] == [
        ("中牟县司法局", zhongmou.credit_code)
    ]
    one = client.get(f"/api/v1/organizations/{zhongmou.credit_code}", **bearer("zhongmou.clerk"))
    assert one.status_code == 200 and one.json()["name"] == "中牟县司法局"
    assert client.get("/api/v1/organizations").status_code == 401
    bad = client.get("/api/v1/organizations", HTTP_AUTHORIZATION="Bearer yw_nonsense")
    assert bad.status_code == 401


@pytest.mark.parametrize("page", ["92233720368547760", "100001"])
def test_a_page_past_the_last_possible_one_is_refused(client, demo_province, db, page):
    answer = client.get("/api/v1/pledge-checks", {"page": page}, **bearer("henan.clerk"))
    assert answer.status_code == 422
    assert answer.json()["details"] == [
        {"code": "invalid", "field": "page", "message": "参数 page 不能大于 100000"}
    ]
    last = client.get("/api/v1/pledge-checks", {"page": "100000"}, **bearer("henan.clerk"))
    assert last.status_code == 200 and last.json()["items"] == []
