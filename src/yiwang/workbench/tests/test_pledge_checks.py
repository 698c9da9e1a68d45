"""告知承诺核查 in the workbench: the list of checks due, the case page's form, and who may use it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import PledgeCheck
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.models import ItemVersion
from yiwang.workbench.tests.conftest import ZHONGMOU, login

ITEM = "SF-LS-006"  # 律师事务所设立许可: 住所证明 may be replaced by a pledge; the province decides
LIST = "/work/pledge-checks/"


def _approved_on_a_pledge(demo):
    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code=ITEM)
    case = demo.submit(item=ITEM, org=ZHONGMOU, form_data=example_data(form_definition(version)))
    case = demo.act(case, "pledge", "zhang.wei", materials=["住所证明"])
    case = demo.act(case, "accept", "zhongmou.clerk")
    case = demo.act(case, "review", "zhengzhou.handler")
    case = demo.act(case, "hand_over", "zhengzhou.reviewer")
    case = demo.act(case, "decide", "henan.leader", decision="approve")
    return demo.act(case, "conclude", "henan.clerk")


def _form(page: str, number: str) -> bool:
    return reverse("workbench:pledge_check", args=[number]) in page


def test_the_deciding_organization_lists_the_check_and_records_its_finding(client, demo):
    case = _approved_on_a_pledge(demo)
    check = PledgeCheck.objects.get(case=case)
    client = login(client, demo, "henan.handler")
    listed = client.get(LIST).content.decode()
    assert case.number in listed and "住所证明" in listed
    assert f"{check.due_on:%Y-%m-%d}" in listed
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert "告知承诺代替" in page and "以承诺代替提交：住所证明" in page  # materials and facts
    assert _form(page, case.number)
    response = client.post(
        reverse("workbench:pledge_check", args=[case.number]),
        {"verdict": "false", "reason": "现场核查：所称住所为他人住宅"},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and "已登记为“承诺不实”" in page
    assert "承诺核查：待核查 → 承诺不实" in page  # the case's history
    assert not _form(page, case.number)
    assert case.number not in client.get(LIST).content.decode()  # no longer pending
    assert case.number in client.get(LIST + "?status=false").content.decode()


def test_an_overdue_check_is_marked_and_counted(client, demo):
    case = _approved_on_a_pledge(demo)
    PledgeCheck.objects.filter(case=case).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client = login(client, demo, "henan.leader")
    listed = client.get(LIST).content.decode()
    assert "已超期" in listed and "1 件已超期" in listed
    assert "已超期" in client.get(f"/work/cases/{case.number}/").content.decode()


def test_a_finding_without_words_keeps_the_form_and_the_choice(client, demo):
    case = _approved_on_a_pledge(demo)
    client = login(client, demo, "henan.handler")
    response = client.post(
        reverse("workbench:pledge_check", args=[case.number]), {"verdict": "confirmed"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写核查情况" in page and _form(page, case.number)
    assert 'value="confirmed" required checked' in page
    assert PledgeCheck.objects.get(case=case).status == "pending"


def test_others_are_neither_offered_nor_allowed_the_form(client, demo):
    case = _approved_on_a_pledge(demo)
    url = reverse("workbench:pledge_check", args=[case.number])
    # The issuer's clerk and the province's supervisor see the check but may not record it;
    # the city's handler sees the case but not its check (another organization's work), as does
    # the city's supervisor; a clerk of another county sees neither.
    for username, lists in (
        ("henan.clerk", True),
        ("henan.supervisor", True),
        ("zhengzhou.handler", False),
        ("zhengzhou.supervisor", False),
        ("lankao.clerk", False),
    ):
        client.logout()
        staff = login(client, demo, username)
        if username != "lankao.clerk":
            page = staff.get(f"/work/cases/{case.number}/").content.decode()
            assert not _form(page, case.number), username
        response = staff.post(url, {"verdict": "confirmed", "reason": "属实"})
        assert response.status_code == 403, username
        assert (case.number in staff.get(LIST).content.decode()) is lists, username
    assert PledgeCheck.objects.get(case=case).status == "pending"


def test_an_unknown_status_filter_is_a_clear_error(client, demo):
    client = login(client, demo, "henan.handler")
    response = client.get(LIST + "?status=done")
    assert response.status_code == 422 and "核查结果只能是" in response.content.decode()


def test_the_pager_keeps_the_filter_and_moves_the_page(rf):
    from django.template.loader import render_to_string

    from yiwang.workbench.selectors import Pages

    request = rf.get(LIST, {"status": "false", "page": "2"})
    html = render_to_string(
        "workbench/_pager.html", {"pages": Pages(number=2, count=120), "base": LIST}, request
    )
    assert f'href="{LIST}?status=false&amp;page=1" rel="prev"' in html
    assert f'href="{LIST}?status=false&amp;page=3" rel="next"' in html
    assert "第 2 / 3 页" in html
    single = render_to_string("workbench/_pager.html", {"pages": Pages(number=1, count=3)}, request)
    assert "分页" not in single
