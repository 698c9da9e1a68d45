from collections.abc import Iterable

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "yiwang.documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from yiwang.core import stored_files

        stored_files.register("documents", _stored_files)


def _stored_files() -> Iterable[str]:
    from yiwang.core.stored_files import names_in_order
    from yiwang.documents.models import Document

    return names_in_order(Document.objects.all(), "file")
