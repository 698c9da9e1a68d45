"""Downloaded files are named in Chinese, safely, and the header says so in a way browsers read."""

from __future__ import annotations

import pytest

from yiwang.core.downloads import pdf_file_name, pdf_response, safe_file_name
from yiwang.core.tests.disposition import saved_as


def test_a_name_is_the_title_and_the_number():
    name = pdf_file_name("补正材料通知书", "郑州市司补〔2026〕第000001号")
    assert name == "补正材料通知书-郑州市司补〔2026〕第000001号.pdf"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("与原执业机构解除聘用/合伙关系", "与原执业机构解除聘用_合伙关系"),
        ('..\\..\\etc\\"passwd"', "_.._etc__passwd_"),
        ("申请书\r\nX-Injected: 1\t.pdf", "申请书__X-Injected_ 1_.pdf"),
        ("章程<草案>|v2?*", "章程_草案__v2__"),
        ("材料. . ", "材料"),
        ("", "_"),
    ],
)
def test_characters_no_file_name_may_hold_are_replaced(given: str, expected: str):
    assert safe_file_name(given) == expected


def test_the_header_carries_the_chinese_name_per_rfc_6266():
    name = pdf_file_name("电子证照", "河南省司证〔2026〕第000001号")
    saved = pdf_response(b"%PDF-", name, attachment=True)
    header = saved["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''%E7%94%B5%E5%AD%90")
    assert header.isascii() and "\n" not in header
    assert saved_as(saved) == ("attachment", "电子证照-河南省司证〔2026〕第000001号.pdf")
    assert saved["Content-Type"] == "application/pdf"
    shown = pdf_response(b"%PDF-", 'a/b"c.pdf', attachment=False)
    assert saved_as(shown) == ("inline", "a_b_c.pdf")
