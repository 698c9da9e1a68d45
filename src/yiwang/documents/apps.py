from collections.abc import Iterable

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "yiwang.documents"
    verbose_name = "文书"

    def ready(self) -> None:
        from yiwang.core import stored_files

        stored_files.register("documents", _stored_files)


def _stored_files() -> Iterable[str]:
    from yiwang.documents.models import Document

    return Document.objects.values_list("file", flat=True).iterator(chunk_size=5000)
