"""Documents in the admin: a read-only register, with the PDF one click away."""

from __future__ import annotations

from django.contrib import admin

from yiwang.core.admin import IssuedPdfAdmin
from yiwang.documents.models import Document
from yiwang.documents.services import open_document


@admin.register(Document)
class DocumentAdmin(IssuedPdfAdmin):
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

    # Documents are issued by the services only and never change.
    read_pdf = staticmethod(open_document)
    file_name = staticmethod(lambda row: row.download_name)

    @admin.display(description="已生成", boolean=True)
    def stored(self, obj: Document) -> bool:
        return bool(obj.sha256)
