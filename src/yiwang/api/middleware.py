"""Answers under /api/ are JSON even when no endpoint produced them: an address that names no
endpoint (404), a method an endpoint does not take (405), an unexpected failure (500). Django
and ninja answer those with HTML or plain text, which a machine client cannot read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from yiwang.api.errors import http_error_body

API_PREFIX = "/api/"
JSON = "application/json"


class JsonErrorsUnderApi:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(JSON)
            # A developer's server shows the traceback of a failure (DEBUG only).
            or (settings.DEBUG and response.status_code >= 500)
        ):
            return response
        body = http_error_body(response.status_code, "")
        answer = JsonResponse(
            body, status=response.status_code, json_dumps_params={"ensure_ascii": False}
        )
        if "Allow" in response:  # 405 says which methods the endpoint takes
            answer["Allow"] = response["Allow"]
        return answer
