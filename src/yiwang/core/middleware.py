"""Answers fixed up around every view.

A NUL character in the address is refused before any view. No case number, letter number or
other key holds one, and PostgreSQL refuses it in a query with an error, so every lookup by a
value taken from the address would fail as a server error. Refusing it here answers them all
at once, with a clear 400 (JSON under /api/). A whole refusal page answering an htmx request is
sent to replace the page's body.
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


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that swaps its answer into the page (a history restore takes a page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and "HX-History-Restore-Request" not in request.headers
    )


class WholePageRefusalsForHtmx:
    """A refusal answered with a whole page (403, 404, the CSRF failure page) replaces the page's
    body: swapped into the element the htmx request meant to update, it would nest a second
    header and footer inside, say, a material's card."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            400 <= response.status_code < 500
            and is_htmx(request)
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and "HX-Retarget" not in response
            and response.content.lstrip()[:15].lower() == b"<!doctype html>"
        ):
            response["HX-Retarget"] = "body"
            response["HX-Reswap"] = "innerHTML"
        return response
