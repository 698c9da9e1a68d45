"""``yiwang demo-case``: a bad start date is refused in Chinese, before anything is written."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from yiwang.cases.models import Case


@pytest.mark.parametrize("start", ["2026-13-01", "foo", "2026-02-30"])
def test_a_bad_start_date_is_a_chinese_error(db, start):
    with pytest.raises(CommandError) as info:
        call_command("demo_case", "--start", start)
    assert str(info.value).startswith(f"日期“{start}”无效，应为 YYYY-MM-DD 格式的真实日期")
    assert not Case.objects.exists()
