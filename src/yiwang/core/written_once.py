"""Rows that are issued once and then keep their facts (letters, licences, seals).

The model remembers each row as it was read or last written; ``save`` then compares and lets
the model refuse what it does not allow (:meth:`WrittenOnce.check_changes`). An instance never
loaded from the database can only be inserted, so one built with an existing pk cannot
overwrite that row. Rows are never deleted, and :class:`WrittenOnceQuerySet` closes the bulk
paths that would bypass ``save`` and ``delete``.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models


class WrittenOnce(models.Model):
    #: The ValidationError code of a refused change, e.g. "documents.immutable".
    immutable_code: ClassVar[str]
    #: The message of a refused change, e.g. "文书一经出具不可修改".
    overwrite_message: ClassVar[str]
    #: The message of a refused deletion.
    delete_message: ClassVar[str]
    #: Fields a stored row may still receive, once each, while they are empty ("" or None).
    set_once_fields: ClassVar[frozenset[str]] = frozenset()

    # The row as last read or written, to tell which fields a save would change.
    _stored: dict[str, Any]

    class Meta:
        abstract = True

    @classmethod
    def refuse(cls, message: str) -> NoReturn:
        raise ValidationError(message, code=cls.immutable_code)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._stored = dict(zip(field_names, values, strict=True))
        return instance

    def _field_value(self, attname: str) -> Any:
        value = getattr(self, attname)
        # A FieldFile compares by name; keep the plain name so snapshots compare cleanly.
        return value.name or "" if attname == "file" else value

    def _snapshot(self) -> dict[str, Any]:
        return {f.attname: self._field_value(f.attname) for f in self._meta.concrete_fields}

    def check_changes(self, stored: dict[str, Any], changed: set[str]) -> None:
        """Refuse (with :meth:`refuse`) a change the model does not allow: anything but filling
        an empty set-once field."""
        frozen = changed - self.set_once_fields
        overwritten = {
            name for name in changed & self.set_once_fields if stored[name] not in ("", None)
        }
        if frozen or overwritten:
            names = "、".join(sorted(frozen | overwritten))
            self.refuse(f"{self.overwrite_message}（试图修改：{names}）")

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        self.refuse(self.delete_message)

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored: dict[str, Any] | None = getattr(self, "_stored", None)
        if stored is None:
            if not self._state.adding:
                self.refuse(self.overwrite_message)
            kwargs["force_insert"] = True
        else:
            changed = {
                attname
                for attname, value in stored.items()
                if attname in self.__dict__ and self._field_value(attname) != value
            }
            self.check_changes(stored, changed)
        super().save(*args, **kwargs)
        self._stored = self._snapshot()


_W = TypeVar("_W", bound=WrittenOnce)


class WrittenOnceQuerySet(models.QuerySet[_W]):
    """Bulk update and delete, which would bypass the model's ``save`` and ``delete``, refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        self.model.refuse(self.model.overwrite_message)

    def delete(self) -> NoReturn:
        self.model.refuse(self.model.delete_message)
