from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yiwang.accounts.models import AgentAuthorization, Applicant, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("organization",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "phone", "is_staff", "is_active")
    search_fields = ("username", "full_name", "phone")
    fieldsets = (*BaseUserAdmin.fieldsets, ("一网", {"fields": ("full_name", "phone")}))  # type: ignore[misc]
    inlines = (RoleAssignmentInline,)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("role", "organization__level")
    search_fields = ("user__username", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization")


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "id_number", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "id_number")


@admin.register(AgentAuthorization)
class AgentAuthorizationAdmin(admin.ModelAdmin):
    list_display = ("agent", "principal", "scope", "valid_from", "valid_to", "revoked_at")
    search_fields = ("agent__name", "principal__name", "document")
    autocomplete_fields = ("agent", "principal")
