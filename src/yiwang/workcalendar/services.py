"""Working-day calendar services: the cached calendar, seeding and loading year schedules.

Everything else in the project asks here: ``add_workdays(start, n)``, ``workdays_between(a, b)``,
``subtract_workdays(end, n)``, ``is_workday(d)`` and ``due_at(start, n)``.

Caching
-------
``current_calendar()`` keeps one :class:`WorkdayCalendar` per process (built with two queries,
~30 ms). It is dropped

- at once in this process when a ``CalendarYear`` / ``CalendarDay`` is saved or deleted (signals,
  connected in ``apps.py``; again on commit, so other threads cannot keep a pre-commit copy), and
  by the bulk writers below, which bypass signals;
- in other processes (other app servers, workers, the CLI) by revalidation: at most every
  ``YIWANG_CALENDAR_REVALIDATE_SECONDS`` seconds (default 5) one tiny query reads the row counts
  and latest ``updated_at`` of both tables; if that revision differs, the calendar is rebuilt.
  A change therefore reaches every process within a few seconds, without a cache server, and the
  steady-state cost is one cheap query per process per interval. (Deleting one row and adding
  another changes the latest ``updated_at``; only edits that bypass ``auto_now``, such as raw SQL
  or ``QuerySet.update()`` without ``updated_at``, would go unseen until the next restart.)

Tests that roll back their transaction should call :func:`invalidate` between tests: a rollback
sends no signal.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count as DbCount
from django.db.models import Q
from django.utils import timezone

from yiwang.core import local_files
from yiwang.core.errors import Conflict, InvalidInput, Problem
from yiwang.workcalendar import workdays
from yiwang.workcalendar.models import CalendarDay, CalendarYear
from yiwang.workcalendar.schedules import (
    YearSchedule,
    chinese_calendar_schedules,
    parse_year_text,
)
from yiwang.workcalendar.workdays import Count, DayKind, Deadline, WorkdayCalendar

DEFAULT_REVALIDATE_SECONDS = 5.0
MAX_FILE_BYTES = 1_000_000


# --- the cached calendar ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    calendar: WorkdayCalendar
    revision: tuple[Any, ...]
    checked_at: float  # time.monotonic()


_cached: _Cached | None = None
_lock = threading.Lock()


def _revalidate_seconds() -> float:
    return float(
        getattr(settings, "YIWANG_CALENDAR_REVALIDATE_SECONDS", DEFAULT_REVALIDATE_SECONDS)
    )


def _revision() -> tuple[Any, ...]:
    """One tiny query whose answer changes whenever either table changes."""
    quote = connection.ops.quote_name
    years = quote(CalendarYear._meta.db_table)
    days = quote(CalendarDay._meta.db_table)
    updated = quote("updated_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {years}), (SELECT MAX({updated}) FROM {years}),"
            f" (SELECT COUNT(*) FROM {days}), (SELECT MAX({updated}) FROM {days})"
        )
        row = cursor.fetchone()
    return tuple(row) if row is not None else ()


def _build() -> WorkdayCalendar:
    years = list(CalendarYear.objects.values_list("year", flat=True))
    special = dict(CalendarDay.objects.values_list("date", "kind"))
    return WorkdayCalendar(years, special)


def current_calendar() -> WorkdayCalendar:
    """The process-wide calendar, rebuilt when the database says it changed."""
    global _cached
    now = time.monotonic()
    cached = _cached
    interval = _revalidate_seconds()
    if cached is not None and now - cached.checked_at < interval:
        return cached.calendar
    with _lock:
        cached = _cached
        if cached is not None and now - cached.checked_at < interval:
            return cached.calendar
        # Revision first, data second: if a change lands in between, the next check rebuilds.
        revision = _revision()
        if cached is not None and cached.revision == revision:
            _cached = _Cached(cached.calendar, revision, now)
            return cached.calendar
        calendar = _build()
        _cached = _Cached(calendar, revision, now)
        return calendar


def invalidate() -> None:
    """Forget the cached calendar in this process; the next question rebuilds it."""
    global _cached
    with _lock:
        _cached = None


def invalidate_now_and_on_commit(using: str | None = None) -> None:
    invalidate()
    # Another thread may rebuild from pre-commit data in between; drop that copy after commit.
    transaction.on_commit(invalidate, using=using)


# --- the questions ------------------------------------------------------------------------------


def add_workdays(start: dt.date, n: int) -> Deadline:
    """The n-th working day strictly after ``start`` (``n == 0``: ``start`` itself)."""
    return current_calendar().add_workdays(start, n)


def subtract_workdays(end: dt.date, n: int) -> Deadline:
    """The n-th working day strictly before ``end`` (e.g. "warn one working day before")."""
    return current_calendar().subtract_workdays(end, n)


def workdays_between(a: dt.date, b: dt.date) -> Count:
    """Working days in ``(a, b]``, negative when ``a > b``."""
    return current_calendar().workdays_between(a, b)


def is_workday(day: dt.date) -> bool:
    return current_calendar().is_workday(day)


def due_at(start: dt.date, n: int) -> tuple[dt.datetime, bool]:
    """The aware end of the n-th working day after ``start``, and whether it is provisional."""
    deadline = add_workdays(start, n)
    return workdays.deadline_end(deadline.date), deadline.provisional


def span_note(after: dt.date, through: dt.date) -> str:
    """Chinese sentence explaining why an answer over ``(after, through]`` is provisional."""
    return current_calendar().span_note(after, through)


# --- seeding from chinese-calendar --------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    source: str
    years_created: list[int]
    years_unchanged: list[int]
    years_kept: list[int]  # already loaded with different days: left as they are
    days_created: int

    def summary(self) -> str:
        lines = [
            f"来源：{self.source}",
            f"新增年度 {len(self.years_created)} 个{_years_text(self.years_created)}，"
            f"新增日期 {self.days_created} 条",
            f"未变年度 {len(self.years_unchanged)} 个{_years_text(self.years_unchanged)}",
        ]
        if self.years_kept:
            lines.append(
                f"保留年度 {len(self.years_kept)} 个{_years_text(self.years_kept)}："
                "数据库中的安排与 chinese-calendar 不同，未覆盖（如需替换请用 workdays load --replace）"
            )
        return "\n".join(lines)


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    if len(years) > 3 and years == list(range(years[0], years[-1] + 1)):
        return f"（{years[0]}–{years[-1]}）"
    return "（" + "、".join(map(str, years)) + "）"


def _announce(years: list[int]) -> None:
    """Tell listeners (e.g. open cases with provisional deadlines) once the change is committed."""
    from yiwang.workcalendar.signals import calendar_changed

    def send() -> None:
        invalidate()
        calendar_changed.send(sender=CalendarYear, years=years)

    transaction.on_commit(send)


def seed_from_chinese_calendar() -> SeedReport:
    """Load every year chinese-calendar covers that is not loaded yet. Idempotent.

    A year already in the database is never overwritten, even if it differs (an administrator's
    newer data wins); it is reported as kept.
    """
    return _store_new_schedules(chinese_calendar_schedules())


def _store_new_schedules(schedules: Iterable[YearSchedule]) -> SeedReport:
    schedules = list(schedules)
    source = schedules[0].source if schedules else ""
    with transaction.atomic():
        existing_years = set(CalendarYear.objects.values_list("year", flat=True))
        existing_days: dict[int, set[tuple[dt.date, str, str]]] = {}
        for year, day, kind, name in CalendarDay.objects.values_list(
            "year__year", "date", "kind", "name"
        ):
            existing_days.setdefault(year, set()).add((day, kind, name))

        created: list[YearSchedule] = []
        unchanged: list[int] = []
        kept: list[int] = []
        for schedule in schedules:
            if schedule.year not in existing_years:
                created.append(schedule)
                continue
            wanted = {(d.date, d.kind.value, d.name) for d in schedule.days}
            (unchanged if existing_days.get(schedule.year, set()) == wanted else kept).append(
                schedule.year
            )

        now = timezone.now()
        CalendarYear.objects.bulk_create(
            CalendarYear(year=s.year, source=s.source, note=s.note, loaded_at=now) for s in created
        )
        ids = dict(
            CalendarYear.objects.filter(year__in=[s.year for s in created]).values_list(
                "year", "pk"
            )
        )
        rows = [
            CalendarDay(year_id=ids[s.year], date=d.date, kind=d.kind.value, name=d.name)
            for s in created
            for d in s.days
        ]
        CalendarDay.objects.bulk_create(rows, batch_size=500)
        if created:
            invalidate_now_and_on_commit()
            _announce([s.year for s in created])
    return SeedReport(
        source=source,
        years_created=[s.year for s in created],
        years_unchanged=unchanged,
        years_kept=kept,
        days_created=len(rows),
    )


# --- loading a published year from a file -------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    year: int
    source: str
    holidays: int
    workdays: int
    replaced: bool
    removed_days: int

    def summary(self) -> str:
        action = f"已替换（删除原有日期 {self.removed_days} 条）" if self.replaced else "已载入"
        return (
            f"{self.year} 年节假日安排{action}：法定节假日 {self.holidays} 天，"
            f"调休上班日 {self.workdays} 天；来源：{self.source}"
        )


def read_year_source(path_or_text: str | Path | bytes) -> str:
    """The text of a year file given as a path, raw bytes, or the YAML text itself.

    A ``str`` is a path when it is a single line naming an existing file (or ending in
    ``.yaml``/``.yml``); otherwise it is the YAML text.
    """
    if isinstance(path_or_text, bytes):
        return _decode(path_or_text, "")
    if isinstance(path_or_text, str) and "\n" not in path_or_text:
        candidate = Path(path_or_text.strip())
        try:
            is_file = candidate.is_file()
        except OSError:  # e.g. a long one-line YAML text is "a file name too long"
            is_file = False
        if is_file or candidate.suffix.lower() in {".yaml", ".yml"}:
            path_or_text = candidate
    if isinstance(path_or_text, Path):
        try:
            # One byte past the limit, so that _decode reports a file that is too large.
            data = local_files.read_bytes(path_or_text, MAX_FILE_BYTES + 1)
        except local_files.UnreadableFile as exc:
            raise _file_error(exc.message) from None
        return _decode(data, str(path_or_text))
    return path_or_text


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(f"文件过大（超过 {local_files.limit_text(MAX_FILE_BYTES)}）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            f"文件 {name} 不是 UTF-8 编码的文本" if name else "文件不是 UTF-8 编码的文本"
        ) from None


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(
        "calendar.invalid_file", "节假日文件有误", [Problem(code="file", message=message)]
    )


def load_year_file(path_or_text: str | Path | bytes, *, replace: bool = False) -> LoadReport:
    """Load one year's schedule from a year file (format: see ``schedules.py``), all or nothing.

    Every problem of the file is listed in one ``InvalidInput("calendar.invalid_file")`` and
    nothing is changed. A year that is already loaded is replaced only with ``replace=True``
    (its old days are deleted in the same transaction); otherwise ``Conflict``.
    """
    schedule = parse_year_text(read_year_source(path_or_text))
    return store_year(schedule, replace=replace)


def store_year(schedule: YearSchedule, *, replace: bool = False) -> LoadReport:
    with transaction.atomic():
        year_row = CalendarYear.objects.filter(year=schedule.year).first()
        removed = 0
        existed = year_row is not None
        if year_row is not None:
            if not replace:
                raise Conflict(
                    "calendar.year_loaded",
                    f"{schedule.year} 年的节假日安排已载入（来源：{year_row.source}）；"
                    "如确需替换，请明确选择替换（命令行加 --replace）",
                )
            removed, _ = CalendarDay.objects.filter(year=year_row).delete()
            year_row.source = schedule.source
            year_row.note = schedule.note
            year_row.loaded_at = timezone.now()
            year_row.save()
        else:
            year_row = CalendarYear.objects.create(
                year=schedule.year, source=schedule.source, note=schedule.note
            )
        CalendarDay.objects.bulk_create(
            CalendarDay(year=year_row, date=d.date, kind=d.kind.value, name=d.name)
            for d in schedule.days
        )
        invalidate_now_and_on_commit()
        _announce([schedule.year])
    return LoadReport(
        year=schedule.year,
        source=schedule.source,
        holidays=len(schedule.holidays),
        workdays=len(schedule.workdays),
        replaced=existed,
        removed_days=removed,
    )


# --- listing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    year: int
    source: str
    loaded_at: dt.datetime
    holidays: int
    workdays: int


def loaded_years() -> list[YearSummary]:
    """Every loaded year with its source and number of holidays / adjusted workdays (1 query)."""
    rows = CalendarYear.objects.annotate(
        n_holidays=DbCount("days", filter=Q(days__kind=DayKind.HOLIDAY.value)),
        n_workdays=DbCount("days", filter=Q(days__kind=DayKind.WORKDAY.value)),
    ).order_by("year")
    return [YearSummary(r.year, r.source, r.loaded_at, r.n_holidays, r.n_workdays) for r in rows]
