from __future__ import annotations

from typing import Any, cast

from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "公共"

    def ready(self) -> None:
        checks.register(check_file_storage)


def check_file_storage(**kwargs: Any) -> list[checks.CheckMessage]:
    """The configured file storage can be built: a typo in YIWANG_FILE_STORAGE stops the start
    (``yiwang check``, ``runserver``) instead of the first upload."""
    from django.conf import settings
    from django.core.files.storage import storages

    try:
        storages.create_storage(cast(dict[str, Any], settings.STORAGES["default"]))
    except Exception as exc:  # any failure to import or construct it is a configuration error
        return [
            checks.Error(
                f"文件存储无法创建（YIWANG_FILE_STORAGE / YIWANG_FILE_STORAGE_OPTIONS）：{exc}",
                id="yiwang.E001",
            )
        ]
    return []
