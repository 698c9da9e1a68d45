from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from yiwang.workcalendar.signals import calendar_changed

        calendar_changed.connect(_recompute_after_calendar_change, dispatch_uid="cases.recompute")


def _recompute_after_calendar_change(sender: object, years: list[int], **kwargs: object) -> None:
    from yiwang.cases.services import recompute_provisional_deadlines

    recompute_provisional_deadlines()
