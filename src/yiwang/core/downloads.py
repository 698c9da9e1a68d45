"""The files people download: what their browser saves them as, and the response that sends them.

Every letter and licence is named by ``pdf_file_name``, in Chinese, after what it is and the
number printed on it (``Document.download_name``, ``Licence.download_name``):
``补正材料通知书-郑州市司补〔2026〕第000001号.pdf``, ``电子证照-河南省司证〔2026〕第000001号.pdf``.
Django writes a name that is not plain ASCII as ``filename*=utf-8''…`` (RFC 6266 with RFC 5987
encoding), which every browser in use reads. Characters no file name may hold (path separators,
quotes, control characters and the others Windows refuses) become ``_``: a name comes partly
from catalogue text and uploads, and must never point the saved file elsewhere.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\"<>:|?*]')


def safe_file_name(name: str) -> str:
    """``name`` with every character a file name cannot hold replaced; never empty."""
    # No leading dot (a hidden file) and no trailing dots or blanks (Windows drops them).
    cleaned = UNSAFE.sub("_", name).strip(". ")
    return cleaned or "_"


def pdf_file_name(title: str, identifier: str) -> str:
    """``{title}-{identifier}.pdf``, made safe."""
    return safe_file_name(f"{title}-{identifier}" if identifier else title) + ".pdf"


def pdf_response(content: bytes, file_name: str, *, attachment: bool) -> HttpResponse:
    """``content`` as a PDF named ``file_name``, to save (``attachment``) or to show inline."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = content_disposition_header(attachment, safe_file_name(file_name))
    response["Content-Disposition"] = disposition or ("attachment" if attachment else "inline")
    response["X-Content-Type-Options"] = "nosniff"
    return response
