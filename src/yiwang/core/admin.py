"""Shared admin pieces: a read-only register of issued PDFs, and the attempt limits (who is
locked out; deleting a row lifts that lock early)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from yiwang.core.downloads import pdf_response
from yiwang.core.errors import DomainError
from yiwang.core.models import AttemptWindow


class IssuedPdfAdmin(admin.ModelAdmin):
    """A register of what the services issue (letters, licences): no add, change or delete,
    and each row's PDF one click away, drawn on first download like everywhere else."""

    #: How a row's PDF is read (digest checked, drawn once if never drawn) and what the
    #: downloaded file is called (``core.downloads``): set by each register.
    read_pdf: Callable[[Any], bytes]
    file_name: Callable[[Any], str]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _pdf_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_pdf"

    @admin.display(description="PDF")
    def pdf(self, obj: Any) -> str:
        url = reverse(f"admin:{self._pdf_url_name()}", args=[obj.pk])
        return format_html('<a href="{}">下载</a>', url)

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:pk>/pdf/", self.admin_site.admin_view(self.download), name=self._pdf_url_name()
        )
        return [download, *super().get_urls()]

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        try:
            content = type(self).read_pdf(obj)
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        return pdf_response(content, type(self).file_name(obj), attachment=False)


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
