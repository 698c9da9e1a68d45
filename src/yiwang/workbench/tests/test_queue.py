"""The queue (待办) and the done list (已办): who sees what, in which order, with which badge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from yiwang.accounts.models import Role, RoleAssignment
from yiwang.cases.models import Case
from yiwang.workbench import selectors
from yiwang.workbench.selectors import QueueFilters
from yiwang.workbench.tests.conftest import (
    COUNTY_ITEM,
    LANKAO,
    PROVINCE,
    PROVINCE_ITEM,
    SPLIT_ITEM,
    ZHENGZHOU,
    login,
)
from yiwang.workcalendar.services import current_calendar

NUMBER = re.compile(r'href="/work/cases/([0-9A-Z]+)/"')


def numbers_on(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return NUMBER.findall(response.content.decode())


def queue_numbers(demo, username: str, today: dt.date | None = None, **filters) -> list[str]:
    page = selectors.queue(
        demo.user(username),
        QueueFilters(**filters),
        today=today or timezone.localdate(),
        calendar=current_calendar(),
    )
    return [row.number for row in page.rows]


def test_each_role_sees_exactly_the_cases_at_its_step(client, demo):
    county_new = demo.submit(COUNTY_ITEM)
    split_new = demo.submit(SPLIT_ITEM)
    other_county = demo.submit(COUNTY_ITEM, org=LANKAO)
    county_review = demo.act(demo.submit(COUNTY_ITEM), "accept", "zhongmou.clerk")
    city_review = demo.act(demo.submit(SPLIT_ITEM), "accept", "zhongmou.clerk")
    province = demo.submit(PROVINCE_ITEM, org=PROVINCE)
    demo.act(province, "accept", "henan.clerk")
    at_decision = demo.act(province, "review", "henan.handler")
    waiting = demo.act(
        demo.submit(COUNTY_ITEM), "request_supplement", "zhongmou.clerk",
        materials=[{"material": "身份证复印件", "problem": "不清晰"}],
    )  # fmt: skip

    assert set(numbers_on(login(client, demo, "zhongmou.clerk").get("/work/"))) == {
        county_new.number,
        split_new.number,
    }
    assert queue_numbers(demo, "zhongmou.handler") == [county_review.number]
    assert queue_numbers(demo, "zhengzhou.handler") == [city_review.number]
    assert queue_numbers(demo, "lankao.clerk") == [other_county.number]
    assert set(numbers_on(login(client, demo, "henan.leader").get("/work/"))) == {
        at_decision.number
    }
    assert queue_numbers(demo, "henan.clerk") == []
    assert queue_numbers(demo, "zhengzhou.clerk") == []
    # Waiting for the applicant: not in the queue, listed apart.
    assert queue_numbers(demo, "zhongmou.clerk", view="waiting") == [waiting.number]
    page = login(client, demo, "zhongmou.clerk").get("/work/?view=waiting")
    assert numbers_on(page) == [waiting.number] and "等待申请人补正" in page.content.decode()


def test_a_user_with_roles_at_two_organizations_sees_both(client, demo):
    user = demo.user("zhongmou.handler")
    RoleAssignment.objects.create(user=user, organization=demo.org(ZHENGZHOU), role=Role.HANDLER)
    county = demo.act(demo.submit(COUNTY_ITEM), "accept", "zhongmou.clerk")
    city = demo.act(demo.submit(SPLIT_ITEM), "accept", "zhongmou.clerk")
    assert set(queue_numbers(demo, "zhongmou.handler")) == {county.number, city.number}


def test_supervisors_watch_every_open_case_held_within_their_reach(client, demo):
    county_new = demo.submit(COUNTY_ITEM)  # held by 中牟县
    city_review = demo.act(demo.submit(SPLIT_ITEM), "accept", "zhongmou.clerk")  # by 郑州市
    other_city = demo.submit(COUNTY_ITEM, org=LANKAO)  # 兰考县, under 开封
    province = demo.submit(PROVINCE_ITEM, org=PROVINCE)
    waiting = demo.act(
        demo.submit(COUNTY_ITEM), "request_supplement", "zhongmou.clerk",
        materials=[{"material": "身份证复印件", "problem": "不清晰"}],
    )  # fmt: skip
    refused = demo.act(demo.submit(COUNTY_ITEM), "refuse", "zhongmou.clerk", "不属于本机关职权")
    assert refused.status == "refused"

    assert queue_numbers(demo, "zhongmou.supervisor") == [county_new.number]
    assert set(queue_numbers(demo, "zhengzhou.supervisor")) == {
        county_new.number,
        city_review.number,
    }
    assert set(queue_numbers(demo, "henan.supervisor")) == {
        county_new.number,
        city_review.number,
        other_city.number,
        province.number,
    }
    assert queue_numbers(demo, "zhengzhou.supervisor", view="waiting") == [waiting.number]
    page = login(client, demo, "zhengzhou.supervisor").get("/work/")
    html = page.content.decode()
    assert set(numbers_on(page)) == {county_new.number, city_review.number}
    assert "监察范围内在办 2 件" in html and ">在办监察</a>" in html
    assert ">已办</a>" not in html  # a supervisor acts on no case: nothing is ever done
    assert '<th scope="col">办理机构</th>' in html and "中牟县司法局" in html
    # Watching is reading: the case page offers a supervisor no action.
    case_page = client.get(f"/work/cases/{county_new.number}/").content.decode()
    assert county_new.number in case_page and "/act/" not in case_page


def test_a_catalogue_administrator_handles_no_step_and_watches_no_case(client, demo):
    demo.submit(COUNTY_ITEM)
    page = login(client, demo, "henan.catalog").get("/work/")
    html = page.content.decode()
    assert numbers_on(page) == [] and "待办为空" in html and "在办监察" not in html


def test_a_supervisor_who_also_handles_keeps_a_to_do_list(client, demo):
    user = demo.user("zhongmou.handler")
    RoleAssignment.objects.create(user=user, organization=demo.org(ZHENGZHOU), role=Role.SUPERVISOR)
    county_new = demo.submit(COUNTY_ITEM)  # at 中牟县's window, not the handler's step
    county_review = demo.act(demo.submit(COUNTY_ITEM), "accept", "zhongmou.clerk")
    assert queue_numbers(demo, "zhongmou.handler") == [county_review.number]
    html = login(client, demo, "zhongmou.handler").get("/work/").content.decode()
    assert ">待办</a>" in html and county_new.number not in html


def test_sorted_by_step_deadline_then_promised_deadline_then_number(demo):
    today = timezone.localdate()
    cases = [demo.act(demo.submit(), "accept", "zhongmou.clerk") for _ in range(5)]
    a, b, c, d, e = cases
    dates = {
        a: (today + dt.timedelta(days=10), today + dt.timedelta(days=20)),
        b: (today + dt.timedelta(days=2), today + dt.timedelta(days=30)),
        c: (today + dt.timedelta(days=10), today + dt.timedelta(days=15)),
        d: (None, None),  # suspended: the clock is paused, last
        e: (today + dt.timedelta(days=10), today + dt.timedelta(days=15)),
    }
    for case, (step_due, promised_due) in dates.items():
        Case.objects.filter(pk=case.pk).update(step_due=step_due, promised_due=promised_due)
    Case.objects.filter(pk=d.pk).update(status="suspended", suspended_on=today)
    expected = [b.number, *sorted([c.number, e.number]), a.number, d.number]
    assert queue_numbers(demo, "zhongmou.handler") == expected


def _set_due(case, due, status="in_progress"):
    Case.objects.filter(pk=case.pk).update(step_due=due, status=status)


@pytest.mark.parametrize(
    ("today", "dues"),
    [
        # 国庆: 10-01 … 10-07 are holidays; the next working day after 09-30 is 10-08.
        (
            dt.date(2026, 9, 30),
            {
                "over": dt.date(2026, 9, 29),
                "due-today": dt.date(2026, 9, 30),
                "due-holiday": dt.date(2026, 10, 5),
                "due-next": dt.date(2026, 10, 8),
                "ok": dt.date(2026, 10, 9),
            },
        ),
        # A Friday: the next working day is Monday 11-23.
        (
            dt.date(2026, 11, 20),
            {
                "over": dt.date(2026, 11, 19),
                "due-today": dt.date(2026, 11, 20),
                "due-holiday": dt.date(2026, 11, 22),
                "due-next": dt.date(2026, 11, 23),
                "ok": dt.date(2026, 11, 24),
            },
        ),
    ],
)
def test_badges_follow_the_working_day_calendar(client, demo, monkeypatch, today, dues):
    assert selectors.soon_limit(today, current_calendar()) == dues["due-next"]
    cases = {}
    for name, due in dues.items():
        cases[name] = demo.act(demo.submit(), "accept", "zhongmou.clerk")
        _set_due(cases[name], due)
    cases["paused"] = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    _set_due(cases["paused"], None, status="suspended")

    page = selectors.queue(
        demo.user("zhongmou.handler"), QueueFilters(), today=today, calendar=current_calendar()
    )
    badges = {row.number: row.badge.kind for row in page.rows}
    expected = {
        "over": "over", "due-today": "due", "due-holiday": "due", "due-next": "due", "ok": "ok",
        "paused": "paused",
    }  # fmt: skip
    assert {name: badges[case.number] for name, case in cases.items()} == expected
    assert (page.counts["over"], page.counts["due"], page.counts["ok"]) == (1, 3, 1)
    assert page.counts["paused"] == 1 and page.counts["queue"] == 6
    over_only = selectors.queue(
        demo.user("zhongmou.handler"),
        QueueFilters(badge="over"),
        today=today,
        calendar=current_calendar(),
    )
    assert [row.number for row in over_only.rows] == [cases["over"].number]

    # The page reads today from django.utils.timezone.localdate().
    real = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, tz=None: today if value is None else real(value, tz),
    )
    html = login(client, demo, "zhongmou.handler").get("/work/").content.decode()
    assert "已超期 1，即将到期 3，正常 1，已暂停 1" in html
    row = html[html.index(cases["ok"].number) :].split("</tr>")[0]
    assert "badge-ok" in row and "正常" in row


def test_filters_and_search_combine_and_stay_in_the_url(client, demo):
    from yiwang.accounts.models import Applicant

    other = Applicant.objects.get(user__username="li.na")  # 李娜
    jc_online = demo.submit(COUNTY_ITEM)
    jc_window = demo.submit(COUNTY_ITEM)
    Case.objects.filter(pk=jc_window.pk).update(channel="window")
    ls = demo.submit(SPLIT_ITEM)
    for_other = demo.submit(COUNTY_ITEM, applicant=other)
    client = login(client, demo, "zhongmou.clerk")
    from yiwang.catalog.models import ServiceItem

    jc = ServiceItem.objects.get(code=COUNTY_ITEM).pk
    ls_item = ServiceItem.objects.get(code=SPLIT_ITEM).pk

    assert set(numbers_on(client.get(f"/work/?item={jc}"))) == {
        jc_online.number, jc_window.number, for_other.number
    }  # fmt: skip
    assert numbers_on(client.get(f"/work/?item={ls_item}")) == [ls.number]
    assert numbers_on(client.get(f"/work/?item={jc}&channel=window")) == [jc_window.number]
    assert numbers_on(client.get("/work/", {"applicant": "李娜"})) == [for_other.number]
    assert numbers_on(client.get("/work/", {"q": "李娜"})) == [for_other.number]
    assert numbers_on(client.get(f"/work/?q={ls.number[-8:]}")) == [ls.number]
    assert numbers_on(client.get("/work/?step=review")) == []
    assert len(numbers_on(client.get("/work/?step=accept"))) == 4
    # Unknown values are ignored rather than failing the page.
    assert len(numbers_on(client.get("/work/?channel=fax&item=x&page=-3&badge=zzz"))) == 4

    page = client.get(f"/work/?item={jc}&channel=window")
    html = page.content.decode()
    assert 'hx-get="/work/"' in html and 'hx-push-url="true"' in html
    assert f'<option value="{jc}" selected>' in html
    assert '<option value="window" selected>' in html

    partial = client.get(f"/work/?item={jc}&channel=window", HTTP_HX_REQUEST="true")
    fragment = partial.content.decode()
    assert "<html" not in fragment and numbers_on(partial) == [jc_window.number]
    assert 'hx-swap-oob="true"' in fragment and "待办 1 件" in fragment
    assert "HX-Request" in partial["Vary"]
    # A history restore gets the whole page.
    restored = client.get(
        f"/work/?item={jc}", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restored.content.decode()


def test_the_queue_is_paginated_by_50(client, demo):
    for _ in range(52):
        demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    first = client.get("/work/")
    assert len(numbers_on(first)) == 50 and "第 1 / 2 页" in first.content.decode()
    second = client.get("/work/?page=2")
    assert len(numbers_on(second)) == 2
    assert not set(numbers_on(first)) & set(numbers_on(second))


def test_done_lists_the_cases_i_acted_on_newest_first(client, demo):
    first = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    second = demo.act(
        demo.submit(), "request_supplement", "zhongmou.clerk",
        materials=[{"material": "身份证复印件", "problem": "不清晰"}],
    )  # fmt: skip
    third = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    demo.act(first, "hand_over", "zhongmou.handler")  # someone else's action: not mine
    demo.submit()  # never touched

    page = login(client, demo, "zhongmou.clerk").get("/work/done/")
    html = page.content.decode()
    assert numbers_on(page) == [third.number, second.number, first.number]
    assert "一次性告知补正" in html and "郑州市司法局" in html  # first moved on to the city
    handler = login(client, demo, "zhongmou.handler").get("/work/done/")
    assert numbers_on(handler) == [first.number] and "移送" in handler.content.decode()
