"""Acting through the case page: every write goes through ``perform``, as the API's do."""

from __future__ import annotations

import re

from yiwang.audit.models import AuditEntry
from yiwang.cases.models import Case
from yiwang.documents.models import Document
from yiwang.workbench import selectors
from yiwang.workbench.tests.conftest import SPLIT_ITEM, login

NUMBER = re.compile(r'href="/work/cases/([0-9A-Z]+)/"')


def post(client, case, action, **data):
    data.setdefault("version", case.version)
    return client.post(f"/work/cases/{case.number}/act/{action}", data)


def queue_of(client, demo, username) -> list[str]:
    return NUMBER.findall(login(client, demo, username).get("/work/").content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_accept_redirects_to_the_case_with_a_message(client, demo):
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    response = post(client, case, "accept", reason="材料齐全")
    assert response.status_code == 302 and response["Location"] == f"/work/cases/{case.number}/"
    updated = demo.reload(case)
    assert updated.status == "in_progress" and updated.version == case.version + 1
    entry = AuditEntry.objects.get(case_id=case.pk, action="accept")
    assert entry.actor_name == "袁晨" and entry.reason == "材料齐全" and entry.client_addr
    page = client.get(response["Location"])
    assert "“受理”已完成" in page.content.decode()
    assert 'role="status"' in page.content.decode()  # messages are announced


def test_split_acceptance_puts_the_case_in_the_city_handlers_queue(client, demo):
    case = demo.submit(item=SPLIT_ITEM)
    response = post(login(client, demo, "zhongmou.clerk"), case, "accept")
    assert response.status_code == 302
    assert "已转至 郑州市司法局（市级初审）" in messages_of(response)[0]
    assert queue_of(client, demo, "zhengzhou.handler") == [case.number]
    assert case.number not in queue_of(client, demo, "zhongmou.clerk")


def test_request_supplement_with_two_materials(client, demo):
    case = demo.submit()
    options = {m.name: m.position for m in selectors.material_options(case.item_version_id)}
    photo, id_copy = options["照片"], options["身份证复印件"]
    response = post(
        login(client, demo, "zhongmou.clerk"),
        case,
        "request_supplement",
        materials=[str(photo), str(id_copy)],
        **{f"problem_{photo}": "底色不符合要求", f"problem_{id_copy}": "复印件不清晰"},
    )
    assert response.status_code == 302
    updated = demo.reload(case)
    assert updated.status == "supplement"
    assert sorted(updated.supplement, key=lambda s: s["material"]) == sorted(
        [
            {"material": "照片", "problem": "底色不符合要求"},
            {"material": "身份证复印件", "problem": "复印件不清晰"},
        ],
        key=lambda s: s["material"],
    )
    assert Document.objects.filter(case_id=case.pk, kind="supplement_notice").exists()
    assert case.number not in queue_of(client, demo, "zhongmou.clerk")
    waiting = login(client, demo, "zhongmou.clerk").get("/work/?view=waiting").content.decode()
    assert case.number in waiting


def test_hand_over_then_send_back(client, demo):
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    response = post(login(client, demo, "zhongmou.handler"), case, "hand_over", reason="初审通过")
    assert response.status_code == 302 and response["Location"] == "/work/"
    assert messages_of(response) == [f"办件 {case.number} 已移送至 郑州市司法局（审核）。"]
    # The receiving organization sees it at once; the sender no longer does.
    assert queue_of(client, demo, "zhengzhou.reviewer") == [case.number]
    assert case.number not in queue_of(client, demo, "zhongmou.handler")

    case = demo.reload(case)
    page = login(client, demo, "zhengzhou.reviewer").get(f"/work/cases/{case.number}/")
    assert '<option value="review">审查并出具意见</option>' in page.content.decode()
    response = post(
        login(client, demo, "zhengzhou.reviewer"), case, "send_back",
        to_step="review", reason="缺少实习鉴定意见的核实情况",
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/work/"
    assert messages_of(response) == [
        f"办件 {case.number} 已回退至 中牟县司法局（审查并出具意见）。"
    ]
    assert queue_of(client, demo, "zhongmou.handler") == [case.number]
    entry = AuditEntry.objects.filter(case_id=case.pk).latest("seq")
    assert entry.action == "send_back" and entry.reason == "缺少实习鉴定意见的核实情况"


def test_send_back_without_a_reason_is_refused_and_nothing_changes(client, demo):
    case = demo.act(
        demo.act(demo.submit(), "accept", "zhongmou.clerk"), "hand_over", "zhongmou.handler"
    )
    response = post(login(client, demo, "zhengzhou.reviewer"), case, "send_back", to_step="review")
    assert response.status_code == 422
    assert "回退必须填写理由" in response.content.decode()
    assert demo.reload(case).version == case.version


def _at_decision(demo):
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    case = demo.act(case, "hand_over", "zhongmou.handler")
    return demo.act(case, "check", "zhengzhou.reviewer")


def test_deny_without_a_reason_shows_the_error_and_keeps_the_input(client, demo):
    case = _at_decision(demo)
    client = login(client, demo, "zhengzhou.leader")
    response = post(client, case, "decide", decision="deny", reason="   ")
    assert response.status_code == 422
    html = response.content.decode()
    form = html[html.index('id="act-decide"') :].split("</details>")[0]
    assert "不予准予必须填写理由" in form and 'role="alert"' in form
    assert '<details class="card wb-action" id="act-decide" open>' in html
    assert 'value="deny" checked' in form
    assert demo.reload(case).version == case.version

    response = post(client, case, "decide", decision="deny", reason="执业登记表与身份证明不符")
    assert response.status_code == 302
    updated = demo.reload(case)
    assert updated.outcome == "denied" and updated.step_key == "deliver"
    assert queue_of(client, demo, "zhengzhou.clerk") == [case.number]  # the city window delivers


def test_delivery_needs_its_date_of_service(client, demo):
    case = demo.act(_at_decision(demo), "decide", "zhengzhou.leader", decision="approve")
    case = demo.act(case, "conclude", "zhengzhou.clerk")
    client = login(client, demo, "zhengzhou.clerk")
    response = post(client, case, "deliver", method="post", served_on="")
    assert response.status_code == 422 and "请填写送达日期" in response.content.decode()
    assert demo.reload(case).version == case.version  # nothing served on an assumed day
    response = post(client, case, "deliver", method="post", served_on=str(case.decided_on))
    assert response.status_code == 302
    assert demo.reload(case).delivered_on == case.decided_on


def test_an_invalid_date_is_refused_with_the_input_kept(client, demo):
    case = demo.submit()
    options = {m.name: m.position for m in selectors.material_options(case.item_version_id)}
    response = post(
        login(client, demo, "zhongmou.clerk"), case, "accept_with_gaps",
        materials=[str(options["照片"])], due="明天", reason="照片后补",
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert "补交期限不是有效的日期" in html and "照片后补" in html
    assert demo.reload(case).status == "submitted"


def test_a_stale_version_is_a_409_with_the_page_refreshed_and_the_reason_kept(client, demo):
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert f'name="version" value="{case.version}"' in page
    demo.act(case, "accept", "zhongmou.clerk")  # someone acts first, from another window
    response = post(client, case, "refuse", reason="申请人不符合执业条件：未满实习期")
    assert response.status_code == 409
    html = response.content.decode()
    assert "该办件刚刚已有新的办理操作（" in html and "页面已刷新，请核对后再操作" in html
    assert "他人" not in html  # it may have been the same user, from another window
    assert "袁晨于" in html and "“受理”" in html
    assert "申请人不符合执业条件：未满实习期" in html  # the typed reason is not lost
    assert "办理中" in html  # the refreshed state
    assert demo.reload(case).status == "in_progress"


def test_a_stale_version_keeps_the_input_in_a_still_offered_form(client, demo):
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    stale = case.version
    demo.act(case, "suspend", "zhongmou.handler", reason="现场核查", kind="site_check")
    case = demo.act(demo.reload(case), "resume", "zhongmou.handler")
    response = post(
        login(client, demo, "zhongmou.handler"), case, "hand_over",
        version=stale, reason="审查意见：同意",
    )  # fmt: skip
    assert response.status_code == 409
    html = response.content.decode()
    form = html[html.index('id="act-hand_over"') :].split("</details>")[0]
    assert "审查意见：同意" in form and f'name="version" value="{case.version}"' in form
    assert Case.objects.get(pk=case.pk).owner_org_id == case.owner_org_id


def test_a_missing_version_is_refused(client, demo):
    case = demo.submit()
    response = login(client, demo, "zhongmou.clerk").post(
        f"/work/cases/{case.number}/act/accept", {}
    )
    assert response.status_code == 422 and "版本号" in response.content.decode()
    assert demo.reload(case).status == "submitted"


def test_an_action_the_rules_refuse_is_403(client, demo):
    case = demo.submit()
    response = post(login(client, demo, "zhongmou.handler"), case, "accept")
    assert response.status_code == 403
    assert "只有当前办理机构的窗口受理人员可以受理" in response.content.decode()
