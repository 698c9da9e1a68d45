"""The working-day arithmetic, without a database, against the 2025/2026 State Council schedules
(domain-facts §6.3) and against a naive day-by-day reference."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.errors import InvalidInput
from yiwang.workcalendar.schedules import chinese_calendar_schedules
from yiwang.workcalendar.workdays import (
    FIRST_DAY,
    LAST_DAY,
    MAX_WORKDAYS,
    Count,
    DayKind,
    Deadline,
    WorkdayCalendar,
    deadline_end,
    parse_day,
    parse_workdays,
    provisional_note,
)

D = dt.date.fromisoformat
LOADED = frozenset(s.year for s in chinese_calendar_schedules())


# --- exact dates from the 2025 and 2026 notices -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2026 National Day and Mid-autumn; 10/10 (Sat) is worked. The reference anchor case.
        ("2026-09-28", 20, "2026-10-30"),
        ("2026-09-18", 1, "2026-09-20"),  # Sunday 9/20 is worked
        ("2026-09-24", 1, "2026-09-28"),  # 9/25–9/27 中秋
        ("2026-09-30", 1, "2026-10-08"),  # 10/1–10/7 国庆
        ("2026-10-09", 1, "2026-10-10"),  # Saturday 10/10 is worked
        # 2026 Spring Festival 2/15–2/23; 2/14 (Sat) and 2/28 (Sat) are worked.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-10", 5, "2026-02-24"),
        ("2026-02-15", 1, "2026-02-24"),  # start on a holiday: still not counted itself
        ("2026-02-27", 1, "2026-02-28"),
        ("2026-02-12", 10, "2026-03-04"),
        # 2026 Labour Day 5/1–5/5; 5/9 (Sat) is worked.
        ("2026-04-30", 1, "2026-05-06"),
        ("2026-05-08", 1, "2026-05-09"),
        ("2026-05-09", 1, "2026-05-11"),
        # 2026 New Year 1/1–1/3; 1/4 (Sun) is worked.
        ("2025-12-31", 1, "2026-01-04"),
        # 2025 Spring Festival 1/28–2/4; 1/26 (Sun) and 2/8 (Sat) are worked.
        ("2025-01-24", 1, "2025-01-26"),
        ("2025-01-26", 1, "2025-01-27"),
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-02-07", 1, "2025-02-08"),
        ("2025-01-24", 5, "2025-02-07"),
        # 2025 Labour Day 5/1–5/5; 4/27 (Sun) is worked.
        ("2025-04-25", 1, "2025-04-27"),
        ("2025-04-30", 1, "2025-05-06"),
        # 2025 National Day + Mid-autumn 10/1–10/8; 9/28 (Sun) and 10/11 (Sat) are worked.
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-10-10", 1, "2025-10-11"),
        ("2025-09-26", 20, "2025-10-30"),
    ],
)
def test_add_workdays_across_published_holidays(cc_calendar, start, n, expected):
    assert cc_calendar.add_workdays(D(start), n) == Deadline(D(expected), provisional=False)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-01-26", True),  # Sunday, 调休
        ("2025-02-08", True),  # Saturday, 调休
        ("2025-04-27", True),
        ("2025-09-28", True),
        ("2025-10-11", True),
        ("2025-01-28", False),  # 除夕, a statutory day from 2025
        ("2025-05-02", False),  # 5/2, a statutory day from 2025
        ("2025-10-08", False),
        ("2026-01-04", True),
        ("2026-02-14", True),
        ("2026-02-28", True),
        ("2026-05-09", True),
        ("2026-09-20", True),
        ("2026-10-10", True),
        ("2026-02-16", False),
        ("2026-02-23", False),
        ("2026-09-25", False),
        ("2026-10-07", False),
        ("2026-10-11", False),  # an ordinary Sunday
        ("2026-10-12", True),  # an ordinary Monday
    ],
)
def test_is_workday_on_published_days(cc_calendar, day, expected):
    assert cc_calendar.is_workday(D(day)) is expected


def test_every_day_2004_to_2026_agrees_with_chinese_calendar(cc_calendar):
    day, last = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
    disagreements = []
    while day <= last:
        if cc_calendar.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_248_workdays_in_2025_and_2026(cc_calendar, year):
    count = cc_calendar.workdays_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
    assert count == Count(248, provisional=False)
    assert count.workdays == len(
        chinese_calendar.get_workdays(dt.date(year, 1, 1), dt.date(year, 12, 31))
    )


def test_between_excludes_first_and_includes_last_day(cc_calendar):
    assert cc_calendar.workdays_between(D("2026-09-28"), D("2026-10-30")) == Count(20, False)
    assert cc_calendar.workdays_between(D("2026-10-30"), D("2026-09-28")) == Count(-20, False)
    assert cc_calendar.workdays_between(D("2026-10-09"), D("2026-10-10")) == Count(1, False)
    assert cc_calendar.workdays_between(D("2026-10-10"), D("2026-10-10")) == Count(0, False)
    assert cc_calendar.workdays_between(D("2026-09-30"), D("2026-10-07")) == Count(0, False)


def test_zero_workdays_is_the_start_itself_whatever_the_day(cc_calendar):
    for day in ("2026-10-01", "2026-10-10", "2026-10-11", "2026-10-12", "2027-05-01"):
        assert cc_calendar.add_workdays(D(day), 0) == Deadline(D(day), False)
        assert cc_calendar.subtract_workdays(D(day), 0) == Deadline(D(day), False)


def test_subtract_workdays_is_the_inverse(cc_calendar):
    # "Warn one working day before the deadline."
    assert cc_calendar.subtract_workdays(D("2026-10-08"), 1) == Deadline(D("2026-09-30"), False)
    assert cc_calendar.subtract_workdays(D("2026-02-24"), 1) == Deadline(D("2026-02-14"), False)
    assert cc_calendar.subtract_workdays(D("2025-01-27"), 1) == Deadline(D("2025-01-26"), False)
    assert cc_calendar.subtract_workdays(D("2026-10-30"), 20) == Deadline(D("2026-09-28"), False)
    # The day itself is never counted, even when it is a working day or a holiday.
    assert cc_calendar.subtract_workdays(D("2026-10-05"), 1) == Deadline(D("2026-09-30"), False)


# --- 2026 -> 2027: 2027 is not published; weekends and the fixed-date holidays rest -------------


def test_into_2027_is_provisional_and_rests_on_weekends_and_fixed_holidays(cc_calendar):
    assert cc_calendar.add_workdays(D("2026-12-25"), 4) == Deadline(D("2026-12-31"), False)
    # 元旦 is 1 January by law, published schedule or not: the fifth working day is 4 January.
    assert cc_calendar.add_workdays(D("2026-12-25"), 5) == Deadline(D("2027-01-04"), True)
    assert cc_calendar.add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-04"), True)
    # 春节 2027 is not known without the schedule (a lunar date): its weekdays count.
    assert cc_calendar.add_workdays(D("2027-01-29"), 5) == Deadline(D("2027-02-05"), True)
    assert cc_calendar.add_workdays(D("2027-01-29"), 1) == Deadline(D("2027-02-01"), True)
    assert cc_calendar.is_workday(D("2027-01-01")) is False
    assert cc_calendar.is_workday(D("2027-01-02")) is False
    assert cc_calendar.is_workday(D("2027-10-01")) is False  # 国庆节, a Friday
    assert cc_calendar.is_workday(D("2027-10-04")) is True  # the rest of the week: the schedule's
    # 2027 has 261 weekdays (365 days, starting on a Friday); 1 January and 1 October fall on
    # Fridays, 1–2 May and 2–3 October on a weekend.
    assert cc_calendar.workdays_between(D("2026-12-31"), D("2027-12-31")) == Count(259, True)
    assert cc_calendar.workdays_between(D("2026-12-30"), D("2026-12-31")) == Count(1, False)
    assert cc_calendar.subtract_workdays(D("2027-01-04"), 2) == Deadline(D("2026-12-30"), True)
    assert cc_calendar.subtract_workdays(D("2027-01-01"), 1) == Deadline(D("2026-12-31"), False)


def test_years_before_2004_are_unknown_too(cc_calendar):
    assert cc_calendar.add_workdays(D("2003-12-30"), 1) == Deadline(D("2003-12-31"), True)
    assert cc_calendar.add_workdays(D("2003-12-31"), 1) == Deadline(D("2004-01-02"), False)


def test_span_note_names_the_unloaded_years(cc_calendar):
    assert cc_calendar.span_note(D("2026-12-25"), D("2027-01-01")) == (
        "暂定：2027 年节假日安排尚未载入，仅按周末和元旦、劳动节、国庆节的法定日期计算"
    )
    assert cc_calendar.span_note(D("2026-12-25"), D("2026-12-31")) == ""
    assert cc_calendar.span_note(D("2026-12-31"), D("2029-01-01")) == provisional_note(
        [2027, 2028, 2029]
    )


def test_special_days_of_an_unloaded_year_are_ignored():
    # The year row is the publication flag: a stray entry without it changes nothing.
    calendar = WorkdayCalendar([], {D("2027-02-08"): DayKind.HOLIDAY})
    assert calendar.is_workday(D("2027-02-08")) is True
    loaded = {D("2027-01-01"): DayKind.HOLIDAY, D("2027-02-08"): DayKind.HOLIDAY}
    calendar = WorkdayCalendar([2027], loaded)
    assert calendar.is_workday(D("2027-02-08")) is False
    # The start day is not counted, so only 2027 (loaded here) is in the span ...
    assert calendar.add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-04"), False)
    # ... whereas here 2026 (not loaded in this calendar) is.
    assert calendar.add_workdays(D("2026-12-30"), 2) == Deadline(D("2027-01-04"), True)


# --- bad input ----------------------------------------------------------------------------------


def test_negative_workdays_are_refused(cc_calendar):
    for call in (cc_calendar.add_workdays, cc_calendar.subtract_workdays):
        with pytest.raises(InvalidInput) as info:
            call(D("2026-09-28"), -1)
        assert info.value.code == "calendar.negative_workdays"
        assert "负数" in info.value.message


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_workdays(FIRST_DAY - dt.timedelta(days=1), 1),
        lambda c: c.add_workdays(LAST_DAY - dt.timedelta(days=3), 10),
        lambda c: c.add_workdays(D("2026-01-01"), 10**6),
        lambda c: c.subtract_workdays(FIRST_DAY + dt.timedelta(days=3), 10),
        lambda c: c.workdays_between(D("2026-01-01"), LAST_DAY + dt.timedelta(days=1)),
        lambda c: c.is_workday(dt.date(1999, 12, 31)),
    ],
)
def test_dates_outside_the_range_are_refused(cc_calendar, call):
    with pytest.raises(InvalidInput) as info:
        call(cc_calendar)
    assert info.value.code == "calendar.out_of_range"
    assert "超出工作日历的范围" in info.value.message


def test_range_edges_are_usable(cc_calendar):
    assert cc_calendar.is_workday(FIRST_DAY) is False  # 2000-01-01 was a Saturday
    assert cc_calendar.add_workdays(D("2100-12-30"), 1) == Deadline(D("2100-12-31"), True)
    assert cc_calendar.subtract_workdays(D("2000-01-04"), 1) == Deadline(D("2000-01-03"), True)


@pytest.mark.parametrize(
    "text",
    ["2026-9-28", "20260928", "2026-02-30", "", "明天", "2026-09-28T00", "２０２６-０９-２８"],
)
def test_parse_day_is_strict(text):
    with pytest.raises(InvalidInput) as info:
        parse_day(text, "start")
    assert info.value.code == "calendar.invalid_date"
    assert info.value.problems[0].field == "start"


def test_parse_workdays():
    assert parse_workdays(" 20 ") == 20
    assert parse_workdays("0") == 0
    for text, code in [
        ("-1", "calendar.negative_workdays"),
        ("1.5", "calendar.invalid_workdays"),
        ("二十", "calendar.invalid_workdays"),
        ("", "calendar.invalid_workdays"),
        ("１", "calendar.invalid_workdays"),  # fullwidth, as dates refuse it
        ("٥", "calendar.invalid_workdays"),  # Arabic-Indic
        ("2０", "calendar.invalid_workdays"),
        ("9" * 40, "calendar.too_many_workdays"),
        ("-" + "9" * 40, "calendar.negative_workdays"),
    ]:
        with pytest.raises(InvalidInput) as info:
            parse_workdays(text)
        assert info.value.code == code, text


def test_a_count_too_large_is_told_as_such_with_the_maximum():
    assert parse_workdays(str(MAX_WORKDAYS)) == MAX_WORKDAYS
    assert parse_workdays("0" * 50 + "20") == 20  # leading zeros are no size
    with pytest.raises(InvalidInput) as info:
        parse_workdays("99999999999", "workdays")
    assert info.value.code == "calendar.too_many_workdays"
    assert info.value.message == (
        f"工作日数“99999999999”过大，不能超过 {MAX_WORKDAYS}"
        "（工作日历的范围为 2000-01-01 至 2100-12-31）"
    )
    assert info.value.problems[0].field == "workdays"
    with pytest.raises(InvalidInput) as info:
        parse_workdays(str(MAX_WORKDAYS + 1))
    assert info.value.code == "calendar.too_many_workdays"


def test_deadline_end_is_the_last_instant_of_the_day_in_the_agencies_time_zone():
    end = deadline_end(D("2026-10-30"))
    assert end.tzinfo is not None
    assert end.utcoffset() == dt.timedelta(hours=8)  # settings.TIME_ZONE = Asia/Shanghai
    assert (end.year, end.month, end.day) == (2026, 10, 30)
    assert (end.hour, end.minute, end.second, end.microsecond) == (23, 59, 59, 999_999)
    assert end + dt.timedelta(microseconds=1) == dt.datetime(
        2026, 10, 31, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    utc = deadline_end(D("2026-10-30"), dt.UTC)
    assert utc.utcoffset() == dt.timedelta(0)


# --- properties against a naive day-by-day reference --------------------------------------------


def naive_is_workday(day: dt.date) -> bool:
    # Independent oracle: chinese-calendar itself for published years; otherwise weekdays but,
    # from 2025, 1 January, 1–2 May and 1–3 October (全国年节及纪念日放假办法 第二条).
    if day.year in LOADED:
        return bool(chinese_calendar.is_workday(day))
    fixed = day.year >= 2025 and day.strftime("%m-%d") in {
        "01-01",
        "05-01",
        "05-02",
        "10-01",
        "10-02",
        "10-03",
    }
    return day.weekday() < 5 and not fixed


def naive_add(start: dt.date, n: int) -> tuple[dt.date, bool]:
    day, counted, provisional = start, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        provisional = provisional or day.year not in LOADED
        if naive_is_workday(day):
            counted += 1
    return day, provisional


def naive_subtract(end: dt.date, n: int) -> tuple[dt.date, bool]:
    day, counted, provisional = end, 0, False
    while counted < n:
        day -= dt.timedelta(days=1)
        provisional = provisional or day.year not in LOADED
        if naive_is_workday(day):
            counted += 1
    return day, provisional


def naive_between(a: dt.date, b: dt.date) -> tuple[int, bool]:
    sign = 1
    if a > b:
        a, b, sign = b, a, -1
    count, provisional, day = 0, False, a
    while day < b:
        day += dt.timedelta(days=1)
        provisional = provisional or day.year not in LOADED
        count += naive_is_workday(day)
    return sign * count, provisional


# Starts from late 2003 (unknown) through 2004–2026 (published) into 2027 (unknown).
days = st.dates(min_value=dt.date(2003, 6, 1), max_value=dt.date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(start=days, n=counts)
def test_add_workdays_matches_naive(cc_calendar, start, n):
    result = cc_calendar.add_workdays(start, n)
    assert (result.date, result.provisional) == naive_add(start, n)
    assert cc_calendar.workdays_between(start, result.date).workdays == n


@settings(max_examples=300, deadline=None)
@given(end=days, n=counts)
def test_subtract_workdays_matches_naive(cc_calendar, end, n):
    result = cc_calendar.subtract_workdays(end, n)
    assert (result.date, result.provisional) == naive_subtract(end, n)
    # Exactly n working days in [result, end): (result - 1 day, end - 1 day].
    one = dt.timedelta(days=1)
    assert cc_calendar.workdays_between(result.date - one, end - one).workdays == n


@settings(max_examples=300, deadline=None)
@given(a=days, offset=st.integers(min_value=-800, max_value=800))
def test_workdays_between_matches_naive(cc_calendar, a, offset):
    b = a + dt.timedelta(days=offset)
    count = cc_calendar.workdays_between(a, b)
    assert (count.workdays, count.provisional) == naive_between(a, b)
    assert cc_calendar.workdays_between(b, a).workdays == -count.workdays


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=400))
def test_add_then_subtract_returns_to_a_working_start(cc_calendar, start, n):
    end = cc_calendar.add_workdays(start, n).date
    back = cc_calendar.subtract_workdays(end, n).date
    # Back lands on the last working day not after start: start itself when it is worked.
    assert back <= start
    assert cc_calendar.workdays_between(back, start).workdays == 0
    assert cc_calendar.is_workday(back)
    if cc_calendar.is_workday(start):
        assert back == start
