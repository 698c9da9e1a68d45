"""The item guide (办事指南), its QR code and the materials' sample PDFs."""

from __future__ import annotations

import io

import pytest
import segno
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader

from yiwang.catalog.models import ItemVersion
from yiwang.catalog.services import new_draft, publish
from yiwang.core.tests.disposition import saved_as

GUIDE = "/items/SF-LS-006/"


@pytest.mark.django_db
def test_guide_shows_the_standard_elements(
    demo_province: None, client, django_assert_max_num_queries
) -> None:
    # Cold process caches (the fixture clears them): the item's process is read once here.
    with django_assert_max_num_queries(12):
        response = client.get(GUIDE)
    assert response.status_code == 200
    html = response.content.decode()
    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code="SF-LS-006")
    assert f"<h1>{version.name}</h1>" in html
    for text in ("设定依据", "受理条件", "申请材料", "收费", "办理时限", "办理流程", "投诉与监督"):
        assert f">{text}</h2>" in html, text
    assert "《律师法》第14-18条" in html
    assert version.conditions[0] in html
    for material in version.materials.all():
        assert material.name in html
        assert f'href="/items/SF-LS-006/samples/{material.position}.pdf"' in html
    # 住所证明 may be replaced by a pledge, though the item as a whole admits none; the check
    # period is the province's default, as the item sets none.
    assert "告知承诺</dt><dd>证明材料中标明“可承诺替代”的，可以书面承诺代替提交" in html
    assert "准予后 30 个工作日内核查承诺是否属实" in html and html.count("可承诺替代") == 2
    assert "不收费" in html and "《行政许可法》第58条" in html
    assert (
        "法定</span> 办结时限" in html and "30 个工作日（计时单位：工作日；自受理之日起算）" in html
    )
    assert "承诺</span> 办结时限" in html and "4 个工作日" in html
    assert "时限自受理之次日起计算" in html
    assert "承诺件" in html
    assert "跑动次数</dt><dd>0 次" in html
    assert "12345" in html
    assert 'alt="扫码在手机上打开本页"' in html and 'src="/items/SF-LS-006/qr.svg"' in html


@pytest.mark.django_db
def test_guide_flow_lists_steps_in_order_with_levels_and_limits(
    demo_province: None, client
) -> None:
    html = client.get(GUIDE).content.decode()
    flow = html[html.index('<ol class="flow"') :]
    flow = flow[: flow.index("</ol>")]
    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code="SF-LS-006")
    steps = list(version.steps.order_by("position"))
    assert steps[0].key == "accept" and steps[-1].key == "deliver"
    positions = [flow.index(f"<strong>{s.name}</strong>") for s in steps]
    assert positions == sorted(positions)
    assert "县级 · 窗口受理 · 5 个工作日" in flow
    assert "省级 · 审批负责人 · 10 个工作日" in flow
    assert "<svg" in html and 'aria-hidden="true"' in html


@pytest.mark.django_db
def test_guide_groups_implementing_agencies_by_city(demo_province: None, client) -> None:
    html = client.get(GUIDE).content.decode()
    assert '<details class="places">' in html
    assert "郑州市司法局及所辖县（市、区）" in html
    assert "中牟县司法局" in html
    assert "工作日 9:00-12:00" in html  # office hours of the windows


@pytest.mark.django_db
def test_apply_button_links_to_the_portal_when_it_is_there(demo_province: None, client) -> None:
    html = client.get(GUIDE).content.decode()
    try:
        url = reverse("portal:apply", args=["SF-LS-006"])
    except NoReverseMatch:
        assert "在线申请</a>" not in html
    else:
        assert f'href="{url}">在线申请</a>' in html


@pytest.mark.django_db
def test_immediate_items_say_so(demo_province: None, client) -> None:
    html = client.get("/items/SF-LS-004/").content.decode()
    assert "即办件" in html
    assert "当场办理" in html  # steps with no limit of their own
    assert "需到现场 1 次" in html


@pytest.mark.django_db
def test_legal_aid_limits_are_counted_from_receipt(demo_province: None, client) -> None:
    html = client.get("/items/SF-FY-001/").content.decode()
    assert "7 日（计时单位：自然日；自收到申请之日起算）" in html
    assert "4 日（计时单位：自然日；自收到申请之日起算）" in html
    assert "时限自收到申请之次日起计算" in html and "时限自受理之次日起计算" not in html
    # Natural days under the 法律援助法: no working-day rule, no 行政许可法 citation.
    assert "期限届满日为法定节假日的，以节假日后的第一个工作日为届满日" in html
    assert "工作日不含法定节假日" not in html and "不计入时限（《行政许可法》第45条）" not in html
    licence = client.get(GUIDE).content.decode()
    assert "工作日不含法定节假日，含调休上班日" in licence
    assert "不计入时限（《行政许可法》第45条）" in licence


@pytest.mark.django_db
def test_conditions_read_as_plain_chinese(demo_province: None, client) -> None:
    html = client.get("/items/SF-GZ-008/").content.decode()
    conditions = html[html.index('<ol class="conditions">') :]
    conditions = conditions[: conditions.index("</ol>")]
    assert "<li>具有中华人民共和国国籍的香港（澳门）特别行政区永久性居民</li>" in conditions
    assert conditions.count("<li>") == 5 and "derived" not in html


@pytest.mark.django_db
def test_lowercase_code_redirects_to_the_canonical_address(demo_province: None, client) -> None:
    response = client.get("/items/sf-ls-006/")
    assert response.status_code == 301
    assert response["Location"] == GUIDE


@pytest.mark.django_db
def test_unknown_item_is_a_chinese_404(demo_province: None, client) -> None:
    for url in ("/items/SF-XX-999/", "/items/SF-XX-999/qr.svg", "/items/SF-XX-999/samples/1.pdf"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_qr_code_encodes_the_absolute_guide_address(demo_province: None, client) -> None:
    response = client.get("/items/SF-LS-006/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    # Encoding is deterministic: the same address gives the same symbol.
    expected = io.BytesIO()
    segno.make("http://testserver/items/SF-LS-006/", error="m").save(
        expected, kind="svg", scale=4, border=2, title="扫码在手机上打开本页", xmldecl=False
    )
    assert response.content == expected.getvalue()


@pytest.mark.django_db
def test_sample_pdf_is_a_watermarked_a4_page(demo_province: None, client) -> None:
    response = client.get("/items/SF-LS-006/samples/1.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert saved_as(response) == ("inline", "示范样例-申请书.pdf")
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4 in points
    text = page.extract_text()
    assert "示范样例" in text and "申请书" in text and "样例" in text
    assert "律师事务所设立许可" in text


@pytest.mark.django_db
def test_sample_pdf_only_for_materials_with_a_sample(demo_province: None, client) -> None:
    assert client.get("/items/SF-LS-006/samples/99.pdf").status_code == 404
    # A new version whose first material has no sample text.
    current = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code="SF-LS-006")
    draft = new_draft(current.item)
    first = draft.materials.order_by("position").first()
    assert first is not None
    first.sample = ""
    first.save()
    publish(draft, timezone.localdate())
    assert client.get("/items/SF-LS-006/samples/1.pdf").status_code == 404
    assert client.get("/items/SF-LS-006/samples/2.pdf").status_code == 200
    html = client.get(GUIDE).content.decode()
    assert 'href="/items/SF-LS-006/samples/1.pdf"' not in html
    assert 'href="/items/SF-LS-006/samples/2.pdf"' in html


@pytest.mark.django_db
def test_a_certificate_may_be_pledged_whether_or_not_the_item_admits_a_pledge(
    demo_province: None, client
) -> None:
    # 证明事项告知承诺 is per certificate; the item's own 告知承诺 is a separate fact.
    for code, item_pledge in (
        ("SF-LS-001", False),
        ("SF-LS-002", False),
        ("SF-JC-003", False),
        ("SF-LS-009", True),
    ):
        html = client.get(f"/items/{code}/").content.decode()
        assert "可承诺替代" in html, code
        assert ("告知承诺</dt><dd>适用" in html) is item_pledge, code


@pytest.mark.django_db
def test_the_guide_tells_the_items_own_check_period_and_no_check_without_a_pledge(
    demo_province: None, client
) -> None:
    current = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code="SF-LS-006")
    draft = new_draft(current.item)
    draft.pledge_check_days = 15
    draft.save()
    publish(draft, timezone.localdate())
    html = client.get(GUIDE).content.decode()
    assert "准予后 15 个工作日内核查承诺是否属实" in html
    plain = ItemVersion.objects.valid_on(timezone.localdate()).filter(pledge_allowed=False)
    code = next(v.item.code for v in plain if not v.materials.filter(pledge_replaceable=True))
    html = client.get(f"/items/{code}/").content.decode()
    assert "告知承诺</dt><dd>不适用</dd>" in html and "核查承诺" not in html


@pytest.mark.django_db
def test_a_national_decision_names_its_authority_once(demo_province: None, client) -> None:
    html = client.get("/items/SF-LS-014/").content.decode()
    assert "决定层级</dt><dd>国家级（司法部）</dd>" in html
    assert "（司法部）（司法部）" not in html
