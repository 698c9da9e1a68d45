"""One whole journey in a real browser (Debian's Chromium driven by Playwright) against a live
server on the demo province: an applicant registers, finds 律师事务所设立许可, fills the form with
two partners, uploads the materials and submits; the county window asks for a supplement, the
applicant supplies it, the window accepts; the city reviews and hands over; the province leader
approves; the province window concludes and delivers; the applicant downloads the decision letter
and the signed licence, checks the licence where its QR code points, and rates the service.

Every page is checked against the WCAG 2.1 A/AA rules axe-core automates and, on the phone, for
sideways overflow, then photographed into ``$YIWANG_DATA_DIR/screenshots/journey/``
(``var/…`` by default), numbered in the order of the journey.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from yiwang.cases.models import Case, CaseMaterial, Rating, Status
from yiwang.core.printed import public_base_url
from yiwang.documents.rendering import verification_url
from yiwang.portal.tests.conftest import seed_demo_with_password

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "Journey-2026!"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SHOTS = Path(settings.DATA_DIR) / "screenshots" / "journey"


# axe-core (Deque, MPL-2.0), vendored for the tests only: the WCAG 2.1 A and AA rules it can
# check automatically (contrast, labels, names, landmarks, language …) on every page visited.
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text()
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
  return result.violations.map(v => `${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 120)}`);
}"""


class Camera:
    def __init__(self) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        self.count = 0

    def shoot(self, page, name: str) -> None:
        self.count += 1
        page.add_script_tag(content=AXE)
        violations = page.evaluate(AXE_RUN)
        assert violations == [], f"{name}: WCAG 2.1 AA: {violations}"
        if page.viewport_size["width"] < 500:
            # On a phone nothing may need sideways scrolling (wide tables scroll inside a box).
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: page is {overflow}px wider than the phone"
        page.screenshot(path=str(SHOTS / f"{self.count:02d}-{name}.png"), full_page=True)


def _login(browser_context, base: str, username: str):
    context = browser_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{base}/")
    return page


def _open_panel(page, kind: str):
    """Open one action's panel (a <details>) and wait until it is open."""
    page.wait_for_load_state("networkidle")
    panel = page.locator(f"#act-{kind}")
    summary = panel.locator("summary")
    summary.scroll_into_view_if_needed()
    summary.click()
    page.wait_for_function(f"document.querySelector('#act-{kind}').open")
    return panel


def _act(page, kind: str, reason: str = "", **choices: str) -> None:
    """Open one action of the workbench's action panel, give what it asks for, confirm."""
    panel = _open_panel(page, kind)
    for selector, value in choices.items():
        panel.locator(selector.replace("__", " ")).select_option(value)
    if reason:
        panel.locator("textarea[name=reason]").fill(reason)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _open_from_queue(page, base: str, number: str) -> None:
    page.goto(f"{base}/work/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/work/cases/{number}/")


@pytest.fixture
def demo_with_passwords(transactional_db):
    seed_demo_with_password(PASSWORD, STAFF)


STAFF = (
    "zhongmou.clerk",
    "zhengzhou.handler",
    "zhengzhou.reviewer",
    "henan.leader",
    "henan.clerk",
)


def test_whole_journey_in_a_real_browser(
    live_server, browser_context, demo_with_passwords, tmp_path
):
    base = live_server.url
    camera = Camera()

    # --- The applicant registers. ---------------------------------------------------------
    context = browser_context(viewport={"width": 390, "height": 844})  # a phone
    me = context.new_page()
    me.goto(f"{base}/my/register/")
    me.fill("#id_username", "chen.jing")
    me.fill("#id_full_name", "陈静")
    me.fill("#id_id_number", "110105198001010016")
    me.fill("#id_phone", "13912345678")
    me.fill("#id_password", PASSWORD)
    camera.shoot(me, "register")
    me.click("button:has-text('注册')")
    me.wait_for_url(f"{base}/my/")
    assert "注册成功" in me.content()

    # --- Finds the item by a partial keyword and reads its guide. -------------------------
    me.goto(f"{base}/")
    me.fill("#q", "律所设立")
    me.get_by_role("link", name="律师事务所设立许可").first.wait_for()
    camera.shoot(me, "search")
    me.get_by_role("link", name="律师事务所设立许可").first.click()
    me.wait_for_url(f"{base}/items/SF-LS-006/")
    assert me.locator("text=示范样例").count() > 0
    camera.shoot(me, "guide")
    me.get_by_role("link", name="在线申请").click()

    # --- Chooses the county window, fills the form with two partners. ---------------------
    me.select_option("#id_organization", label="中牟县司法局")
    camera.shoot(me, "apply")
    me.click("button:has-text('开始填写申请')")
    me.wait_for_url(f"{base}/my/drafts/*/")
    me.fill("[name=firm_name]", "河南嵩岳律师事务所")
    me.fill("[name=name_approval_no]", "豫律名预〔2026〕第0123号")
    me.select_option("[name=organization]", "普通合伙")
    me.fill("[name=address]", "郑州市中牟县青年路 8 号")
    me.fill("[name=phone]", "0371-62123456")
    me.fill("[name=capital]", "50")
    me.fill("[name=head_name]", "陈静")
    me.fill("[name=partners-0-name]", "陈静")
    me.fill("[name=partners-0-id_number]", "110105198001010016")
    me.fill("[name=partners-0-licence_no]", "14101201100000011")
    me.fill("[name=partners-0-years_of_practice]", "6")
    me.click("button[name=add_row][value=partners]")
    me.wait_for_selector("[name=partners-1-name]")
    assert me.input_value("[name=firm_name]") == "河南嵩岳律师事务所"  # nothing typed is lost
    me.fill("[name=partners-1-name]", "李娜")
    me.fill("[name=partners-1-id_number]", "11010519491231002X")
    me.fill("[name=partners-1-licence_no]", "14101201100000012")
    me.fill("[name=partners-1-years_of_practice]", "4")
    me.click("#draft-form button[name=save]:has-text('保存草稿') >> nth=-1")
    me.wait_for_load_state("networkidle")
    camera.shoot(me, "form")

    # --- Uploads every mandatory material (HTMX swaps in each row). ------------------------
    for position in range(1, 6):
        material = me.locator(f"#material-{position}")
        upload = tmp_path / f"material-{position}.pdf"
        upload.write_bytes(PDF + f"% {position}\n".encode())
        material.locator("input[type=file]").set_input_files(str(upload))
        material.locator("button:has-text('上传')").click()
        me.locator(f"#material-{position} >> text=已上传").wait_for()
    camera.shoot(me, "materials")

    me.click("button:has-text('提交申请')")
    me.wait_for_url(f"{base}/my/cases/*/")
    case = Case.objects.get()
    assert case.number in me.content() and case.query_code in me.content()
    camera.shoot(me, "submitted")

    # --- The county window asks for a supplement. -----------------------------------------
    clerk = _login(browser_context, base, "zhongmou.clerk")
    clerk.goto(f"{base}/work/")
    assert case.number in clerk.content()
    camera.shoot(clerk, "clerk-queue")
    _open_from_queue(clerk, base, case.number)
    camera.shoot(clerk, "clerk-case")
    panel = _open_panel(clerk, "request_supplement")
    panel.locator("input[name=materials][value='5']").check()
    panel.locator("#request_supplement-problem-5").fill("验资报告缺少银行签章页")
    panel.locator("textarea[name=reason]").fill("资产证明不完整")
    panel.locator("button[type=submit]").click()
    clerk.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT

    # --- The applicant supplies it. --------------------------------------------------------
    me.goto(f"{base}/my/cases/{case.number}/")
    assert "验资报告缺少银行签章页" in me.content()
    camera.shoot(me, "supplement-requested")
    again = tmp_path / "asset-proof-v2.pdf"
    again.write_bytes(PDF + b"% v2\n")
    me.set_input_files("#case-file-5", str(again))
    me.locator("#case-file-5").locator("xpath=ancestor::form").locator("button").click()
    me.wait_for_load_state("networkidle")
    me.click("button:has-text('提交补正材料')")
    me.wait_for_load_state("networkidle")
    assert CaseMaterial.objects.filter(case=case, material__position=5).count() == 2

    # --- The county window accepts; the case goes to the city at once. --------------------
    clerk.goto(f"{base}/work/cases/{case.number}/")
    _act(clerk, "accept", "材料齐全，予以受理")
    camera.shoot(clerk, "accepted")

    handler = _login(browser_context, base, "zhengzhou.handler")
    handler.goto(f"{base}/work/")
    assert case.number in handler.content()
    camera.shoot(handler, "city-queue")
    _open_from_queue(handler, base, case.number)
    _act(handler, "review", "符合设立条件")

    reviewer = _login(browser_context, base, "zhengzhou.reviewer")
    _open_from_queue(reviewer, base, case.number)
    camera.shoot(reviewer, "city-check")
    _act(reviewer, "hand_over", "市级审核通过，报省厅审批")

    # --- The province leader approves; the province window concludes and delivers. -------
    leader = _login(browser_context, base, "henan.leader")
    _open_from_queue(leader, base, case.number)
    panel = _open_panel(leader, "decide")
    panel.locator("input[name=decision][value=approve]").check()
    panel.locator("textarea[name=reason]").fill("准予设立")
    camera.shoot(leader, "decide")
    panel.locator("button[type=submit]").click()
    leader.wait_for_load_state("networkidle")

    window = _login(browser_context, base, "henan.clerk")
    _open_from_queue(window, base, case.number)
    _act(window, "conclude")
    _act(window, "deliver", **{"select[name=method]": "online"})
    camera.shoot(window, "delivered")
    case.refresh_from_db()
    assert case.status == Status.DELIVERED and case.outcome == "approved"

    # --- The applicant downloads the decision letter and rates the service. ---------------
    me.goto(f"{base}/my/cases/{case.number}/")
    camera.shoot(me, "applicant-done")
    with me.expect_download() as caught:
        me.get_by_role("link", name="准予行政许可决定书").first.click()
    letter = Path(caught.value.path())
    assert letter.read_bytes().startswith(b"%PDF")
    # Whoever receives the letter checks it where its QR code points, file included.
    decision = case.documents.get(kind="approval_decision")
    me.goto(
        verification_url(decision.number, decision.context["verify_code"]).replace(
            public_base_url(), base
        )
    )
    assert decision.number in me.content()
    me.set_input_files("#id_file", str(letter))
    me.click("button:has-text('核对')")
    me.wait_for_load_state("networkidle")
    assert "所选文件与出具的原件完全一致" in me.content()
    camera.shoot(me, "letter-verified")
    me.goto(f"{base}/my/cases/{case.number}/")
    with me.expect_download() as caught:
        me.get_by_role("link", name="下载电子证照").click()
    assert Path(caught.value.path()).read_bytes().startswith(b"%PDF")
    # Anyone can check the licence where its QR code points.
    me.get_by_role("link", name="在线核验").click()
    me.wait_for_url(f"{base}/verify/licence/**")
    assert "真实有效" in me.content()
    camera.shoot(me, "licence-verified")
    me.go_back()
    me.check("input[name=level][value='5']")
    me.fill("#id_comment", "网上办理很方便")
    me.click("button:has-text('提交评价')")
    me.wait_for_load_state("networkidle")
    assert "感谢您的评价" in me.content()
    camera.shoot(me, "rated")
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.comment) == (5, "网上办理很方便")
    for page in (me, clerk, handler, reviewer, leader, window):
        page.context.close()
