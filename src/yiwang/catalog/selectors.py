"""Reads from the catalogue: the version valid on a day, listings, and the file form of a version."""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yiwang.catalog.models import ItemVersion, Material, ProcessStep, VersionStatus
from yiwang.core.errors import InvalidInput, NotFound


def _with_children(qs: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return qs.select_related("item").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position")),
        Prefetch("steps", queryset=ProcessStep.objects.order_by("position")),
    )


def current_version(code: str, on: datetime.date | None = None) -> ItemVersion:
    """The published version of item ``code`` valid on ``on`` (default today), with children."""
    day = on or timezone.localdate()
    version = (
        _with_children(ItemVersion.objects.valid_on(day).filter(item__code=code.upper()))
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NotFound("catalog.item_not_found", f"未找到事项 {code} 在 {day} 有效的已发布版本")
    return version


def current_versions(
    *,
    on: datetime.date | None = None,
    level: str = "",
    category: str = "",
    keyword: str = "",
) -> QuerySet[ItemVersion]:
    """Published versions valid on a day, filtered as the item search of the portal and API."""
    day = on or timezone.localdate()
    qs = ItemVersion.objects.valid_on(day).select_related("item")
    if level:
        qs = qs.filter(involved_levels__contains=f",{level},")
    if category:
        qs = qs.filter(category=category)
    keyword = keyword.strip()
    if len(keyword) > 50:
        raise InvalidInput("catalog.keyword_too_long", "关键词不能超过 50 个字")
    if keyword:
        qs = qs.filter(
            Q(name__icontains=keyword)
            | Q(item__code__icontains=keyword)
            | Q(item__basic_code__startswith=keyword)
            | Q(legal_basis__icontains=keyword)
            | Q(result_name__icontains=keyword)
        )
    return qs.order_by("item__code")


def versions_for_export(on: datetime.date | None = None) -> QuerySet[ItemVersion]:
    day = on or timezone.localdate()
    return _with_children(ItemVersion.objects.valid_on(day)).order_by("item__code")


def latest_versions() -> QuerySet[ItemVersion]:
    return _with_children(
        ItemVersion.objects.exclude(status=VersionStatus.RETIRED).order_by("item__code", "-version")
    )


def version_as_file_item(version: ItemVersion) -> dict[str, Any]:
    """The version in the catalogue file format (docs/catalogue-format.md), for export."""
    return {
        "code": version.item.code,
        "basic_code": version.item.basic_code,
        "name": version.name,
        "name_en": version.name_en,
        "category": version.category,
        "handling": version.handling,
        "fully_online": version.fully_online,
        "visits": version.visits,
        "legal_basis": version.legal_basis,
        "conditions": list(version.conditions),
        "form": copy.deepcopy(version.form or {}),
        "materials": [
            {
                "name": m.name,
                "mandatory": m.mandatory,
                "gap_allowed": m.gap_allowed,
                "pledge_replaceable": m.pledge_replaceable,
                "file_types": list(m.file_types),
                "sample": m.sample,
                "note": m.note,
                "is_default": m.is_default,
                "basis": m.basis,
            }
            for m in version.materials.all()
        ],
        "process": [
            {
                "key": s.key,
                "name": s.name,
                "level": s.level,
                "role": s.role,
                "limit_days": s.limit_days,
            }
            for s in version.steps.all()
        ],
        "statutory": {
            "days": version.statutory_days,
            "unit": version.statutory_unit,
            "from": version.limits_from,
            "is_default": version.statutory_is_default,
            "basis": version.statutory_basis,
        },
        "promised": {
            "days": version.promised_days,
            "is_default": version.promised_is_default,
            "source": version.promised_source,
        },
        "extension_days": version.extension_days,
        "pledge_allowed": version.pledge_allowed,
        "pledge_check_days": version.pledge_check_days,
        "fee": {
            "charged": version.fee_charged,
            "basis": version.fee_basis,
            "amount": version.fee_amount,
        },
        "result": {
            "kind": version.result_kind,
            "name": version.result_name,
            **({"approval_letter": version.approval_letter} if version.approval_letter else {}),
            **({"denial_letter": version.denial_letter} if version.denial_letter else {}),
        },
        "levels": {
            "accept": version.accept_level,
            "review": list(version.review_levels),
            "decide": version.decide_level,
        },
        "external_authority": version.external_authority,
        "sources": list(version.sources),
        "notes": version.notes,
    }
