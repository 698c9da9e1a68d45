"""Working-day arithmetic (行政许可法 第82条, 民法典 第201条), pure Python, no database.

Rules:

- A period of N working days starts the day *after* the triggering event (民法典 第201条: the
  day of the event is not counted) and ends at the end of the N-th working day.
- In a year whose State Council schedule is loaded, Monday–Friday are working days unless marked
  HOLIDAY (法定节假日), Saturday/Sunday are rest days unless marked WORKDAY (调休上班日).
- In a year that is not loaded, weekends and the holidays whose dates the law itself fixes are
  rest days (全国年节及纪念日放假办法, as revised in 2024, 第二条: 元旦 1月1日, 劳动节 5月1日
  and 2日, 国庆节 10月1日 to 3日); the lunar and solar-term holidays (春节, 清明, 端午, 中秋)
  and the 调休 swaps come only with the year's schedule. Every answer whose counted span touches
  such a year is flagged ``provisional``: it may change once the schedule is published.

``WorkdayCalendar`` precomputes, over a fixed range of days, a prefix count of working days and
the list of working days, so every question is answered by a couple of list look-ups (O(1)),
never by walking day by day.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from yiwang.core.errors import InvalidInput, Problem

# The range the calendar precomputes. Wide enough for any administrative deadline, small enough
# to build in a few tens of milliseconds (~37 000 days).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)

SATURDAY = 5  # date.weekday(): Monday is 0

# Holidays on fixed dates under the 2024 revision of the 全国年节及纪念日放假办法 (in force from
# 2025): rest days in any year from then on, whether or not its schedule is loaded, and days
# every published schedule must keep.
FIXED_HOLIDAYS: Mapping[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}
FIXED_HOLIDAYS_FROM = 2025
FIXED_HOLIDAYS_LAW = "《全国年节及纪念日放假办法》第二条"


class DayKind(enum.StrEnum):
    """What a special day of a loaded year is. Values are stored in the database."""

    HOLIDAY = "holiday"  # 法定节假日 (rest, whatever the weekday)
    WORKDAY = "workday"  # 调休上班日 (a Saturday or Sunday that is worked)


DAY_KIND_LABELS: dict[DayKind, str] = {
    DayKind.HOLIDAY: "法定节假日",
    DayKind.WORKDAY: "调休上班日",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed day; ``provisional`` when the counted span touches a year not yet loaded."""

    date: dt.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class Count:
    """A number of working days; ``provisional`` as for :class:`Deadline`."""

    workdays: int
    provisional: bool


def day_problems(year: int, day: dt.date, kind: DayKind | str) -> list[str]:
    """Why ``day`` cannot be a special day of ``kind`` in ``year`` (Chinese, empty when fine).

    The one place for these rules: the model's ``clean()``, the year-file loader and the seeding
    from chinese-calendar all ask here.
    """
    problems: list[str] = []
    if day.year != year:
        problems.append(f"日期 {day.isoformat()} 不在 {year} 年内")
    if kind == DayKind.WORKDAY and day.weekday() < SATURDAY:
        problems.append(
            f"调休上班日 {day.isoformat()} 是{weekday_name(day)}，调休上班日只能是星期六或星期日"
        )
    elif kind == DayKind.WORKDAY and fixed_holiday(day):
        problems.append(
            f"{day.isoformat()} 是{FIXED_HOLIDAYS_LAW}规定的{fixed_holiday(day)}假日，"
            "不能安排为调休上班日"
        )
    elif kind not in (DayKind.HOLIDAY, DayKind.WORKDAY):
        problems.append(
            f"未知的日期类型 {kind!r}，应为 holiday（法定节假日）或 workday（调休上班日）"
        )
    return problems


def fixed_holiday(day: dt.date) -> str:
    """The name of the fixed-date holiday ``day`` is (元旦, 劳动节, 国庆节), or ""."""
    if day.year < FIXED_HOLIDAYS_FROM:
        return ""
    return FIXED_HOLIDAYS.get((day.month, day.day), "")


def required_holiday(day: dt.date) -> bool:
    """A weekday the law fixes as a holiday: every schedule of its year must list it."""
    return day.weekday() < SATURDAY and bool(fixed_holiday(day))


def missing_fixed_holidays(year: int, holidays: Iterable[dt.date]) -> list[str]:
    """Why a schedule of ``year`` with these holidays leaves out a day the law fixes.

    Only weekdays matter: a fixed date on a weekend is a rest day anyway (its 补休 is the
    schedule's own business). One message per missing date, in date order.
    """
    if year < FIXED_HOLIDAYS_FROM:
        return []
    listed = set(holidays)
    problems = []
    for month, day_of_month in sorted(FIXED_HOLIDAYS):
        day = dt.date(year, month, day_of_month)
        if required_holiday(day) and day not in listed:
            problems.append(
                f"缺少 {day.isoformat()}（{weekday_name(day)}）：依{FIXED_HOLIDAYS_LAW}，"
                f"该日为{FIXED_HOLIDAYS[(month, day_of_month)]}法定节假日"
            )
    return problems


_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def weekday_name(day: dt.date) -> str:
    return _WEEKDAY_NAMES[day.weekday()]


def provisional_note(years: Sequence[int]) -> str:
    """The sentence shown next to a provisional answer."""
    listed = "、".join(str(year) for year in years)
    return f"暂定：{listed} 年节假日安排尚未载入，仅按周末和元旦、劳动节、国庆节的法定日期计算"


# ASCII digits only: \d would also take fullwidth "１" and Arabic-Indic "٥", which int() reads.
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INT_RE = re.compile(r"^([+-]?)([0-9]+)$")

#: More working days than the calendar holds days: no count above it can have an answer.
MAX_WORKDAYS = (LAST_DAY - FIRST_DAY).days


def parse_day(text: str, field: str = "date") -> dt.date:
    """A strict ``YYYY-MM-DD`` date from user input (API, CLI), else InvalidInput."""
    value = text.strip()
    if _ISO_DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(
        "calendar.invalid_date",
        f"日期“{text}”无效，应为 YYYY-MM-DD 格式的真实日期，例如 2026-09-28",
        [Problem(code="invalid_date", message="应为 YYYY-MM-DD 格式的真实日期", field=field)],
    )


def parse_workdays(text: str, field: str = "workdays") -> int:
    """A non-negative whole number of working days from user input, else InvalidInput."""
    value = text.strip()
    match = _INT_RE.match(value)
    if not match:
        raise InvalidInput(
            "calendar.invalid_workdays",
            f"工作日数“{text}”无效，应为非负整数，例如 20",
            [Problem(code="invalid_workdays", message="应为非负整数", field=field)],
        )
    sign, digits = match.groups()
    significant = digits.lstrip("0") or "0"
    # Compared by length first, so that no string of digits is too long for int().
    if len(significant) > len(str(MAX_WORKDAYS)) or int(significant) > MAX_WORKDAYS:
        if sign == "-":
            raise InvalidInput("calendar.negative_workdays", f"工作日数不能为负数（收到 {value}）")
        raise InvalidInput(
            "calendar.too_many_workdays",
            f"工作日数“{text}”过大，不能超过 {MAX_WORKDAYS}"
            f"（工作日历的范围为 {FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}）",
            [Problem(code="too_many_workdays", message=f"不能超过 {MAX_WORKDAYS}", field=field)],
        )
    n = int(significant)
    if sign == "-" and n:
        raise _negative(-n)
    return n


def _out_of_range(day: dt.date | None = None) -> InvalidInput:
    what = f"日期 {day.isoformat()} " if day is not None else "计算结果"
    return InvalidInput(
        "calendar.out_of_range",
        f"{what}超出工作日历的范围（{FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}）",
    )


def _negative(n: int) -> InvalidInput:
    return InvalidInput("calendar.negative_workdays", f"工作日数不能为负数（收到 {n}）")


class WorkdayCalendar:
    """Immutable working-day calendar over ``[first, last]``; every method is O(1).

    Layout, for the day at index ``i`` (``i = date.toordinal() - first.toordinal()``):

    - ``_cum[i]``: working days strictly before day ``i`` (so ``_cum[i + 1]`` counts day ``i``);
    - ``_unknown_cum[i]``: days strictly before day ``i`` that lie in a year not loaded;
    - ``_work_dates[k]`` / ``_work_index[k]``: the k-th (0-based) working day of the range.
    """

    __slots__ = (
        "first",
        "last",
        "loaded_years",
        "_base",
        "_size",
        "_cum",
        "_unknown_cum",
        "_work_dates",
        "_work_index",
    )

    def __init__(
        self,
        loaded_years: Iterable[int],
        special_days: Mapping[dt.date, DayKind | str],
        *,
        first: dt.date = FIRST_DAY,
        last: dt.date = LAST_DAY,
    ) -> None:
        if last < first:
            raise ValueError("last must not be before first")
        self.first = first
        self.last = last
        self.loaded_years: frozenset[int] = frozenset(loaded_years)
        self._base = first.toordinal()
        self._size = last.toordinal() - self._base + 1

        cum = [0] * (self._size + 1)
        unknown_cum = [0] * (self._size + 1)
        work_dates: list[dt.date] = []
        work_index: list[int] = []
        worked = unknown = 0
        one_day = dt.timedelta(days=1)
        day = first
        for i in range(self._size):
            if day.year in self.loaded_years:
                # Special days only count in a loaded year: the year row is the publication flag.
                kind = special_days.get(day)
                if kind == DayKind.HOLIDAY:
                    is_work = False
                elif kind == DayKind.WORKDAY:
                    is_work = True
                else:
                    is_work = day.weekday() < SATURDAY
            else:
                unknown += 1
                is_work = day.weekday() < SATURDAY and not fixed_holiday(day)
            if is_work:
                worked += 1
                work_dates.append(day)
                work_index.append(i)
            cum[i + 1] = worked
            unknown_cum[i + 1] = unknown
            day += one_day
        self._cum = cum
        self._unknown_cum = unknown_cum
        self._work_dates = work_dates
        self._work_index = work_index

    # --- questions ------------------------------------------------------------------------------

    def _index(self, day: dt.date) -> int:
        i = day.toordinal() - self._base
        if i < 0 or i >= self._size:
            raise _out_of_range(day)
        return i

    def is_workday(self, day: dt.date) -> bool:
        i = self._index(day)
        return self._cum[i + 1] != self._cum[i]

    def is_loaded(self, year: int) -> bool:
        return year in self.loaded_years

    def add_workdays(self, start: dt.date, n: int) -> Deadline:
        """The n-th working day strictly after ``start``; ``n == 0`` is ``start`` itself (即办)."""
        if n < 0:
            raise _negative(n)
        i = self._index(start)
        if n == 0:
            # Nothing is counted, so no unpublished schedule can change the answer.
            return Deadline(start, False)
        k = self._cum[i + 1] + n - 1
        if k >= len(self._work_index):
            raise _out_of_range()
        j = self._work_index[k]
        unknown = self._unknown_cum
        return Deadline(self._work_dates[k], unknown[j + 1] != unknown[i + 1])

    def subtract_workdays(self, end: dt.date, n: int) -> Deadline:
        """The n-th working day strictly before ``end``; ``n == 0`` is ``end`` itself."""
        if n < 0:
            raise _negative(n)
        i = self._index(end)
        if n == 0:
            return Deadline(end, False)
        k = self._cum[i] - n
        if k < 0:
            raise _out_of_range()
        j = self._work_index[k]
        unknown = self._unknown_cum
        # Counted span: [result, end).
        return Deadline(self._work_dates[k], unknown[i] != unknown[j])

    def workdays_between(self, a: dt.date, b: dt.date) -> Count:
        """Working days in ``(a, b]``; when ``a > b``, minus the working days in ``(b, a]``."""
        i = self._index(a)
        j = self._index(b)
        sign = 1
        if i > j:
            i, j, sign = j, i, -1
        unknown = self._unknown_cum
        return Count(sign * (self._cum[j + 1] - self._cum[i + 1]), unknown[j + 1] != unknown[i + 1])

    def unloaded_years(self, first: dt.date, last: dt.date) -> list[int]:
        """Years of ``[first, last]`` whose schedule is not loaded (for explaining provisional)."""
        if last < first:
            first, last = last, first
        return [y for y in range(first.year, last.year + 1) if y not in self.loaded_years]

    def span_note(self, after: dt.date, through: dt.date) -> str:
        """The provisional sentence for the span ``(after, through]``, or "" when exact."""
        if through < after:
            after, through = through, after
        if after == through:
            return ""
        years = self.unloaded_years(after + dt.timedelta(days=1), through)
        return provisional_note(years) if years else ""

    def __repr__(self) -> str:
        years = sorted(self.loaded_years)
        loaded = f"{years[0]}–{years[-1]} ({len(years)})" if years else "none"
        return f"<WorkdayCalendar {self.first}..{self.last} loaded={loaded}>"


def deadline_end(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The aware end of ``day`` (23:59:59.999999) in ``tz``, default ``settings.TIME_ZONE``.

    A deadline "ends with the N-th working day"; storing this instant as ``due_at`` lets
    supervision compare against ``now()`` with a plain index scan.
    """
    if tz is None:
        # Imported here so the arithmetic above stays usable without Django settings.
        from django.utils import timezone

        tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time.max, tzinfo=tz)
