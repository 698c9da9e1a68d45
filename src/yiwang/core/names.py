"""People's names as their identity documents write them: the one rule for every place a
person's name is typed (registration, the admin's applicant records).

Two shapes are accepted, never mixed:

* a Chinese name: Chinese characters (汉字, including the rare ones of the CJK extensions),
  the parts of a minority or transliterated name joined by the middle dot, e.g. 买买提·艾力.
  The dots people can type (·, •, ・, ‧, and . from a phone keyboard) are stored as U+00B7 "·",
  the dot of the identity card; spaces are dropped, as the card has none;
* a Latin-letter name (a foreigner's passport name): letters, accented ones too, with single
  spaces, hyphens, apostrophes and dots between them, e.g. Jean-Luc O'Neil, J. R. Smith.

Anything else (digits, emoji, markup, punctuation, control characters) is refused with a
message that names the character.
"""

from __future__ import annotations

import re
import unicodedata

from yiwang.core.errors import InvalidInput
from yiwang.core.text import NUL_MESSAGE

MIN_LENGTH = 2
#: The longest name kept (the user's ``full_name`` column holds 50 characters).
MAX_LENGTH = 50

MIDDLE_DOT = "\u00b7"
_DOTS = frozenset({MIDDLE_DOT, "\u2022", "\u30fb", "\u2027", "\uff65", "."})
_LATIN_JOINERS = frozenset({" ", "-", "'", "\u2019", "."})
# A letter is "a" here: words joined by one hyphen, apostrophe, dot or space (a dot may be
# followed by a space, and may end the name, as in "Smith Jr.").
_LATIN_SHAPE = re.compile(r"a+(?:(?:[-'\u2019 ]|\. ?)a+)*\.?")

HINT = (
    "请按身份证件填写：中文姓名用汉字，少数民族姓名各部分之间用间隔号“·”；"
    "外文姓名用拉丁字母，可含空格、连字符（-）、撇号（'）和点（.）"
)


class InvalidName(InvalidInput):
    """A name that is not a person's name; ``code`` says which rule, ``message`` says how."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEO"))


def _is_latin_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "")


def _fold(value: str) -> str:
    """Full-width letters and spaces (typed with a Chinese input method) as their plain forms,
    accents composed; nothing else is changed (NFKC would alter rare Chinese characters)."""
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else " " if ch.isspace() else ch
        for ch in value
    )
    return unicodedata.normalize("NFC", " ".join(folded.split()))


def _shown(ch: str) -> str:
    if unicodedata.category(ch)[0] in "CZ":
        return "不可见的控制字符或特殊空白"
    return f"“{ch}”"


def normalize_person_name(value: str, label: str = "姓名") -> str:
    """The name as it is stored, or ``InvalidName`` saying what is wrong with it."""
    if "\x00" in value:
        raise InvalidName("name.nul", f"{label}{NUL_MESSAGE}")
    name = _fold(value)
    if not name:
        raise InvalidName("name.required", f"请填写{label}")
    has_han = any(_is_han(ch) for ch in name)
    has_latin = any(_is_latin_letter(ch) for ch in name)
    for ch in name:
        if not (_is_han(ch) or _is_latin_letter(ch) or ch in _DOTS or ch in _LATIN_JOINERS):
            raise InvalidName("name.characters", f"{label}中不能含有{_shown(ch)}。{HINT}")
    if has_han and has_latin:
        raise InvalidName(
            "name.mixed",
            f"{label}不能同时含有汉字和拉丁字母：中文姓名请全部用汉字，外文姓名请全部用拉丁字母",
        )
    if has_han:
        name = "".join(MIDDLE_DOT if ch in _DOTS else ch for ch in name if ch != " ")
        for ch in name:
            if ch in _LATIN_JOINERS:
                raise InvalidName("name.characters", f"{label}中不能含有{_shown(ch)}。{HINT}")
        if any(not part for part in name.split(MIDDLE_DOT)):
            raise InvalidName(
                "name.dot", f"间隔号“·”只能用在{label}的两部分之间，不能在开头、结尾或连用"
            )
    elif has_latin:
        for ch in name:
            if not (_is_latin_letter(ch) or ch in _LATIN_JOINERS):
                raise InvalidName("name.characters", f"外文{label}中不能含有{_shown(ch)}。{HINT}")
        shape = "".join("a" if _is_latin_letter(ch) else ch for ch in name)
        if not _LATIN_SHAPE.fullmatch(shape):
            raise InvalidName(
                "name.latin_shape",
                f"外文{label}须以字母开头，空格、连字符、撇号和点只能用在字母之间，不能连用",
            )
    else:
        raise InvalidName("name.characters", f"{label}须含有汉字或拉丁字母。{HINT}")
    if len(name) < MIN_LENGTH:
        raise InvalidName("name.too_short", f"请填写完整的{label}（至少 {MIN_LENGTH} 个字）")
    if len(name) > MAX_LENGTH:
        raise InvalidName("name.too_long", f"{label}不能超过 {MAX_LENGTH} 个字符")
    return name
