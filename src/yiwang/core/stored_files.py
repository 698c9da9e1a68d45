"""Files in storage that no row refers to (orphans), found and removed by a sweep.

A file is written to storage before the transaction that records it commits, and storage cannot
roll back with the database: a step that fails after rendering its letter, a process killed
before its commit, a draft material uploaded again, a draft abandoned — each leaves a file no
row points at. Such a file is never served (files are only read through their rows), but it
takes space and holds personal data longer than needed. ``yiwang files sweep`` lists them;
``--delete`` removes them.

Each app that stores files registers the storage directory it writes to and a function giving
every name its rows refer to (:func:`register`, from its ``AppConfig.ready``), so this module
knows no domain model. A name may be referred to from another app's rows (a draft's upload
becomes a case material without copying), so a file is an orphan only when no registered
function names it. Files newer than the grace period are left alone: their transaction may
still be running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

#: Files younger than this are never orphans: the transaction writing their row may be open.
DEFAULT_GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Holder:
    """Files under ``directory`` (in the default storage) whose names ``names`` lists."""

    directory: str
    names: Callable[[], Iterable[str]]


_holders: dict[str, Holder] = {}


def register(directory: str, names: Callable[[], Iterable[str]]) -> None:
    """Declare that rows refer to files under ``directory`` by the names ``names()`` yields."""
    _holders[f"{directory}:{names.__module__}.{names.__qualname__}"] = Holder(directory, names)


def holders() -> tuple[Holder, ...]:
    return tuple(_holders.values())


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
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory.rstrip('/')}/{name}"
    for sub in sorted(directories):
        yield from _walk(storage, f"{directory.rstrip('/')}/{sub}")


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
    referenced: set[str] = set()
    for holder in holders():
        referenced.update(name for name in holder.names() if name)
    report = SweepReport()
    for directory in sorted({holder.directory for holder in holders()}):
        for name in _walk(storage, directory):
            report.scanned += 1
            if progress is not None and report.scanned % progress_every == 0:
                progress(report)
            if name in referenced:
                report.referenced += 1
                continue
            if storage.get_modified_time(name) > cutoff:
                report.recent += 1
                continue
            report.orphans.append((name, storage.size(name)))
            if delete:
                storage.delete(name)
                report.deleted += 1
    return report
