"""Template filters for documents: dates as official letters print them."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def cn_date(value: datetime.date | str | None) -> str:
    """2026-11-21 → 2026年11月21日 (GB/T 9704-2012: Arabic numerals, no leading zeros)."""
    if not value:
        return ""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


@register.filter
def cn_join(values: list[str] | None, word: str = "或者") -> str:
    """["甲", "乙", "丙"] → 甲、乙或者丙."""
    items = [v for v in values or [] if v]
    if len(items) < 2:
        return "".join(items)
    return "、".join(items[:-1]) + word + items[-1]


@register.filter
def clause(value: str | None) -> str:
    """Text to embed mid-sentence: without the closing punctuation the template adds itself."""
    return (value or "").strip().rstrip("。．.；;，,、 ")


# A reason often already opens with its own "because"; the letter must not print "因因…".
_CAUSE_WORDS = ("因为", "由于", "鉴于", "因")


@register.filter
def because(value: str | None) -> str:
    """A reason as a clause opening with 因 (因情况复杂), unless it opens with such a word."""
    text = clause(value)
    return text if text.startswith(_CAUSE_WORDS) else f"因{text}"
