"""The applicant portal (申请人端). Thin: every rule is in ``yiwang.cases`` and ``yiwang.accounts``
services, the same ones the API calls; a view turns a ``DomainError`` into a message on the page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.accounts.models import Applicant, User
from yiwang.accounts.services import register_applicant
from yiwang.cases import drafts, engine, ratings
from yiwang.cases.materials import TYPE_LABELS
from yiwang.cases.materials import upload as upload_material
from yiwang.cases.models import Case, RatingLevel
from yiwang.cases.selectors import pledge_check_of
from yiwang.cases.services import definition_for, perform
from yiwang.catalog.application_form import (
    bind,
    data_from_post,
    display_rows,
    form_definition,
    remove_row,
)
from yiwang.catalog.models import Material
from yiwang.core.downloads import pdf_response
from yiwang.core.errors import DomainError, InvalidInput
from yiwang.core.http import client_address
from yiwang.licences.selectors import licence_for_case
from yiwang.licences.services import licence_pdf
from yiwang.portal import selectors


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _fail(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


# --- Registration -------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    values = {k: request.POST.get(k, "") for k in ("username", "full_name", "id_number", "phone")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            user = register_applicant(password=request.POST.get("password", ""), **values)
        except DomainError as error:
            errors = {p.field: p.message for p in error.problems}
            status = 422
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功，已为您登录。")
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("portal:my_cases")
            return redirect(target or reverse("portal:my_cases"))
    return render(
        request,
        "portal/register.html",
        {"values": values, "errors": errors, "next": request.GET.get("next", "")},
        status=status,
    )


# --- My cases -----------------------------------------------------------------------------


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "portal/my_cases.html",
        {
            "cases": selectors.cases_of(user),
            "drafts": selectors.draft_rows(user),
            "is_applicant": Applicant.objects.filter(user=user).exists(),
        },
    )


# --- Applying -----------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Choose where to apply and for whom, then open a draft."""
    user = _user(request)
    try:
        version = drafts.current_version(code.upper())
    except DomainError:  # an unknown or retired item
        return render(request, "portal/not_found.html", {"what": f"事项 {code}"}, status=404)
    organizations = list(drafts.accepting_organizations(version.item.code))
    applicants = selectors.applicants_for(user)
    if not applicants:
        messages.error(request, "只有申请人账号可以在线申请。请先注册申请人账号。")
        return redirect(f"{reverse('portal:register')}?next={request.path}")
    if request.method == "POST" or (len(organizations) == 1 and len(applicants) == 1):
        org_id = request.POST.get("organization") or (organizations[0].pk if organizations else "")
        applicant_id = request.POST.get("applicant") or applicants[0].pk
        organization = next((o for o in organizations if str(o.pk) == str(org_id)), None)
        applicant = next((a for a in applicants if str(a.pk) == str(applicant_id)), None)
        if organization is None or applicant is None:
            messages.error(request, "请选择受理机构和申请人")
        else:
            try:
                draft = drafts.start(user, version.item.code, organization, applicant)
            except DomainError as error:
                _fail(request, error)
            else:
                return redirect("portal:draft", draft_id=draft.pk)
    return render(
        request,
        "portal/apply.html",
        {
            "version": version,
            "organizations": organizations,
            "applicants": applicants,
            "open_drafts": [d for d in drafts.open_drafts(user) if d.item_id == version.item_id],
        },
    )


def _draft_page(
    request: HttpRequest,
    draft: Any,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    extra_rows: dict[str, int] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = drafts.current_version(draft.item.code)
    definition = form_definition(version)
    materials = selectors.material_rows(_user(request), draft, version)
    return render(
        request,
        "portal/draft.html",
        {
            "draft": draft,
            "version": version,
            "acceptance_window": engine.acceptance_window(definition_for(version.pk)),
            "form": bind(
                definition, data if data is not None else draft.form_data, errors, extra_rows
            ),
            "errors": errors or {},
            "materials": materials,
            "max_upload_mb": settings.YIWANG_MAX_UPLOAD_BYTES // 1024 // 1024,
            "max_upload_bytes": settings.YIWANG_MAX_UPLOAD_BYTES,
        },
        status=status,
    )


@login_required
def draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = _user(request)
    try:
        found = drafts.draft_for(user, draft_id)
    except DomainError as error:
        return _refused(request, error)
    if found.case is not None:
        return redirect("portal:case", number=found.case.number)
    if request.method != "POST":
        return _draft_page(request, found)
    data, pledged = _typed(request, found)
    # What was typed is kept first, whatever happens next.
    try:
        drafts.save(found, user, data, pledged=pledged)
    except InvalidInput as error:  # text the database cannot store: the saved draft stays
        _fail(request, error)
        return _draft_page(request, found, data=data, status=400)
    if "add_row" in request.POST:
        return _draft_page(request, found, data=data, extra_rows={request.POST["add_row"]: 1})
    if "remove_row" in request.POST:
        data = remove_row(data, request.POST["remove_row"])
        drafts.save(found, user, data)
        return _draft_page(request, found, data=data)
    if "submit" not in request.POST:
        messages.success(request, "草稿已保存，可以随时回来继续填写。")
        return redirect("portal:draft", draft_id=found.pk)
    try:
        case = drafts.submit_draft(found, user, client_addr=client_address(request))
    except DomainError as error:
        problems = {p.field: p.message for p in error.problems}
        if problems:
            messages.error(
                request, f"还有 {len(problems)} 处需要补充或修改，请按提示更正后再提交。"
            )
        else:
            _fail(request, error)
        status = 422 if isinstance(error, InvalidInput) else error.status
        return _draft_page(request, found, data=data, errors=problems, status=status)
    messages.success(
        request,
        f"申请已提交。办件编号 {case.number}，查询码 {case.query_code}（请妥善保存，可凭此不登录查询进度）。",
    )
    return redirect("portal:case", number=case.number)


def _typed(request: HttpRequest, draft: Any) -> tuple[dict[str, Any], bool]:
    """The draft form as posted, and the pledge where the item offers one."""
    version = drafts.current_version(draft.item.code)
    pledged = version.pledge_allowed and request.POST.get("pledged") == "on"
    return data_from_post(form_definition(version), request.POST), pledged


@login_required
@require_POST
def draft_autosave(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The draft form as it is typed (htmx, on input and change): saved, never submitted,
    whatever buttons the browser sends along; answers with the page's "已保存" line."""
    user = _user(request)
    try:
        found = drafts.draft_for(user, draft_id)
        data, pledged = _typed(request, found)
        # The draft's own save: kept as typed, checked only when submitted.
        drafts.save(found, user, data, pledged=pledged)
    except DomainError as error:
        return render(
            request, "portal/_autosave.html", {"error": error.message}, status=error.status
        )
    return render(request, "portal/_autosave.html", {"saved_at": found.updated_at})


@login_required
@require_POST
def draft_material(request: HttpRequest, draft_id: int, position: int) -> HttpResponse:
    """Upload, reuse, pledge or remove one material of a draft; answers HTMX with its row."""
    user = _user(request)
    try:
        found = drafts.draft_for(user, draft_id)
    except DomainError as error:
        return _refused(request, error)
    version = drafts.current_version(found.item.code)
    problem = ""
    try:
        material = version.materials.get(position=position)
        if "remove" in request.POST:
            drafts.remove_material(found, material.name, user)
        elif "pledge" in request.POST:
            drafts.pledge_material(found, material.name, user)
        elif request.POST.get("reuse"):
            drafts.choose_reuse(found, material.name, int(request.POST["reuse"]), user)
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise _missing_file()
            drafts.upload(found, material.name, upload, upload.name or "", user)
    except DomainError as exc:
        problem = exc.message
        if not request.headers.get("HX-Request"):
            _fail(request, exc)
    except ValueError:
        problem = "请从列表中选择要复用的材料"
    except Material.DoesNotExist:
        problem = "没有这项材料"
    if not request.headers.get("HX-Request"):
        return redirect("portal:draft", draft_id=draft_id)
    found = drafts.draft_for(user, draft_id)
    rows = selectors.material_rows(user, found, version)
    row = next((r for r in rows if r.position == position), None)
    if row is None:
        return render(request, "portal/not_found.html", {"what": "这项材料"}, status=404)
    return render(
        request,
        "portal/_material_row.html",
        {
            "row": row,
            "draft": found,
            "error": problem,
            "max_upload_bytes": settings.YIWANG_MAX_UPLOAD_BYTES,
        },
        status=422 if problem else 200,
    )


def _missing_file() -> DomainError:
    return InvalidInput("material.no_file", "请选择要上传的文件")


# --- One case -----------------------------------------------------------------------------


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "portal/refused.html", {"error": error}, status=error.status)


@login_required
def case(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    return _case_page(request, found)


def _case_page(request: HttpRequest, found: Case, status: int = 200) -> HttpResponse:
    user = _user(request)
    definition = form_definition(found.item_version)
    actions = selectors.applicant_actions(user, found)
    return render(
        request,
        "portal/case.html",
        {
            "case": found,
            "timeline": selectors.timeline(found),
            "documents": selectors.documents_of(found),
            "licence": licence_for_case(found),
            "pledge_check": pledge_check_of(found),
            "materials": selectors.case_material_rows(found),
            "form_rows": display_rows(definition, found.form_data),
            "actions": actions,
            "can_rate": ratings.can_rate(found, user),
            "rating": selectors.rating_of(found),
            "levels": RatingLevel.choices,
            "status_label": engine.STATUS_LABELS.get(found.status, found.status),
            "type_labels": TYPE_LABELS,
            "max_upload_bytes": settings.YIWANG_MAX_UPLOAD_BYTES,
        },
        status=status,
    )


#: What the confirmation of a withdrawal (撤回申请) carries, so one click never withdraws.
WITHDRAW_CONFIRMED = "yes"


@login_required
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Asks the applicant to confirm a withdrawal, saying what it means; works without script."""
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    label = engine.STATUS_LABELS.get(found.status, found.status)
    if "withdraw" not in selectors.applicant_actions(user, found):
        messages.error(request, f"该办件当前状态为“{label}”，不能撤回（受理后不能撤回申请）。")
        return redirect("portal:case", number=number)
    return render(
        request,
        "portal/withdraw.html",
        {"case": found, "status_label": label, "confirmed": WITHDRAW_CONFIRMED},
    )


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """The applicant's own actions: withdraw, supply the supplement, pledge."""
    user = _user(request)
    if action not in ("withdraw", "supply_supplement", "pledge"):
        return render(request, "portal/not_found.html", {"what": "该操作"}, status=404)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    if action == "withdraw" and request.POST.get("confirm") != WITHDRAW_CONFIRMED:
        # Irreversible: only from the confirmation page, which explains what it means.
        return redirect("portal:withdraw", number=number)
    try:
        params: dict[str, Any] = {}
        chosen = request.POST.getlist("materials")
        if action == "supply_supplement" and found.gaps and chosen:
            params["materials"] = chosen  # otherwise every owed material uploaded so far
        perform(
            found.pk,
            engine.Action(action, request.POST.get("reason", ""), params),
            user,
            expected_version=_int(request.POST.get("version")),
            client_addr=client_address(request),
        )
    except DomainError as error:
        _fail(request, error)
        return redirect("portal:case", number=number)
    done = {
        "withdraw": "申请已撤回。",
        "supply_supplement": "补正材料已提交，等待窗口重新审核。",
        "pledge": "已作出告知承诺。",
    }
    messages.success(request, done[action])
    return redirect("portal:case", number=number)


@login_required
@require_POST
def case_material(request: HttpRequest, number: str, position: int) -> HttpResponse:
    """A new version of a material, e.g. when answering a supplement request (补正)."""
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    try:
        material = found.item_version.materials.get(position=position)
        upload = request.FILES.get("file")
        if upload is None:
            raise _missing_file()
        upload_material(found, material.name, upload, upload.name or "", user)
        messages.success(request, f"“{material.name}”已上传。")
    except DomainError as error:
        _fail(request, error)
    except Material.DoesNotExist:
        messages.error(request, "没有这项材料")
    return redirect(f"{reverse('portal:case', args=[number])}#materials")


@login_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    try:
        ratings.rate(
            found, user, _int(request.POST.get("level")) or 0, request.POST.get("comment", "")
        )
    except DomainError as error:
        _fail(request, error)
        return redirect(f"{reverse('portal:case', args=[number])}#rating")
    messages.success(request, "感谢您的评价！")
    return redirect(f"{reverse('portal:case', args=[number])}#rating")


@login_required
def document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    from yiwang.documents.services import open_document

    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    doc = found.documents.filter(pk=document_id).first()
    if doc is None:
        return render(request, "portal/not_found.html", {"what": "该文书"}, status=404)
    try:
        content = open_document(doc)  # a stored file that fails its digest is refused, not served
    except DomainError as error:
        return _refused(request, error)
    return pdf_response(content, doc.download_name, attachment=True)


@login_required
def licence(request: HttpRequest, number: str) -> HttpResponse:
    """The signed electronic licence (电子证照) of an approved case."""
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    issued = licence_for_case(found)
    if issued is None:
        return render(request, "portal/not_found.html", {"what": "该办件的电子证照"}, status=404)
    try:
        content = licence_pdf(issued)
    except DomainError as error:
        return _refused(request, error)
    return pdf_response(content, issued.download_name, attachment=True)


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt (回执) to print or keep: case number and the verification code."""
    user = _user(request)
    try:
        found = selectors.own_case(user, number)
    except DomainError as error:
        return _refused(request, error)
    return render(request, "portal/receipt.html", {"case": found})


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None
