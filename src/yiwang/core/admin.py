"""Attempt limits in the admin: who is locked out, and deleting a row lifts that lock early."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from yiwang.core.models import AttemptWindow


@admin.register(AttemptWindow)
class AttemptWindowAdmin(admin.ModelAdmin):
    list_display = ("key", "attempts", "ends")
    search_fields = ("key",)
    ordering = ("-window_ends",)
    readonly_fields = ("key", "attempts", "ends")
    fields = readonly_fields

    # Counted by the application only; an administrator may delete a row (解除锁定).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="窗口结束时间", ordering="window_ends")
    def ends(self, obj: AttemptWindow) -> str:
        moment = dt.datetime.fromtimestamp(obj.window_ends, tz=dt.UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
