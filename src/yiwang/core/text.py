"""Text the databases cannot store: PostgreSQL refuses the NUL character in every text and JSON
value (SQLite would keep it), so input is checked where it enters, on both, alike."""

from __future__ import annotations

from typing import Any

NUL_MESSAGE = "含有空字符（NUL），无法保存"


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
