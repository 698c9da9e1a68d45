"""The API's JSON parser: ninja's, plus one check every request body passes before any endpoint
sees it.

JSON may carry a lone UTF-16 surrogate as an escape ("\\ud800"), and Python's ``json`` decodes
raw bytes with ``surrogatepass`` as well; the result is a ``str`` that is no text in UTF-8, which
the database cannot store (SQLite fails inside ``execute``, PostgreSQL refuses it). Refusing it
here covers every field of every endpoint, the free-form ``form_data`` included, so services
never receive such a string.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.text import SURROGATE_MESSAGE

_SURROGATE = re.compile("[\ud800-\udfff]")

TEXT_INVALID_CODE = "request.text_invalid"


def surrogate_paths(value: Any) -> list[str]:
    """Where in a parsed JSON value a string or a key holds a lone surrogate, as dotted paths
    ("" for ``value`` itself), in document order; a key's own surrogates shown as U+FFFD, so
    that the path can be written in a message. Iterative: JSON nests as deep as ``json`` can
    parse, deeper than a recursive walk may go."""
    found: list[str] = []
    # (node, its path, whether the path ends in a key that holds a surrogate)
    stack: list[tuple[Any, str, bool]] = [(value, "", False)]
    while stack:
        node, path, bad_key = stack.pop()
        if bad_key:
            found.append(path)
            continue
        if isinstance(node, str):
            if _SURROGATE.search(node):
                found.append(path)
            continue
        if isinstance(node, dict):
            items: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, item in reversed(items):
            if isinstance(key, str) and _SURROGATE.search(key):
                key = _SURROGATE.sub("\ufffd", key)
                stack.append((item, f"{path}.{key}" if path else key, True))
            else:
                stack.append((item, f"{path}.{key}" if path else str(key), False))
    return found


class CheckedJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = json.loads(request.body)
        paths = surrogate_paths(data)
        if paths:
            # Ninja turns any exception of the parser into its generic 400; the API's handler
            # of that error answers with this one instead (see v1.on_http_error).
            raise InvalidInput(
                TEXT_INVALID_CODE,
                "请求内容含有无法识别的字符（单独的 UTF-16 代理项，如 \\ud800），无法保存",
                [
                    Problem(
                        "text_invalid",
                        f"参数 {path} {SURROGATE_MESSAGE}" if path else SURROGATE_MESSAGE,
                        field=path,
                    )
                    for path in paths
                ],
            )
        return cast(DictStrAny, data)
