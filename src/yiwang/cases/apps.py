from collections.abc import Iterable, Iterator

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
        from yiwang.core import stored_files

        stored_files.register("materials", _material_files)
        stored_files.register("drafts", _draft_files)


def _material_files() -> Iterable[str]:
    from yiwang.cases.models import CaseMaterial
    from yiwang.core.stored_files import names_in_order

    return names_in_order(CaseMaterial.objects.all(), "file")


def _draft_files() -> Iterator[str]:
    """A draft's uploads, named in its ``materials`` (once submitted, the case's rows name them).

    Sorted here: the names sit inside JSON, out of the database's reach; drafts hold a few
    files each and are far fewer than the files of cases."""
    from yiwang.cases.models import Draft

    names = []
    for materials in Draft.objects.values_list("materials", flat=True).iterator(chunk_size=2000):
        for entry in (materials or {}).values():
            if isinstance(entry, dict) and entry.get("file"):
                names.append(str(entry["file"]))
    return iter(sorted(names))


def _forget_organization_names(sender: object, **kwargs: object) -> None:
    from yiwang.cases.record import _organization_names

    _organization_names.cache_clear()


def _recompute_after_calendar_change(sender: object, years: list[int], **kwargs: object) -> None:
    from yiwang.cases.services import recompute_provisional_deadlines

    recompute_provisional_deadlines()
