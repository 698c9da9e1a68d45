"""A licence as a PDF: a Django template laid out by WeasyPrint, with a QR code to verify it.

Rendering reads nothing but the licence's stored facts, the image of the seal they name (handed
in by the caller, checked against the frozen digest) and the public base address. Fonts are
those of the letters (``documents.rendering``): Noto Serif CJK SC for the text and Noto Sans
CJK SC for headings, from Debian's fonts-noto-cjk, embedded as subsets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from yiwang.accounts.models import ApplicantKind
from yiwang.core import printed
from yiwang.core.printed import public_base_url
from yiwang.licences.models import Licence
from yiwang.organizations.seals import template_values

if TYPE_CHECKING:
    import weasyprint  # type: ignore[import-untyped]  # no stubs or py.typed

    from yiwang.organizations.seals import SealImage

TEMPLATE = "licences/licence_pdf.html"
# Printed size of the QR code: large enough for a phone camera at arm's length.
QR_SIZE_MM = 32


def verification_url(licence: Licence) -> str:
    """The absolute address of the licence's public check, its code included: the QR code."""
    return public_base_url() + licence.verification_path


def qr_svg(url: str) -> SafeString:
    """The licence's QR code of ``url`` as inline SVG sized in millimetres."""
    return printed.qr_svg(url, QR_SIZE_MM)


def render_context(licence: Licence, seal: SealImage | None = None) -> dict[str, Any]:
    content = licence.content
    url = verification_url(licence)
    organization = content.get("holder_kind") == ApplicantKind.ORGANIZATION
    return {
        "licence": licence,
        "content": content,
        "facts": content.get("facts", []),
        "holder_label": "持证单位" if organization else "持证人",
        "id_label": content.get("holder_id_label") or "证件号码",
        "verification_url": url,
        "verify_code": licence.verify_code,
        "qr_svg": qr_svg(url),
        **template_values(content.get("seal"), seal, f"licence {licence.number!r}"),
    }


def render_html(licence: Licence, seal: SealImage | None = None) -> str:
    """``seal`` is the image of ``licence.content["seal"]``, None for an unsealed licence."""
    return render_to_string(TEMPLATE, render_context(licence, seal))


def layout(licence: Licence, seal: SealImage | None = None) -> weasyprint.Document:
    """The laid-out pages (to inspect text and page count without writing a PDF)."""
    # Imported on first use: WeasyPrint takes about a second to import.
    import weasyprint
    import weasyprint.urls  # type: ignore[import-untyped]

    # The template references no external resource; the seal comes inline as a data: URI.
    # Allowing that protocol alone means no text on a licence can make the renderer read a
    # local file or call a URL.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=render_html(licence, seal), url_fetcher=fetcher).render()


def render_pdf(licence: Licence, seal: SealImage | None = None) -> bytes:
    pdf = layout(licence, seal).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf
