from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from yiwang.workcalendar.signals import calendar_changed

        calendar_changed.connect(_recompute_after_calendar_change, dispatch_uid="cases.recompute")
        from django.db.models.signals import post_save

        post_save.connect(
            _forget_organization_names,
            sender="organizations.Organization",
            dispatch_uid="cases.orgs",
        )


def _forget_organization_names(sender: object, **kwargs: object) -> None:
    from yiwang.cases.services import _organization_names

    _organization_names.cache_clear()


def _recompute_after_calendar_change(sender: object, years: list[int], **kwargs: object) -> None:
    from yiwang.cases.services import recompute_provisional_deadlines

    recompute_provisional_deadlines()
