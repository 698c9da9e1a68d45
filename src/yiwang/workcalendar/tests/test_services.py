"""Services with a real database: seeding, loading year files, the cached calendar, the models."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from yiwang.core.errors import Conflict, InvalidInput
from yiwang.workcalendar import services
from yiwang.workcalendar.models import CalendarDay, CalendarYear
from yiwang.workcalendar.workdays import Count, Deadline

from .conftest import EXAMPLE_2027

D = dt.date.fromisoformat

pytestmark = pytest.mark.django_db

SMALL_2030 = """
year: 2030
source: 测试用安排（虚构）
holidays:
  - name: 元旦
    dates: [2030-01-01]
  - name: 春节
    from: 2030-02-02
    to: 2030-02-08
  - name: 劳动节
    dates: [2030-05-01, 2030-05-02]
  - name: 国庆节
    from: 2030-10-01
    to: 2030-10-03
workdays:
  - name: 春节
    date: 2030-01-26
"""


SMALL_2026 = SMALL_2030.replace("2030-01-26", "2030-01-31").replace("2030", "2026")


def snapshot() -> list[tuple[int, str, list[tuple[dt.date, str, str]]]]:
    return [
        (y.year, y.source, [(d.date, d.kind, d.name) for d in y.days.order_by("date")])
        for y in CalendarYear.objects.order_by("year")
    ]


# --- seeding ------------------------------------------------------------------------------------


def test_seeding_loads_2004_to_2026_and_is_idempotent(seeded):
    assert seeded.years_created == list(range(2004, 2027))
    assert seeded.days_created == CalendarDay.objects.count() == 771
    assert CalendarYear.objects.get(year=2026).source == "chinese-calendar 1.11.0"
    before = snapshot()

    started = time.perf_counter()
    again = services.seed_from_chinese_calendar()
    elapsed = time.perf_counter() - started
    assert again.years_created == []
    assert again.years_unchanged == list(range(2004, 2027))
    assert again.days_created == 0
    assert snapshot() == before
    assert elapsed < 1.0
    assert "未变年度 23 个（2004–2026）" in again.summary()


def test_seeding_is_fast(db):
    started = time.perf_counter()
    report = services.seed_from_chinese_calendar()
    elapsed = time.perf_counter() - started
    print(
        f"seeding {len(report.years_created)} years / {report.days_created} days: {elapsed:.3f} s"
    )
    assert elapsed < 2.0


def test_seeding_keeps_a_year_an_administrator_changed(seeded):
    day = CalendarDay.objects.get(date=D("2026-10-10"))
    day.delete()
    report = services.seed_from_chinese_calendar()
    assert report.years_kept == [2026]
    assert 2026 not in report.years_unchanged
    assert not CalendarDay.objects.filter(date=D("2026-10-10")).exists()
    assert "保留年度 1 个（2026）" in report.summary()


def test_seeding_fills_only_missing_years(seeded):
    CalendarYear.objects.filter(year=2010).delete()  # cascades to its days
    report = services.seed_from_chinese_calendar()
    assert report.years_created == [2010]
    assert CalendarDay.objects.count() == 771


# --- the cached calendar and the module-level questions -----------------------------------------


def test_services_answer_from_the_database(seeded):
    assert services.add_workdays(D("2026-09-28"), 20) == Deadline(D("2026-10-30"), False)
    assert services.subtract_workdays(D("2026-10-08"), 1) == Deadline(D("2026-09-30"), False)
    assert services.workdays_between(D("2025-12-31"), D("2026-12-31")) == Count(248, False)
    assert services.is_workday(D("2026-02-14")) is True
    assert services.is_workday(D("2026-02-16")) is False
    due, provisional = services.due_at(D("2026-09-28"), 20)
    assert due.isoformat() == "2026-10-30T23:59:59.999999+08:00"
    assert provisional is False


def test_without_any_year_every_answer_is_provisional(db):
    # Weekends and the fixed-date 国庆节 days (Thursday 1 and Friday 2 October) rest.
    assert services.add_workdays(D("2026-09-28"), 20) == Deadline(D("2026-10-28"), True)


def test_calendar_is_built_with_few_queries_and_then_cached(
    seeded, django_assert_max_num_queries, django_assert_num_queries, settings
):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 60
    with django_assert_max_num_queries(3):
        services.current_calendar()
    with django_assert_num_queries(0):
        for _ in range(100):
            services.add_workdays(D("2026-09-28"), 20)


def test_loading_a_year_turns_a_provisional_answer_exact(seeded, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 3600  # only in-process invalidation can help
    assert services.add_workdays(D("2027-01-29"), 5) == Deadline(D("2027-02-05"), True)
    services.load_year_file(EXAMPLE_2027)
    # With the (fictitious) example schedule 2/5–2/13 rest: the 5th working day moves to 2/15.
    assert services.add_workdays(D("2027-01-29"), 5) == Deadline(D("2027-02-15"), False)
    assert services.span_note(D("2027-01-29"), D("2027-02-15")) == ""


def test_editing_a_day_invalidates_at_once(seeded, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 3600
    assert services.is_workday(D("2026-10-10")) is True
    CalendarDay.objects.get(date=D("2026-10-10")).delete()
    assert services.is_workday(D("2026-10-10")) is False
    year = CalendarYear.objects.get(year=2026)
    CalendarDay.objects.create(year=year, date=D("2026-10-12"), kind="holiday", name="测试")
    assert services.is_workday(D("2026-10-12")) is False


def test_a_change_by_another_process_is_seen_after_the_revalidation_interval(seeded, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 3600
    assert services.add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-04"), True)
    # bulk_create sends no signal: this is what a write from another process looks like here.
    year = CalendarYear.objects.bulk_create([CalendarYear(year=2027, source="另一进程")])[0]
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(year_id=year.pk, date=D("2027-01-01"), kind="holiday", name="元旦"),
            CalendarDay(year_id=year.pk, date=D("2027-01-04"), kind="holiday", name="测试"),
        ]
    )
    # Within the interval the cached calendar is used as it is ...
    assert services.add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-04"), True)
    # ... once the interval has passed, the revision query notices the change.
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 0
    assert services.add_workdays(D("2026-12-31"), 1) == Deadline(D("2027-01-05"), False)


def test_revalidation_keeps_the_calendar_when_nothing_changed(seeded, settings):
    settings.YIWANG_CALENDAR_REVALIDATE_SECONDS = 0
    first = services.current_calendar()
    assert services.current_calendar() is first


# --- loading year files -------------------------------------------------------------------------


def test_loading_the_example_file(seeded):
    report = services.load_year_file(EXAMPLE_2027)
    assert (report.year, report.holidays, report.workdays, report.replaced) == (2027, 29, 4, False)
    year = CalendarYear.objects.get(year=2027)
    assert "EXAMPLE" in year.source
    assert year.days.count() == 33
    assert year.days.get(date=D("2027-09-26")).kind == CalendarDay.Kind.WORKDAY
    assert "已载入" in report.summary()


@pytest.mark.parametrize("form", ["path", "str-path", "bytes", "text"])
def test_load_accepts_a_path_bytes_or_text(db, tmp_path, form):
    file = tmp_path / "2030.yaml"
    file.write_text(SMALL_2030, encoding="utf-8")
    source = {"path": file, "str-path": str(file), "bytes": SMALL_2030.encode(), "text": SMALL_2030}
    services.load_year_file(source[form])
    assert CalendarYear.objects.get(year=2030).days.count() == 14


def test_a_bad_file_lists_every_problem_and_changes_nothing(seeded):
    before = snapshot()
    bad = SMALL_2030.replace("2030-01-26", "2030-01-28").replace("to: 2030-02-08", "to: 2030-02-31")
    bad += "  - name: 劳动节\n    date: 2031-05-02\n"
    with pytest.raises(InvalidInput) as info:
        services.load_year_file(bad)
    assert info.value.code == "calendar.invalid_file"
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("holidays[1].to", "日期 '2030-02-31' 无效，应为 YYYY-MM-DD 格式的真实日期"),
        ("workdays[0].date", "调休上班日 2030-01-28 是星期一，调休上班日只能是星期六或星期日"),
        ("workdays[1].date", "日期 2031-05-02 不在 2030 年内"),
        ("workdays[1].date", "调休上班日 2031-05-02 是星期五，调休上班日只能是星期六或星期日"),
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        (Path("/nonexistent/2027.yaml"), "找不到文件"),
        ("/nonexistent/2027.yaml", "找不到文件"),
        ("年份：2027".encode("gbk"), "不是 UTF-8"),
        (b"x" * (services.MAX_FILE_BYTES + 1), "文件过大"),
    ],
)
def test_unreadable_files(db, source, fragment):
    with pytest.raises(InvalidInput) as info:
        services.load_year_file(source)
    assert info.value.code == "calendar.invalid_file"
    assert fragment in info.value.problems[0].message


def test_a_loaded_year_is_replaced_only_when_asked(seeded):
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.load_year_file(SMALL_2026)
    assert info.value.code == "calendar.year_loaded"
    assert "--replace" in info.value.message
    assert snapshot() == before

    report = services.load_year_file(SMALL_2026, replace=True)
    assert report.replaced is True
    assert report.removed_days == 39
    year = CalendarYear.objects.get(year=2026)
    assert year.source == "测试用安排（虚构）"
    assert sorted(d.isoformat() for d in year.days.values_list("date", flat=True)) == [
        "2026-01-01", "2026-01-31", *[f"2026-02-0{i}" for i in range(2, 9)],
        "2026-05-01", "2026-05-02", "2026-10-01", "2026-10-02", "2026-10-03",
    ]  # fmt: skip
    # The cached calendar follows: 10/5 is an ordinary Monday in this replacement.
    assert services.is_workday(D("2026-10-05")) is True


def test_replace_is_all_or_nothing(seeded, monkeypatch):
    before = snapshot()

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CalendarDay.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        services.load_year_file(SMALL_2026, replace=True)
    monkeypatch.undo()
    assert snapshot() == before


def test_loaded_years_summary(seeded):
    summary = {y.year: y for y in services.loaded_years()}
    assert sorted(summary) == list(range(2004, 2027))
    assert (summary[2026].holidays, summary[2026].workdays) == (33, 6)
    assert (summary[2025].holidays, summary[2025].workdays) == (28, 5)


# --- model validation ---------------------------------------------------------------------------


def test_a_workday_must_be_a_weekend_day_of_its_year(seeded):
    year = CalendarYear.objects.get(year=2026)
    with pytest.raises(ValidationError) as info:
        CalendarDay(year=year, date=D("2026-10-12"), kind="workday", name="测试").full_clean()
    assert "只能是星期六或星期日" in str(info.value.message_dict["date"])
    with pytest.raises(ValidationError) as info:
        CalendarDay(year=year, date=D("2027-01-02"), kind="holiday", name="测试").full_clean()
    assert "不在 2026 年内" in str(info.value.message_dict["date"])
    CalendarDay(year=year, date=D("2026-10-17"), kind="workday", name="测试").full_clean()
    CalendarDay(year=year, date=D("2026-10-13"), kind="holiday", name="测试").full_clean()


def test_year_must_be_within_the_calendar_range(db):
    with pytest.raises(ValidationError):
        CalendarYear(year=1999, source="x").full_clean()
    CalendarYear(year=2027, source="x").full_clean()


def test_a_long_one_line_yaml_text_is_text_not_a_path(db):
    text = (
        "{year: 2031, source: " + "测" * 150 + ", holidays: [{name: 元旦, dates: [2031-01-01]}, "
        "{name: 劳动节, dates: [2031-05-01, 2031-05-02]}, {name: 国庆节, from: 2031-10-01, "
        "to: 2031-10-03}]}"
    )
    assert "\n" not in text and len(text.encode()) > 255
    assert services.load_year_file(text).year == 2031
