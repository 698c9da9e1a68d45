"""The 示范样例 of a material as a one-page PDF, laid out by WeasyPrint like the case letters
(``yiwang.documents.rendering``): Noto CJK fonts through fontconfig, embedded as subsets, and no
external resource may be fetched while rendering.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.template.loader import render_to_string

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

CACHE_SECONDS = 24 * 3600


def render_sample_pdf(item_name: str, material_name: str, sample: str) -> bytes:
    """The PDF for one sample text. Cached by content: a published version never changes, and
    rendering takes about a second."""
    digest = hashlib.sha256("\x1f".join((item_name, material_name, sample)).encode()).hexdigest()
    key = f"yiwang:public:sample:{digest}"
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    # Imported on first use: WeasyPrint takes about a second to import.
    import weasyprint  # type: ignore[import-untyped]  # no stubs or py.typed
    import weasyprint.urls  # type: ignore[import-untyped]

    html = render_to_string(
        "public/sample_pdf.html",
        {"item_name": item_name, "material_name": material_name, "sample": sample},
    )
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=())
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)  # write_pdf returns the bytes when no target is given
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf
