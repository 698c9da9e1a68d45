"""Licences in the admin: a read-only register with the verification result and the PDF."""

from __future__ import annotations

from django.contrib import admin

from yiwang.core.admin import IssuedPdfAdmin
from yiwang.licences.models import Licence
from yiwang.licences.services import licence_pdf, verify


@admin.register(Licence)
class LicenceAdmin(IssuedPdfAdmin):
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
    read_pdf = staticmethod(licence_pdf)
    file_name = staticmethod(lambda row: row.download_name)

    @admin.display(description="核验结果")
    def verification(self, obj: Licence) -> str:
        result = verify(obj)
        failed = [c.label for c in result.checks if not c.ok]
        return f"{result.label}（未通过：{'、'.join(failed)}）" if failed else result.label
