"""What paper carries back to the platform: its public address and QR codes of pages on it."""

from __future__ import annotations

import segno
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

QR_BORDER = 2  # quiet zone, in modules


def public_base_url() -> str:
    """Where the public reaches the platform, for addresses printed on paper."""
    return str(settings.YIWANG_PUBLIC_BASE_URL)


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m")


def qr_svg(url: str, size_mm: float) -> SafeString:
    """The QR code of ``url`` as inline SVG, ``size_mm`` wide and high including its quiet zone."""
    code = qr_code(url)
    width, _ = code.symbol_size(scale=1, border=QR_BORDER)
    svg = code.svg_inline(scale=size_mm / width, border=QR_BORDER, unit="mm")
    # segno writes the markup itself; the URL is only encoded into the path data.
    return mark_safe(svg)
