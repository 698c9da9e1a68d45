"""Letters are pressed with the seal their issuer had in use when they were issued."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from yiwang.cases.models import Case
from yiwang.core.errors import Conflict
from yiwang.documents.models import Document, DocumentKind
from yiwang.documents.rendering import layout, render_html, render_pdf
from yiwang.documents.services import issue, open_document
from yiwang.documents.tests.conftest import EXTRA
from yiwang.documents.tests.pdftools import compact, pdf_text
from yiwang.organizations import seals
from yiwang.organizations.tests.images import ring_png
from yiwang.organizations.tests.test_seals import alter

ACCEPT = DocumentKind.ACCEPTANCE_NOTICE
URL = "/verify/letter/"


def pixels(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGBA").tobytes()


def embedded(pdf: bytes) -> list[Image.Image]:
    """The raster images drawn on the first page (the QR code is vector: only seals)."""
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    return [found.image for found in images if found.image is not None]


@pytest.fixture
def sealed(tree: Any) -> seals.Seal:
    return seals.register(
        tree.city_a, name="郑州市司法局行政审批专用章", content=ring_png(), by=None
    )


def test_a_sealed_issuers_letter_carries_its_seal_over_the_signature(case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a)
    assert letter.context["seal"] == sealed.pk
    pdf = open_document(letter)
    [image] = embedded(pdf)
    assert image.size == (300, 300)
    assert image.convert("RGBA").tobytes() == pixels(ring_png())
    text = compact(pdf_text(pdf) or "")
    assert "（印章）" not in text and "郑州市司法局" in text  # the name stays under the seal


def test_an_issuer_without_a_seal_leaves_the_marked_place(case: Case, tree):
    letter = issue(case, ACCEPT, organization=tree.city_b)
    assert letter.context["seal"] is None
    pdf = open_document(letter)
    assert embedded(pdf) == []
    assert "（印章）" in compact(pdf_text(pdf) or "")


def test_a_letter_keeps_the_seal_it_was_issued_with(case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a, render=False)
    seals.register(tree.city_a, name="新印章", content=ring_png(mark=6), by=None)
    later = issue(case, ACCEPT, organization=tree.city_a, render=False)
    assert later.context["seal"] != sealed.pk
    pdf = open_document(Document.objects.get(pk=letter.pk))  # drawn after the replacement
    assert pdf == render_pdf(ACCEPT, letter.context, seals.image_of(sealed.pk))
    [image] = embedded(pdf)
    assert image.convert("RGBA").tobytes() == pixels(ring_png())
    seals.withdraw(tree.city_a, by=None)
    unsealed = issue(case, ACCEPT, organization=tree.city_a)
    assert unsealed.context["seal"] is None and embedded(open_document(unsealed)) == []


def test_a_letter_is_never_drawn_with_another_seal_or_none(case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a, render=False)
    other = seals.register(tree.city_b, name="开封市司法局印章", content=ring_png(mark=7), by=None)
    with pytest.raises(ValueError):
        render_html(ACCEPT, letter.context, seals.image_of(other.pk))
    with pytest.raises(ValueError):
        render_html(ACCEPT, letter.context)


def test_an_altered_seal_image_stops_the_drawing_and_stores_nothing(case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a, render=False)
    alter(sealed, ring_png(mark=2))
    with pytest.raises(Conflict) as refused:
        open_document(Document.objects.get(pk=letter.pk))
    assert refused.value.code == "seal.tampered"
    stored = Document.objects.get(pk=letter.pk)
    assert stored.sha256 == "" and not stored.file


def test_sealed_letters_of_every_kind_keep_their_length(case: Case, tree, sealed):
    unsealed_org = tree.city_b
    for kind in DocumentKind:
        with_seal = issue(case, kind, organization=tree.city_a, extra=EXTRA[kind], render=False)
        without = issue(case, kind, organization=unsealed_org, extra=EXTRA[kind], render=False)
        pages = len(layout(kind, with_seal.context, seals.image_of(sealed.pk)).pages)
        assert pages == len(layout(kind, without.context).pages), kind


def test_the_check_page_shows_the_seal_to_compare_with_the_paper(client, case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a)
    page = client.get(URL, {"n": letter.number, "c": letter.context["verify_code"]})
    html = page.content.decode()
    assert page.status_code == 200
    assert "郑州市司法局行政审批专用章" in html and "data:image/png;base64," in html
    plain = issue(case, ACCEPT, organization=tree.city_b)
    html = client.get(URL, {"n": plain.number, "c": plain.context["verify_code"]}).content.decode()
    assert "未加盖电子印章" in html and "data:image/png;base64," not in html


def test_the_check_page_says_when_the_seal_image_was_altered(client, case: Case, tree, sealed):
    letter = issue(case, ACCEPT, organization=tree.city_a)  # drawn and stored before
    alter(sealed, ring_png(mark=4))
    page = client.get(URL, {"n": letter.number, "c": letter.context["verify_code"]})
    html = page.content.decode()
    assert page.status_code == 200 and letter.sha256 in html
    assert "的图片与登记时的摘要不一致，可能已被篡改" in html
    assert "data:image/png;base64," not in html
