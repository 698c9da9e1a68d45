"""Drafts (草稿): an application filled in over several visits, then submitted as a case.

A draft keeps whatever was typed, valid or not, so nothing is lost on a validation error; the
form is checked against the item's definition only when the draft is submitted (by ``submit``,
the same service the API calls). Files uploaded to a draft are checked and stored at once; on
submission they become the case's first material versions by reference, never copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import Applicant, User
from yiwang.audit.hashing import normalize_json
from yiwang.cases import engine
from yiwang.cases.materials import check_file
from yiwang.cases.materials import reuse as reuse_material
from yiwang.cases.models import Case, CaseMaterial, Channel, Draft
from yiwang.cases.selectors import applicant_ids_for
from yiwang.cases.services import (
    Submission,
    checked_form,
    current_version_id,
    perform,
    submit,
)
from yiwang.catalog.models import ItemImplementation, ItemVersion, Material
from yiwang.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from yiwang.organizations.models import Organization


def accepting_organizations(item_code: str) -> QuerySet[Organization]:
    """Where an item can be applied for: the organizations implementing it, in tree order."""
    ids = ItemImplementation.objects.filter(item__code=item_code, active=True).values(
        "organization"
    )
    return Organization.objects.filter(pk__in=ids).order_by("path")


def current_version(item_code: str, day: dt.date | None = None) -> ItemVersion:
    version_id = current_version_id(item_code, day or timezone.localdate())
    return (
        ItemVersion.objects.select_related("item").prefetch_related("materials").get(pk=version_id)
    )


def _require_owner(draft: Draft, user: User) -> None:
    if draft.applicant_id not in applicant_ids_for(user):
        raise Forbidden("draft.forbidden", "只能查看和填写本人（或受托申请人）的申请草稿")


def _require_open(draft: Draft) -> None:
    if draft.case_id is not None:
        raise Conflict("draft.submitted", "该申请已经提交，不能再修改；请在“我的办件”中查看进度")


def draft_for(user: User, draft_id: int) -> Draft:
    draft = Draft.objects.select_related("item", "organization", "applicant").filter(pk=draft_id)
    found = draft.first()
    if found is None:
        raise NotFound("draft.not_found", "未找到该申请草稿")
    _require_owner(found, user)
    return found


def start(user: User, item_code: str, organization: Organization, applicant: Applicant) -> Draft:
    """A new draft for ``applicant`` (the user or a principal they act for)."""
    if applicant.pk not in applicant_ids_for(user):
        raise Forbidden("draft.forbidden", "只能为本人或经授权委托的申请人申请")
    version = current_version(item_code)
    if not accepting_organizations(version.item.code).filter(pk=organization.pk).exists():
        raise InvalidInput("case.not_implemented", f"“{organization.name}”不受理“{version.name}”")
    return Draft.objects.create(
        applicant=applicant, item=version.item, organization=organization, created_by=user
    )


def save(
    draft: Draft, user: User, form_data: Mapping[str, Any], *, pledged: bool | None = None
) -> Draft:
    """Keep what was typed, as typed, unless the database cannot store it (a NUL character, NaN:
    refused with nothing changed)."""
    _require_owner(draft, user)
    _require_open(draft)
    try:
        data = normalize_json(dict(form_data))
    except (TypeError, ValueError) as exc:
        raise InvalidInput("draft.unstorable", f"申请表内容无法保存：{exc}") from None
    draft.form_data = data
    fields = ["form_data", "updated_at"]
    if pledged is not None:
        draft.pledged = pledged
        fields.append("pledged")
    draft.save(update_fields=fields)
    return draft


def _material(draft: Draft, name: str) -> Material:
    version = current_version(draft.item.code)
    material = Material.objects.filter(version=version, name=name).first()
    if material is None:
        raise NotFound("material.unknown", f"本事项没有名为“{name}”的申请材料")
    return material


def upload(
    draft: Draft, material_name: str, stream: IO[bytes], original_name: str, user: User
) -> dict[str, Any]:
    """Check and store one file for one material of the draft (replacing an earlier choice)."""
    _require_owner(draft, user)
    _require_open(draft)
    material = _material(draft, material_name)
    checked = check_file(material, stream)
    stored = default_storage.save(
        f"drafts/{draft.pk}-{material.position}.{checked.kind}", File(stream)
    )
    entry = {
        "file": stored,
        "original_name": original_name[:255],
        "file_type": checked.kind,
        "size": checked.size,
        "sha256": checked.sha256,
        "sm3": checked.sm3,
        "at": timezone.now().isoformat(),
    }
    _set_material(draft, material.name, entry)
    return entry


def choose_reuse(draft: Draft, material_name: str, source_id: int, user: User) -> dict[str, Any]:
    _require_owner(draft, user)
    _require_open(draft)
    material = _material(draft, material_name)
    source = CaseMaterial.objects.select_related("case").filter(pk=source_id).first()
    if source is None or source.case.applicant_id != draft.applicant_id:
        raise Forbidden("material.not_yours", "只能复用同一申请人以前提交过的材料")
    if source.file_type not in material.file_types:
        raise InvalidInput("material.file_type", f"“{material.name}”不接受该文件类型")
    entry = {
        "reuse": source.pk,
        "original_name": source.original_name,
        "file_type": source.file_type,
        "size": source.size,
        "case_number": source.case.number,
    }
    _set_material(draft, material.name, entry)
    return entry


def remove_material(draft: Draft, material_name: str, user: User) -> None:
    """Take back a material's file, reused file or pledge."""
    _require_owner(draft, user)
    _require_open(draft)
    _set_material(draft, _material(draft, material_name).name, None)


def pledge_material(draft: Draft, material_name: str, user: User) -> None:
    """Replace a certificate by the applicant's written pledge (证明事项告知承诺), where the item
    offers it; a file chosen for it is taken back, as an upload takes back the pledge."""
    _require_owner(draft, user)
    _require_open(draft)
    material = _material(draft, material_name)
    if not material.pledge_replaceable:
        raise InvalidInput(
            "material.pledge_not_offered", f"“{material.name}”不能以告知承诺代替，请上传文件"
        )
    _set_material(draft, material.name, None, pledge=True)


def _set_material(
    draft: Draft, name: str, entry: dict[str, Any] | None, *, pledge: bool = False
) -> None:
    """A material's one answer: a file (``entry``), a pledge, or nothing."""
    # Under the row lock, so two uploads of different materials at once both stay.
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        materials = dict(locked.materials)
        pledged = [m for m in locked.pledged_materials if m != name]
        if entry is None:
            materials.pop(name, None)
        else:
            materials[name] = entry
        if pledge:
            pledged.append(name)
        Draft.objects.filter(pk=draft.pk).update(
            materials=materials, pledged_materials=pledged, updated_at=timezone.now()
        )
    draft.materials = materials
    draft.pledged_materials = pledged


def missing_materials(draft: Draft, version: ItemVersion) -> list[Material]:
    """Mandatory materials not yet given, except those that may be owed (容缺, the window
    decides) or that the applicant has replaced by a pledge (证明事项告知承诺)."""
    missing = []
    replaced = set(pledged_materials(draft, version))
    # Sorted here, not by the query, so that a version with its materials prefetched costs none.
    for material in sorted(version.materials.all(), key=lambda m: m.position):
        if not material.mandatory or material.name in draft.materials:
            continue
        if material.gap_allowed or material.name in replaced:
            continue
        missing.append(material)
    return missing


def pledged_materials(draft: Draft, version: ItemVersion) -> list[str]:
    """The draft's pledges that the current version still offers, in the version's order."""
    chosen = set(draft.pledged_materials)
    return [
        m.name
        for m in sorted(version.materials.all(), key=lambda m: m.position)
        if m.pledge_replaceable and m.name in chosen
    ]


def submit_draft(draft: Draft, user: User, *, client_addr: str = "") -> Case:
    """File the draft as a case: form checked, materials attached, pledge recorded, one receipt.

    The draft's id is the idempotency key, so a double click or a retried request gives the
    same case.
    """
    return file_draft(draft, user, client_addr=client_addr)[0]


def file_draft(draft: Draft, user: User, *, client_addr: str = "") -> tuple[Case, bool]:
    """:func:`submit_draft`, and whether this call filed the case (False: an earlier one did,
    told under the draft's lock, so of two requests at once exactly one is the first)."""
    _require_owner(draft, user)
    if draft.case_id is not None:
        return Case.objects.get(pk=draft.case_id), False
    version = current_version(draft.item.code)
    if draft.pledged and not version.pledge_allowed:
        raise InvalidInput("case.pledge_not_allowed", "本事项不适用告知承诺")
    missing = missing_materials(draft, version)
    if missing:
        # Every problem at once: the form is checked here too (on the way to a case, submit
        # checks it), so the applicant fixes fields and files in one round.
        problems = [Problem("material.missing", f"请上传“{m.name}”", field=m.name) for m in missing]
        try:
            checked_form(version.pk, draft.form_data)
        except InvalidInput as form_errors:
            problems = form_errors.problems + problems
        names = "、".join(m.name for m in missing)
        raise InvalidInput("draft.materials_missing", f"还缺少必须提交的材料：{names}", problems)
    own = Applicant.objects.filter(user=user).first()
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.case_id is not None:
            return Case.objects.get(pk=locked.case_id), False
        case, _ = submit(
            user,
            Submission(
                item_code=draft.item.code,
                organization=draft.organization,
                applicant=draft.applicant,
                agent=own if own is not None and own.pk != draft.applicant_id else None,
                idempotency_key=f"draft-{draft.pk}",
                form_data=locked.form_data,
                channel=Channel.ONLINE,
            ),
            client_addr=client_addr,
        )
        _attach_materials(case, version, locked.materials, user)
        if locked.pledged:
            case = perform(case.pk, engine.Action("pledge"), user, client_addr=client_addr)
        replaced = pledged_materials(locked, version)
        if replaced:
            pledge = engine.Action("pledge", params={"materials": replaced})
            case = perform(case.pk, pledge, user, client_addr=client_addr)
        Draft.objects.filter(pk=draft.pk).update(case=case, updated_at=timezone.now())
    draft.case = case
    return case, True


def _attach_materials(
    case: Case, version: ItemVersion, chosen: Mapping[str, Any], user: User
) -> None:
    by_name = {m.name: m for m in version.materials.all()}
    for name, entry in chosen.items():
        material = by_name.get(name)
        if material is None:
            continue  # a material of an older version of the item: no longer asked for
        if "reuse" in entry:
            reuse_material(case, name, int(entry["reuse"]), user)
            continue
        CaseMaterial.objects.create(
            case=case,
            material=material,
            version=1,
            file=entry["file"],
            original_name=entry["original_name"],
            file_type=entry["file_type"],
            size=entry["size"],
            sha256=entry["sha256"],
            sm3=entry["sm3"],
            uploaded_by=user,
        )


def open_drafts(user: User) -> QuerySet[Draft]:
    return (
        Draft.objects.filter(applicant_id__in=applicant_ids_for(user), case__isnull=True)
        .select_related("item", "organization", "applicant")
        .order_by("-updated_at")
    )
