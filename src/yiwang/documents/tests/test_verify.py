"""The public check of a letter: its QR code leads to what was issued, and a file is compared."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from django.db.models import F

from yiwang.cases.models import Case
from yiwang.core.models import AttemptWindow
from yiwang.documents.models import DocumentKind
from yiwang.documents.rendering import QR_SIZE_MM, render_html, verification_url
from yiwang.documents.services import issue, open_document
from yiwang.documents.tests.pdftools import compact, pdf_text
from yiwang.documents.views import VERIFY_LIMIT

URL = "/verify/letter/"


@pytest.fixture
def letter(case: Case, tree: Any):
    return issue(case, DocumentKind.ACCEPTANCE_NOTICE, organization=tree.city_a)


def query(document) -> dict[str, str]:
    return {"n": document.number, "c": document.context["verify_code"]}


def test_every_letter_prints_its_code_and_a_qr_code_of_its_page(letter, settings):
    code = letter.context["verify_code"]
    assert re.fullmatch(r"[0-9a-f]{16}", code)
    text = compact(pdf_text(open_document(letter)))
    assert "扫码核验本文书" in text and f"核验码{code}" in text
    settings.YIWANG_PUBLIC_BASE_URL = "https://yiwang.example.gov.cn"
    url = verification_url(letter.number, code)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "yiwang.example.gov.cn", URL)
    assert parse_qs(parts.query) == {"n": [letter.number], "c": [code]}
    assert url.isascii()
    html = render_html(letter.kind, letter.context)
    expected = segno.make(url, error="m")
    width, _ = expected.symbol_size(scale=1, border=2)
    assert expected.svg_inline(scale=QR_SIZE_MM / width, border=2, unit="mm") in html


def test_the_page_shows_what_was_issued(client, letter):
    response = client.get(URL, query(letter))
    assert response.status_code == 200
    html = response.content.decode()
    for fact in (letter.number, "受理通知书", "郑州市司法局", letter.case.number, letter.sha256):
        assert fact in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_electronic_copy_is_compared_byte_for_byte(client, letter):
    original = open_document(letter)
    same = io.BytesIO(original)
    same.name = "受理通知书.pdf"
    checked = client.post(
        f"{URL}?n={letter.number}&c={letter.context['verify_code']}", {"file": same}
    )
    assert checked.status_code == 200 and "所选文件与出具的原件完全一致" in checked.content.decode()
    altered = io.BytesIO(original.replace(b"%%EOF", b"%%EOF\n%"))
    altered.name = "受理通知书.pdf"
    checked = client.post(
        f"{URL}?n={letter.number}&c={letter.context['verify_code']}", {"file": altered}
    )
    html = checked.content.decode()
    assert "所选文件与出具的原件不同" in html and "所选文件与出具的原件完全一致" not in html
    empty = client.post(f"{URL}?n={letter.number}&c={letter.context['verify_code']}", {})
    assert empty.status_code == 400 and "请选择要核对的文件" in empty.content.decode()


def test_a_wrong_code_or_number_shows_nothing_of_the_letter(client, letter):
    for params in (
        {"n": letter.number, "c": "0" * 16},
        {"n": letter.number.replace("000001", "000002"), "c": letter.context["verify_code"]},
    ):
        response = client.get(URL, params)
        assert response.status_code == 404
        html = response.content.decode()
        assert "未找到该文书" in html and letter.case.number not in html


def test_a_visit_without_number_and_code_shows_the_form_and_counts_nothing(
    client, letter, settings
):
    settings.YIWANG_TRUSTED_PROXIES = []
    bare = client.get(URL)
    html = bare.content.decode()
    assert bare.status_code == 200 and "未找到该文书" not in html
    assert 'name="n"' in html and 'name="c"' in html and 'method="get"' in html
    half = client.get(URL, {"n": letter.number})
    html = half.content.decode()
    assert half.status_code == 400 and "请填写核验码" in html
    assert f'value="{letter.number}"' in html and letter.case.number not in html
    assert "请填写文号" in client.get(URL, {"c": "1" * 16}).content.decode()
    for _ in range(VERIFY_LIMIT):
        client.get(URL)
        client.get(URL, {"n": letter.number, "c": " "})
    assert not AttemptWindow.objects.exists()  # no guess was made
    # The QR code's link still opens the letter.
    assert client.get(URL, query(letter)).status_code == 200


def test_guessing_codes_is_limited_per_client_address(client, letter, settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    for n in range(VERIFY_LIMIT):
        assert client.get(URL, {"n": letter.number, "c": f"{n:016x}"}).status_code == 404
    blocked = client.get(URL, {"n": letter.number, "c": letter.context["verify_code"][::-1]})
    assert blocked.status_code == 429 and "请 10 分钟后再试" in blocked.content.decode()
    assert AttemptWindow.objects.get().attempts == VERIFY_LIMIT  # a refused request is not one
    # Not even the right code gets through now: a 200 among the 429s would tell a guesser.
    refused = client.get(URL, query(letter))
    html = refused.content.decode()
    assert refused.status_code == 429 and letter.case.number not in html
    # Five minutes on, the page tells the five minutes left, not the whole window.
    AttemptWindow.objects.update(window_ends=F("window_ends") - 300)
    later = client.get(URL, {"n": letter.number, "c": "e" * 16})
    assert later.status_code == 429 and "请 5 分钟后再试" in later.content.decode()
    elsewhere = client.get(URL, query(letter), REMOTE_ADDR="198.51.100.3")
    assert elsewhere.status_code == 200 and letter.case.number in elsewhere.content.decode()
    # Once the window has ended, the letter is checked again.
    AttemptWindow.objects.update(window_ends=F("window_ends") - 300)
    assert client.get(URL, query(letter)).status_code == 200


def test_file_checks_count_as_attempts(client, letter, settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    url = f"{URL}?n={letter.number}&c={letter.context['verify_code']}"
    for _ in range(VERIFY_LIMIT):
        upload = io.BytesIO(b"%PDF-1.7 not the letter")
        upload.name = "副本.pdf"
        assert client.post(url, {"file": upload}).status_code == 200
    assert client.post(url, {}).status_code == 429
    assert client.get(url).status_code == 429


def test_a_letter_not_downloaded_yet_is_drawn_and_its_digest_shown(client, case: Case, tree: Any):
    lazy = issue(case, DocumentKind.ACCEPTANCE_NOTICE, organization=tree.city_a, render=False)
    assert not lazy.sha256
    response = client.get(URL, query(lazy))
    lazy.refresh_from_db()
    assert lazy.sha256 and lazy.sha256 in response.content.decode()
