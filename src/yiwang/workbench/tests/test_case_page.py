"""The case page: what it shows, the files it serves, and the statements it costs."""

from __future__ import annotations

import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.cases import engine, materials
from yiwang.cases.models import Case
from yiwang.core.tests.disposition import saved_as
from yiwang.documents.models import Document
from yiwang.workbench.tests.conftest import PDF, PNG, SPLIT_ITEM, login


def _upload(demo, case, name, content, filename):
    return materials.upload(case, name, io.BytesIO(content), filename, demo.applicant_user)


def test_the_page_shows_parties_form_materials_history_documents_and_clocks(client, demo):
    case = demo.submit()
    pdf_v1 = _upload(demo, case, "身份证复印件", PDF, "身份证.pdf")
    pdf_v2 = _upload(demo, case, "身份证复印件", PDF + b"%v2\n", "身份证-重传.pdf")
    photo = _upload(demo, case, "照片", PNG, "照片.png")
    case = demo.act(case, "accept", "zhongmou.clerk", reason="材料齐全")

    response = login(client, demo, "zhongmou.handler").get(f"/work/cases/{case.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    # Applicant, channel, item and organizations.
    assert "张伟" in html and demo.applicant.id_number in html and "网上申请" in html
    assert "基层法律服务工作者执业核准" in html and "中牟县司法局" in html
    # The form, labelled by the item's definition.
    assert "聘用的基层法律服务所" in html and "中牟县城关法律服务所" in html
    assert "实习期满日期" in html and "2026年6月30日" in html
    # Materials: every version listed, the newest previewed inline.
    assert "身份证.pdf" in html and "身份证-重传.pdf" in html and "第 2 版" in html
    assert f'<iframe class="preview" src="/work/cases/{case.number}/materials/{pdf_v2.pk}"' in html
    assert f'/work/cases/{case.number}/materials/{pdf_v1.pk}"' in html
    assert f'<img class="preview" src="/work/cases/{case.number}/materials/{photo.pk}"' in html
    assert pdf_v2.sha256[:12] in html
    # History with labels and a readable summary.
    assert "提交申请" in html and "受理" in html and "材料齐全" in html
    assert "窗口受理人员" in html and "袁晨" in html  # zhongmou.clerk's name
    assert "状态：待受理 → 办理中" in html and "当前环节：受理 → 审查并出具意见" in html
    # The acceptance notice, with its download link.
    document = Document.objects.get(case_id=case.pk)
    assert "受理通知书" in html and document.number in html
    assert f"/work/cases/{case.number}/documents/{document.pk}.pdf" in html
    # Clocks.
    assert "环节期限" in html and "承诺期限" in html and "法定期限" in html and "计时中" in html
    assert html.count("自受理之日起算") == 2
    # The handler's actions, nothing of the applicant's.
    assert f'action="/work/cases/{case.number}/act/hand_over"' in html
    assert "移送至：郑州市司法局（审核）" in html
    assert "/act/withdraw" not in html and "/act/supply_supplement" not in html


def test_the_form_shows_groups_as_tables_and_unknown_answers_as_given(client, demo):
    case = demo.submit(item=SPLIT_ITEM)
    Case.objects.filter(pk=case.pk).update(
        form_data={**case.form_data, "备注": "窗口补录", "旧表": [{"项目": "甲", "数量": 2}]}
    )
    html = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{case.number}/").content
    text = html.decode()
    assert "设立人（合伙人）" in text and "律师执业证号" in text and "14101201910234567" in text
    assert "备注" in text and "窗口补录" in text
    assert '<th scope="col">数量</th>' in text


def test_a_suspended_case_shows_the_paused_clock(client, demo):
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    case = demo.act(case, "suspend", "zhongmou.handler", reason="现场核查场所", kind="site_check")
    html = login(client, demo, "zhongmou.handler").get(f"/work/cases/{case.number}/").content
    text = html.decode()
    assert "已暂停：自" in text and "现场核查" in text and "badge-paused" in text
    assert "/act/resume" in text


def test_time_not_counted_is_told_in_the_items_unit(client, demo):
    from yiwang.cases.services import perform

    week_later = timezone.localdate() + dt.timedelta(days=7)
    for item, unit, law in (
        (None, "个工作日", "（特殊环节，行政许可法第45条）"),
        ("SF-FY-001", "日", "（特殊环节）"),  # 法律援助: natural days, not a licence
    ):
        case = demo.submit(item=item) if item else demo.submit()
        case = demo.act(case, "accept", "zhongmou.clerk")
        case = demo.act(case, "suspend", "zhongmou.handler", reason="现场核查", kind="site_check")
        resume = engine.Action("resume")
        case = perform(case.pk, resume, demo.user("zhongmou.handler"), today=week_later)
        assert case.paused_workdays > 0
        html = login(client, demo, "zhongmou.handler").get(f"/work/cases/{case.number}/")
        text = html.content.decode()
        assert f"{case.paused_workdays} {unit}{law}" in text
        assert f"已扣除天数：0 {unit} → {case.paused_workdays} {unit}" in text  # the history


def test_legal_aid_is_told_in_natural_days_and_its_acceptance_by_its_own_share(client, demo):
    case = demo.submit(item="SF-FY-001")
    assert case.acceptance_due == case.step_due  # 1 day, not 5 working days
    assert case.accept_due is None  # 第32条 (deemed acceptance) governs 行政许可 only
    clerk = login(client, demo, "zhongmou.clerk")
    text = clerk.get(f"/work/cases/{case.number}/").content.decode()
    row = text[text.index('<th scope="row">受理期限') :].split("</tr>")[0]
    assert f"{case.step_due:%Y-%m-%d}" in row and "收件后 1 日内受理" in row
    case = demo.act(case, "accept", "zhongmou.clerk")
    case = demo.act(case, "suspend", "zhongmou.handler", reason="核查经济状况", kind="site_check")
    text = clerk.get(f"/work/cases/{case.number}/").content.decode()
    assert "至今 0 日，期间不计入办理时限" in text
    assert "期间不计入办理时限（行政许可法第45条）" not in text  # not a 行政许可


def test_a_decision_letter_gives_the_decisions_reason_not_the_concluding_remark(demo):
    case = demo.act(demo.submit(item="SF-FY-001"), "accept", "zhongmou.clerk")
    case = demo.act(case, "review", "zhongmou.handler")
    reason = "家庭月收入超过当地法律援助经济困难标准"
    case = demo.act(case, "decide", "zhongmou.leader", reason=reason, decision="deny")
    case = demo.act(case, "conclude", "zhongmou.clerk", reason="告知申请人")
    letter = Document.objects.get(case=case, kind="denial_decision")
    assert letter.context["reason"] == reason


def test_legal_aid_decisions_are_not_titled_or_numbered_as_licences(client, demo):
    from yiwang.documents.rendering import layout
    from yiwang.documents.tests.pdftools import layout_text
    from yiwang.organizations.seals import image_for

    for decision, title in (("approve", "给予法律援助决定书"), ("deny", "不予法律援助决定书")):
        case = demo.act(demo.submit(item="SF-FY-001"), "accept", "zhongmou.clerk")
        case = demo.act(case, "review", "zhongmou.handler")
        case = demo.act(case, "decide", "zhongmou.leader", reason="经审查", decision=decision)
        case = demo.act(case, "conclude", "zhongmou.clerk")
        letter = Document.objects.get(case=case, kind__endswith="_decision")
        assert letter.title == title and letter.number.startswith("中牟县司决〔")
        seal = image_for(letter.context.get("seal"))
        text = "".join(layout_text(layout(letter.kind, letter.context, seal)).split())
        assert text.startswith(title) or title in text[:80]
        assert "行政许可" not in text and f"出具《{title}》" not in text
        page = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{case.number}/")
        assert f"<td>{title}</td>" in page.content.decode()
    # A 行政许可 item keeps the titles and the series of the law.
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    assert Document.objects.get(case=case).title == "受理通知书"


def test_materials_are_served_inline_with_their_type(client, demo):
    case = demo.submit()
    pdf = _upload(demo, case, "身份证复印件", PDF, "身份证.pdf")
    png = _upload(demo, case, "照片", PNG, '照片/2026"春".png')
    client = login(client, demo, "zhongmou.clerk")
    response = client.get(f"/work/cases/{case.number}/materials/{pdf.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert saved_as(response) == ("inline", "身份证.pdf")  # as the applicant named it
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the case page frames it
    image = client.get(f"/work/cases/{case.number}/materials/{png.pk}")
    assert image["Content-Type"] == "image/png"
    # A name the upload brought along never carries a quote or a path into the header.
    assert saved_as(image) == ("inline", "照片_2026_春_.png")


def test_letters_download_as_pdf(client, demo):
    case = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    document = Document.objects.get(case_id=case.pk)
    response = login(client, demo, "zhongmou.clerk").get(
        f"/work/cases/{case.number}/documents/{document.pk}.pdf"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert saved_as(response) == ("inline", f"受理通知书-{document.number}.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"


def _queries(client, url) -> int:
    client.get(url)  # warm the process caches (definitions, calendar, organization names)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queue_costs_the_same_statements_for_5_and_30_cases(client, demo, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 3600  # no revalidation query mid-test
    client = login(client, demo, "zhongmou.clerk")
    for _ in range(5):
        demo.submit()
    few = _queries(client, "/work/")
    for _ in range(25):
        demo.submit(item=SPLIT_ITEM)
    many = _queries(client, "/work/")
    assert Case.objects.filter(status="submitted").count() == 30
    assert few == many <= 8
    filtered = _queries(client, "/work/?q=1141&channel=online&step=accept")
    assert filtered == many
    watcher = login(client, demo, "zhengzhou.supervisor")
    # One more: the organizations within the supervisor's reach.
    assert _queries(watcher, "/work/") == _queries(watcher, "/work/?q=1141&channel=online") <= 9


def test_the_case_page_costs_the_same_statements_whatever_it_holds(client, demo, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 3600
    small = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    big = demo.submit()
    for name in ("身份证复印件", "基层法律服务所同意聘用证明", "基层法律服务工作者执业登记表"):
        for version in range(2):
            _upload(demo, big, name, PDF + b"%" + str(version).encode(), f"{name}.pdf")
    _upload(demo, big, "照片", PNG, "照片.png")
    big = demo.act(
        big, "request_supplement", "zhongmou.clerk",
        materials=[{"material": "照片", "problem": "底色不符"}],
    )  # fmt: skip
    _upload(demo, big, "照片", PNG, "照片-重拍.png")
    demo.act(big, "supply_supplement", "zhang.wei")
    big = demo.act(big, "accept", "zhongmou.clerk")
    big = demo.act(big, "suspend", "zhongmou.handler", reason="现场核查", kind="site_check")
    big = demo.act(big, "resume", "zhongmou.handler")
    big = demo.act(big, "hand_over", "zhongmou.handler")
    assert Document.objects.filter(case_id=big.pk).count() >= 3
    client = login(client, demo, "zhengzhou.supervisor")
    few = _queries(client, f"/work/cases/{small.number}/")
    many = _queries(client, f"/work/cases/{big.number}/")
    assert few == many <= 16


def test_only_actions_some_input_can_satisfy_are_offered(client, demo):
    # 律师事务所设立许可 has no material that may be owed: no 容缺受理 form.
    split = demo.submit(item=SPLIT_ITEM)
    html = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{split.number}/").content
    assert b'/act/accept"' in html and b"/act/accept_with_gaps" not in html
    # 基层法律服务工作者执业核准 has two: they are the only choices of the form.
    case = demo.submit()
    html = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{case.number}/").content
    gaps = html.decode().split('id="act-accept_with_gaps"')[1].split("</details>")[0]
    assert gaps.count('name="materials"') == 2 and "照片" in gaps
    # The first handling step has nothing behind it to send back to.
    case = demo.act(case, "accept", "zhongmou.clerk")
    html = login(client, demo, "zhongmou.handler").get(f"/work/cases/{case.number}/").content
    assert b"/act/send_back" not in html and b"/act/hand_over" in html
    # At the city's check, the county's review is a target; acceptance never is.
    case = demo.act(case, "hand_over", "zhongmou.handler")
    html = login(client, demo, "zhengzhou.reviewer").get(f"/work/cases/{case.number}/").content
    back = html.decode().split('id="act-send_back"')[1].split("</details>")[0]
    assert '<option value="review">' in back and 'value="accept"' not in back


def test_legal_aid_clocks_run_from_receipt_and_cite_no_licensing_law(client, demo):
    waiting = demo.submit(item="SF-FY-001")
    html = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{waiting.number}/")
    html = html.content.decode()
    assert "受理期限" in html and "一次性告知补正" in html and "行政许可法第32条" not in html
    # 法律援助法 第43条: the 7 days already run while the application waits for acceptance.
    assert waiting.statutory_due is not None
    assert f"{waiting.statutory_due:%Y-%m-%d}" in html and html.count("自收到申请之日起算") == 2
    licensing = demo.submit()  # 基层法律服务工作者执业核准, a 行政许可
    html = login(client, demo, "zhongmou.clerk").get(f"/work/cases/{licensing.number}/")
    assert "一次性告知补正（行政许可法第32条）" in html.content.decode()


def test_no_extension_is_offered_where_the_law_allows_none(client, demo):
    # 法律援助申请审查: natural days, no extension.
    case = demo.act(demo.submit(item="SF-FY-001"), "accept", "zhongmou.clerk")
    case = demo.act(case, "review", "zhongmou.handler")
    html = login(client, demo, "zhongmou.leader").get(f"/work/cases/{case.number}/").content
    assert b"/act/decide" in html and b"/act/extend" not in html
    jc = demo.act(demo.submit(), "accept", "zhongmou.clerk")
    jc = demo.act(demo.act(jc, "hand_over", "zhongmou.handler"), "check", "zhengzhou.reviewer")
    html = login(client, demo, "zhengzhou.leader").get(f"/work/cases/{jc.number}/").content
    assert b"/act/extend" in html and "法定期限延长 10 个工作日".encode() in html
    # Once granted, the extension is told in the item's unit too.
    jc = demo.act(jc, "extend", "zhengzhou.leader", reason="需要征求意见")
    html = login(client, demo, "zhengzhou.leader").get(f"/work/cases/{jc.number}/")
    assert html.content.decode().count("已延长 10 个工作日") == 2  # the clock and the facts
