"""Reads for the applicant portal: only the user's own cases (and those of principals they act
for), each in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import AgentAuthorization, Applicant, User
from yiwang.audit.models import AuditEntry
from yiwang.cases import drafts, engine
from yiwang.cases.models import Case, CaseMaterial, Draft, Rating
from yiwang.cases.selectors import applicant_ids_for, reason_told
from yiwang.cases.services import actor_for_case, definition_for, state_of
from yiwang.catalog.models import ItemVersion, Material, VersionStatus, pledge_check_workdays
from yiwang.core.errors import Forbidden, NotFound
from yiwang.documents.models import Document
from yiwang.workcalendar.services import current_calendar

APPLICANT_ACTIONS = ("supply_supplement", "pledge", "withdraw")


def applicants_for(user: User) -> list[Applicant]:
    """The user's own applicant record first, then principals with a valid authorization."""
    own = list(Applicant.objects.filter(user=user))
    if not own:
        return own
    principals = (
        AgentAuthorization.objects.valid_on(timezone.localdate())
        .filter(agent__in=own)
        .select_related("principal")
    )
    return own + [a.principal for a in principals]


def cases_of(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant_id__in=applicant_ids_for(user))
        .select_related("item_version", "accepting_org", "owner_org", "applicant")
        .order_by("-created_at")
    )


@dataclass
class DraftRow:
    """An open draft as "我的办件" lists it: under its item's name, which the draft lacks."""

    draft: Draft
    item_name: str


def draft_rows(user: User) -> list[DraftRow]:
    """The user's open drafts, each named by its item's version in force today, or by its
    latest published one for an item since retired."""
    found = list(drafts.open_drafts(user))
    items = {d.item_id for d in found}
    names = dict(
        ItemVersion.objects.filter(item_id__in=items)
        .exclude(status=VersionStatus.DRAFT)
        .order_by("valid_from")  # the latest wins
        .values_list("item_id", "name")
    )
    names.update(
        ItemVersion.objects.valid_on(timezone.localdate())
        .filter(item_id__in=items)
        .values_list("item_id", "name")
    )
    return [DraftRow(d, names.get(d.item_id, d.item.code)) for d in found]


def own_case(user: User, number: str) -> Case:
    """A case of the user (or of a principal they act for); staff use the workbench instead."""
    case = (
        Case.objects.select_related("item_version__item", "applicant", "agent", "accepting_org")
        .select_related("owner_org")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("case.not_found", f"未找到办件 {number}")
    if case.applicant_id not in applicant_ids_for(user):
        raise Forbidden("case.forbidden", "您只能查看本人（或受托申请人）的办件")
    return case


def applicant_actions(user: User, case: Case) -> tuple[str, ...]:
    today = timezone.localdate()
    actor = actor_for_case(user, case.owner_org_id, case.applicant_id, today)
    offered = engine.available_actions(
        definition_for(case.item_version_id), state_of(case), actor, today, current_calendar()
    )
    return tuple(a for a in offered if a in APPLICANT_ACTIONS)


@dataclass
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    organization: str
    reason: str
    step_due: str


def timeline(case: Case) -> list[TimelineEntry]:
    """Each step as the applicant sees it: when, what, by which organization, the next deadline."""
    entries = AuditEntry.objects.filter(case_id=case.pk).order_by("seq")
    result = []
    for entry in entries.only("at", "action", "organization_name", "reason", "after"):
        after = entry.after or {}
        visible_reason = reason_told(entry.action, entry.reason)
        result.append(
            TimelineEntry(
                at=entry.at,
                action=entry.action,
                label=engine.ACTION_LABELS.get(entry.action, entry.action),
                organization=entry.organization_name,
                reason=visible_reason,
                step_due=str(after.get("step_due") or ""),
            )
        )
    return result


def documents_of(case: Case) -> list[Document]:
    return list(Document.objects.filter(case=case).order_by("issued_at", "pk"))


@dataclass
class MaterialRow:
    """One required material with what was given for it (draft) or its versions (case)."""

    position: int
    material: Material
    chosen: dict[str, Any] | None = None
    reusable: list[CaseMaterial] = field(default_factory=list)
    versions: list[CaseMaterial] = field(default_factory=list)
    accept: str = ""
    pledged: bool = False  # replaced by the applicant's pledge (证明事项告知承诺)
    check_workdays: int = 0  # a pledge is checked within these working days after approval


_ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "ofd": ".ofd",
    "jpg": ".jpg,.jpeg,image/jpeg",
    "png": ".png,image/png",
}


def _accept(material: Material) -> str:
    return ",".join(_ACCEPT[t] for t in material.file_types if t in _ACCEPT)


def material_rows(user: User, draft: Draft, version: ItemVersion) -> list[MaterialRow]:
    materials = list(version.materials.order_by("position"))
    check_workdays = pledge_check_workdays(version.pledge_check_days)
    # Earlier files of the applicant, all materials at once (只提交一次).
    earlier: dict[str, list[CaseMaterial]] = {}
    if draft.applicant_id in applicant_ids_for(user):
        rows = (
            CaseMaterial.objects.filter(
                case__applicant_id=draft.applicant_id,
                material__name__in=[m.name for m in materials],
            )
            .select_related("case", "material")
            .order_by("-uploaded_at")[:200]
        )
        seen: set[tuple[str, str]] = set()
        for row in rows:
            key = (row.material.name, row.sha256)
            if key not in seen:
                seen.add(key)
                earlier.setdefault(row.material.name, []).append(row)
    return [
        MaterialRow(
            position=m.position,
            material=m,
            chosen=draft.materials.get(m.name),
            reusable=earlier.get(m.name, [])[:5],
            accept=_accept(m),
            pledged=m.pledge_replaceable and m.name in draft.pledged_materials,
            check_workdays=check_workdays,
        )
        for m in materials
    ]


def case_material_rows(case: Case) -> list[MaterialRow]:
    materials = list(case.item_version.materials.order_by("position"))
    by_material: dict[int, list[CaseMaterial]] = {}
    for row in CaseMaterial.objects.filter(case=case).order_by("material_id", "-version"):
        by_material.setdefault(row.material_id, []).append(row)
    return [
        MaterialRow(
            position=m.position,
            material=m,
            versions=by_material.get(m.pk, []),
            accept=_accept(m),
            pledged=m.name in case.pledged_materials,
        )
        for m in materials
    ]


def rating_of(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case).first()
