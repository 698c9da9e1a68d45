"""Year schedules (节假日安排) as plain data: read from a year file or from chinese-calendar.

No database here. ``services`` stores a :class:`YearSchedule`; the benchmark and the tests build a
:class:`~yiwang.workcalendar.workdays.WorkdayCalendar` straight from these.

Year file format (YAML, UTF-8), one file per year::

    year: 2027                      # required, integer
    source: 国办发明电〔2026〕N号    # required: where the schedule comes from
    note: 任意说明                   # optional
    holidays:                       # required, at least one entry
      - name: 元旦                  # required
        dates: [2027-01-01]         # either a list of dates ...
      - name: 春节
        from: 2027-02-06            # ... or an inclusive range from/to
        to: 2027-02-12
    workdays:                       # optional: 调休上班日, each a Saturday or Sunday
      - name: 春节
        date: 2027-02-13            # one date (or "dates: [...]" for several)

Dates are written YYYY-MM-DD. A date may appear only once in the whole file. From 2025 the
holidays the law dates (``workdays.FIXED_HOLIDAYS``) must be listed where they fall on a weekday.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from yiwang.core import yaml_text
from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.text import NESTING_MESSAGE, NUL_MESSAGE, CyclicValue, nul_path
from yiwang.workcalendar.workdays import (
    FIRST_DAY,
    LAST_DAY,
    DayKind,
    WorkdayCalendar,
    day_problems,
    missing_fixed_holidays,
)

SOURCE_MAX_LENGTH = 200
NAME_MAX_LENGTH = 50
# A single holiday range longer than this is surely a typo (the longest ever was 9 days).
MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class DaySpec:
    date: dt.date
    kind: DayKind
    name: str


@dataclass(frozen=True)
class YearSchedule:
    year: int
    source: str
    days: tuple[DaySpec, ...]
    note: str = ""

    @property
    def holidays(self) -> list[DaySpec]:
        return [d for d in self.days if d.kind == DayKind.HOLIDAY]

    @property
    def workdays(self) -> list[DaySpec]:
        return [d for d in self.days if d.kind == DayKind.WORKDAY]


def calendar_from_schedules(schedules: list[YearSchedule]) -> WorkdayCalendar:
    special = {day.date: day.kind for schedule in schedules for day in schedule.days}
    return WorkdayCalendar({s.year for s in schedules}, special)


# --- chinese-calendar ---------------------------------------------------------------------------

# chinese-calendar's Holiday enum values (English) -> the names used on our pages. Its own
# ``.chinese`` attribute abbreviates (清明, 端午, 中秋) and spells the 2015 day out in full.
CHINESE_CALENDAR_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def chinese_calendar_source() -> str:
    import chinese_calendar

    return f"chinese-calendar {chinese_calendar.__version__}"


@lru_cache(maxsize=1)
def chinese_calendar_schedules() -> tuple[YearSchedule, ...]:
    """Every year chinese-calendar covers (1.11.0: 2004–2026), checked by :func:`day_problems`.

    Cached: the package's tables never change within a process.
    """
    from chinese_calendar import constants

    source = chinese_calendar_source()
    by_year: dict[int, list[DaySpec]] = {}
    for table, kind in (
        (constants.holidays, DayKind.HOLIDAY),
        (constants.workdays, DayKind.WORKDAY),
    ):
        for day, english in table.items():
            name = CHINESE_CALENDAR_NAMES.get(english, english)
            by_year.setdefault(day.year, []).append(DaySpec(day, kind, name))
    years = range(min(by_year), max(by_year) + 1)
    schedules: list[YearSchedule] = []
    for year in years:
        days = sorted(by_year.get(year, []), key=lambda d: d.date)
        for day in days:
            wrong = day_problems(year, day.date, day.kind)
            if wrong:  # pragma: no cover - would mean the package's data is broken
                raise ValueError(f"chinese-calendar: {'；'.join(wrong)}")
        schedules.append(YearSchedule(year, source, tuple(days)))
    return tuple(schedules)


def chinese_calendar_workday_calendar() -> WorkdayCalendar:
    """A calendar from chinese-calendar alone, without the database (benchmarks, tests)."""
    return calendar_from_schedules(list(chinese_calendar_schedules()))


# --- year files ---------------------------------------------------------------------------------


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOP_KEYS = {"year", "source", "note", "holidays", "workdays"}
_HOLIDAY_KEYS = {"name", "dates", "from", "to"}
_WORKDAY_KEYS = {"name", "date", "dates"}


def parse_date(value: object) -> dt.date | None:
    """A strict YYYY-MM-DD date, or None."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(code=code, message=message, field=field))


def parse_year_text(text: str) -> YearSchedule:
    """Parse and check a year file; raise InvalidInput listing *every* problem found."""
    out = _Collector()
    try:
        data = yaml_text.load(text)  # dates stay text, so a bad one is one listed problem
    except yaml.YAMLError as exc:
        at = yaml_text.position(exc)
        where = f"（{at}）" if at else ""
        hint = (
            exc.problem
            if isinstance(exc, yaml_text.BadValue)
            else "请检查缩进、冒号以及括号、引号是否配对"
        )
        out.add("", f"不是有效的 YAML{where}：{hint}", "yaml")
        raise _invalid(out.problems) from exc
    except RecursionError:  # the parser recurses once per level of nesting
        out.add("", NESTING_MESSAGE, "yaml")
        raise _invalid(out.problems) from None
    if not isinstance(data, Mapping):
        out.add("", "文件内容应为一个映射，包含 year、source、holidays 等字段", "structure")
        raise _invalid(out.problems)
    try:
        nul = nul_path(data)
    except CyclicValue as exc:
        out.add(exc.path, str(exc), "cyclic_alias")
        raise _invalid(out.problems) from None
    if nul is not None:
        out.add(nul, f"{nul or '文件'} 处{NUL_MESSAGE}", "nul_character")
        raise _invalid(out.problems)

    for key in sorted(set(map(str, data)) - _TOP_KEYS):
        out.add(
            key,
            f"未知字段 {key}；允许的字段：year、source、note、holidays、workdays",
            "unknown_field",
        )

    year = _year(data.get("year"), out)
    source = _text(data.get("source"), "source", "来源", SOURCE_MAX_LENGTH, out, required=True)
    note_value = data.get("note")
    note = "" if note_value is None else _text(note_value, "note", "说明", 10_000, out)

    seen: dict[dt.date, str] = {}
    days: list[DaySpec] = []

    holidays = data.get("holidays")
    if not isinstance(holidays, list) or not holidays:
        out.add("holidays", "缺少节假日列表 holidays（至少一项）", "required")
        holidays = []
    for n, entry in enumerate(holidays):
        where = f"holidays[{n}]"
        if not isinstance(entry, Mapping):
            out.add(where, "每个节假日应为包含 name 以及 dates 或 from/to 的映射", "structure")
            continue
        _unknown_keys(entry, _HOLIDAY_KEYS, where, out)
        name = _text(
            entry.get("name"), f"{where}.name", "名称", NAME_MAX_LENGTH, out, required=True
        )
        has_list = "dates" in entry
        has_range = "from" in entry or "to" in entry
        dates: list[tuple[str, dt.date]] = []
        if has_list and has_range:
            out.add(where, f"节假日“{name}”不能同时写 dates 和 from/to", "structure")
        elif has_list:
            dates = _date_list(entry.get("dates"), f"{where}.dates", out)
        elif has_range:
            dates = _date_range(entry.get("from"), entry.get("to"), where, name, out)
        else:
            out.add(where, f"节假日“{name}”缺少日期：请写 dates 或 from/to", "required")
        for field, day in dates:
            _add_day(days, seen, year, field, day, DayKind.HOLIDAY, name, out)

    workdays = data.get("workdays")
    if workdays is None:
        workdays = []
    elif not isinstance(workdays, list):
        out.add("workdays", "调休上班日 workdays 应为列表", "structure")
        workdays = []
    for n, entry in enumerate(workdays):
        where = f"workdays[{n}]"
        if not isinstance(entry, Mapping):
            out.add(where, "每个调休上班日应为包含 name 和 date 的映射", "structure")
            continue
        _unknown_keys(entry, _WORKDAY_KEYS, where, out)
        name = _text(
            entry.get("name"), f"{where}.name", "名称", NAME_MAX_LENGTH, out, required=True
        )
        dates = []
        if "date" in entry and "dates" in entry:
            out.add(where, "不能同时写 date 和 dates", "structure")
        elif "date" in entry:
            single = parse_date(entry.get("date"))
            if single is None:
                out.add(f"{where}.date", _bad_date(entry.get("date")), "invalid_date")
            else:
                dates = [(f"{where}.date", single)]
        elif "dates" in entry:
            dates = _date_list(entry.get("dates"), f"{where}.dates", out)
        else:
            out.add(where, f"调休上班日“{name}”缺少日期 date", "required")
        for field, day in dates:
            _add_day(days, seen, year, field, day, DayKind.WORKDAY, name, out)

    if year is not None and holidays:  # a missing list is reported once, above
        listed = [day.date for day in days if day.kind == DayKind.HOLIDAY]
        for message in missing_fixed_holidays(year, listed):
            out.add("holidays", message, "missing_fixed_holiday")
    if out.problems or year is None:
        raise _invalid(out.problems)
    days.sort(key=lambda d: d.date)
    return YearSchedule(year=year, source=source, note=note, days=tuple(days))


def _invalid(problems: list[Problem]) -> InvalidInput:
    return InvalidInput("calendar.invalid_file", "节假日文件有误", problems)


def _bad_date(value: object) -> str:
    return f"日期 {value!r} 无效，应为 YYYY-MM-DD 格式的真实日期"


def _unknown_keys(entry: Mapping[Any, Any], allowed: set[str], where: str, out: _Collector) -> None:
    for key in sorted(set(map(str, entry)) - allowed):
        out.add(
            f"{where}.{key}",
            f"未知字段 {key}；允许的字段：{'、'.join(sorted(allowed))}",
            "unknown_field",
        )


def _year(value: object, out: _Collector) -> int | None:
    if value is None:
        out.add("year", "缺少年份 year", "required")
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        out.add("year", f"年份 {value!r} 应为整数，例如 2027", "invalid_year")
        return None
    if not FIRST_DAY.year <= value <= LAST_DAY.year:
        out.add(
            "year",
            f"年份 {value} 超出工作日历的范围（{FIRST_DAY.year}–{LAST_DAY.year}）",
            "invalid_year",
        )
        return None
    return value


def _text(
    value: object,
    field: str,
    label: str,
    max_length: int,
    out: _Collector,
    *,
    required: bool = False,
) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            out.add(field, f"缺少{label}", "required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        out.add(field, f"{label}应为文字", "invalid")
        return ""
    text = str(value).strip()
    if len(text) > max_length:
        out.add(field, f"{label}过长（{len(text)} 字，最多 {max_length} 字）", "too_long")
    return text


def _date_list(value: object, field: str, out: _Collector) -> list[tuple[str, dt.date]]:
    if not isinstance(value, list) or not value:
        out.add(field, "dates 应为非空的日期列表，例如 [2027-01-01]", "structure")
        return []
    dates: list[tuple[str, dt.date]] = []
    for n, raw in enumerate(value):
        day = parse_date(raw)
        if day is None:
            out.add(f"{field}[{n}]", _bad_date(raw), "invalid_date")
        else:
            dates.append((f"{field}[{n}]", day))
    return dates


def _date_range(
    raw_from: object, raw_to: object, where: str, name: str, out: _Collector
) -> list[tuple[str, dt.date]]:
    start, end = parse_date(raw_from), parse_date(raw_to)
    if start is None:
        out.add(
            f"{where}.from",
            _bad_date(raw_from) if raw_from is not None else "缺少起始日期 from",
            "invalid_date",
        )
    if end is None:
        out.add(
            f"{where}.to",
            _bad_date(raw_to) if raw_to is not None else "缺少结束日期 to",
            "invalid_date",
        )
    if start is None or end is None:
        return []
    if end < start:
        out.add(where, f"节假日“{name}”的结束日期 {end} 早于起始日期 {start}", "invalid_range")
        return []
    length = (end - start).days + 1
    if length > MAX_RANGE_DAYS:
        out.add(
            where,
            f"节假日“{name}”长达 {length} 天，超过 {MAX_RANGE_DAYS} 天，请检查日期",
            "invalid_range",
        )
        return []
    return [(f"{where}.from", start + dt.timedelta(days=i)) for i in range(length)]


def _add_day(
    days: list[DaySpec],
    seen: dict[dt.date, str],
    year: int | None,
    field: str,
    day: dt.date,
    kind: DayKind,
    name: str,
    out: _Collector,
) -> None:
    if day in seen:
        out.add(field, f"日期 {day.isoformat()} 重复出现（已见于 {seen[day]}）", "duplicate_date")
        return
    seen[day] = field
    wrong = day_problems(year if year is not None else day.year, day, kind)
    for message in wrong:
        out.add(field, message, "invalid_day")
    if not wrong:
        days.append(DaySpec(day, kind, name))
