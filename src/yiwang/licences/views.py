"""The public verification page of a licence: no login, reached by scanning its QR code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yiwang.documents.context import mask_resident_id
from yiwang.licences import selectors, services
from yiwang.organizations.seals import shown_on_page


@require_GET
@never_cache  # the answer changes the moment a licence is revoked
def verify(request: HttpRequest, number: str) -> HttpResponse:
    licence = selectors.licence_by_number(number)
    if licence is None:
        return render(request, "licences/not_found.html", {"number": number}, status=404)
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
