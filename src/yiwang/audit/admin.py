"""Read-only admin for the audit log: entries and checkpoints can be looked at, nothing else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.audit.models import AuditCheckpoint, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete for anyone, superusers included (view permission suffices)."""

    # The tables grow without bound: skip the COUNT(*) of the whole table on every list page.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "case_id",
        "seq",
        "at",
        "action",
        "actor_name",
        "organization_name",
        "role",
        "short_hash",
    )
    list_filter = ("action", "role")
    search_fields = ("=case_id", "actor_name", "organization_name", "=hash")
    ordering = ("-id",)

    @admin.display(description="哈希")
    def short_hash(self, obj: AuditEntry) -> str:
        return f"{obj.hash[:12]}…"


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "first_entry_id", "last_entry_id", "count", "created_at", "hash")
    ordering = ("-id",)
