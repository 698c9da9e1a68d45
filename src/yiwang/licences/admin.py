"""Licences in the admin: a read-only register with the verification result and the PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from yiwang.core.errors import DomainError
from yiwang.licences.models import Licence
from yiwang.licences.selectors import open_pdf
from yiwang.licences.services import verify


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "holder_name", "issuer_name", "issued_on", "status", "pdf")
    list_filter = ("status", "issued_on")
    search_fields = ("number", "holder_name", "case__number")
    list_select_related = ("case",)
    date_hierarchy = "issued_on"
    readonly_fields = (
        "number",
        "name",
        "case",
        "holder_name",
        "holder_id_number",
        "issuer",
        "issuer_name",
        "issued_on",
        "valid_from",
        "valid_to",
        "content",
        "status",
        "revoked_at",
        "revocation_reason",
        "revoked_by",
        "verification",
        "payload_sm3",
        "signature",
        "public_key",
        "file",
        "sha256",
        "issued_by",
        "created_at",
        "pdf",
    )
    fields = readonly_fields

    # Licences are issued by the services only; revocation goes through services.revoke.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="核验结果")
    def verification(self, obj: Licence) -> str:
        result = verify(obj)
        failed = [c.label for c in result.checks if not c.ok]
        return f"{result.label}（未通过：{'、'.join(failed)}）" if failed else result.label

    @admin.display(description="PDF")
    def pdf(self, obj: Licence) -> str:
        url = reverse("admin:licences_licence_pdf", args=[obj.pk])
        return format_html('<a href="{}">下载</a>', url)

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:pk>/pdf/",
            self.admin_site.admin_view(self.download),
            name="licences_licence_pdf",
        )
        return [download, *super().get_urls()]

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        licence = get_object_or_404(Licence, pk=pk)
        if not self.has_view_permission(request, licence):
            raise PermissionDenied
        try:
            content = open_pdf(licence)
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        response = HttpResponse(content, content_type="application/pdf")
        # The number holds Chinese: Django encodes it per RFC 6266 (filename*=UTF-8'').
        disposition = content_disposition_header(False, f"{licence.number}.pdf")
        response.headers["Content-Disposition"] = disposition or "inline"
        return response
