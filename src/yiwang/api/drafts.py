"""Drafts over HTTP: an application filled in over several requests, then submitted.

The same services as the portal's draft pages (``cases/drafts.py``): what is saved is kept as
sent, valid or not; files are checked and stored at once; submission checks everything and
answers with every problem at once.
"""

import datetime as dt
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from yiwang.accounts.models import Applicant, User
from yiwang.api.auth import STAFF_OR_APPLICANT
from yiwang.api.cases import CaseOut, OrgOut, case_out, requested_applicant
from yiwang.api.schemas import InputSchema
from yiwang.cases import drafts
from yiwang.cases.models import Draft
from yiwang.cases.selectors import case_for
from yiwang.catalog.models import ItemVersion
from yiwang.core.errors import NotFound
from yiwang.core.http import client_address
from yiwang.organizations.models import Organization

router = Router(auth=STAFF_OR_APPLICANT)


class DraftMaterialOut(Schema):
    material: str = Field(description="材料名称")
    original_name: str = Field(description="原文件名")
    file_type: str = Field(description="按内容识别的类型")
    size: int = Field(description="字节数")
    sha256: str | None = Field(description="SHA-256；复用的材料为空（见原办件）")
    reused_from: int | None = Field(description="复用的以前办件材料编号；上传的为空")
    reused_case: str | None = Field(description="复用材料所在的办件编号")


class DraftOut(Schema):
    id: int = Field(description="草稿编号")
    item_code: str = Field(description="事项代码")
    item_name: str = Field(description="事项名称")
    organization: OrgOut = Field(description="受理机构")
    applicant_id: int = Field(description="申请人编号")
    applicant: str = Field(description="申请人")
    form_data: dict[str, Any] = Field(description="已保存的申请表内容（含尚未通过校验的）")
    pledged: bool = Field(description="是否选择告知承诺")
    materials: list[DraftMaterialOut] = Field(description="已选的材料")
    pledged_materials: list[str] = Field(
        description="以书面承诺代替提交的证明材料（证明事项告知承诺）"
    )
    missing: list[str] = Field(description="提交前还必须提供的材料")
    case_number: str | None = Field(description="已提交时的办件编号；未提交为空")
    updated_at: dt.datetime = Field(description="最后保存时间")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _draft_out(draft: Draft, version: ItemVersion | None = None) -> dict[str, Any]:
    version = version or drafts.current_version(draft.item.code)
    materials = [
        {
            "material": name,
            "original_name": entry["original_name"],
            "file_type": entry["file_type"],
            "size": entry["size"],
            "sha256": entry.get("sha256"),
            "reused_from": entry.get("reuse"),
            "reused_case": entry.get("case_number"),
        }
        for name, entry in draft.materials.items()
    ]
    return {
        "id": draft.pk,
        "item_code": draft.item.code,
        "item_name": version.name,
        "organization": draft.organization,
        "applicant_id": draft.applicant_id,
        "applicant": draft.applicant.name,
        "form_data": draft.form_data,
        "pledged": draft.pledged,
        "materials": materials,
        "pledged_materials": drafts.pledged_materials(draft, version),
        "missing": [m.name for m in drafts.missing_materials(draft, version)],
        "case_number": draft.case.number if draft.case is not None else None,
        "updated_at": draft.updated_at,
    }


@router.get("", response=list[DraftOut], summary="我的申请草稿")
def list_drafts(request: HttpRequest) -> list[dict[str, Any]]:
    """本人及受托申请人尚未提交的草稿，最近保存的在前。"""
    versions: dict[str, ItemVersion] = {}  # drafts of one item share its version
    out = []
    for draft in drafts.open_drafts(_user(request)):
        if draft.item.code not in versions:
            version = drafts.current_version(draft.item.code)
            prefetch_related_objects([version], "materials")  # read once for all its drafts
            versions[draft.item.code] = version
        out.append(_draft_out(draft, versions[draft.item.code]))
    return out


class DraftIn(InputSchema):
    item_code: str = Field(description="事项代码，如 SF-LS-006")
    organization: str = Field(description="受理机构的统一社会信用代码")
    applicant_id: int | None = Field(None, description="申请人编号；默认本人。代办时填委托人")


@router.post("", response={201: DraftOut}, summary="新建申请草稿")
def start_draft(request: HttpRequest, body: DraftIn) -> Status[dict[str, Any]]:
    user = _user(request)
    organization = Organization.objects.filter(credit_code=body.organization.upper()).first()
    if organization is None:
        raise NotFound("organization.not_found", f"未找到受理机构 {body.organization}")
    own = Applicant.objects.filter(user=user).first()
    applicant = requested_applicant(own, body.applicant_id)
    draft = drafts.start(user, body.item_code, organization, applicant)
    return Status(201, _draft_out(drafts.draft_for(user, draft.pk)))


@router.get("/{draft_id}", response=DraftOut, summary="申请草稿详情")
def get_draft(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    return _draft_out(drafts.draft_for(_user(request), draft_id))


class DraftSaveIn(InputSchema):
    form_data: dict[str, Any] = Field(description="申请表内容，整体替换已保存的内容")
    pledged: bool | None = Field(None, description="是否选择告知承诺；不传则不变")


@router.put("/{draft_id}", response=DraftOut, summary="保存申请草稿")
def save_draft(request: HttpRequest, draft_id: int, body: DraftSaveIn) -> dict[str, Any]:
    """保存时不校验申请表，原样保留；提交时一次列出全部问题。已提交的草稿不能再修改（409）。"""
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    return _draft_out(drafts.save(found, user, body.form_data, pledged=body.pledged))


@router.post("/{draft_id}/materials", response={201: DraftOut}, summary="为草稿上传材料")
def upload_draft_material(
    request: HttpRequest, draft_id: int, material: Form[str], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """按内容校验文件类型和大小后保存；同一材料再次上传替换草稿中的选择。"""
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    drafts.upload(found, material, file, file.name or "", user)
    return Status(201, _draft_out(found))


class DraftReuseIn(InputSchema):
    material: str = Field(description="本事项的材料名称")
    source_id: int = Field(description="以前办件中的材料文件编号（同一申请人）")


@router.post("/{draft_id}/materials/reuse", response=DraftOut, summary="草稿复用以前提交的材料")
def reuse_draft_material(request: HttpRequest, draft_id: int, body: DraftReuseIn) -> dict[str, Any]:
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    drafts.choose_reuse(found, body.material, body.source_id, user)
    return _draft_out(found)


class DraftPledgeIn(InputSchema):
    material: str = Field(description="标注“可承诺替代”的材料名称")


@router.post(
    "/{draft_id}/materials/pledge", response=DraftOut, summary="以告知承诺代替提交一项证明材料"
)
def pledge_draft_material(
    request: HttpRequest, draft_id: int, body: DraftPledgeIn
) -> dict[str, Any]:
    """申请人书面承诺已具备该证明所证明的事项，免于提交（证明事项告知承诺），批准后核查。
    已选的文件随之撤下；材料不可承诺替代返回 400。撤回承诺用撤下材料的接口。"""
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    drafts.pledge_material(found, body.material, user)
    return _draft_out(found)


@router.delete("/{draft_id}/materials", response=DraftOut, summary="撤下草稿中的一项材料或承诺")
def remove_draft_material(request: HttpRequest, draft_id: int, material: str) -> dict[str, Any]:
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    drafts.remove_material(found, material, user)
    return _draft_out(found)


@router.post("/{draft_id}/submit", response={200: CaseOut, 201: CaseOut}, summary="提交申请草稿")
def submit_draft(request: HttpRequest, draft_id: int) -> Status[dict[str, Any]]:
    """校验申请表和必交材料，一次列出全部问题（400）；通过则生成办件（201）。
    草稿编号即幂等键：重复提交返回同一办件（200）。"""
    user = _user(request)
    found = drafts.draft_for(user, draft_id)
    case, filed = drafts.file_draft(found, user, client_addr=client_address(request))
    return Status(201 if filed else 200, case_out(case_for(user, case.number)))
