"""What people read in the shipped catalogue: its own words, no research marker among them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from yiwang.core import yaml_text

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "catalogue.yaml"
# Not read as the item's text: the English name, the research record (sources, notes, the
# promise's source) and regular expressions. Everything else is shown in the guide, the
# application form, the sample PDFs or the API.
NOT_READ = {"name_en", "sources", "notes", "source", "pattern"}
# Items whose conditions were derived from the governing rule rather than quoted from it.
DERIVED_CONDITIONS = [
    "SF-GZ-003", "SF-GZ-006", "SF-GZ-008", "SF-JD-002", "SF-JD-003", "SF-JD-004", "SF-JD-006",
    "SF-JD-007", "SF-JD-008", "SF-JC-001", "SF-JC-002", "SF-FY-002", "SF-ZG-001",
]  # fmt: skip


def english_asides(text: str) -> list[str]:
    """English words inside parentheses, such as a research note's （derived）.

    Abbreviations in capitals (PDF, OFD, SF/T, an item code's SF-JD) are real content; a word
    with a lower-case letter, or a longer word in capitals (NOT FOUND), is not.
    """
    words: list[str] = []
    depth, word = 0, ""
    for ch in text + " ":
        if depth and ch.isascii() and ch.isalpha():
            word += ch
            continue
        if word:
            words.append(word)
            word = ""
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(depth - 1, 0)
    return [w for w in words if (len(w) >= 2 and not w.isupper()) or len(w) >= 4]


def texts(
    value: Any, path: str = "", skip: frozenset[str] | set[str] = NOT_READ
) -> Iterator[tuple[str, str]]:
    """(path, text) of every text people read in an item of the catalogue file."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, entry in enumerate(value, start=1):
            yield from texts(entry, f"{path}[{i}]", skip)
    elif isinstance(value, dict):
        for key, entry in value.items():
            if key not in skip:
                yield from texts(entry, f"{path}.{key}" if path else key, skip)


def shipped_items() -> list[dict[str, Any]]:
    return yaml_text.load(SHIPPED.read_text(encoding="utf-8"))["items"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("具有中华人民共和国国籍的香港（澳门）特别行政区永久性居民（derived）", ["derived"]),
        ("持有有效的《司法鉴定人执业证》（第96号令，derived）", ["derived"]),
        ("（《中国委托公证人（香港）管理办法》，derived）", ["derived"]),
        ("时限未检索到（NOT FOUND）", ["FOUND"]),
        ("a provincial guide (findlaw copy)", ["findlaw", "copy"]),
        ("上传 PDF（或 OFD）文件", []),
        ("已妥善安排未结业务（依SF/T 0022-2021 5.2推定）", []),
        ("格式同申请书（见SF-JD-005）", []),
        ("derived outside any aside is not this guard's business", []),
    ],
)
def test_the_guard_finds_english_asides_and_spares_abbreviations(text, found):
    assert english_asides(text) == found


def test_no_text_people_read_in_the_shipped_catalogue_has_an_english_aside():
    leaks = [
        f"{item['code']} / {path}: {text}"
        for item in shipped_items()
        for path, text in texts(item)
        if english_asides(text)
    ]
    assert leaks == []


def test_a_derived_condition_is_told_in_the_notes_in_chinese():
    items = {item["code"]: item for item in shipped_items()}
    for code in DERIVED_CONDITIONS:
        assert "推定" in items[code]["notes"], code
    # Not even in the research record: the notes say 推定.
    everything = [text for item in items.values() for _, text in texts(item, skip=frozenset())]
    assert not [text for text in everything if "derived" in text.lower()]
