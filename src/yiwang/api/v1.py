"""The HTTP/JSON API, version 1, documented in OpenAPI at ``/api/v1/docs``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer

from yiwang.api import errors
from yiwang.api.cases import router as cases_router
from yiwang.api.drafts import router as drafts_router
from yiwang.api.organizations import router as organizations_router
from yiwang.api.parser import CheckedJsonParser
from yiwang.api.pledges import router as pledges_router
from yiwang.catalog.api import router as catalog_router
from yiwang.core.errors import DomainError
from yiwang.workcalendar.api import router as calendar_router


class ChineseJSONRenderer(JSONRenderer):
    # Chinese text stays readable in responses instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    parser=CheckedJsonParser(),
    title="一网 API",
    version="1",
    description=(
        "司法行政权力事项网上审批与电子监察平台的接口。"
        "错误以 JSON 返回：`code` 为稳定的机器可读代码，`message` 为中文说明，"
        "`details` 列出每一处问题。"
    ),
    docs_url="/docs",
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, errors.validation_body(exc.errors), status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Raised by ninja itself: no credentials, a body that is not JSON, a missing CSRF token.
    if isinstance(exc.__cause__, DomainError):
        # The parser's own refusal, which ninja wraps in its generic "cannot parse" error.
        return on_domain_error(request, exc.__cause__)
    body = errors.http_error_body(exc.status_code, exc.message)
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django would answer 400 "请求有误": say what is wrong, with the status that says so.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return api.create_response(request, errors.too_large_body(limit), status=413)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": "未找到"}, status=404)


api.add_router("/items", catalog_router, tags=["事项目录"])
api.add_router("/calendar", calendar_router, tags=["工作日历"])
api.add_router("/organizations", organizations_router, tags=["组织机构"])
api.add_router("/drafts", drafts_router, tags=["申请草稿"])
api.add_router("/cases", cases_router, tags=["办件"])
api.add_router("/pledge-checks", pledges_router, tags=["告知承诺核查"])
