""" "我的办件" on a phone (375 px wide, Debian's Chromium): every column of every case is on the
screen, without sideways scrolling, and drafts are listed by the item's name."""

from __future__ import annotations

import uuid

import pytest

from yiwang.accounts.models import Applicant, User
from yiwang.cases import drafts
from yiwang.cases.services import Submission, submit
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.selectors import current_version
from yiwang.organizations.models import Organization
from yiwang.portal.tests.conftest import seed_demo_with_password

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "Phone-2026!"


@pytest.fixture
def zhang_with_a_case_and_a_draft(transactional_db) -> User:
    seed_demo_with_password(PASSWORD)
    user = User.objects.get(username="zhang.wei")
    firm = Applicant.objects.get(name="河南中原正道律师事务所")
    zhongmou = Organization.objects.get(name="中牟县司法局")
    submit(
        user,
        Submission(
            item_code="SF-LS-006",
            organization=zhongmou,
            applicant=firm,
            idempotency_key=uuid.uuid4().hex,
            form_data=example_data(form_definition(current_version("SF-LS-006"))),
        ),
    )
    drafts.start(user, "SF-LS-006", zhongmou, firm)
    return user


def test_my_cases_fit_a_phone_screen(live_server, browser_context, zhang_with_a_case_and_a_draft):
    context = browser_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "zhang.wei")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.goto(f"{live_server.url}/my/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    name = current_version("SF-LS-006").name
    tables = page.locator("table")
    draft_row, case_row = (
        tables.nth(0).locator("tbody tr").first,
        tables.nth(1).locator("tbody tr").first,
    )
    assert name in draft_row.inner_text() and "SF-LS-006" not in draft_row.inner_text()
    # Every cell of the case, the status last, lies within the screen and is wider than a
    # single character.
    for cell in case_row.locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert box["width"] > 100, (cell.inner_text(), box)
    assert "待受理" in case_row.locator("td").last.inner_text()
    context.close()
