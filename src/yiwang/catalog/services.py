"""Writes to the catalogue: drafts, publication, retirement, import.

Rules:
- a published version is immutable; editing starts a new draft (``new_draft``);
- two versions of one item may never be valid on the same day (``publish`` checks under a lock
  on the item row, and ends the open-ended predecessor the day before the new one starts);
- an import is all-or-nothing: the file is checked whole before anything is written.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from yiwang.catalog.catalogue_file import FORMAT, parse_catalogue
from yiwang.catalog.models import (
    ItemVersion,
    Material,
    ProcessStep,
    ServiceItem,
    VersionStatus,
)
from yiwang.catalog.selectors import version_as_file_item
from yiwang.core.errors import Conflict, InvalidInput, Problem

VERSION_FIELDS = (
    "name", "name_en", "category", "handling", "fully_online", "visits", "legal_basis",
    "conditions", "statutory_days", "statutory_unit", "limits_from", "statutory_is_default",
    "statutory_basis",
    "promised_days", "promised_is_default", "promised_source", "extension_days",
    "pledge_allowed", "pledge_check_days", "fee_charged", "fee_basis", "fee_amount",
    "result_kind", "result_name", "approval_letter", "denial_letter", "accept_level", "review_levels", "decide_level",
    "external_authority", "sources", "notes", "form",
)  # fmt: skip
MATERIAL_FIELDS = (
    "name", "mandatory", "gap_allowed", "pledge_replaceable", "file_types", "sample", "note",
    "is_default", "basis",
)  # fmt: skip
STEP_FIELDS = ("key", "name", "level", "role", "limit_days")


def today() -> datetime.date:
    return timezone.localdate()


def _write_draft(item: ServiceItem, spec: dict[str, Any], number: int) -> ItemVersion:
    version = ItemVersion.objects.create(
        item=item,
        version=number,
        status=VersionStatus.DRAFT,
        **{f: spec[f] for f in VERSION_FIELDS},
    )
    Material.objects.bulk_create(
        Material(version=version, position=i, **{f: m[f] for f in MATERIAL_FIELDS})
        for i, m in enumerate(spec["materials"], start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, position=i, **{f: s[f] for f in STEP_FIELDS})
        for i, s in enumerate(spec["process"], start=1)
    )
    return version


def _next_number(item: ServiceItem) -> int:
    return (item.versions.aggregate(top=Max("version"))["top"] or 0) + 1


@transaction.atomic
def new_draft(item: ServiceItem) -> ItemVersion:
    """A new draft copied from the latest version, for editing."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if item.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict("catalog.draft_exists", f"事项 {item.code} 已有草稿，请直接编辑该草稿")
    latest = item.versions.order_by("-version").first()
    if latest is None:
        raise InvalidInput("catalog.no_version", f"事项 {item.code} 没有可复制的版本")
    return _write_draft(item, version_spec(latest), _next_number(item))


@transaction.atomic
def publish(
    version: ItemVersion, valid_from: datetime.date, valid_to: datetime.date | None = None
) -> ItemVersion:
    """Publish a draft from ``valid_from``; the open-ended predecessor ends the day before."""
    # Lock the item so that two publications of one item cannot both pass the overlap check.
    ServiceItem.objects.select_for_update().get(pk=version.item_id)
    version = ItemVersion.objects.get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict("catalog.not_draft", "只有草稿可以发布")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("catalog.validity_order", "失效日期不能早于生效日期")
    # Check the draft as the importer would, so that an admin edit cannot publish a broken item.
    try:
        version_spec(version)
    except InvalidInput as exc:
        raise InvalidInput(
            "catalog.invalid_version",
            f"第 {version.version} 版有 {len(exc.problems) or 1} 处问题，未发布",
            exc.problems or [Problem(exc.code, exc.message)],
        ) from exc
    others = ItemVersion.objects.filter(item_id=version.item_id, status=VersionStatus.PUBLISHED)
    open_predecessor = others.filter(valid_to__isnull=True, valid_from__lt=valid_from).first()
    if open_predecessor is not None:
        open_predecessor.valid_to = valid_from - datetime.timedelta(days=1)
        open_predecessor.save()
    end = Q() if valid_to is None else Q(valid_from__lte=valid_to)
    overlapping = others.filter(end, Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    clash = overlapping.first()
    if clash is not None:
        raise Conflict(
            "catalog.validity_overlap",
            f"与第 {clash.version} 版的有效期（{clash.valid_from} 起）重叠："
            "同一事项的两个版本不能在同一时间有效",
        )
    version.status = VersionStatus.PUBLISHED
    version.valid_from = valid_from
    version.valid_to = valid_to
    version.published_at = timezone.now()
    # A draft has no stored snapshot of frozen fields yet: it becomes frozen from this save on.
    version.save()
    return version


def version_spec(version: ItemVersion) -> dict[str, Any]:
    """The version's content checked by the catalogue rules (raises InvalidInput if broken)."""
    text = json.dumps({"format": FORMAT, "items": [version_as_file_item(version)]})
    [spec] = parse_catalogue(text)
    return spec


@transaction.atomic
def retire(version: ItemVersion, last_day: datetime.date) -> ItemVersion:
    """Withdraw a published version: it applies up to ``last_day`` and never after.

    A version withdrawn before it ever applied (published by mistake) gives the time back to
    the version its publication had ended: that one applies again as it did before.
    """
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict("catalog.not_published", "只有已发布的版本可以废止")
    if version.valid_from and last_day < version.valid_from - datetime.timedelta(days=1):
        raise InvalidInput("catalog.validity_order", "废止日期不能早于生效日期的前一天")
    never_applied = version.valid_from is not None and last_day < version.valid_from
    version.status = VersionStatus.RETIRED
    version.valid_to = last_day
    version.retired_at = timezone.now()
    version.save()
    if never_applied:
        assert version.valid_from is not None
        ended = version.valid_from - datetime.timedelta(days=1)
        published = ItemVersion.objects.filter(
            item_id=version.item_id, status=VersionStatus.PUBLISHED
        )
        if not published.filter(valid_from__gt=ended).exists():  # nothing else follows it
            published.filter(valid_to=ended).update(valid_to=None)
    return version


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


def import_catalogue(
    text: str, valid_from: datetime.date | None = None, as_draft: bool = False
) -> ImportReport:
    """Import a whole catalogue file, all or nothing.

    Items whose content equals their current published version are left alone, so importing the
    same file twice changes nothing. Changed items get a new version, published from
    ``valid_from`` (default today) unless ``as_draft``.
    """
    specs = parse_catalogue(text)
    start = valid_from or today()
    report = ImportReport()
    with transaction.atomic():
        codes = {spec["code"]: spec for spec in specs}
        existing = {
            i.code: i for i in ServiceItem.objects.select_for_update().filter(code__in=codes)
        }
        taken = dict(
            ServiceItem.objects.filter(basic_code__in=[s["basic_code"] for s in specs])
            .exclude(code__in=codes)
            .values_list("basic_code", "code")
        )
        problems = [
            Problem("catalog.basic_code_taken", f"基本编码已被事项 {taken[s['basic_code']]} 使用", "basic_code", s["code"])
            for s in specs
            if s["basic_code"] in taken
        ] + [
            Problem("catalog.basic_code_changed", f"基本编码不能从 {existing[s['code']].basic_code} 改为 {s['basic_code']}", "basic_code", s["code"])
            for s in specs
            if s["code"] in existing and existing[s["code"]].basic_code != s["basic_code"]
        ]  # fmt: skip
        if problems:
            raise InvalidInput(
                "catalog.invalid_file",
                f"事项目录文件有 {len(problems)} 处问题，未导入任何内容",
                problems,
            )
        for spec in specs:
            item = existing.get(spec["code"])
            if item is None:
                item = ServiceItem.objects.create(code=spec["code"], basic_code=spec["basic_code"])
                report.created.append(item.code)
            else:
                # Compare with what the import would produce: the published line, or the draft.
                wanted = VersionStatus.DRAFT if as_draft else VersionStatus.PUBLISHED
                latest = item.versions.filter(status=wanted).order_by("-version").first()
                if latest is not None and _same_content(latest, spec):
                    report.unchanged.append(item.code)
                    continue
                draft = item.versions.filter(status=VersionStatus.DRAFT).first()
                if draft is not None:
                    draft.delete()  # the imported file supersedes an unpublished draft
                report.updated.append(item.code)
            version = _write_draft(item, spec, _next_number(item))
            if not as_draft:
                publish(version, start)
    return report


def _same_content(version: ItemVersion, spec: dict[str, Any]) -> bool:
    try:
        return version_spec(version) == spec
    except InvalidInput:
        return False  # a stored version that no longer passes the rules is replaced
