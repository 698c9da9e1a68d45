from collections.abc import Iterable

from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from yiwang.core import stored_files

        stored_files.register("licences", _stored_files)


def _stored_files() -> Iterable[str]:
    from yiwang.core.stored_files import names_in_order
    from yiwang.licences.models import Licence

    return names_in_order(Licence.objects.all(), "file")
