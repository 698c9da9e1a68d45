"""``yiwang demo-case``: a bad start date is refused in Chinese, before anything is written."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from yiwang.cases.models import Case


@pytest.mark.parametrize("start", ["2026-13-01", "foo", "2026-02-30"])
def test_a_bad_start_date_is_a_chinese_error(db, start):
    with pytest.raises(CommandError) as info:
        call_command("demo_case", "--start", start)
    assert str(info.value).startswith(f"日期“{start}”无效，应为 YYYY-MM-DD 格式的真实日期")
    assert not Case.objects.exists()


@pytest.mark.parametrize("start", ["1999-01-01", "9999-12-31"])
def test_a_start_outside_the_calendar_is_the_calendars_own_error(demo_province, db, start):
    with pytest.raises(CommandError) as info:
        call_command("demo_case", "--start", start, stdout=io.StringIO())
    assert str(info.value) == (
        f"日期 {start} 超出工作日历的范围（2000-01-01 至 2100-12-31）（calendar.out_of_range）"
    )
    assert not Case.objects.exists()


def test_a_start_whose_walk_would_leave_the_calendar_is_refused_before_any_case(demo_province, db):
    with pytest.raises(CommandError) as info:
        call_command("demo_case", "--start", "2100-12-01", stdout=io.StringIO())
    assert "超出工作日历的范围" in str(info.value) and "calendar.out_of_range" in str(info.value)
    assert not Case.objects.exists()
