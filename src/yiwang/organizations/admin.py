from django.contrib import admin

from yiwang.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "level", "credit_code", "division_code", "runs_window")
    list_filter = ("level", "runs_window")
    search_fields = ("name", "credit_code", "division_code")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    @admin.display(description="名称")
    def indented_name(self, obj: Organization) -> str:
        return "　" * (obj.depth - 1) + obj.name
