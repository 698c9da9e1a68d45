"""Text the databases cannot store: PostgreSQL refuses the NUL character in every text and JSON
value (SQLite would keep it), so input is checked where it enters, on both, alike. And small
helpers for the text of messages: sentences joined into one, sizes in one unit."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from typing import Any

NUL_MESSAGE = "含有空字符（NUL），无法保存"
SURROGATE_MESSAGE = "含有无法识别的字符，无法保存"

# Characters a reader cannot see: control and format characters (zero-width spaces, joiners,
# direction marks) and separators. Whitespace of every kind is caught by str.isspace().
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def trimmed(text: str) -> str:
    """``text`` without the invisible characters at either end, so that a reason made of
    zero-width or full-width spaces counts as empty, as it reads."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def unstorable(text: str) -> str:
    """Why ``text`` cannot be stored (a NUL, or a lone surrogate that is no character in UTF-8),
    as the end of a Chinese sentence; "" when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return ""


def nul_path(value: Any, where: str = "") -> str | None:
    """Where in ``value`` (a string, or lists and mappings of them) a NUL character sits, as a
    dotted path ("" for ``value`` itself); None when there is none."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and "\x00" in key:
            return path
        found = nul_path(item, path)
        if found is not None:
            return found
    return None


_CLOSING = "。；;.，, "


def join_sentences(messages: Iterable[str]) -> str:
    """Several messages as one sentence, "甲；乙。": each message's own closing punctuation is
    dropped first, so none is doubled ("…字符。；…")."""
    parts = [part for part in (str(m).rstrip(_CLOSING) for m in messages) if part]
    return "；".join(parts) + "。" if parts else ""


_UNITS = {"KB": 1024, "MB": 1024 * 1024}


def size_unit(limit: int) -> str:
    """The unit a limit and the sizes compared with it are told in: MB from 1 MB, else KB."""
    return "MB" if limit >= _UNITS["MB"] else "KB"


def size_text(size: int, unit: str, *, round_up: bool = False) -> str:
    """``size`` bytes in ``unit`` to one decimal place ("25 MB", "20.5 MB"); rounded up when
    it is compared with a limit, so that a size just over it never reads as equal to it."""
    tenths = size * 10 / _UNITS[unit]
    whole, tenth = divmod(math.ceil(tenths) if round_up else math.floor(tenths), 10)
    return f"{whole}.{tenth} {unit}" if tenth else f"{whole} {unit}"
