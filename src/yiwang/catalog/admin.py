"""Catalogue administration: edit drafts, publish, start a new draft, retire.

Published versions are shown read-only; every change of state goes through the services, so the
admin can never publish an item the importer would refuse.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from yiwang.catalog import services
from yiwang.catalog.models import (
    ItemImplementation,
    ItemVersion,
    Material,
    ProcessStep,
    ServiceItem,
    VersionStatus,
)
from yiwang.core.errors import DomainError
from yiwang.core.text import join_sentences


class FrozenUnlessDraft:
    """Inline rows are editable only while their version is a draft."""

    def _editable(self, obj: ItemVersion | None) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class MaterialInline(FrozenUnlessDraft, admin.StackedInline):
    model = Material
    extra = 0


class ProcessStepInline(FrozenUnlessDraft, admin.TabularInline):
    model = ProcessStep
    extra = 0


def _report(request: HttpRequest, modeladmin: admin.ModelAdmin, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        detail = "；".join(str(p) for p in exc.problems[:10])
        modeladmin.message_user(request, f"{exc.message} {detail}", messages.ERROR)
    elif isinstance(exc, ValidationError):
        modeladmin.message_user(request, join_sentences(exc.messages), messages.ERROR)
    else:
        raise exc


@admin.action(description="发布所选草稿（今天生效）")
def publish_drafts(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ItemVersion]
) -> None:
    for version in queryset:
        try:
            services.publish(version, timezone.localdate())
            modeladmin.message_user(request, f"已发布：{version.item.code} 第 {version.version} 版")
        except (DomainError, ValidationError) as exc:
            _report(request, modeladmin, exc)


@admin.action(description="基于所选版本新建草稿")
def start_drafts(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ItemVersion]
) -> None:
    for version in queryset:
        try:
            draft = services.new_draft(version.item)
            modeladmin.message_user(request, f"已新建草稿：{draft.item.code} 第 {draft.version} 版")
        except (DomainError, ValidationError) as exc:
            _report(request, modeladmin, exc)


@admin.action(description="废止所选版本（自今天起不再适用）")
def retire_versions(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ItemVersion]
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for version in queryset:
        # A version that starts today or later never applies: it ends the day before its start.
        start = version.valid_from
        last_day = max(yesterday, start - datetime.timedelta(days=1)) if start else yesterday
        try:
            services.retire(version, last_day)
            applies = ItemVersion.objects.filter(
                item_id=version.item_id, status=VersionStatus.PUBLISHED, valid_to__isnull=True
            ).first()
            again = (
                f"，现行第 {applies.version} 版" if applies is not None else "，该事项暂无现行版本"
            )
            modeladmin.message_user(
                request, f"已废止：{version.item.code} 第 {version.version} 版{again}"
            )
        except (DomainError, ValidationError) as exc:
            _report(request, modeladmin, exc)


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ("item", "version", "name", "status", "valid_from", "valid_to", "category")
    list_filter = ("status", "category", "handling", "decide_level")
    search_fields = ("item__code", "name")
    inlines = (ProcessStepInline, MaterialInline)
    actions = (publish_drafts, start_drafts, retire_versions)
    readonly_fields = (
        "status",
        "valid_from",
        "valid_to",
        "published_at",
        "retired_at",
        "involved_levels",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: ItemVersion | None = None) -> Any:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return [f.name for f in ItemVersion._meta.concrete_fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ItemVersion | None = None) -> bool:
        return (obj is None or obj.status == VersionStatus.DRAFT) and super().has_delete_permission(
            request, obj
        )


class VersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ("version", "name", "status", "valid_from", "valid_to")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "basic_code", "created_at")
    search_fields = ("code", "basic_code", "versions__name")
    inlines = (VersionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceItem | None = None) -> Any:
        return ("code", "basic_code") if obj is not None else ()


@admin.register(ItemImplementation)
class ItemImplementationAdmin(admin.ModelAdmin):
    list_display = ("item", "organization", "code", "promised_days", "active")
    list_filter = ("active", "organization__level")
    search_fields = ("item__code", "organization__name", "code")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("item",)
