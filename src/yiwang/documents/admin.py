"""Documents in the admin: a read-only register, with the PDF one click away."""

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
from yiwang.documents.models import Document
from yiwang.documents.services import open_document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "case", "organization", "issued_at", "stored", "pdf")
    list_filter = ("kind", "issued_at")
    search_fields = ("number", "case__number", "context__applicant__name")
    list_select_related = ("case", "organization")
    date_hierarchy = "issued_at"
    readonly_fields = (
        "number",
        "kind",
        "case",
        "organization",
        "issued_at",
        "issued_by",
        "context",
        "file",
        "sha256",
        "size",
        "pdf",
    )
    fields = readonly_fields

    # Documents are issued by the services only and never change: no add, change or delete.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="已生成", boolean=True)
    def stored(self, obj: Document) -> bool:
        return bool(obj.sha256)

    @admin.display(description="PDF")
    def pdf(self, obj: Document) -> str:
        url = reverse("admin:documents_document_pdf", args=[obj.pk])
        return format_html('<a href="{}">下载</a>', url)

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:pk>/pdf/",
            self.admin_site.admin_view(self.download),
            name="documents_document_pdf",
        )
        return [download, *super().get_urls()]

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document, pk=pk)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        try:
            content = open_document(document)
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        response = HttpResponse(content, content_type="application/pdf")
        # The number holds Chinese: Django encodes it per RFC 6266 (filename*=UTF-8'').
        disposition = content_disposition_header(False, f"{document.number}.pdf")
        response.headers["Content-Disposition"] = disposition or "inline"
        return response
