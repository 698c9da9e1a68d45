from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "yiwang.workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from yiwang.workcalendar.models import CalendarDay, CalendarYear

        # Any edit (admin, shell, services) drops this process's cached calendar; other
        # processes notice through the revision check in services.current_calendar().
        for model in (CalendarYear, CalendarDay):
            post_save.connect(
                _calendar_changed, sender=model, dispatch_uid=f"workcalendar-save-{model.__name__}"
            )
            post_delete.connect(
                _calendar_changed,
                sender=model,
                dispatch_uid=f"workcalendar-delete-{model.__name__}",
            )


def _calendar_changed(sender: type, using: str | None = None, **kwargs: Any) -> None:
    from yiwang.workcalendar.services import invalidate_now_and_on_commit

    invalidate_now_and_on_commit(using)
