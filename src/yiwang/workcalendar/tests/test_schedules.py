"""Year schedules as data: the chinese-calendar import and the year-file parser (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.errors import InvalidInput
from yiwang.workcalendar.schedules import (
    chinese_calendar_schedules,
    chinese_calendar_source,
    parse_year_text,
)
from yiwang.workcalendar.workdays import DayKind

from .conftest import EXAMPLE_2027

D = dt.date.fromisoformat


def problems_of(text: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as info:
        parse_year_text(text)
    assert info.value.code == "calendar.invalid_file"
    assert info.value.message == "节假日文件有误"
    return {p.field: p.message for p in info.value.problems}


def test_chinese_calendar_covers_2004_to_2026_with_chinese_names():
    schedules = chinese_calendar_schedules()
    assert [s.year for s in schedules] == list(range(2004, 2027))
    assert chinese_calendar_source() == "chinese-calendar 1.11.0"
    by_date = {d.date: d for s in schedules for d in s.days}
    assert by_date[D("2026-02-14")].kind == DayKind.WORKDAY
    assert by_date[D("2026-02-14")].name == "春节"
    assert by_date[D("2026-09-25")].name == "中秋节"
    assert by_date[D("2026-10-01")].name == "国庆节"
    assert by_date[D("2025-04-04")].name == "清明节"
    assert by_date[D("2025-05-31")].name == "端午节"
    assert by_date[D("2015-09-03")].name == "抗战胜利纪念日"
    names = {d.name for s in schedules for d in s.days}
    assert names == {
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
        "抗战胜利纪念日",
    }
    year_2026 = schedules[-1]
    assert {d.date for d in year_2026.workdays} == {
        D("2026-01-04"), D("2026-02-14"), D("2026-02-28"),
        D("2026-05-09"), D("2026-09-20"), D("2026-10-10"),
    }  # fmt: skip


def test_the_example_file_parses_and_says_it_is_an_example():
    text = EXAMPLE_2027.read_text(encoding="utf-8")
    schedule = parse_year_text(text)
    assert schedule.year == 2027
    assert "EXAMPLE" in schedule.source and "示例" in schedule.source
    assert "EXAMPLE ONLY" in text
    assert len(schedule.holidays) == 29
    assert [d.date for d in schedule.workdays] == [
        D("2027-02-20"), D("2027-05-08"), D("2027-09-26"), D("2027-10-09"),
    ]  # fmt: skip
    assert all(d.date.weekday() >= 5 for d in schedule.workdays)


def test_ranges_lists_and_quoted_dates_are_accepted():
    schedule = parse_year_text(
        """
year: "2030"
source: 国办发明电〔2029〕1号
holidays:
  - name: 元旦
    dates: ["2030-01-01"]
  - name: 春节
    from: 2030-02-02
    to: 2030-02-04
  - name: 劳动节
    dates: [2030-05-01, 2030-05-02]
  - name: 国庆节
    from: 2030-10-01
    to: 2030-10-03
workdays:
  - name: 春节
    dates: [2030-01-26, 2030-02-09]
"""
    )
    assert schedule.year == 2030
    assert [(d.date.isoformat(), d.kind, d.name) for d in schedule.days] == [
        ("2030-01-01", DayKind.HOLIDAY, "元旦"),
        ("2030-01-26", DayKind.WORKDAY, "春节"),
        ("2030-02-02", DayKind.HOLIDAY, "春节"),
        ("2030-02-03", DayKind.HOLIDAY, "春节"),
        ("2030-02-04", DayKind.HOLIDAY, "春节"),
        ("2030-02-09", DayKind.WORKDAY, "春节"),
        ("2030-05-01", DayKind.HOLIDAY, "劳动节"),
        ("2030-05-02", DayKind.HOLIDAY, "劳动节"),
        ("2030-10-01", DayKind.HOLIDAY, "国庆节"),
        ("2030-10-02", DayKind.HOLIDAY, "国庆节"),
        ("2030-10-03", DayKind.HOLIDAY, "国庆节"),
    ]


def test_every_problem_of_a_bad_file_is_listed():
    problems = problems_of(
        """
year: 2027
colour: red
holidays:
  - name: 春节
    from: 2027-02-10
    to: 2027-02-05
  - name: 国庆节
    dates: [2027-10-01, 2027-10-32, 2028-01-01]
  - dates: [2027-05-01]
  - name: 清明节
  - name: 劳动节
    dates: [2027-05-01]
    from: 2027-05-01
    to: 2027-05-02
  - name: 元旦
    from: 2027-01-01
    to: 2027-03-01
workdays:
  - name: 国庆节
    date: 2027-10-08
  - name: 国庆节
    date: 2027-10-01
  - name: 春节
    date: 2027/02/20
"""
    )
    assert problems == {
        "colour": "未知字段 colour；允许的字段：year、source、note、holidays、workdays",
        "source": "缺少来源",
        "holidays[0]": "节假日“春节”的结束日期 2027-02-05 早于起始日期 2027-02-10",
        "holidays[1].dates[1]": "日期 '2027-10-32' 无效，应为 YYYY-MM-DD 格式的真实日期",
        "holidays[1].dates[2]": "日期 2028-01-01 不在 2027 年内",
        "holidays[2].name": "缺少名称",
        "holidays[3]": "节假日“清明节”缺少日期：请写 dates 或 from/to",
        "holidays[4]": "节假日“劳动节”不能同时写 dates 和 from/to",
        "holidays[5]": "节假日“元旦”长达 60 天，超过 31 天，请检查日期",
        "workdays[0].date": "调休上班日 2027-10-08 是星期五，调休上班日只能是星期六或星期日",
        "workdays[1].date": "日期 2027-10-01 重复出现（已见于 holidays[1].dates[0]）",
        "workdays[2].date": "日期 '2027/02/20' 无效，应为 YYYY-MM-DD 格式的真实日期",
        # 元旦's range was refused, so the file no longer lists the day the law fixes.
        "holidays": "缺少 2027-01-01（星期五）：依《全国年节及纪念日放假办法》第二条，"
        "该日为元旦法定节假日",
    }


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("year: [2027", "", "不是有效的 YAML"),
        ("- 2027", "", "文件内容应为一个映射"),
        ("source: x\nholidays: []", "year", "缺少年份"),
        ("year: 1999\nsource: x\nholidays: [{name: a, dates: [1999-01-01]}]", "year", "超出"),
        ("year: 2027\nsource: x", "holidays", "缺少节假日列表"),
        (
            "year: 2027\nsource: x\nholidays: [{name: a, dates: [2027-01-01]}]\nworkdays: 3",
            "workdays",
            "应为列表",
        ),
        ("year: 2027\nsource: x\nholidays: [{name: a, dates: []}]", "holidays[0].dates", "非空"),
        (
            "year: 2027\nsource: x\nholidays: [{name: a, from: 2027-01-01}]",
            "holidays[0].to",
            "缺少结束日期",
        ),
        (
            "year: 2027\nsource: '" + "长" * 201 + "'\nholidays: [{name: a, dates: [2027-01-01]}]",
            "source",
            "过长",
        ),
    ],
)
def test_single_problems(text, field, fragment):
    problems = problems_of(text)
    assert field in problems, problems
    assert fragment in problems[field]


def test_yaml_syntax_error_names_the_line():
    problems = problems_of("year: 2027\nsource: x\nholidays:\n  - name: a\n   bad: b\n")
    assert problems[""].startswith("不是有效的 YAML（第 5 行第 4 列）")


def test_a_value_its_tag_cannot_make_is_named_with_its_line():
    text = "year: 2027\nsource: x\nholidays: [{name: a, dates: [!!timestamp 2027-02-30]}]\n"
    assert problems_of(text) == {
        "": "不是有效的 YAML（第 3 行第 30 列）：值 '2027-02-30' 不是有效的日期"
    }


def test_a_nul_character_written_as_an_escape_is_refused_by_name():
    text = 'year: 2027\nsource: "国务院办公厅\\0通知"\nholidays: []\n'
    assert problems_of(text) == {"source": "source 处含有空字符（NUL），无法保存"}


def test_a_recursive_alias_is_refused_not_followed_forever():
    text = "year: 2027\nsource: x\nholidays: &h [{name: a, dates: *h}]\n"
    assert problems_of(text) == {
        "holidays.0.dates": "文件含有循环引用的别名（holidays.0.dates 处的列表或映射包含了它自身，"
        "例如 a: &a [*a]），无法读取"
    }
    assert "循环引用" in problems_of("a: &a [*a]\n")["a.0"]


def test_nesting_too_deep_for_the_parser_is_refused():
    assert problems_of("year: " + "[" * 5000 + "]" * 5000) == {
        "": "文件的列表或映射嵌套层数过多，无法读取"
    }


def test_a_schedule_must_keep_the_holidays_the_law_dates():
    # 2030: 1/1 Tue, 5/1 Wed, 5/2 Thu, 10/1 Tue, 10/2 Wed, 10/3 Thu are all weekdays.
    with pytest.raises(InvalidInput) as info:
        parse_year_text(
            "year: 2030\nsource: x\nholidays:\n  - {name: 春节, from: 2030-02-02, to: 2030-02-08}\n"
            "  - {name: 劳动节, dates: [2030-05-01]}\n"
        )
    missing = [(p.code, p.field, p.message[:18]) for p in info.value.problems]
    assert missing == [
        ("missing_fixed_holiday", "holidays", "缺少 2030-01-01（星期二）"),
        ("missing_fixed_holiday", "holidays", "缺少 2030-05-02（星期四）"),
        ("missing_fixed_holiday", "holidays", "缺少 2030-10-01（星期二）"),
        ("missing_fixed_holiday", "holidays", "缺少 2030-10-02（星期三）"),
        ("missing_fixed_holiday", "holidays", "缺少 2030-10-03（星期四）"),
    ]
    assert info.value.problems[-1].message.endswith("该日为国庆节法定节假日")


def test_a_fixed_date_on_a_weekend_may_be_left_out_but_not_worked():
    # 2027: 5/1 is a Saturday and 5/2 a Sunday, 10/2 and 10/3 too: rest days anyway.
    base = (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, dates: [2027-01-01]}\n"
        "  - {name: 国庆节, dates: [2027-10-01]}\n"
    )
    schedule = parse_year_text(base)
    assert {d.date for d in schedule.holidays} == {D("2027-01-01"), D("2027-10-01")}
    problems = problems_of(base + "workdays:\n  - {name: 劳动节, date: 2027-05-01}\n")
    assert problems == {
        "workdays[0].date": "2027-05-01 是《全国年节及纪念日放假办法》第二条规定的劳动节假日，"
        "不能安排为调休上班日"
    }


def test_years_before_the_fixed_dates_took_effect_are_not_held_to_them():
    # The rule is in force from 2025: an old year's file needs no 5/2 or 10/3 (2024-10-03 is a
    # Thursday), and chinese-calendar's 2025 and 2026 schedules keep every fixed date.
    schedule = parse_year_text(
        "year: 2024\nsource: x\nholidays: [{name: 春节, dates: [2024-02-12]}]"
    )
    assert schedule.year == 2024
    by_date = {d.date: d.kind for s in chinese_calendar_schedules() for d in s.days}
    for year in (2025, 2026):
        for month, day in ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)):
            date = dt.date(year, month, day)
            assert date.weekday() >= 5 or by_date[date] == DayKind.HOLIDAY, date
