"""Drafts over the API: save as sent, upload, submit once with every problem listed."""

from __future__ import annotations

import io

import pytest

from yiwang.cases.models import Case, CaseMaterial, Draft
from yiwang.cases.tests.test_api import PDF, bearer
from yiwang.cases.tests.test_services import World

URL = "/api/v1/drafts"


@pytest.fixture
def world(tree, make_staff) -> World:
    return World(tree, make_staff)


def start(client, world, headers, **body):
    payload = {"item_code": "SF-LS-006", "organization": world.tree.county_a1.credit_code}
    payload.update(body)
    return client.post(URL, payload, content_type="application/json", **headers)


def upload(client, draft_id, headers, content=PDF, material="申请书"):
    file = io.BytesIO(content)
    file.name = f"{material}.pdf"
    return client.post(
        f"{URL}/{draft_id}/materials", {"material": material, "file": file}, **headers
    )


def test_an_agent_fills_in_a_draft_over_several_requests_and_submits_it_once(client, world):
    agent = bearer(world.user)
    created = start(client, world, agent, applicant_id=world.firm.pk)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["applicant"] == "正道律师事务所" and draft["case_number"] is None
    assert draft["missing"] == ["申请书"]  # 住所证明 may be owed (容缺)
    url = f"{URL}/{draft['id']}"

    # Saved as sent, even what would not pass yet.
    saved = client.put(
        url,
        {"form_data": {"partners": ["张伟"], "note": 5}},
        content_type="application/json",
        **agent,
    )
    assert saved.status_code == 200 and saved.json()["form_data"] == {
        "partners": ["张伟"],
        "note": 5,
    }

    early = client.post(f"{url}/submit", **agent)
    assert early.status_code == 400 and early.json()["code"] == "draft.materials_missing"
    assert "申请书" in [d["field"] for d in early.json()["details"]]
    assert not Case.objects.exists()

    fake = upload(client, draft["id"], agent, content=b"MZ\x90\x00 an executable")
    assert fake.status_code == 400 and fake.json()["code"] == "material.file_type"
    added = upload(client, draft["id"], agent)
    assert added.status_code == 201 and added.json()["missing"] == []
    [chosen] = added.json()["materials"]
    assert chosen["material"] == "申请书" and chosen["file_type"] == "pdf"

    client.put(
        url, {"form_data": {"partners": ["张伟", "李娜"]}}, content_type="application/json", **agent
    )
    submitted = client.post(f"{url}/submit", **agent)
    assert submitted.status_code == 201, submitted.content
    case = submitted.json()
    assert case["status"] == "submitted" and case["applicant"] == "正道律师事务所"
    stored = CaseMaterial.objects.get(case__number=case["number"])
    assert (stored.material.name, stored.sha256) == ("申请书", chosen["sha256"])

    again = client.post(f"{url}/submit", **agent)  # a retried request: the same case
    assert again.status_code == 200 and again.json()["number"] == case["number"]
    assert Case.objects.count() == 1
    late = client.put(url, {"form_data": {}}, content_type="application/json", **agent)
    assert late.status_code == 409 and late.json()["code"] == "draft.submitted"
    assert client.get(URL, **agent).json() == []  # no longer an open draft
    assert client.get(url, **agent).json()["case_number"] == case["number"]


def test_materials_can_be_taken_back_and_unknown_ones_are_named(client, world):
    agent = bearer(world.user)
    draft_id = start(client, world, agent, applicant_id=world.firm.pk).json()["id"]
    upload(client, draft_id, agent)
    removed = client.delete(f"{URL}/{draft_id}/materials?material=申请书", **agent)
    assert removed.status_code == 200 and removed.json()["missing"] == ["申请书"]
    unknown = client.delete(f"{URL}/{draft_id}/materials?material=营业执照", **agent)
    assert unknown.status_code == 404 and unknown.json()["code"] == "material.unknown"
    wrong = upload(client, draft_id, agent, material="营业执照")
    assert wrong.status_code == 404 and wrong.json()["code"] == "material.unknown"


def test_only_the_applicant_and_their_agents_see_and_fill_a_draft(client, world):
    draft_id = start(client, world, bearer(world.user), applicant_id=world.firm.pk).json()["id"]
    url = f"{URL}/{draft_id}"
    for outsider in (world.stranger, world.clerk):
        headers = bearer(outsider)
        read = client.get(url, **headers)
        assert read.status_code == 403 and read.json()["code"] == "draft.forbidden"
        write = client.put(url, {"form_data": {"x": 1}}, content_type="application/json", **headers)
        assert write.status_code == 403
        assert upload(client, draft_id, headers).status_code == 403
        assert client.post(f"{url}/submit", **headers).status_code == 403
        assert client.get(URL, **headers).json() == []
    assert Draft.objects.get().form_data == {} and not Case.objects.exists()
    assert client.get(url).status_code == 401
    assert client.get(f"{URL}/999999", **bearer(world.user)).status_code == 404


def test_a_draft_is_refused_for_someone_one_does_not_act_for(client, world):
    refused = start(client, world, bearer(world.stranger), applicant_id=world.firm.pk)
    assert refused.status_code == 403 and refused.json()["code"] == "draft.forbidden"
    nobody = start(client, world, bearer(world.stranger))
    assert nobody.status_code == 400 and nobody.json()["code"] == "case.applicant_required"
    elsewhere = start(client, world, bearer(world.user), organization=world.tree.city_b.credit_code)
    assert elsewhere.status_code == 400 and elsewhere.json()["code"] == "case.not_implemented"
    assert not Draft.objects.exists()


def test_a_material_of_an_earlier_case_is_reused_without_uploading_again(client, world):
    agent = bearer(world.user)
    first = start(client, world, agent, applicant_id=world.firm.pk).json()["id"]
    upload(client, first, agent)
    number = client.post(f"{URL}/{first}/submit", **agent).json()["number"]
    earlier = CaseMaterial.objects.get(case__number=number)

    second = start(client, world, agent, applicant_id=world.firm.pk).json()["id"]
    reused = client.post(
        f"{URL}/{second}/materials/reuse",
        {"material": "申请书", "source_id": earlier.pk},
        content_type="application/json",
        **agent,
    )
    assert reused.status_code == 200, reused.content
    [chosen] = reused.json()["materials"]
    assert (chosen["reused_from"], chosen["reused_case"]) == (earlier.pk, number)
    assert reused.json()["missing"] == []
    # Someone else's material cannot be borrowed.
    own = start(client, world, agent).json()["id"]  # zhang.wei applying for himself
    borrowed = client.post(
        f"{URL}/{own}/materials/reuse",
        {"material": "申请书", "source_id": earlier.pk},
        content_type="application/json",
        **agent,
    )
    assert borrowed.status_code == 403 and borrowed.json()["code"] == "material.not_yours"


def test_nul_in_saved_answers_is_refused_and_the_draft_kept(client, world):
    agent = bearer(world.user)
    draft_id = start(client, world, agent, applicant_id=world.firm.pk).json()["id"]
    client.put(
        f"{URL}/{draft_id}",
        {"form_data": {"partners": ["张伟"]}},
        content_type="application/json",
        **agent,
    )
    bad = client.put(
        f"{URL}/{draft_id}",
        {"form_data": {"partners": ["张\u0000伟"]}},
        content_type="application/json",
        **agent,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "draft.unstorable"
    assert "空字符" in bad.json()["message"]
    assert Draft.objects.get().form_data == {"partners": ["张伟"]}
    nan = client.put(
        f"{URL}/{draft_id}",
        '{"form_data": {"capital": NaN}}',
        content_type="application/json",
        **agent,
    )
    assert nan.status_code in (400, 422) and Draft.objects.get().form_data == {"partners": ["张伟"]}
    # A case submitted directly keeps only the answers its form defines, checked: never a NUL.
    direct = client.post(
        "/api/v1/cases",
        {
            "item_code": "SF-LS-006",
            "organization": world.tree.county_a1.credit_code,
            "applicant_id": world.firm.pk,
            "idempotency_key": "nul-1",
            "form_data": {"partners": ["张\u0000伟"], "x": "\u0000"},
        },
        content_type="application/json",
        **agent,
    )
    assert direct.status_code in (201, 400), direct.content
    assert all("\x00" not in str(c.form_data) for c in Case.objects.all())


def test_listing_drafts_costs_the_same_for_one_draft_as_for_five(client, world):
    from django.db import connection

    agent = bearer(world.user)

    def listed_with_queries() -> tuple[list[dict], int]:
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            drafts = client.get(URL, **agent).json()
        return drafts, count

    start(client, world, agent, applicant_id=world.firm.pk)
    one, queries_for_one = listed_with_queries()
    for _ in range(4):
        start(client, world, agent, applicant_id=world.firm.pk)
    five, queries_for_five = listed_with_queries()
    assert (len(one), len(five)) == (1, 5)
    assert queries_for_five == queries_for_one
    assert all(d["missing"] == ["申请书"] for d in five)


def test_a_certificate_is_pledged_over_the_api_and_its_check_recorded_once(client, world):
    agent = bearer(world.user)
    draft = start(client, world, agent, applicant_id=world.firm.pk).json()
    url = f"{URL}/{draft['id']}"
    refused = client.post(
        f"{url}/materials/pledge", {"material": "申请书"}, content_type="application/json", **agent
    )
    assert refused.status_code == 400 and refused.json()["code"] == "material.pledge_not_offered"
    pledged = client.post(
        f"{url}/materials/pledge",
        {"material": "住所证明"},
        content_type="application/json",
        **agent,
    )
    assert pledged.status_code == 200 and pledged.json()["pledged_materials"] == ["住所证明"]
    upload(client, draft["id"], agent)
    client.put(
        url, {"form_data": {"partners": ["张伟", "李娜"]}}, content_type="application/json", **agent
    )
    case = client.post(f"{url}/submit", **agent).json()
    assert case["pledged_materials"] == ["住所证明"] and case["pledged"] is False

    number = case["number"]
    missing = client.get(f"/api/v1/cases/{number}/pledge-check", **agent)
    assert missing.status_code == 404 and missing.json()["code"] == "pledge_check.not_found"
    world.approve(Case.objects.get(number=number))

    check_url = f"/api/v1/cases/{number}/pledge-check"
    seen = client.get(check_url, **agent)
    assert seen.status_code == 200 and seen.json()["status"] == "pending"
    assert seen.json()["organization"]["name"] == world.tree.province.name
    finding = {"verdict": "confirmed", "finding": "调取不动产登记信息，住所属实"}
    for outsider, status in ((world.user, 403), (world.prov_clerk, 403), (world.handler, 403)):
        answer = client.post(
            check_url, finding, content_type="application/json", **bearer(outsider)
        )
        assert answer.status_code == status, outsider.username
    assert client.get(check_url, **agent).json()["status"] == "pending"
    leader = bearer(world.leader)
    bad = client.post(
        check_url, {"verdict": "unknown", "finding": "x"}, content_type="application/json", **leader
    )
    assert bad.status_code == 400 and bad.json()["code"] == "pledge_check.verdict"
    done = client.post(check_url, finding, content_type="application/json", **leader)
    assert done.status_code == 200 and done.json()["status_label"] == "承诺属实"
    again = client.post(check_url, finding, content_type="application/json", **leader)
    assert again.status_code == 409 and again.json()["code"] == "pledge_check.recorded"

    listed = client.get("/api/v1/pledge-checks?status=confirmed", **leader).json()
    assert (listed["count"], listed["pages"]) == (1, 1)
    assert [c["case_number"] for c in listed["items"]] == [number]
    assert client.get("/api/v1/pledge-checks", **leader).json() == listed
    assert client.get("/api/v1/pledge-checks?status=pending", **leader).json()["count"] == 0
    assert client.get("/api/v1/pledge-checks?page=2", **leader).json()["items"] == []
    assert client.get("/api/v1/pledge-checks", **bearer(world.clerk)).json()["count"] == 0
    wrong = client.get("/api/v1/pledge-checks?status=done", **leader)
    assert wrong.status_code == 400 and wrong.json()["code"] == "pledge_check.status"
    nowhere = client.get("/api/v1/pledge-checks?page=0", **leader)
    assert nowhere.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_draft_at_once_file_one_case_and_say_so_once(
    tree, make_staff, client
):
    """A double click sent as two requests at once: one 201 (filed), one 200 (the same case)."""
    import threading

    from django.db import connection

    from yiwang.cases import drafts

    world = World(tree, make_staff)
    agent = bearer(world.user)
    draft_id = start(client, world, agent, applicant_id=world.firm.pk).json()["id"]
    upload(client, draft_id, agent)
    client.put(
        f"{URL}/{draft_id}",
        {"form_data": {"partners": ["张伟"]}},
        content_type="application/json",
        **agent,
    )
    barrier = threading.Barrier(2)
    filed: list[tuple[str, bool]] = []

    def submit_once() -> None:
        try:
            draft = Draft.objects.get(pk=draft_id)
            barrier.wait()
            case, first = drafts.file_draft(draft, world.user)
            filed.append((case.number, first))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(filed) == 2 and filed[0][0] == filed[1][0]
    assert sorted(first for _, first in filed) == [False, True]
    assert Case.objects.count() == 1
