"""Text the databases cannot store: PostgreSQL refuses the NUL character in every text and JSON
value (SQLite would keep it), so input is checked where it enters, on both, alike.

The same walk refuses a value that contains itself: a YAML file may say ``a: &a [*a]``, which
the YAML parser builds as a list holding itself, and every later walk over it would never end.
And small helpers for the text of messages: reasons trimmed of invisible characters, sentences
joined into one, sizes in one unit.
"""

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


#: For a file whose lists or mappings nest deeper than the parsers (and Python) can follow.
NESTING_MESSAGE = "文件的列表或映射嵌套层数过多，无法读取"


class CyclicValue(ValueError):
    """A list or mapping that contains itself, met at ``path`` (a recursive YAML alias)."""

    def __init__(self, path: str) -> None:
        super().__init__(cycle_message(path))
        self.path = path


def cycle_message(path: str) -> str:
    where = f"{path} 处的" if path else ""
    return f"文件含有循环引用的别名（{where}列表或映射包含了它自身，例如 a: &a [*a]），无法读取"


def nul_path(value: Any, where: str = "") -> str | None:
    """Where in ``value`` (a string, or lists and mappings of them) a NUL character sits, as a
    dotted path ("" for ``value`` itself); None when there is none.

    Raises ``CyclicValue`` when a list or mapping contains itself. Iterative, so that depth is
    no limit; a list or mapping shared through YAML aliases is walked once, so that aliases of
    aliases (a "billion laughs") cost no more than the file is long.
    """
    done: set[int] = set()  # containers walked whole, found clean
    open_: set[int] = set()  # containers on the path from ``value`` to the current one
    # (node, its path, whether this entry closes the node after its children)
    stack: list[tuple[Any, str, bool]] = [(value, where, False)]
    while stack:
        node, path, closing = stack.pop()
        if closing:
            open_.discard(id(node))
            done.add(id(node))
            continue
        if isinstance(node, str):
            if "\x00" in node:
                return path
            continue
        if isinstance(node, dict):
            items: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, (list, tuple)):
            items = list(enumerate(node))
        else:
            continue
        if id(node) in open_:
            raise CyclicValue(path)
        if id(node) in done:
            continue
        open_.add(id(node))
        stack.append((node, path, True))
        # Reversed, so that the first NUL in document order is the one reported.
        for key, item in reversed(items):
            child = f"{path}.{key}" if path else str(key)
            stack.append((item, child, False))
            if isinstance(key, str):
                stack.append((key, child, False))
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
