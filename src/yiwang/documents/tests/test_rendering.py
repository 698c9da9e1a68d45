"""Every kind renders a real PDF in Chinese, with embedded CJK fonts and the legally required text."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from yiwang.cases.models import Case
from yiwang.documents.context import build_context
from yiwang.documents.models import DocumentKind
from yiwang.documents.rendering import layout, render_html, render_pdf
from yiwang.documents.templatetags.documents_format import clause, cn_date, cn_join
from yiwang.documents.tests.conftest import EXTRA
from yiwang.documents.tests.pdftools import (
    can_extract_text,
    compact,
    layout_text,
    line_pitch,
    page_text,
    pdf_font_names,
    pdf_text,
)

ISSUED = datetime.date(2026, 11, 21)
NUMBER = "郑州市司受〔2026〕第000012号"

Render = Callable[..., tuple[bytes, str]]


@pytest.fixture
def context_of(case: Case, tree: Any) -> Callable[..., dict[str, Any]]:
    def make(kind: DocumentKind, extra: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return build_context(
            kw.pop("case", case),
            kind,
            EXTRA[kind] if extra is None else extra,
            organization=kw.pop("organization", tree.city_a),
            number=NUMBER,
            issued_on=ISSUED,
        )

    return make


@pytest.fixture
def rendered(context_of: Callable[..., dict[str, Any]]) -> Render:
    """(pdf bytes, laid-out text) of a kind, checked for the parts every document has."""

    def render(kind: DocumentKind, extra: dict[str, Any] | None = None, **kw: Any):
        document = layout(kind, context_of(kind, extra, **kw))
        pdf = document.write_pdf()  # what render_pdf returns, without laying out twice
        return pdf, layout_text(document)

    return render


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_is_a_chinese_pdf_with_embedded_cjk_fonts(
    kind: DocumentKind, rendered: Render, case: Case
):
    pdf, text = rendered(kind)

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 1024
    # 版头, title, addressee, 署名 and 成文日期, seal placeholder
    for part in ("郑州市司法局", NUMBER, kind.label, "张三：", "（印章）", "2026年11月"):
        assert part in text, part
    assert f"办件编号：{case.number}" in text
    # No tofu: both CJK faces are embedded (as subsets), nothing else is needed to read it.
    fonts = {name.replace("-", "") for name in pdf_font_names(pdf)}
    assert any(name.startswith("NotoSerifCJK") for name in fonts), fonts
    assert any(name.startswith("NotoSansCJK") for name in fonts), fonts
    assert not any("DejaVu" in name or "Liberation" in name for name in fonts), fonts


@pytest.mark.skipif(not can_extract_text(), reason="neither pypdf nor pdftotext is installed")
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_text_can_be_extracted_from_the_pdf(kind: DocumentKind, rendered: Render):
    pdf, _ = rendered(kind)
    extracted = compact(pdf_text(pdf) or "")
    for part in (kind.label, "郑州市司法局", NUMBER, "律师事务所设立许可", "（印章）"):
        assert part in extracted, part


def test_the_date_is_printed_in_chinese():
    assert cn_date("2026-11-21") == "2026年11月21日"
    assert cn_date(datetime.date(2027, 1, 7)) == "2027年1月7日"
    assert cn_date(None) == ""
    assert cn_join(["郑州市人民政府", "河南省司法厅"]) == "郑州市人民政府或者河南省司法厅"
    assert cn_join(["甲", "乙", "丙"]) == "甲、乙或者丙"
    assert clause("材料不全。") == "材料不全"


@pytest.mark.parametrize("kind", [DocumentKind.REFUSAL_DECISION, DocumentKind.DENIAL_DECISION])
def test_refusal_and_denial_state_reasons_and_remedies(kind: DocumentKind, rendered: Render):
    _, text = rendered(kind)

    assert clause(EXTRA[kind]["reason"]) in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "六十日" in text or "60日" in text
    assert "六个月" in text or "6个月" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    assert "《中华人民共和国行政诉讼法》第四十六条" in text
    # Same-level government or the judicial-administration department one level up.
    assert "向郑州市人民政府或者河南省司法厅申请行政复议" in text
    assert "人民法院" in text
    # A decision identifies the applicant, with a person's ID number masked.
    assert "公民身份号码：410102********" in text


def test_refusal_names_the_competent_authority_when_given(rendered: Render):
    extra = {**EXTRA[DocumentKind.REFUSAL_DECISION], "competent_authority": "河南省司法厅"}
    _, text = rendered(DocumentKind.REFUSAL_DECISION, extra)
    assert "请向河南省司法厅提出申请" in text


def test_supplement_notice_lists_every_material_at_once(rendered: Render):
    _, text = rendered(DocumentKind.SUPPLEMENT_NOTICE)

    assert "一次性告知" in text
    assert "第三十二条第一款第（四）项" in text
    for entry in EXTRA[DocumentKind.SUPPLEMENT_NOTICE]["materials"]:
        assert entry["material"] in text
        assert entry["problem"] in text
    assert "2026年11月30日前一次性提交" in text


def test_special_procedure_notice_states_the_kind_and_that_time_is_not_counted(rendered: Render):
    _, text = rendered(DocumentKind.SPECIAL_PROCEDURE_NOTICE)

    assert "现场核查" in text
    assert "第四十五条" in text
    assert "不计算在法定办理期限和承诺办理期限内" in text
    assert "自2026年11月20日起进入特殊环节" in text
    assert "5个工作日" in text


@pytest.mark.parametrize(
    ("kind_value", "label"),
    [
        ("supplement", "补正材料"),
        ("expert_review", "专家评审"),
        ("hearing", "听证"),
        ("testing", "检验、检测、鉴定"),
    ],
)
def test_special_procedure_notice_names_each_kind(kind_value: str, label: str, rendered: Render):
    extra = {"suspension_kind": kind_value, "reason": "依法需要"}
    _, text = rendered(DocumentKind.SPECIAL_PROCEDURE_NOTICE, extra)
    assert f"需要进行{label}" in text
    assert "所需时间以实际发生为准" in text


def test_extension_notice_states_reason_and_new_deadline(rendered: Render):
    _, text = rendered(DocumentKind.EXTENSION_NOTICE)

    assert EXTRA[DocumentKind.EXTENSION_NOTICE]["reason"] in text
    assert "第四十二条" in text
    assert "延长10个工作日" in text
    assert "延长后的法定办结期限为2027年1月7日" in text
    assert "原应于2026年12月24日前作出决定" in text


@pytest.mark.parametrize(
    ("kind", "reason", "printed"),
    [
        (DocumentKind.EXTENSION_NOTICE, "因案情复杂", "因案情复杂，本机关不能"),
        (DocumentKind.EXTENSION_NOTICE, "由于需要征求意见。", "由于需要征求意见，本机关不能"),
        (DocumentKind.EXTENSION_NOTICE, "案情复杂", "因案情复杂，本机关不能"),
        (
            DocumentKind.SPECIAL_PROCEDURE_NOTICE,
            "因办公场所需要实地核实",
            "因办公场所需要实地核实，该申请",
        ),
    ],
)
def test_a_reason_opening_with_its_own_because_is_not_doubled(
    kind: DocumentKind, reason: str, printed: str, rendered: Render
):
    _, text = rendered(kind, {**EXTRA[kind], "reason": reason})
    flat = "".join(text.split())
    assert printed in flat and "因因" not in flat


def test_acceptance_notice_gives_dates_and_limits(rendered: Render):
    _, text = rendered(DocumentKind.ACCEPTANCE_NOTICE)

    assert "受理日期为2026年11月12日" in text
    assert "4个工作日内办结，即2026年11月18日前" in text
    assert "法定办理期限为30个工作日，即2026年12月24日前" in text
    assert "第三十二条第一款第（五）项" in text
    assert "即为受理" not in text


def test_acceptance_notice_says_when_acceptance_was_deemed(
    make_case: Callable[..., Case], rendered: Render
):
    deemed = make_case(deemed_accepted=True, accepted_on=datetime.date(2026, 11, 10))
    _, text = rendered(DocumentKind.ACCEPTANCE_NOTICE, case=deemed)

    assert "第三十二条第一款第（四）项" in text
    assert "自收到申请材料之日起即为受理" in text
    assert "视为受理日期为2026年11月10日" in text


def test_acceptance_notice_lists_materials_owed_under_gap_acceptance(
    make_case: Callable[..., Case], rendered: Render
):
    gapped = make_case(gaps=[{"material": "住所证明", "due": "2026-11-26"}])
    _, text = rendered(DocumentKind.ACCEPTANCE_NOTICE, case=gapped)
    assert "决定予以容缺受理" in text
    assert "住所证明2026年11月26日" in text
    # Not the words of a complete application, with a list of what is missing under them.
    assert "职权范围，申请材料齐全" not in text and "补齐之前，本机关不作出准予决定" in text


def test_approval_decision_names_the_result_and_legal_basis(rendered: Render):
    _, text = rendered(DocumentKind.APPROVAL_DECISION)

    assert "准予行政许可决定书" in text
    assert "根据《律师法》第14-18条和《中华人民共和国行政许可法》第三十八条第一款的规定" in text
    assert "颁发《律师事务所执业许可证》" in text
    assert "34101202611210001" in text


def test_an_approval_on_a_pledge_says_so_and_what_a_false_pledge_costs(
    rendered: Render, case: Case
):
    _, plain = rendered(DocumentKind.APPROVAL_DECISION)
    assert "告知承诺" not in plain
    case.pledged, case.pledged_materials = True, ["住所证明", "学历证明"]
    _, text = rendered(DocumentKind.APPROVAL_DECISION, case=case)
    assert (
        "本决定依据你的告知承诺（承诺符合申请条件；以承诺代替提交住所证明和学历证明）作出"
        in compact(text)
    )
    assert "承诺不实的，本机关将依法撤销本决定" in compact(text)


def test_an_organization_applicant_is_addressed_as_a_unit(
    make_case: Callable[..., Case], firm: Any, rendered: Render
):
    _, text = rendered(DocumentKind.DENIAL_DECISION, case=make_case(applicant=firm))
    assert "河南中原律师事务所（筹）：" in text
    assert "你单位（统一社会信用代码：" + firm.id_number + "）" in text
    assert "你单位如不服本决定" in text


def test_user_text_is_escaped_not_interpreted(context_of: Callable[..., dict[str, Any]]):
    extra = {"reason": '<img src="file:///etc/passwd">材料<b>不全</b>'}
    html = render_html(
        DocumentKind.DENIAL_DECISION, context_of(DocumentKind.DENIAL_DECISION, extra)
    )
    assert "<img" not in html and "&lt;img" in html


def test_rendering_is_a_pure_function_of_the_context(context_of: Callable[..., dict[str, Any]]):
    # What lets a document issued with render=False be rendered later and still be the same.
    context = context_of(DocumentKind.ACCEPTANCE_NOTICE)
    assert render_pdf(DocumentKind.ACCEPTANCE_NOTICE, context) == render_pdf(
        DocumentKind.ACCEPTANCE_NOTICE, context
    )


# Every demo agency prints how to reach it under the signature (附注).
CONTACT_LINE = "（联系地址：郑州市金水区文化路75号；联系电话：0371-65550274）"
STANDARD_PITCH = 28.95  # GB/T 9704: 22 lines to the 225 mm 版心
TIGHTEST_PITCH = 22.78  # 28 lines, the tightest grid a letter is set on to keep to one page


@pytest.fixture
def with_contact(tree: Any) -> None:
    tree.city_a.address, tree.city_a.phone = "郑州市金水区文化路75号", "0371-65550274"


@pytest.mark.usefixtures("with_contact")
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_a_letter_of_ordinary_length_keeps_to_one_page_with_its_contact_line(
    kind: DocumentKind, context_of: Callable[..., dict[str, Any]]
):
    document = layout(kind, context_of(kind))
    assert len(document.pages) == 1
    text = page_text(document.pages[0])
    assert "（印章）" in text and CONTACT_LINE in text
    assert line_pitch(document) >= TIGHTEST_PITCH - 0.01


# Five of the materials the catalogue lists for 律师事务所设立许可, remarks as a clerk writes them.
FIVE_MATERIALS = [
    {"material": "申请书", "problem": "缺少设立人签名"},
    {"material": "律师事务所名称、章程", "problem": "章程未载明合伙人的出资方式和数额"},
    {"material": "律师名单、简历、身份证明、律师执业证书", "problem": "执业证书复印件不清晰"},
    {"material": "住所证明", "problem": "租赁合同已过期，请提交有效期内的租赁合同"},
    {"material": "资产证明", "problem": "验资证明的出具日期超过三个月"},
]


@pytest.mark.usefixtures("with_contact")
@pytest.mark.parametrize(
    ("count", "accepted"),
    [(1, False), (1, True), (5, False)],
    ids=["one-at-the-window", "one-after-acceptance", "five-at-the-window"],
)
def test_a_supplement_notice_of_up_to_five_materials_is_one_page(
    count: int,
    accepted: bool,
    context_of: Callable[..., dict[str, Any]],
    make_case: Callable[..., Case],
):
    # The window asks for supplements before accepting (第32条); the letter then promises to
    # accept, where a case already accepted is told that the time does not count.
    case = make_case() if accepted else make_case(accepted_on=None, promised_due=None)
    materials = FIVE_MATERIALS[:count]
    extra = {"materials": materials, "supplement_due": "2026-11-30"}
    document = layout(
        DocumentKind.SUPPLEMENT_NOTICE, context_of(DocumentKind.SUPPLEMENT_NOTICE, extra, case=case)
    )

    assert len(document.pages) == 1
    text = page_text(document.pages[0])
    for entry in materials:
        assert entry["material"] in text and entry["problem"] in text
    assert "本机关不再要求" in text and "（印章）" in text and CONTACT_LINE in text
    if count == 1:  # room to spare: GB/T 9704's 22 lines a page, not a tighter grid
        assert line_pitch(document) == pytest.approx(STANDARD_PITCH, abs=0.01)
    else:
        assert line_pitch(document) >= TIGHTEST_PITCH - 0.01


@pytest.mark.usefixtures("with_contact")
def test_a_long_letter_never_leaves_the_signature_or_the_contact_line_alone_on_a_page(
    context_of: Callable[..., dict[str, Any]],
):
    # 21 materials once put the contact line alone on a third page.
    materials = [{"material": f"材料{i}", "problem": "需要补正"} for i in range(1, 22)]
    document = layout(
        DocumentKind.SUPPLEMENT_NOTICE,
        context_of(DocumentKind.SUPPLEMENT_NOTICE, {"materials": materials}),
    )
    assert len(document.pages) >= 2
    # Too long for one page even on the tightest grid: every page keeps GB/T 9704's 22 lines.
    assert line_pitch(document) == pytest.approx(STANDARD_PITCH, abs=0.01)
    body, seal, signature = page_text(document.pages[-1]).partition("（印章）")
    assert seal and "郑州市司法局" in signature
    assert CONTACT_LINE in signature
    assert "本机关不再要求" in body  # the last lines of the body travel with the signature


@pytest.mark.usefixtures("with_contact")
def test_a_row_of_the_list_is_never_split_over_two_pages(
    context_of: Callable[..., dict[str, Any]],
):
    # Twelve of them once left 住所证明 on the first page and its remark on the second.
    materials = [
        {"material": f"{entry['material']}{i}", "problem": f"{entry['problem']}{i}"}
        for i, entry in enumerate(FIVE_MATERIALS * 3)
    ][:12]
    document = layout(
        DocumentKind.SUPPLEMENT_NOTICE,
        context_of(DocumentKind.SUPPLEMENT_NOTICE, {"materials": materials}),
    )
    assert len(document.pages) == 2
    pages = [page_text(page) for page in document.pages]
    for entry in materials:
        assert any(entry["material"] in text and entry["problem"] in text for text in pages), entry


PROVISIONAL_NOTE = "期限所涉年度的节假日尚未公布，暂按周末及元旦、劳动节、国庆节推算"


@pytest.mark.parametrize("kind", [DocumentKind.ACCEPTANCE_NOTICE, DocumentKind.EXTENSION_NOTICE])
def test_a_deadline_in_an_unpublished_year_says_it_is_reckoned(
    kind: DocumentKind,
    context_of: Callable[..., dict[str, Any]],
    make_case: Callable[..., Case],
    tree: Any,
):
    # With the issuer's contact line too, as every demo agency prints one.
    tree.city_a.address, tree.city_a.phone = "郑州市金水区文化路75号", "0371-65550274"
    unpublished = make_case(
        statutory_due=datetime.date(2027, 1, 4), promised_due=None, deadline_provisional=True
    )
    document = layout(kind, context_of(kind, case=unpublished))
    assert PROVISIONAL_NOTE in layout_text(document)
    assert len(document.pages) == 1  # the sentence does not push the signature over
    published = layout(kind, context_of(kind))
    assert PROVISIONAL_NOTE not in layout_text(published)
