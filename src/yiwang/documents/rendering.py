"""Rendering a document's frozen context to PDF: Django templates laid out by WeasyPrint.

Rendering reads nothing but ``(kind, context)``, the image of the seal the context names (handed
in by the caller, checked against the frozen digest) and the platform's public address (printed
in the verification QR code): no database, no clock, no network. The same context therefore
gives the same bytes on the same software, fonts and address, which is what lets a document
issued with ``render=False`` be rendered later and still be the document that was issued.

Fonts: the body is set in Noto Serif CJK SC and headings in Noto Sans CJK SC (Debian package
``fonts-noto-cjk``); GB/T 9704's 仿宋 and 小标宋 are not freely available. WeasyPrint finds them
through fontconfig and embeds subsets, so a reader needs no Chinese fonts installed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from yiwang.accounts.models import ApplicantKind
from yiwang.core.printed import public_base_url, qr_svg
from yiwang.documents.models import DocumentKind
from yiwang.organizations.seals import template_values

if TYPE_CHECKING:
    import weasyprint  # type: ignore[import-untyped]  # no stubs or py.typed

    from yiwang.organizations.seals import SealImage

# WeasyPrint reports every layout step at INFO on this logger, and the project logs INFO: that
# would be a dozen lines per document. Warnings (e.g. a missing glyph) still come through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Decisions identify the applicant by ID number; notices address them by name only.
DECISIONS = frozenset(
    {DocumentKind.REFUSAL_DECISION, DocumentKind.APPROVAL_DECISION, DocumentKind.DENIAL_DECISION}
)


# Letters that state the case's deadlines: when those reach into a year whose holidays are not
# published yet, they say how the dates were reckoned.
STATES_DEADLINES = frozenset({DocumentKind.ACCEPTANCE_NOTICE, DocumentKind.EXTENSION_NOTICE})

# Printed size of a letter's verification QR code: it sits in the first page's bottom margin.
QR_SIZE_MM = 22

# Lines to the page: GB/T 9704's 22, then the tighter grids (base.html) tried in turn when a
# letter does not fit on one page at 22. One that fits on none keeps the 22 lines on every page.
STANDARD_LINES = 22
TIGHTER_LINES = (26, 28)


def verification_url(number: str, code: str) -> str:
    """The absolute address of the public page that checks letter ``number``."""
    query = urlencode({"n": number, "c": code})  # percent-encoded: the QR code holds ASCII
    return f"{public_base_url()}{reverse('documents:verify')}?{query}"


def template_name(kind: str) -> str:
    return f"documents/{DocumentKind(kind).value}.html"


def render_html(
    kind: str,
    context: dict[str, Any],
    seal: SealImage | None = None,
    lines: int = STANDARD_LINES,
) -> str:
    """The document as HTML; user-supplied text (reasons, names) is escaped by the templates.

    ``seal`` is the image of ``context["seal"]`` (``organizations.seals.image_of``), None for a
    letter issued without one; ``lines`` the lines to a page (``STANDARD_LINES`` or one of
    ``TIGHTER_LINES``)."""
    document_kind = DocumentKind(kind)
    person = context["applicant"]["kind"] == ApplicantKind.PERSON
    values = {
        **context,
        # Presentation only, derived from frozen facts: how the letter addresses the applicant.
        "you": "你" if person else "你单位",
        "show_id": document_kind in DECISIONS,
        "deadline_note": document_kind in STATES_DEADLINES
        and bool(context["case"].get("deadline_provisional")),
        **template_values(context.get("seal"), seal, f"letter {context.get('number')!r}"),
        # base.html: no class for GB/T's grid, "tight lines-26" and so on for the tighter ones.
        "grid": "" if lines == STANDARD_LINES else f"tight lines-{lines}",
    }
    code = context.get("verify_code")
    if code:  # letters issued before codes were printed have none
        url = verification_url(context["number"], code)
        values.update(verification_url=url, qr_svg=qr_svg(url, QR_SIZE_MM))
    return render_to_string(template_name(document_kind), values)


def layout(
    kind: str, context: dict[str, Any], seal: SealImage | None = None
) -> weasyprint.Document:
    """The laid-out pages (useful to inspect text and page count without writing a PDF).

    A letter is one page whenever it can be: one that runs over at 22 lines a page is laid out
    again on the tighter grids, and the first that holds it on one page is kept (a layout takes
    under a tenth of a second; writing the PDF is what costs). Still a function of the context
    alone, so a letter rendered later is the letter that was issued."""
    document = _layout(render_html(kind, context, seal))
    for lines in TIGHTER_LINES:
        if len(document.pages) == 1:
            break
        tighter = _layout(render_html(kind, context, seal, lines))
        if len(tighter.pages) == 1:
            document = tighter
    return document


def _layout(html: str) -> weasyprint.Document:
    # Imported on first use: WeasyPrint takes about a second to import, which every
    # process that never renders (API workers, CLI, migrations) need not pay.
    import weasyprint
    import weasyprint.urls  # type: ignore[import-untyped]

    # The templates reference no external resource; the seal comes inline as a data: URI.
    # Allowing that protocol alone means text that slipped into a document can never make the
    # renderer read a local file or call a URL.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render()


def render_pdf(kind: str, context: dict[str, Any], seal: SealImage | None = None) -> bytes:
    """The PDF bytes of a document of ``kind`` printing ``context`` (see ``context`` module),
    pressed with ``seal`` (the image of ``context["seal"]``)."""
    pdf = layout(kind, context, seal).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf
