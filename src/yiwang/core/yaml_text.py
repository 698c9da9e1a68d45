"""YAML as yiwang's files are read: safe, and with dates left as the text that was written.

PyYAML's SafeLoader turns an unquoted ``2026-02-30`` into a date while parsing, and a date
that does not exist ends the parse in a ValueError that names no line and no field. Left as
text, a date is checked where the file's format expects one, and a bad one becomes one listed
problem with its place.
"""

from __future__ import annotations

from typing import Any

import yaml

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
#: What a value with an explicit tag was meant to be, by the tag's last part.
TAG_NAMES = {"timestamp": "日期", "int": "整数", "float": "数", "bool": "布尔值"}


class BadValue(yaml.constructor.ConstructorError):
    """A value its explicit tag cannot make (``!!timestamp 2026-02-30``, ``!!int ten``)."""


class DatelessLoader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) without the timestamp resolver."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            # PyYAML's constructors raise these bare, with no place in the file.
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            tag = node.tag.rsplit(":", 1)[-1]
            problem = f"值 {value!r} 不是有效的{TAG_NAMES.get(tag, tag)}"
            raise BadValue(None, None, problem, node.start_mark) from exc


DatelessLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    """The data of one YAML document; raises ``yaml.YAMLError`` for text that is not YAML."""
    return yaml.load(text, Loader=DatelessLoader)  # noqa: S506  # a SafeLoader subclass


def position(exc: yaml.YAMLError) -> str:
    """Where in the file a parse failed, "第 3 行第 5 列", or "" when the parser does not say."""
    mark = getattr(exc, "problem_mark", None)
    return f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else ""
