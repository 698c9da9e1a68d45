"""The staff workbench (审批端): thin views over ``selectors`` (reads) and ``perform`` (writes)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from yiwang.accounts.models import User
from yiwang.cases import engine
from yiwang.cases.models import PledgeCheckStatus
from yiwang.cases.pledges import record_finding
from yiwang.cases.record import organization_name
from yiwang.cases.selectors import pledge_check_for
from yiwang.cases.services import definition_for, perform
from yiwang.core.downloads import pdf_response, safe_file_name
from yiwang.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from yiwang.core.http import client_address
from yiwang.documents.services import open_document
from yiwang.licences.services import licence_pdf, revoke
from yiwang.workbench import forms, selectors
from yiwang.workcalendar.services import current_calendar

View = Callable[..., HttpResponseBase]

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}
# Actions after which the case has left this organization: back to the queue.
MOVING_ACTIONS = frozenset({"hand_over", "send_back"})


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "workbench/error.html", {"title": title, "message": message}, status=status
    )


ERROR_TITLES = {403: "无权访问", 404: "未找到", 409: "无法完成", 422: "输入有误"}


def _domain_error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = _status(error)
    return error_page(request, status, ERROR_TITLES.get(status, "无法完成"), error.message)


def _status(error: DomainError) -> int:
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, Forbidden | NotFound):
        return error.status
    return error.status if error.status >= 400 else 400


def staff_required(view: View) -> View:
    """Signed in (else to the login page) and holding at least one role (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_staff(_user(request)):
            return error_page(
                request,
                403,
                "无权访问审批工作台",
                "审批工作台仅供在岗工作人员使用：您的账号没有任何岗位角色。"
                "如需开通，请联系本单位的系统管理员。",
            )
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def post_else_case_page(view: View) -> View:
    """An action's address takes POSTs. A refused action's page keeps that address, so a reload
    asks for it with GET: it is sent to the case page, not answered 405 with an empty page."""

    @wraps(view)
    def wrapped(request: HttpRequest, number: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return redirect("workbench:case", number=number)
        return view(request, number, *args, **kwargs)

    return wrapped


def _today() -> dt.date:
    return timezone.localdate()


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = forms.queue_filters(request.GET)
    page = selectors.queue(_user(request), filters, today=_today(), calendar=current_calendar())
    # A history restore asks for the whole page, not the fragment the filters swap in.
    partial = (
        "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers
    )
    template = "workbench/_queue_results.html" if partial else "workbench/queue.html"
    response = render(request, template, {"page": page, "filters": filters, "partial": partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    page = selectors.done(_user(request), forms.page_number(request.GET))
    return render(request, "workbench/done.html", {"page": page})


@staff_required
@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    return _case_response(request, number)


def _conflict_message(page: selectors.CasePage) -> str:
    last = page.last_entry
    what = ""
    if last is not None:
        at = timezone.localtime(last.at)
        what = f"{last.actor}于 {at:%Y-%m-%d %H:%M} 进行了“{last.action_label}”，"
    return (
        f"该办件刚刚已有新的办理操作（{what}当前状态：{page.status_label}），"
        "页面已刷新，请核对后再操作"
    )


def _case_response(
    request: HttpRequest, number: str, failure: forms.Failure | None = None, status: int = 200
) -> HttpResponse:
    try:
        page = selectors.case_page(
            _user(request), number, today=_today(), calendar=current_calendar()
        )
    except DomainError as error:
        return _domain_error_page(request, error)
    if failure is not None and failure.conflict:
        failure = dataclasses.replace(failure, message=_conflict_message(page))
    panels = forms.panels(page, failure)
    context = {
        "page": page,
        "case": page.case,
        "panels": panels,
        "failure": failure,
        # The refused action may no longer be on offer; its text is then shown with the notice.
        "failure_has_panel": failure is not None
        and (
            any(p.kind == failure.kind for p in panels)
            or (failure.kind == "revoke_licence" and page.can_revoke_licence)
            or (failure.kind == "pledge_check" and page.can_record_pledge_check)
        ),
        "form_rows": selectors.form_rows(page.case),
    }
    return render(request, "workbench/case.html", context, status=status)


@staff_required
@post_else_case_page
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in selectors.STAFF_ACTIONS:
        return error_page(request, 404, "未找到", f"没有“{action}”这项办理操作")
    user = _user(request)
    try:
        case = selectors.visible_case(user, number)
    except DomainError as error:
        return _domain_error_page(request, error)
    given = forms.posted(request.POST)
    try:
        version = forms.expected_version(request.POST)
        options = selectors.material_options(case.item_version_id)
        updated = perform(
            case.pk,
            forms.build_action(action, given, options),
            user,
            expected_version=version,
            client_addr=client_address(request),
        )
    except DomainError as error:
        failure = forms.Failure(
            action, error.message, given, conflict=error.code == "case.conflict"
        )
        return _case_response(request, number, failure, status=_status(error))
    label = engine.ACTION_LABELS.get(action, action)
    step = definition_for(updated.item_version_id).steps[updated.step_index]
    where = f"{organization_name(updated.owner_org_id)}（{step.name}）"
    if action in MOVING_ACTIONS:
        messages.success(request, f"办件 {number} 已{label}至 {where}。")
        return redirect("workbench:queue")
    moved = f"，已转至 {where}" if updated.owner_org_id != case.owner_org_id else ""
    messages.success(request, f"“{label}”已完成：办件 {number}{moved}。")
    return redirect("workbench:case", number=number)


@staff_required
@require_GET
@xframe_options_sameorigin
def material(request: HttpRequest, number: str, material_id: int) -> HttpResponseBase:
    """One uploaded file, shown inline (the case page frames PDFs from the same origin)."""
    try:
        row = selectors.case_material(_user(request), number, material_id)
    except DomainError as error:
        return _domain_error_page(request, error)
    try:
        handle = row.file.storage.open(row.file.name, "rb")
    except FileNotFoundError:
        return error_page(request, 404, "文件缺失", "该材料的文件在存储中不存在，请联系系统管理员")
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES.get(row.file_type, "application/octet-stream"),
        filename=safe_file_name(row.original_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response


@staff_required
@require_GET
@xframe_options_sameorigin
def document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    try:
        found = selectors.case_document(_user(request), number, document_id)
        content = open_document(found)
    except DomainError as error:
        return _domain_error_page(request, error)
    return _inline_pdf(content, found.download_name)


@staff_required
@require_GET
def licence(request: HttpRequest, number: str) -> HttpResponse:
    try:
        found = selectors.case_licence(_user(request), number)
        content = licence_pdf(found)
    except DomainError as error:
        return _domain_error_page(request, error)
    return _inline_pdf(content, found.download_name)


def _inline_pdf(content: bytes, file_name: str) -> HttpResponse:
    """A PDF shown in the browser, never cached beyond this user, never sniffed as HTML."""
    response = pdf_response(content, file_name, attachment=False)
    response["Cache-Control"] = "private, max-age=0"
    return response


@staff_required
@post_else_case_page
def revoke_licence(request: HttpRequest, number: str) -> HttpResponse:
    """撤销证照: the issuing organization's leader, with a reason (行政许可法第69条)."""
    user = _user(request)
    given = forms.posted(request.POST)
    try:
        found = selectors.case_licence(user, number)
        revoke(found, user, given.reason, client_addr=client_address(request))
    except DomainError as error:
        failure = forms.Failure("revoke_licence", error.message, given)
        return _case_response(request, number, failure, status=_status(error))
    messages.success(request, f"证照 {found.number} 已撤销，核验页面即时显示为“已撤销”。")
    return redirect("workbench:case", number=number)


@staff_required
@post_else_case_page
def pledge_check(request: HttpRequest, number: str) -> HttpResponse:
    """告知承诺核查: the deciding organization's handler or leader records the finding once."""
    user = _user(request)
    given = forms.posted(request.POST)
    try:
        check = record_finding(
            pledge_check_for(selectors.visible_case(user, number)),
            user,
            verdict=given.verdict,
            finding=given.reason,
            client_addr=client_address(request),
        )
    except DomainError as error:
        failure = forms.Failure("pledge_check", error.message, given)
        return _case_response(request, number, failure, status=_status(error))
    label = PledgeCheckStatus(check.status).label
    messages.success(request, f"办件 {number} 的告知承诺核查已登记为“{label}”。")
    return redirect("workbench:case", number=number)


@staff_required
@require_GET
def pledge_checks(request: HttpRequest) -> HttpResponse:
    """告知承诺核查: what the user's organizations still have to check, the earliest due first."""
    status = request.GET.get("status", PledgeCheckStatus.PENDING)
    try:
        page = selectors.pledge_checks_page(
            _user(request), status, forms.page_number(request.GET), _today()
        )
    except DomainError as error:
        return _domain_error_page(request, error)
    return render(request, "workbench/pledge_checks.html", {"page": page})
