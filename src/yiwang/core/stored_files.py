"""Files in storage that no row refers to (orphans), found and removed by a sweep.

A file is written to storage before the transaction that records it commits, and storage cannot
roll back with the database: a step that fails after rendering its letter, a process killed
before its commit, a draft material uploaded again, a draft abandoned — each leaves a file no
row points at. Such a file is never served (files are only read through their rows), but it
takes space and holds personal data longer than needed. ``yiwang files sweep`` lists them;
``--delete`` removes them.

Each app that stores files registers the storage directory it writes to and a function giving
every name its rows refer to, in code-point order (:func:`register`, from its
``AppConfig.ready``; :func:`names_in_order` orders a query so), so this module knows no domain
model. A name may be referred to from another app's rows (a draft's upload becomes a case
material without copying), so a file is an orphan only when no registered function names it.
Files newer than the grace period are left alone: their transaction may still be running.

Memory does not grow with the number of files: the storage is walked in the same order as the
names, and the two ordered streams are merged, one name at a time. Nothing is deleted until the
whole walk has finished with both streams found in order, so a query that came back in another
order (a collation other than byte order) stops the sweep instead of deleting a live file.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.db import connections, models
from django.db.models.functions import Collate
from django.utils import timezone

#: Files younger than this are never orphans: the transaction writing their row may be open.
DEFAULT_GRACE = dt.timedelta(hours=1)


class OutOfOrder(RuntimeError):
    """A stream of names that should be in code-point order was not; nothing was deleted."""


@dataclass(frozen=True)
class Holder:
    """Files under ``directory`` (in the default storage) whose names ``names`` lists, in
    code-point order."""

    directory: str
    names: Callable[[], Iterable[str]]


_holders: dict[str, Holder] = {}


def register(directory: str, names: Callable[[], Iterable[str]]) -> None:
    """Declare that rows refer to files under ``directory`` by the names ``names()`` yields,
    in code-point order (repeats allowed)."""
    _holders[f"{directory}:{names.__module__}.{names.__qualname__}"] = Holder(directory, names)


def holders() -> tuple[Holder, ...]:
    return tuple(_holders.values())


def names_in_order(queryset: models.QuerySet[Any], field_name: str) -> Iterator[str]:
    """The non-empty values of a file field, streamed in code-point order: byte order of UTF-8,
    which is SQLite's default collation and PostgreSQL's ``"C"``."""
    collation = "C" if connections[queryset.db].vendor == "postgresql" else "BINARY"
    ordered = (
        queryset.exclude(**{field_name: ""})
        .order_by(Collate(field_name, collation))
        .values_list(field_name, flat=True)
    )
    return (str(name) for name in ordered.iterator(chunk_size=5000))


@dataclass
class SweepReport:
    scanned: int = 0
    referenced: int = 0
    recent: int = 0
    orphans: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes)
    deleted: int = 0

    @property
    def orphan_bytes(self) -> int:
        return sum(size for _, size in self.orphans)


def _walk(storage: Storage, directory: str) -> Iterator[str]:
    """Every file name under ``directory``, in code-point order of the whole name."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    # "a/b.pdf" < "a/b/c.pdf" < "a/bc.pdf": a directory sorts as its name followed by "/".
    entries = sorted([(name, False) for name in files] + [(f"{d}/", True) for d in directories])
    for name, is_directory in entries:
        path = f"{directory.rstrip('/')}/{name}"
        if is_directory:
            yield from _walk(storage, path.rstrip("/"))
        else:
            yield path


def _in_order(names: Iterable[str], what: str) -> Iterator[str]:
    previous = ""
    for name in names:
        if name < previous:
            raise OutOfOrder(f"{what} are not in code-point order: {name!r} after {previous!r}")
        previous = name
        yield name


def sweep(
    *,
    delete: bool = False,
    grace: dt.timedelta = DEFAULT_GRACE,
    now: dt.datetime | None = None,
    storage: Storage | None = None,
    progress: Callable[[SweepReport], None] | None = None,
    progress_every: int = 10_000,
) -> SweepReport:
    """Find (and with ``delete``, remove) the files no row refers to, older than ``grace``."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - grace
    referenced = _in_order(
        heapq.merge(*(holder.names() for holder in holders())), "names that rows refer to"
    )
    directories = sorted({holder.directory.rstrip("/") + "/" for holder in holders()})
    stored = _in_order(
        (name for directory in directories for name in _walk(storage, directory.rstrip("/"))),
        "stored file names",
    )
    report = SweepReport()
    pending = next(referenced, None)
    for name in stored:
        report.scanned += 1
        if progress is not None and report.scanned % progress_every == 0:
            progress(report)
        while pending is not None and (pending == "" or pending < name):
            pending = next(referenced, None)
        if pending == name:
            report.referenced += 1
            continue
        if storage.get_modified_time(name) > cutoff:
            report.recent += 1
            continue
        report.orphans.append((name, storage.size(name)))
    deque(referenced, maxlen=0)  # read the rest too: it must be in order as well
    if delete:  # only after both streams were read through in order
        for name, _ in report.orphans:
            storage.delete(name)
            report.deleted += 1
    return report
