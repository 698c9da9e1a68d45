"""The public check of a letter (文书核验): no login, reached by scanning the letter's QR code.

It shows what the platform issued under that number, so a paper copy can be compared line by
line, and checks an electronic copy byte for byte against the issued PDF's SHA-256. Without
number and code it shows a form asking for them; only a lookup counts as a guess.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import DomainError
from yiwang.core.throttle import failed, minutes_left, refused
from yiwang.documents.services import document_to_verify, open_document
from yiwang.organizations.seals import shown_on_page

#: Wrong codes and file checks allowed per client address and window; then every check of
#: that address waits for the window to end, as the licence check does.
VERIFY_SCOPE = "letter-verify"
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 600

NUMBER_MISSING = "请填写文号"
CODE_MISSING = "请填写核验码"


@require_http_methods(["GET", "POST"])
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("n", "").strip()[:100]
    code = request.GET.get("c", "").strip()[:64]
    if not (number and code):
        # Nothing to look up, so no guess to count: the form asks for what is missing.
        return _form(request, number, code)
    # A locked client is refused before anything is looked up: were the right code still
    # answered, a guesser would read every 429 as "wrong" and every 200 as "found".
    locked = refused(VERIFY_SCOPE, request, limit=VERIFY_LIMIT)
    if locked is not None:
        minutes = minutes_left(locked)
        return render(request, "documents/verify_busy.html", {"minutes": minutes}, status=429)
    document = document_to_verify(number, code)
    if document is None or request.method == "POST":
        # A wrong code is an attempt, and so is a file check: it costs a digest of the upload.
        failed(VERIFY_SCOPE, request, window_seconds=VERIFY_WINDOW_SECONDS)
    if document is None:
        return render(request, "documents/verify_not_found.html", {"number": number}, status=404)
    context: dict[str, object] = {"document": document, "facts": document.context, "check": None}
    try:
        open_document(document)  # renders and stores a letter never downloaded yet: its digest
    except DomainError as error:
        context["unavailable"] = error.message
    context["sha256"] = document.sha256
    context.update(shown_on_page(document.context.get("seal")))
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["check"], status = "missing", 400
        elif upload.size is not None and upload.size > settings.YIWANG_MAX_UPLOAD_BYTES:
            context["check"], status = "too_large", 400
        else:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            context["uploaded_sha256"] = digest.hexdigest()
            context["check"] = "same" if digest.hexdigest() == context["sha256"] else "different"
    return render(request, "documents/verify.html", context, status=status)


def _form(request: HttpRequest, number: str, code: str) -> HttpResponse:
    """Number and code to type, as on the letter; sent as the QR code's address is (GET)."""
    errors = {}
    if number or code or request.method == "POST":
        errors = {
            field: message
            for field, value, message in (("n", number, NUMBER_MISSING), ("c", code, CODE_MISSING))
            if not value
        }
    context = {"number": number, "code": code, "errors": errors}
    return render(request, "documents/verify_form.html", context, status=400 if errors else 200)
