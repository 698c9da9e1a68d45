"""Requests refused before any view: a NUL character in the address.

No case number, letter number or other key holds one, and PostgreSQL refuses it in a query
with an error, so every lookup by a value taken from the address would fail as a server error.
Refusing it here answers them all at once, with a clear 400 (JSON under /api/).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

MESSAGE = "请求地址中含有空字符（NUL），无法处理"


class RefuseNulInAddress:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                body = {"code": "request.nul_character", "message": MESSAGE}
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
