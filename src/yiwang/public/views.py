"""Public pages that need no login: item search, item guides, the progress query."""

from __future__ import annotations

import io

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core import throttle
from yiwang.core.downloads import pdf_file_name, pdf_response
from yiwang.core.errors import NotFound
from yiwang.public import selectors
from yiwang.public.forms import ProgressForm
from yiwang.public.samples import render_sample_pdf

#: Wrong number-and-code pairs allowed per client address and window; right ones are not counted.
PROGRESS_LIMIT = 10
PROGRESS_WINDOW_SECONDS = 600
NO_MATCH = "办件编号或查询码不正确"
TOO_MANY = "输入错误次数过多，为保护申请人信息，已暂停查询，请 {minutes} 分钟后再试"


def _not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "public/not_found.html", {"message": message}, status=404)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Search and browse the published catalogue; an HTMX request gets the results only."""
    results = selectors.search_items(
        request.GET.get("q", ""), request.GET.get("category", ""), request.GET.get("level", "")
    )
    context = {"results": results, "raw_query": request.GET.get("q", "")[:100]}
    # A history restore asks for the whole page, though it sends HX-Request too.
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "public/_results.html" if partial else "public/home.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        guide = selectors.item_guide(code)
    except NotFound:
        return _not_found(request, f"没有找到代码为“{code}”的现行有效事项。")
    if code != guide.version.item.code:
        return redirect("public:item_guide", code=guide.version.item.code, permanent=True)
    return render(request, "public/item_guide.html", {"guide": guide, "v": guide.version})


@require_GET
def item_qr(request: HttpRequest, code: str) -> HttpResponse:
    """A QR code of the guide's absolute address, for reading the guide on a phone."""
    canonical = selectors.published_code(code)
    if canonical is None:
        return _not_found(request, f"没有找到代码为“{code}”的现行有效事项。")
    url = request.build_absolute_uri(reverse("public:item_guide", args=[canonical]))
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, border=2, title="扫码在手机上打开本页", xmldecl=False
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def material_sample(request: HttpRequest, code: str, position: int) -> HttpResponse:
    try:
        material = selectors.sample_material(code, position)
    except NotFound:
        material = None
    if material is None:
        return _not_found(request, "该材料没有示范样例。")
    pdf = render_sample_pdf(material.version.name, material.name, material.sample)
    response = pdf_response(pdf, pdf_file_name("示范样例", material.name), attachment=False)
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Progress by case number and query code, without login. POST keeps codes out of logs."""
    form = ProgressForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {
        "form": form,
        "progress": None,
        "error": "",
        # What the page tells of the lock, from the figures that set it.
        "limit": PROGRESS_LIMIT,
        "lock_minutes": PROGRESS_WINDOW_SECONDS // 60,
    }
    status = 200
    if request.method == "POST":
        locked = throttle.refused("progress", request, limit=PROGRESS_LIMIT)
        if locked is not None:
            context["error"] = TOO_MANY.format(minutes=throttle.minutes_left(locked))
            status = 429
        elif form.is_valid():
            found = selectors.progress_for(form.cleaned_data["number"], form.cleaned_data["code"])
            if found is None:
                # Only a wrong pair is a guess worth counting; a right one clears nothing, or
                # one known pair would let a client guess others without end.
                window = throttle.failed(
                    "progress", request, window_seconds=PROGRESS_WINDOW_SECONDS
                )
                context["error"] = NO_MATCH
                if window.attempts >= PROGRESS_LIMIT:
                    minutes = throttle.minutes_left(window)
                    context["error"] = f"{NO_MATCH}。{TOO_MANY.format(minutes=minutes)}"
            context["progress"] = found
    response = render(request, "public/progress.html", context, status=status)
    patch_cache_control(response, no_store=True)
    return response
