"""Admin for the working-day calendar: thin, every rule lives in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from yiwang.core.errors import DomainError
from yiwang.workcalendar import services
from yiwang.workcalendar.models import CalendarDay, CalendarYear
from yiwang.workcalendar.workdays import (
    day_problems,
    missing_fixed_holidays,
    required_holiday,
    weekday_name,
)


class CalendarDayFormSet(forms.BaseInlineFormSet):
    """Checks each day against the year being edited, even a year not saved yet (whose days
    ``CalendarDay.clean()`` cannot check: their foreign key is still empty)."""

    def clean(self) -> None:
        super().clean()
        year = getattr(self.instance, "year", None)
        if not isinstance(year, int):
            return
        holidays = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("date") or not data.get("kind"):
                continue
            date, kind = data["date"], data["kind"]
            if kind == CalendarDay.Kind.HOLIDAY:
                holidays.append(date)
            for message in day_problems(year, date, kind):
                form.add_error("date", message)
        missing = missing_fixed_holidays(year, holidays)
        if missing:
            raise forms.ValidationError(missing)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    extra = 0
    ordering = ("date",)


class YearFileForm(forms.Form):
    file = forms.FileField(
        label="节假日文件",
        help_text="YAML 格式、UTF-8 编码，格式见 workcalendar/data/example-2027.yaml 中的说明。",
    )
    replace = forms.BooleanField(
        label="替换已载入的年份",
        required=False,
        help_text="该年已载入时，删除其原有日期并以文件内容替换（同一事务内完成）。",
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "holiday_count", "workday_count", "loaded_at")
    search_fields = ("source", "note")
    ordering = ("-year",)
    readonly_fields = ("updated_at",)
    inlines = (CalendarDayInline,)
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_holidays=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
                n_workdays=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)),
            )
        )

    @admin.display(description="法定节假日（天）", ordering="n_holidays")
    def holiday_count(self, obj: Any) -> int:
        return int(obj.n_holidays)

    @admin.display(description="调休上班日（天）", ordering="n_workdays")
    def workday_count(self, obj: Any) -> int:
        return int(obj.n_workdays)

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="workcalendar_calendaryear_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a year file; on error show every problem and change nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        error: DomainError | None = None
        if request.method == "POST":
            form = YearFileForm(request.POST, request.FILES)
            if form.is_valid():
                replace = bool(form.cleaned_data["replace"])
                if replace and not (
                    self.has_change_permission(request)
                    and request.user.has_perm("workcalendar.delete_calendarday")
                ):
                    raise PermissionDenied
                upload = form.cleaned_data["file"]
                try:
                    # Read one byte past the limit so the service reports an oversized file.
                    data = upload.read(services.MAX_FILE_BYTES + 1)
                    report = services.load_year_file(data, replace=replace)
                except DomainError as exc:
                    error = exc
                else:
                    messages.success(request, report.summary())
                    return HttpResponseRedirect(
                        reverse("admin:workcalendar_calendaryear_changelist")
                    )
        else:
            form = YearFileForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "上传节假日文件",
            "form": form,
            "error": error,
        }
        status = 400 if error is not None else 200
        return TemplateResponse(
            request, "admin/workcalendar/calendaryear/upload.html", context, status=status
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "year")
    list_filter = ("kind", "year")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
    list_select_related = ("year",)
    readonly_fields = ("updated_at",)

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return weekday_name(obj.date)

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> tuple[str, ...]:
        # A fixed-date holiday stays what the law makes it; only its name may be edited.
        if obj is not None and _fixed_weekday_holiday(obj):
            return ("date", "kind", "year", "updated_at")
        return ("updated_at",)

    def has_delete_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        if obj is not None and _fixed_weekday_holiday(obj):
            return False
        return super().has_delete_permission(request, obj)


def _fixed_weekday_holiday(day: CalendarDay) -> bool:
    return day.kind == CalendarDay.Kind.HOLIDAY and required_holiday(day.date)
