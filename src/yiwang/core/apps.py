from __future__ import annotations

from typing import Any, cast

from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "公共"

    def ready(self) -> None:
        checks.register(check_file_storage)
        say_nul_in_chinese()


def say_nul_in_chinese() -> None:
    """Every form's text field refuses a NUL character with yiwang's own words.

    Django's forms.CharField adds a ProhibitNullCharactersValidator to every text field, admin
    and public alike; its Chinese translation reads "不允许是用空字符串。", which is garbled and
    speaks of an empty string. The validator reads its message from the class, so setting it
    there once covers every form without touching any.
    """
    from django.core.validators import ProhibitNullCharactersValidator

    from yiwang.core.text import NUL_MESSAGE

    ProhibitNullCharactersValidator.message = NUL_MESSAGE


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
