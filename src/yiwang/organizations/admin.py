"""Admin for the organization tree and its seals: thin, every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from yiwang.core.errors import DomainError
from yiwang.organizations import seals
from yiwang.organizations.models import Organization, Seal


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "level", "credit_code", "division_code", "runs_window")
    list_filter = ("level", "runs_window")
    search_fields = ("name", "credit_code", "division_code")
    # The seal in use changes only by registering or withdrawing one (电子印章).
    readonly_fields = ("path", "seal")
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    @admin.display(description="名称")
    def indented_name(self, obj: Organization) -> str:
        return "　" * (obj.depth - 1) + obj.name


class SealRegistrationForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="所属机构",
        queryset=Organization.objects.exclude(credit_code=None),
        help_text="登记后，该机构新出具的文书加盖此印章；原在用的印章随之停用。",
    )
    name = forms.CharField(
        label="印章名称", max_length=seals.NAME_MAX, help_text="如“河南省司法厅行政审批专用章”。"
    )
    width_mm = forms.DecimalField(
        label="印面宽度（毫米）",
        initial=seals.DEFAULT_WIDTH_MM,
        min_value=seals.MIN_WIDTH_MM,
        max_value=seals.MAX_WIDTH_MM,
        decimal_places=1,
        help_text="印面的实际宽度，文书按此尺寸加盖。",
    )
    image = forms.FileField(
        label="印章图片",
        help_text=f"电子印章系统导出的透明背景 PNG，不超过 {seals.MAX_BYTES // 1024} KB。",
    )


# Which form field a refusal of the service belongs to; the rest are shown above the form.
ERROR_FIELDS = {
    "seal.name_required": "name",
    "seal.name_too_long": "name",
    "seal.name_invalid": "name",
    "seal.bad_width": "width_mm",
    "seal.too_large": "image",
    "seal.not_png": "image",
    "seal.bad_dimensions": "image",
    "seal.not_transparent": "image",
    "seal.other_organization": "image",
    "seal.withdrawn": "image",
    "seal.already_in_use": "image",
}


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "in_use", "registered_at", "withdrawn_at")
    list_filter = ("organization__level",)
    search_fields = ("name", "organization__name", "sha256")
    list_select_related = ("organization",)
    ordering = ("organization__path", "-registered_at")
    fields = (
        "impression",
        "name",
        "organization",
        "sha256",
        "width_mm",
        "width_px",
        "height_px",
        "size",
        "registered_at",
        "registered_by",
        "withdrawn_at",
        "withdrawn_by",
    )
    readonly_fields = fields
    actions = ("withdraw",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seal]:
        # The image is shown on the detail page only (read there through its digest check).
        return super().get_queryset(request).defer("image")

    # Registered once (add_view below) and never edited or deleted: letters refer to it.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Without an object this is asked for the changelist actions: withdrawing needs it.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="在用", boolean=True)
    def in_use(self, obj: Seal) -> bool:
        return obj.organization.seal_id == obj.pk

    @admin.display(description="印模")
    def impression(self, obj: Seal) -> str:
        try:
            image = seals.image_of(obj.pk)
        except DomainError as exc:
            return exc.message
        return format_html('<img src="{}" alt="{}" width="160">', image.data_uri(), obj.name)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Register a seal through ``seals.register``; every refusal is shown on the form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SealRegistrationForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                # One byte past the limit, so that the service reports an oversized file.
                content = data["image"].read(seals.MAX_BYTES + 1)
                assert isinstance(request.user, AbstractBaseUser)  # the admin signs staff in
                try:
                    seal = seals.register(
                        data["organization"],
                        name=data["name"],
                        content=content,
                        width_mm=data["width_mm"],
                        by=request.user,
                    )
                except DomainError as exc:
                    form.add_error(ERROR_FIELDS.get(exc.code), exc.message)
                else:
                    messages.success(request, f"已登记{seal.organization.name}的印章“{seal.name}”")
                    return HttpResponseRedirect(reverse("admin:organizations_seal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "登记电子印章",
            "form": form,
        }
        return TemplateResponse(
            request, "admin/organizations/seal/register.html", context, status=status
        )

    @admin.action(description="停用所选印章", permissions=["change"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Seal]) -> None:
        assert isinstance(request.user, AbstractBaseUser)  # the admin signs staff in
        done = []
        for seal in queryset.select_related("organization"):
            if seal.organization.seal_id != seal.pk:
                messages.warning(request, f"“{seal.name}”未在使用，无需停用")
                continue
            seals.withdraw(seal.organization, by=request.user)
            done.append(seal.name)
        if done:
            messages.success(request, f"已停用：{'、'.join(done)}；此后出具的文书不再加盖")
