"""Reading a download's Content-Disposition back the way a browser does (RFC 6266)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.http import HttpResponseBase

EXTENDED = re.compile(r"filename\*=(?i:utf-8)''([^;\s]+)")
QUOTED = re.compile(r'filename="((?:[^"\\]|\\.)*)"')


def saved_as(response: HttpResponseBase) -> tuple[str, str]:
    """(disposition type, the file name a browser saves the body as)."""
    header = response["Content-Disposition"]
    kind = header.split(";", 1)[0].strip()
    extended = EXTENDED.search(header)
    if extended:
        # RFC 5987: every byte outside the attribute characters is percent-encoded.
        assert re.fullmatch(r"[A-Za-z0-9!#$&+.^_`|~%-]+", extended.group(1)), header
        return kind, unquote(extended.group(1), encoding="utf-8", errors="strict")
    quoted = QUOTED.search(header)
    assert quoted, header
    return kind, re.sub(r"\\(.)", r"\1", quoted.group(1))
