"""The public check of a licence (电子证照核验): no login, reached by scanning its QR code.

The page shows a licence to whoever has its verification code, printed under the QR code and
held in its address: with numbers alone nobody can read other people's licences one after
another. Without the right code it asks for number and code, giving the same answer for an
unknown number and a wrong code; wrong codes count against the client's address, and a client
past the limit is refused before its guess is looked at.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.throttle import failed, minutes_left, refused
from yiwang.documents.context import mask_resident_id
from yiwang.licences import selectors, services
from yiwang.licences.models import Licence
from yiwang.organizations.seals import shown_on_page

#: Wrong codes allowed per client address and window (as for letters).
VERIFY_SCOPE = "licence-verify"
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 600

NUMBER_MISSING = "请填写证照编号"
CODE_MISSING = "请填写核验码"
NO_MATCH = "证照编号与核验码不符，未能核验。请核对证照上的编号和二维码下方的核验码后重新输入。"


@require_GET
@never_cache  # the answer changes the moment a licence is revoked
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The address in the QR code, ``/verify/licence/<number>/?c=<code>``; without a code, the
    form with the number filled in."""
    code = request.GET.get("c", "")
    if not code.strip():
        return _form(request, number)
    return _check(request, number, code)


@require_http_methods(["GET", "POST"])
@never_cache
def verify_form(request: HttpRequest) -> HttpResponse:
    """Number and code typed in; posted, so that the code stays out of address logs."""
    if request.method != "POST":
        return _form(request, request.GET.get("n", ""))
    number = request.POST.get("number", "")
    code = request.POST.get("code", "")
    errors = {
        field: message
        for field, value, message in (
            ("number", number, NUMBER_MISSING),
            ("code", code, CODE_MISSING),
        )
        if not value.strip()
    }
    if errors:
        return _form(request, number, code, errors=errors, status=400)
    return _check(request, number, code)


def _check(request: HttpRequest, number: str, code: str) -> HttpResponse:
    number, code = number.strip()[:100], code.strip()[:64]
    locked = refused(VERIFY_SCOPE, request, limit=VERIFY_LIMIT)
    if locked is not None:
        minutes = minutes_left(locked)
        return render(request, "licences/verify_busy.html", {"minutes": minutes}, status=429)
    licence = selectors.licence_to_verify(number, code)
    if licence is None:
        failed(VERIFY_SCOPE, request, window_seconds=VERIFY_WINDOW_SECONDS)
        return _form(request, number, code, error=NO_MATCH, status=404)
    return _shown(request, licence)


def _form(
    request: HttpRequest,
    number: str,
    code: str = "",
    *,
    error: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "number": number.strip()[:100],
        "code": code.strip()[:64],
        "error": error,
        "errors": errors or {},
    }
    return render(request, "licences/verify_form.html", context, status=status)


def _shown(request: HttpRequest, licence: Licence) -> HttpResponse:
    result = services.verify(licence)
    content = licence.content if isinstance(licence.content, dict) else {}
    return render(
        request,
        "licences/verify.html",
        {
            "licence": licence,
            "result": result,
            "content": content,
            "holder_id_masked": mask_resident_id(licence.holder_id_number),
            # The seal is one of the signed facts: shown only when the signature holds.
            **(shown_on_page(content.get("seal")) if result.authentic else {}),
        },
    )
