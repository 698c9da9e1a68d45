"""The case API: tokens and sessions, status codes, uploads, letters."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from yiwang.accounts.tokens import issue_token
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.tests.test_services import World
from yiwang.core.tests.disposition import saved_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(tree, make_staff) -> World:
    return World(tree, make_staff)


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, '测试')}"}


def submit(client, world, key="k-1", **headers):
    return client.post(
        "/api/v1/cases",
        {
            "item_code": "SF-LS-006",
            "organization": world.tree.county_a1.credit_code,
            "applicant_id": world.firm.pk,
            "idempotency_key": key,
            "form_data": {"partners": ["张伟", "李娜"]},
        },
        content_type="application/json",
        **headers,
    )


def test_submit_with_a_token_is_idempotent(client, world):
    headers = bearer(world.user)
    first = submit(client, world, **headers)
    assert first.status_code == 201, first.content
    again = submit(client, world, **headers)
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    body = first.json()
    assert body["status"] == "submitted" and body["accept_due"] and body["owner"]["credit_code"]


def test_no_credentials_is_401_and_a_bad_token_too(client, world):
    assert submit(client, world).status_code == 401
    assert submit(client, world, HTTP_AUTHORIZATION="Bearer yw_nonsense").status_code == 401


def test_actions_status_codes(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    clerk = bearer(world.clerk)
    url = f"/api/v1/cases/{number}/actions/"
    other = client.post(
        url + "accept", {}, content_type="application/json", **bearer(world.other_clerk)
    )
    assert other.status_code == 403 and other.json()["code"] == "case.forbidden"
    refused = client.post(url + "refuse", {}, content_type="application/json", **clerk)
    assert refused.status_code == 400 and refused.json()["code"] == "case.reason_required"
    bad_date = client.post(
        url + "accept_with_gaps", {"due": "2026-02-30"}, content_type="application/json", **clerk
    )
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "validation_error"
    unknown = client.post(url + "teleport", {}, content_type="application/json", **clerk)
    assert unknown.status_code == 400
    version = client.get(f"/api/v1/cases/{number}", **clerk).json()["version"]
    ok = client.post(
        url + "accept", {"expected_version": version}, content_type="application/json", **clerk
    )
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    stale = client.post(
        url + "refuse",
        {"reason": "x", "expected_version": version},
        content_type="application/json",
        **clerk,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "case.conflict"


def test_applicants_and_clerks_of_other_counties_cannot_read_a_case(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    assert client.get(f"/api/v1/cases/{number}", **bearer(world.stranger)).status_code == 403
    assert client.get(f"/api/v1/cases/{number}", **bearer(world.other_clerk)).status_code == 403
    assert (
        client.get(f"/api/v1/cases/{number}/history", **bearer(world.other_clerk)).status_code
        == 403
    )
    assert client.get(f"/api/v1/cases/{number}", **bearer(world.clerk)).status_code == 200
    assert client.get("/api/v1/cases/NOPE", **bearer(world.clerk)).status_code == 404


def test_session_users_need_csrf_for_writes(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user)
    response = submit(browser, world)
    assert response.status_code in (401, 403)
    assert not Case.objects.exists()


def test_upload_is_checked_by_content_and_versions_are_kept(client, world):
    headers = bearer(world.user)
    number = submit(client, world, **headers).json()["number"]
    url = f"/api/v1/cases/{number}/materials"
    fake = io.BytesIO(b"MZ\x90\x00 this is an exe")
    fake.name = "申请书.pdf"
    refused = client.post(url, {"material": "申请书", "file": fake}, **headers)
    assert refused.status_code == 400 and refused.json()["code"] == "material.file_type"
    for content in (PDF, PDF + b"%v2\n"):
        upload = io.BytesIO(content)
        upload.name = "申请书.pdf"
        created = client.post(url, {"material": "申请书", "file": upload}, **headers)
        assert created.status_code == 201, created.content
    rows = client.get(url, **headers).json()
    assert [(r["material"], r["version"], r["file_type"]) for r in rows] == [
        ("申请书", 1, "pdf"),
        ("申请书", 2, "pdf"),
    ]
    assert rows[0]["sha256"] != rows[1]["sha256"] and len(rows[0]["sm3"]) == 64
    first = CaseMaterial.objects.get(version=1)
    assert first.file.read() == PDF  # the first version is still there, untouched
    png = io.BytesIO(PNG)
    png.name = "x.png"
    wrong_type = client.post(url, {"material": "申请书", "file": png}, **headers)
    assert wrong_type.status_code == 400  # 申请书 accepts PDF only
    clerk_upload = io.BytesIO(PDF)
    clerk_upload.name = "a.pdf"
    assert (
        client.post(
            url, {"material": "申请书", "file": clerk_upload}, **bearer(world.other_clerk)
        ).status_code
        == 403
    )


def test_reuse_a_material_from_an_earlier_case(client, world):
    headers = bearer(world.user)
    first = submit(client, world, "k-a", **headers).json()["number"]
    upload = io.BytesIO(PDF)
    upload.name = "住所证明.pdf"
    source = client.post(
        f"/api/v1/cases/{first}/materials", {"material": "住所证明", "file": upload}, **headers
    ).json()
    second = submit(client, world, "k-b", **headers).json()["number"]
    reused = client.post(
        f"/api/v1/cases/{second}/materials/reuse",
        {"material": "住所证明", "source_id": source["id"]},
        content_type="application/json",
        **headers,
    )
    assert reused.status_code == 201 and reused.json()["reused_from"] == source["id"]
    assert reused.json()["sm3"] == source["sm3"]


def test_letters_are_listed_and_downloadable(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    client.post(
        f"/api/v1/cases/{number}/actions/accept",
        {},
        content_type="application/json",
        **bearer(world.clerk),
    )
    documents = client.get(f"/api/v1/cases/{number}/documents", **bearer(world.user)).json()
    assert [d["kind"] for d in documents] == ["acceptance_notice"]
    # The address printed in the letter's QR code opens its public check, without login.
    check = documents[0]["verification_url"].split("/verify/", 1)[1]
    assert Client().get(f"/verify/{check}").status_code == 200
    pdf = client.get(
        f"/api/v1/cases/{number}/documents/{documents[0]['id']}.pdf", **bearer(world.user)
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert saved_as(pdf) == ("inline", f"受理通知书-{documents[0]['number']}.pdf")
    assert (
        client.get(
            f"/api/v1/cases/{number}/documents/{documents[0]['id']}.pdf", **bearer(world.stranger)
        ).status_code
        == 403
    )
    history = client.get(f"/api/v1/cases/{number}/history", **bearer(world.user)).json()
    assert [h["action"] for h in history] == ["submit", "accept"]


def test_a_lost_upload_race_is_a_conflict_and_keeps_the_first_file(client, world, monkeypatch):
    from yiwang.cases import materials

    headers = bearer(world.user)
    number = submit(client, world, **headers).json()["number"]
    url = f"/api/v1/cases/{number}/materials"
    first = io.BytesIO(PDF)
    first.name = "a.pdf"
    assert client.post(url, {"material": "申请书", "file": first}, **headers).status_code == 201
    # As if another upload took version 2 between our read of the versions and our insert.
    monkeypatch.setattr(materials, "_next_version", lambda case, material: 1)
    second = io.BytesIO(PDF + b"%changed\n")
    second.name = "b.pdf"
    response = client.post(url, {"material": "申请书", "file": second}, **headers)
    assert response.status_code == 409 and response.json()["code"] == "material.conflict"
    assert [m.sha256 for m in CaseMaterial.objects.all()] == [CaseMaterial.objects.get().sha256]
    assert CaseMaterial.objects.get().file.read() == PDF


def test_a_licence_is_read_downloaded_and_revoked_by_the_issuers_leader(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    for user, action, body in (
        (world.clerk, "accept", {}),
        (world.handler, "review", {}),
        (world.reviewer, "hand_over", {}),
        (world.leader, "decide", {"decision": "approve"}),
        (world.prov_clerk, "conclude", {}),
    ):
        done = client.post(
            f"/api/v1/cases/{number}/actions/{action}",
            body,
            content_type="application/json",
            **bearer(user),
        )
        assert done.status_code == 200, done.content
    url = f"/api/v1/cases/{number}/licence"
    licence = client.get(url, **bearer(world.user)).json()
    assert licence["status"] == "valid" and licence["issuer"] == world.tree.province.name
    assert licence["verify_url"].startswith("http://testserver/verify/licence/")
    assert licence["verify_url"].endswith(f"?c={licence['verify_code']}")
    shown = Client().get(licence["verify_url"].removeprefix("http://testserver"))
    assert shown.status_code == 200 and "真实有效" in shown.content.decode()
    pdf = client.get(f"{url}.pdf", **bearer(world.user))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert saved_as(pdf) == ("inline", f"电子证照-{licence['number']}.pdf")
    assert client.get(url, **bearer(world.stranger)).status_code == 403

    revoke = f"{url}/revoke"
    reason = {"reason": "以欺骗手段取得许可"}
    for user in (world.user, world.prov_clerk, world.reviewer, world.stranger):
        refused = client.post(revoke, reason, content_type="application/json", **bearer(user))
        assert refused.status_code == 403, user.username
    blank = client.post(
        revoke, {"reason": " "}, content_type="application/json", **bearer(world.leader)
    )
    assert blank.status_code == 400 and blank.json()["code"] == "licence.reason_required"
    assert client.get(url, **bearer(world.user)).json()["status"] == "valid"

    done = client.post(revoke, reason, content_type="application/json", **bearer(world.leader))
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["status_label"]) == ("revoked", "已撤销")
    assert body["revocation_reason"] == "以欺骗手段取得许可" and body["revoked_at"]
    again = client.post(revoke, reason, content_type="application/json", **bearer(world.leader))
    assert again.status_code == 409 and again.json()["code"] == "licence.already_revoked"
    history = client.get(f"/api/v1/cases/{number}/history", **bearer(world.user)).json()
    assert history[-1]["action"] == "revoke_licence"
    assert history[-1]["action_label"] == "撤销证照"


def test_a_case_without_a_licence_answers_404(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    missing = client.get(f"/api/v1/cases/{number}/licence", **bearer(world.user))
    assert missing.status_code == 404 and missing.json()["code"] == "licence.not_found"


def test_applicants_read_the_reasons_told_to_them_and_not_internal_remarks(client, world):
    number = submit(client, world, **bearer(world.user)).json()["number"]
    url = f"/api/v1/cases/{number}/actions/"
    clerk = bearer(world.clerk)
    remark = "内部意见：申请人电话态度恶劣，注意"
    client.post(url + "accept", {"reason": remark}, content_type="application/json", **clerk)

    staff_view = client.get(f"/api/v1/cases/{number}/history", **clerk).json()
    assert staff_view[1]["reason"] == remark
    assert staff_view[1]["actor"] and staff_view[1]["role"] == "window_clerk"

    own_view = client.get(f"/api/v1/cases/{number}/history", **bearer(world.user)).json()
    assert [(h["action"], h["reason"], h["actor"], h["role"]) for h in own_view] == [
        ("submit", "", "", ""),
        ("accept", "", "", ""),
    ]
    assert own_view[1]["organization"] == staff_view[1]["organization"] != ""
    assert remark not in str(own_view)
    # A refusal's reason is the applicant's to read.
    other = submit(client, world, key="k-2", **bearer(world.user)).json()["number"]
    client.post(
        f"/api/v1/cases/{other}/actions/refuse",
        {"reason": "不属于本机关职权范围"},
        content_type="application/json",
        **clerk,
    )
    refused = client.get(f"/api/v1/cases/{other}/history", **bearer(world.user)).json()
    assert refused[-1]["reason"] == "不属于本机关职权范围"


def test_materials_are_locked_once_accepted_except_those_asked_for(client, world):
    headers = bearer(world.user)
    number = submit(client, world, **headers).json()["number"]
    url = f"/api/v1/cases/{number}/materials"
    actions = f"/api/v1/cases/{number}/actions/"

    def upload(name):
        file = io.BytesIO(PDF)
        file.name = f"{name}.pdf"
        return client.post(url, {"material": name, "file": file}, **headers)

    assert upload("申请书").status_code == 201  # before acceptance: the window examines it all
    client.post(
        actions + "accept_with_gaps",
        {"materials": [{"material": "住所证明"}], "due": "2026-12-31"},
        content_type="application/json",
        **bearer(world.clerk),
    )
    locked = upload("申请书")
    assert locked.status_code == 409 and locked.json()["code"] == "case.materials_locked"
    assert "不在需要补正或补交的材料之中" in locked.json()["message"]

    # Handing the owed material in needs its file first.
    early = client.post(
        actions + "supply_supplement", {}, content_type="application/json", **headers
    )
    assert early.status_code == 400 and early.json()["code"] == "case.supplement_missing"
    assert upload("住所证明").status_code == 201
    handed = client.post(
        actions + "supply_supplement", {}, content_type="application/json", **headers
    )
    assert handed.status_code == 200 and handed.json()["gaps"] == []
    after = upload("住所证明")
    assert after.status_code == 409 and "已经受理" in after.json()["message"]
    assert CaseMaterial.objects.filter(case__number=number).count() == 2


def test_a_file_over_the_limit_is_told_in_the_limits_unit(client, world, settings):
    settings.YIWANG_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    headers = bearer(world.user)
    number = submit(client, world, **headers).json()["number"]
    big = io.BytesIO(PDF + b"\x00" * (25 * 1024 * 1024 - len(PDF)))
    big.name = "申请书.pdf"
    refused = client.post(
        f"/api/v1/cases/{number}/materials", {"material": "申请书", "file": big}, **headers
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "material.too_large",
        "message": "文件大小 25 MB，超过上限 20 MB",
    }
    just_over = io.BytesIO(PDF + b"\x00" * (20 * 1024 * 1024 + 1 - len(PDF)))
    just_over.name = "申请书.pdf"
    refused = client.post(
        f"/api/v1/cases/{number}/materials", {"material": "申请书", "file": just_over}, **headers
    )
    assert refused.json()["message"] == "文件大小 20.1 MB，超过上限 20 MB"
