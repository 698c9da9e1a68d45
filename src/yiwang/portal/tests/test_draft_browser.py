"""The draft page in a real browser (Debian's Chromium): what htmx shows when the server refuses
a material, where it goes when the session has expired, and that the form is saved as typed."""

from __future__ import annotations

import io
import zipfile

import pytest

from yiwang.accounts.models import Applicant, User
from yiwang.cases import drafts
from yiwang.cases.models import Draft
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.organizations.models import Organization
from yiwang.portal.tests.conftest import PDF, seed_demo_with_password

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "Draft-2026!"
ITEM = "SF-LS-006"  # 律师事务所设立许可: its 申请书 (material 1) accepts PDF, OFD, JPEG, PNG


@pytest.fixture
def draft(transactional_db) -> Draft:
    seed_demo_with_password(PASSWORD)
    user = User.objects.get(username="zhang.wei")
    firm = Applicant.objects.get(name="河南中原正道律师事务所")
    return drafts.start(user, ITEM, Organization.objects.get(name="中牟县司法局"), firm)


def _signed_in(browser_context, base: str):
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "zhang.wei")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{base}/")
    return page


def _upload(page, position: int, path) -> None:
    card = page.locator(f"#material-{position}")
    card.locator("input[type=file]").set_input_files(str(path))
    card.locator("button:has-text('上传')").click()


def test_a_refused_file_shows_the_servers_message_in_its_card(
    live_server, browser_context, draft, tmp_path
):
    page = _signed_in(browser_context, live_server.url)
    page.goto(f"{live_server.url}/my/drafts/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    # A ZIP named .pdf passes the browser's first-bytes check (an OFD is a ZIP too); only the
    # server, which looks inside, refuses it.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("readme.txt", "not an OFD")
    fake = tmp_path / "zip.pdf"
    fake.write_bytes(packed.getvalue())
    _upload(page, 1, fake)
    alert = page.locator("#material-1 [role=alert]")
    alert.wait_for()
    assert "所传文件按内容识别为：无法识别的格式" in alert.inner_text()
    assert "已上传" not in page.locator("#material-1").inner_text()

    # Submitted meanwhile in another tab: the upload is refused, and the card says why.
    user = User.objects.get(username="zhang.wei")
    version = drafts.current_version(ITEM)
    for material in version.materials.filter(mandatory=True):
        drafts.upload(draft, material.name, io.BytesIO(PDF), f"{material.name}.pdf", user)
    drafts.save(draft, user, example_data(form_definition(version)))
    drafts.submit_draft(draft, user)
    real = tmp_path / "申请书.pdf"
    real.write_bytes(PDF)
    _upload(page, 2, real)
    alert = page.locator("#material-2 [role=alert]")
    alert.wait_for()
    assert "该申请已经提交，不能再修改" in alert.inner_text()


def test_an_upload_after_the_session_expired_leads_to_the_login_page_and_back(
    live_server, browser_context, draft, tmp_path
):
    base = live_server.url
    page = _signed_in(browser_context, base)
    page.goto(f"{base}/my/drafts/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies(name="sessionid")  # the session has ended meanwhile
    real = tmp_path / "申请书.pdf"
    real.write_bytes(PDF)
    _upload(page, 1, real)
    # The whole page goes to the login page, which says why; never a login form in the card.
    page.wait_for_url(f"{base}/login/?next=/my/drafts/{draft.pk}/")
    assert "登录已过期，请重新登录" in page.locator("main").inner_text()
    assert page.locator("#material-1").count() == 0
    page.fill("#id_username", "zhang.wei")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{base}/my/drafts/{draft.pk}/")
    assert page.locator("#material-1").count() == 1


def test_what_is_typed_is_saved_as_it_is_typed(live_server, browser_context, draft):
    base = live_server.url
    page = _signed_in(browser_context, base)
    page.goto(f"{base}/my/drafts/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    page.fill("[name=firm_name]", "河南嵩岳律师事务所")
    page.select_option("[name=organization]", "普通合伙")
    page.locator("#autosave-status", has_text="已保存").wait_for()
    page.wait_for_load_state("networkidle")
    page.reload()  # no button pressed
    assert page.input_value("[name=firm_name]") == "河南嵩岳律师事务所"
    assert page.input_value("[name=organization]") == "普通合伙"
    draft.refresh_from_db()
    assert draft.case_id is None and draft.form_data["firm_name"] == "河南嵩岳律师事务所"
