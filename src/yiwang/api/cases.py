"""Cases over HTTP: submit, read, act, history, documents. Thin: every rule is in the services."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from yiwang.accounts.models import Applicant
from yiwang.api.auth import STAFF_OR_APPLICANT
from yiwang.api.schemas import InputSchema
from yiwang.cases import engine
from yiwang.cases.models import Case, Channel, PledgeCheck
from yiwang.cases.pledges import record_finding
from yiwang.cases.selectors import (
    applicant_ids_for,
    case_for,
    case_with_view,
    pledge_check_for,
    reason_told,
)
from yiwang.cases.services import Submission, definition_for, perform, submit
from yiwang.core.downloads import pdf_response
from yiwang.core.errors import Forbidden, InvalidInput, NotFound
from yiwang.core.http import client_address
from yiwang.licences.models import Licence
from yiwang.licences.selectors import licence_for_case
from yiwang.licences.services import licence_pdf, revoke
from yiwang.organizations.models import Organization

router = Router(auth=STAFF_OR_APPLICANT)


class OrgOut(Schema):
    name: str = Field(description="机构名称")
    credit_code: str | None = Field(description="统一社会信用代码")


class CaseOut(Schema):
    number: str = Field(description="办件编号")
    version: int = Field(
        description="版本号；操作时可作为 expected_version 传回，防止覆盖他人的修改"
    )
    item_code: str = Field(description="事项代码")
    item_name: str = Field(description="事项名称")
    item_version: int = Field(description="办件适用的事项版本号")
    applicant: str = Field(description="申请人")
    channel: str = Field(description="申请渠道")
    status: str = Field(description="状态代码")
    status_label: str = Field(description="状态")
    outcome: str = Field(description="办理结果：approved / denied / refused / withdrawn，未决为空")
    step_key: str = Field(description="当前环节代码")
    step_name: str = Field(description="当前环节")
    owner: OrgOut = Field(description="当前办理机构")
    accepting: OrgOut = Field(description="受理机构")
    received_on: dt.date = Field(description="收件日期")
    accept_due: dt.date | None = Field(description="受理期限（第32条）")
    accepted_on: dt.date | None = Field(description="受理日期")
    deemed_accepted: bool = Field(description="是否逾期视为受理")
    step_due: dt.date | None = Field(description="当前环节期限；暂停时为空")
    promised_due: dt.date | None = Field(description="承诺期限；暂停时为空")
    statutory_due: dt.date | None = Field(description="法定期限；暂停时为空")
    deadline_provisional: bool = Field(description="期限涉及未载入节假日安排的年度，为暂定")
    paused_days: int = Field(description="特殊环节累计不计入时限的天数")
    suspension_kind: str = Field(description="正在进行的特殊环节，未暂停为空")
    extension_days: int = Field(description="已批准延长的天数")
    decided_on: dt.date | None = Field(description="决定日期")
    delivered_on: dt.date | None = Field(description="送达日期")
    gaps: list[dict[str, Any]] = Field(description="容缺受理尚欠的材料及补交期限")
    supplement: list[dict[str, Any]] = Field(description="待补正的材料及问题")
    pledged: bool = Field(description="申请人是否承诺符合申请条件（事项的告知承诺）")
    pledged_materials: list[str] = Field(
        description="以书面承诺代替提交的证明材料（证明事项告知承诺）"
    )


def case_out(case: Case) -> dict[str, Any]:
    defn = definition_for(case.item_version_id)
    return {
        "number": case.number,
        "version": case.version,
        "item_code": defn.item_code,
        "item_name": defn.item_name,
        "item_version": case.item_version.version,
        "applicant": case.applicant.name,
        "channel": case.channel,
        "status": case.status,
        "status_label": engine.STATUS_LABELS[case.status],
        "outcome": case.outcome,
        "step_key": case.step_key,
        "step_name": defn.steps[case.step_index].name,
        "owner": case.owner_org,
        "accepting": case.accepting_org,
        "received_on": case.received_on,
        "accept_due": case.accept_due,
        "accepted_on": case.accepted_on,
        "deemed_accepted": case.deemed_accepted,
        "step_due": case.step_due,
        "promised_due": case.promised_due,
        "statutory_due": case.statutory_due,
        "deadline_provisional": case.deadline_provisional,
        "paused_days": case.paused_workdays,
        "suspension_kind": case.suspension_kind,
        "extension_days": case.extension_days,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "gaps": case.gaps,
        "supplement": case.supplement,
        "pledged": case.pledged,
        "pledged_materials": case.pledged_materials,
    }


def requested_applicant(own: Applicant | None, applicant_id: int | None) -> Applicant:
    """The applicant a request names, or the user's own applicant record (``own``) when it
    names none."""
    if applicant_id is None:
        if own is None:
            raise InvalidInput("case.applicant_required", "请指定申请人（applicant_id）")
        return own
    found = Applicant.objects.filter(pk=applicant_id).first()
    if found is None:
        raise NotFound("applicant.not_found", "未找到该申请人")
    return found


class SubmitIn(InputSchema):
    item_code: str = Field(description="事项代码，如 SF-LS-006")
    organization: str = Field(description="受理机构的统一社会信用代码")
    idempotency_key: str = Field(description="客户端生成的唯一键；重复提交同一键返回同一办件")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容")
    applicant_id: int | None = Field(None, description="申请人编号；默认本人。代办时填委托人")
    channel: str = Field(Channel.ONLINE, description="online / window / platform")


@router.post("", response={200: CaseOut, 201: CaseOut}, summary="提交申请")
def submit_case(request: HttpRequest, body: SubmitIn) -> Status[dict[str, Any]]:
    """提交申请。同一申请人使用同一幂等键重复提交时，返回已有办件（200）而不重复创建。"""
    user = request.user
    org = Organization.objects.filter(credit_code=body.organization.upper()).first()
    if org is None:
        raise NotFound("organization.not_found", f"未找到受理机构 {body.organization}")
    if body.channel not in Channel.values:
        raise InvalidInput("case.channel", "申请渠道必须是 online、window 或 platform")
    own = Applicant.objects.filter(user=user).first()  # type: ignore[misc]
    applicant = requested_applicant(own, body.applicant_id)
    agent = own if own is not None and own.pk != applicant.pk else None
    if agent is not None and applicant.pk not in applicant_ids_for(user):  # type: ignore[arg-type]
        raise Forbidden("case.forbidden", "没有有效的授权委托，不能代该申请人提交")
    case, created = submit(
        user,  # type: ignore[arg-type]
        Submission(
            item_code=body.item_code,
            organization=org,
            applicant=applicant,
            agent=agent,
            idempotency_key=body.idempotency_key,
            form_data=body.form_data,
            channel=body.channel,
        ),
        client_addr=client_address(request),
    )
    return Status(201 if created else 200, case_out(case_for(user, case.number)))  # type: ignore[arg-type]


@router.get("/{number}", response=CaseOut, summary="办件详情")
def get_case(request: HttpRequest, number: str) -> dict[str, Any]:
    return case_out(case_for(request.user, number))  # type: ignore[arg-type]


class MaterialRef(InputSchema):
    material: str = Field(description="材料名称（与事项目录一致）")
    problem: str = Field("", description="问题说明，如“缺少签字页”")


class ActionIn(InputSchema):
    reason: str = Field("", description="理由；不予受理、不予准予、回退、特殊环节、延期必填")
    expected_version: int | None = Field(
        None, description="读取时的版本号；读取后办件已有新的变更时返回 409"
    )
    materials: list[MaterialRef] | None = Field(
        None, description="补正、容缺或以告知承诺代替（pledge）的材料清单"
    )
    due: dt.date | None = Field(None, description="容缺材料的补交期限")
    kind: str | None = Field(
        None, description="特殊环节：supplement / site_check / expert_review / hearing / testing"
    )
    decision: str | None = Field(None, description="审批决定：approve / deny")
    to_step: str | None = Field(None, description="回退到的环节代码")
    method: str | None = Field(None, description="送达方式：online / post / window")
    served_on: dt.date | None = Field(None, description="送达日期，默认今天")


ACTIONS = [kind for kind in engine.HANDLERS if kind not in ("deem_accept", "recompute")]


@router.post("/{number}/actions/{action}", response=CaseOut, summary="办理操作")
def act(request: HttpRequest, number: str, action: str, body: ActionIn) -> dict[str, Any]:
    """对办件执行一项操作：accept、accept_with_gaps、refuse、request_supplement、supply_supplement、
    pledge、withdraw、review、check、decide、send_back、hand_over、suspend、resume、extend、conclude、deliver。
    权限不符返回 403，状态已变或并发冲突返回 409，参数有误返回 400/422。"""
    if action not in ACTIONS:
        raise InvalidInput(
            "case.unknown_action", f"未知的操作“{action}”，可用：{'、'.join(ACTIONS)}"
        )
    case = case_for(request.user, number)  # type: ignore[arg-type]
    params: dict[str, Any] = {}
    for name in ("due", "kind", "decision", "to_step", "method", "served_on"):
        value = getattr(body, name)
        if value is not None:
            params[name] = value
    if body.materials is not None:
        params["materials"] = [m.dict() for m in body.materials]
    updated = perform(
        case.pk,
        engine.Action(action, body.reason, params),
        request.user,  # type: ignore[arg-type]
        expected_version=body.expected_version,
        client_addr=client_address(request),
    )
    return case_out(case_for(request.user, updated.number))  # type: ignore[arg-type]


class HistoryOut(Schema):
    seq: int = Field(description="序号")
    at: dt.datetime = Field(description="时间")
    action: str = Field(description="操作代码")
    action_label: str = Field(description="操作")
    organization: str = Field(description="办理机构")
    actor: str = Field(description="操作人；申请人（及其代理人）查看时为空")
    role: str = Field(description="岗位；申请人（及其代理人）查看时为空")
    reason: str = Field(
        description="理由。申请人（及其代理人）只能看到依法应当告知的理由（不予受理、补正、"
        "特殊环节、延期、决定），其余环节的内部意见为空"
    )
    before: dict[str, Any] = Field(description="变更前")
    after: dict[str, Any] = Field(description="变更后")
    hash: str = Field(description="本条记录的 SM3 值")


@router.get("/{number}/history", response=list[HistoryOut], summary="办理过程（审计记录）")
def history(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    from yiwang.audit.models import AuditEntry

    case, staff = case_with_view(request.user, number)  # type: ignore[arg-type]
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "action": e.action,
            "action_label": engine.ACTION_LABELS.get(e.action, e.action),
            "organization": e.organization_name,
            "actor": e.actor_name if staff else "",
            "role": e.role if staff else "",
            "reason": e.reason if staff else reason_told(e.action, e.reason),
            "before": e.before,
            "after": e.after,
            "hash": e.hash,
        }
        for e in AuditEntry.objects.filter(case_id=case.pk).order_by("seq")
    ]


class DocumentOut(Schema):
    id: int = Field(description="文书编号（内部）")
    kind: str = Field(description="文书类型")
    title: str = Field(description="文书名称")
    number: str = Field(description="文号")
    issued_at: dt.datetime = Field(description="签发时间")
    verification_url: str | None = Field(
        description="公开核验页地址（文书上二维码的内容）；早于核验码出具的文书为空"
    )


@router.get("/{number}/documents", response=list[DocumentOut], summary="办件文书")
def documents(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    from yiwang.documents.rendering import verification_url

    case = case_for(request.user, number)  # type: ignore[arg-type]
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "title": d.title,
            "number": d.number,
            "issued_at": d.issued_at,
            "verification_url": (
                verification_url(d.number, d.context["verify_code"])
                if isinstance(d.context, dict) and d.context.get("verify_code")
                else None
            ),
        }
        for d in case.documents.order_by("issued_at", "pk")
    ]


@router.get("/{number}/documents/{document_id}.pdf", summary="下载文书（PDF）")
def download(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    from yiwang.documents.services import open_document

    case = case_for(request.user, number)  # type: ignore[arg-type]
    document = case.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound("document.not_found", "未找到该文书")
    return pdf_response(open_document(document), document.download_name, attachment=False)


class LicenceOut(Schema):
    number: str = Field(description="证照编号")
    name: str = Field(description="证照名称")
    holder_name: str = Field(description="持证者")
    issuer: str = Field(description="发证机关")
    issued_on: dt.date = Field(description="发证日期")
    status: str = Field(description="状态代码：valid / revoked")
    status_label: str = Field(description="状态")
    revoked_at: dt.datetime | None = Field(description="撤销时间；未撤销为空")
    revocation_reason: str = Field(description="撤销理由；未撤销为空")
    verify_code: str = Field(
        description="核验码：印在证照二维码下方，公开核验页面凭证照编号和核验码显示证照"
    )
    verify_url: str = Field(description="公开核验页面的地址，含核验码（证照二维码指向此处）")


class RevokeIn(InputSchema):
    reason: str = Field(description="撤销理由（必填），记入办件的审计记录并在核验页面公示")


def _licence_of(request: HttpRequest, number: str) -> Licence:
    licence = licence_for_case(case_for(request.user, number))  # type: ignore[arg-type]
    if licence is None:
        raise NotFound("licence.not_found", "该办件没有电子证照")
    return licence


def _licence_out(request: HttpRequest, licence: Licence) -> dict[str, Any]:
    return {
        "number": licence.number,
        "name": licence.name,
        "holder_name": licence.holder_name,
        "issuer": licence.issuer_name,
        "issued_on": licence.issued_on,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "revoked_at": licence.revoked_at,
        "revocation_reason": licence.revocation_reason,
        "verify_code": licence.verify_code,
        "verify_url": request.build_absolute_uri(licence.verification_path),
    }


@router.get("/{number}/licence", response=LicenceOut, summary="办件的电子证照")
def licence(request: HttpRequest, number: str) -> dict[str, Any]:
    """准予许可并办结后签发的电子证照；没有证照返回 404。"""
    return _licence_out(request, _licence_of(request, number))


@router.get("/{number}/licence.pdf", summary="下载电子证照（PDF）")
def licence_download(request: HttpRequest, number: str) -> HttpResponse:
    found = _licence_of(request, number)
    return pdf_response(licence_pdf(found), found.download_name, attachment=False)


@router.post("/{number}/licence/revoke", response=LicenceOut, summary="撤销电子证照")
def licence_revoke(request: HttpRequest, number: str, body: RevokeIn) -> dict[str, Any]:
    """发证机关的审批负责人撤销证照（行政许可法第69条），须说明理由；撤销不可恢复。
    无权返回 403，已撤销返回 409，未说明理由返回 400。"""
    revoked = revoke(
        _licence_of(request, number),
        request.user,  # type: ignore[arg-type]
        body.reason,
        client_addr=client_address(request),
    )
    return _licence_out(request, revoked)


class PledgeCheckOut(Schema):
    case_number: str = Field(description="办件编号")
    item_name: str = Field(description="事项名称")
    applicant: str = Field(description="申请人")
    organization: OrgOut = Field(description="核查机关：作出批准决定的机关")
    subjects: list[str] = Field(description="核查内容：“申请条件”及以承诺代替的证明材料")
    opened_on: dt.date = Field(description="开始日期（办结之日）")
    due_on: dt.date = Field(description="核查期限")
    status: str = Field(description="核查结果代码：pending / confirmed / false")
    status_label: str = Field(description="核查结果")
    finding: str = Field(description="核查情况；未核查为空")
    checked_by: str | None = Field(description="核查人；未核查为空")
    checked_at: dt.datetime | None = Field(description="登记时间；未核查为空")


def pledge_check_out(check: PledgeCheck) -> dict[str, Any]:
    checker = check.checked_by
    return {
        "case_number": check.case.number,
        "item_name": check.case.item_version.name,
        "applicant": check.case.applicant.name,
        "organization": check.organization,
        "subjects": check.subjects,
        "opened_on": check.opened_on,
        "due_on": check.due_on,
        "status": check.status,
        "status_label": check.get_status_display(),
        "finding": check.finding,
        "checked_by": (checker.full_name or checker.username) if checker else None,
        "checked_at": check.checked_at,
    }


@router.get("/{number}/pledge-check", response=PledgeCheckOut, summary="告知承诺核查")
def pledge_check(request: HttpRequest, number: str) -> dict[str, Any]:
    """依告知承诺批准的办件在办结时生成核查任务；没有返回 404。"""
    return pledge_check_out(pledge_check_for(case_for(request.user, number)))  # type: ignore[arg-type]


class PledgeFindingIn(InputSchema):
    verdict: str = Field(description="核查结果：confirmed（承诺属实）/ false（承诺不实）")
    finding: str = Field(description="核查情况（必填）：核查的方式和发现的情况，记入审计记录")


@router.post("/{number}/pledge-check", response=PledgeCheckOut, summary="登记告知承诺核查结果")
def record_pledge_finding(
    request: HttpRequest, number: str, body: PledgeFindingIn
) -> dict[str, Any]:
    """作出批准决定机关的承办人或审批负责人登记核查结果，只能登记一次。
    无权返回 403，已登记返回 409，结果或核查情况有误返回 400。"""
    recorded = record_finding(
        pledge_check_for(case_for(request.user, number)),  # type: ignore[arg-type]
        request.user,  # type: ignore[arg-type]
        verdict=body.verdict,
        finding=body.finding,
        client_addr=client_address(request),
    )
    return pledge_check_out(recorded)


class CaseMaterialOut(Schema):
    id: int = Field(description="材料文件编号")
    material: str = Field(description="材料名称")
    version: int = Field(description="版本（补正上传为新版本）")
    original_name: str = Field(description="原文件名")
    file_type: str = Field(description="按内容识别的类型")
    size: int = Field(description="字节数")
    sha256: str = Field(description="SHA-256")
    sm3: str = Field(description="SM3")
    reused_from: int | None = Field(description="复用的原材料编号")
    uploaded_at: dt.datetime = Field(description="上传时间")


def _material_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "material": m.material.name,
        "version": m.version,
        "original_name": m.original_name,
        "file_type": m.file_type,
        "size": m.size,
        "sha256": m.sha256,
        "sm3": m.sm3,
        "reused_from": m.reused_from_id,
        "uploaded_at": m.uploaded_at,
    }


@router.get("/{number}/materials", response=list[CaseMaterialOut], summary="办件材料（含各版本）")
def list_materials(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    case = case_for(request.user, number)  # type: ignore[arg-type]
    rows = case.materials.select_related("material").order_by("material__position", "version")
    return [_material_out(m) for m in rows]


@router.post("/{number}/materials", response={201: CaseMaterialOut}, summary="上传材料")
def upload_material(
    request: HttpRequest, number: str, material: Form[str], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """按内容校验文件类型和大小；重复上传同一材料形成新版本，旧版本保留。"""
    from yiwang.cases import materials

    case = case_for(request.user, number)  # type: ignore[arg-type]
    row = materials.upload(case, material, file, file.name or "", request.user)  # type: ignore[arg-type]
    return Status(201, _material_out(row))


class ReuseIn(InputSchema):
    material: str = Field(description="本办件的材料名称")
    source_id: int = Field(description="以前办件中的材料文件编号")


@router.post(
    "/{number}/materials/reuse", response={201: CaseMaterialOut}, summary="复用以前提交的材料"
)
def reuse_material(request: HttpRequest, number: str, body: ReuseIn) -> Status[dict[str, Any]]:
    from yiwang.cases import materials

    case = case_for(request.user, number)  # type: ignore[arg-type]
    row = materials.reuse(case, body.material, body.source_id, request.user)  # type: ignore[arg-type]
    return Status(201, _material_out(row))


class RatingIn(InputSchema):
    level: int = Field(
        description="评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"
    )
    comment: str = Field("", description="评价内容（不满意、非常不满意时必填，最多 500 字）")


class RatingOut(Schema):
    level: int = Field(description="评价等级")
    level_label: str = Field(description="评价等级名称")
    comment: str = Field(description="评价内容")
    rated_at: dt.datetime = Field(description="评价时间")


@router.post("/{number}/rating", response={201: RatingOut}, summary="服务评价（好差评）")
def rate_case(request: HttpRequest, number: str, body: RatingIn) -> Status[dict[str, Any]]:
    """申请人（或其代办人）在办结后对办件作出一次评价；重复评价返回 409。"""
    from yiwang.cases.ratings import rate

    case = case_for(request.user, number)  # type: ignore[arg-type]
    rating = rate(case, request.user, body.level, body.comment)  # type: ignore[arg-type]
    return Status(
        201,
        {
            "level": rating.level,
            "level_label": rating.get_level_display(),
            "comment": rating.comment,
            "rated_at": rating.rated_at,
        },
    )
