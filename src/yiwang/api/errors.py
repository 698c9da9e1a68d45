"""The API's error bodies: ``{"code", "message", "details"}`` with a stable code and a Chinese
message, for every failure the framework raises on its own (bad JSON, a missing CSRF token,
fields that do not parse) as for the services' ``DomainError``.

Field problems come from pydantic; their English messages are replaced by Chinese ones chosen
by pydantic's stable error ``type``, with the limits it reports (``ctx``) filled in.
"""

from __future__ import annotations

from typing import Any

from yiwang.core.text import size_text

# Where ninja says a value came from: the first part of an error's ``loc``.
TRANSPORTS = frozenset({"query", "body", "path", "form", "header", "cookie", "file"})

FIELD_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "decimal_parsing": "必须是数字",
    "bool_parsing": "必须是 true 或 false",
    "bool_type": "必须是 true 或 false",
    "string_type": "必须是文字",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "不能超过 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "date_parsing": "必须是形如 2026-11-21 的日期",
    "date_from_datetime_parsing": "必须是形如 2026-11-21 的日期",
    "date_type": "必须是形如 2026-11-21 的日期",
    "datetime_parsing": "必须是形如 2026-11-21T09:30:00+08:00 的时间",
    "datetime_from_date_parsing": "必须是形如 2026-11-21T09:30:00+08:00 的时间",
    "datetime_type": "必须是形如 2026-11-21T09:30:00+08:00 的时间",
    "literal_error": "只能是 {expected} 之一",
    "enum": "只能是 {expected} 之一",
    "dict_type": "必须是 JSON 对象",
    "model_type": "必须是 JSON 对象",
    "model_attributes_type": "必须是 JSON 对象",
    "list_type": "必须是 JSON 数组",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不是可接受的字段",
    "uuid_parsing": "必须是 UUID",
    "url_parsing": "必须是网址",
}
OTHER_FIELD_MESSAGE = "无效"

UNREADABLE = ("request.unreadable", "请求内容无法解析：请求体须为有效的 JSON")
CSRF_FAILED = (
    "request.csrf_failed",
    "缺少或错误的 CSRF 令牌：网页会话调用接口须带 X-CSRFToken 请求头，机器客户端请使用令牌认证",
)

TOO_LARGE_CODE = "request.too_large"
TOO_LARGE = "请求内容过大：请求体不能超过 {limit}（材料文件请通过上传接口以文件提交）"

# Failures ninja raises as HttpError, by status: (code, message).
HTTP_ERRORS = {
    400: ("request.bad", "请求有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "接口不存在"),
    405: ("request.method_not_allowed", "该接口不支持此请求方法"),
    413: (TOO_LARGE_CODE, "请求内容过大"),
    429: ("request.throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，已记录，请稍后再试"),
}


def field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """The field as the caller wrote it: without ninja's transport prefix ("body", "query")
    and, for a body, without the name of the endpoint's parameter that holds it."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in TRANSPORTS:
        transport, parts = parts[0], parts[1:]
        if transport == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts)


def field_message(error: dict[str, Any]) -> str:
    template = FIELD_MESSAGES.get(str(error.get("type", "")), OTHER_FIELD_MESSAGE)
    context = dict(error.get("ctx") or {})
    if isinstance(context.get("expected"), str):  # "'city' or 'county'"
        context["expected"] = context["expected"].replace(" or ", "、")
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return OTHER_FIELD_MESSAGE


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    details = []
    for error in errors:
        field = field_name(error.get("loc", ()))
        details.append(
            {
                "code": "invalid",
                "field": field,
                "message": f"参数 {field} {field_message(error)}",
            }
        )
    return {"code": "validation_error", "message": "请求参数有误", "details": details}


def http_error_body(status: int, message: str) -> dict[str, Any]:
    """The body for a failure ninja raised with ``status`` and its own (English) ``message``."""
    if status == 403 and "CSRF" in message:
        code, text = CSRF_FAILED
    elif status == 400 and "parse request body" in message:
        code, text = UNREADABLE
    else:
        code, text = HTTP_ERRORS.get(status, (f"request.http_{status}", "请求无法处理"))
    return {"code": code, "message": text}


def too_large_body(limit: int) -> dict[str, Any]:
    """The body for a request larger than Django reads into memory (``limit`` bytes)."""
    return {"code": TOO_LARGE_CODE, "message": TOO_LARGE.format(limit=size_text(limit, "MB"))}
