"""The ``yiwang workdays`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiwang.workcalendar.models import CalendarYear

from .conftest import EXAMPLE_2027

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_prints_the_deadline(seeded):
    assert run("add", "2026-09-28", "20") == ("2026-10-30\n", "")
    assert run("add", "2026-09-28", "0") == ("2026-09-28\n", "")


def test_add_into_an_unloaded_year_says_it_is_provisional(seeded):
    out, _ = run("add", "2026-12-25", "5")
    assert (
        out
        == "2027-01-04\n暂定：2027 年节假日安排尚未载入，仅按周末和元旦、劳动节、国庆节的法定日期计算\n"
    )


def test_subtract(seeded):
    assert run("subtract", "2026-10-08", "1") == ("2026-09-30\n", "")


def test_between_prints_the_count(seeded):
    assert run("between", "2025-12-31", "2026-12-31") == ("248\n", "")
    out, _ = run("between", "2026-12-31", "2027-12-31")
    assert (
        out
        == "259\n暂定：2027 年节假日安排尚未载入，仅按周末和元旦、劳动节、国庆节的法定日期计算\n"
    )


def test_seed_prints_a_summary_and_is_idempotent(db):
    out, _ = run("seed")
    assert "新增年度 23 个（2004–2026），新增日期 771 条" in out
    out, _ = run("seed")
    assert "新增年度 0 个" in out and "未变年度 23 个（2004–2026）" in out


def test_years_lists_loaded_years(seeded):
    out, _ = run("years")
    lines = out.splitlines()
    assert len(lines) == 24
    assert lines[-2].startswith(
        "2026  法定节假日 33 天  调休上班日 6 天  来源：chinese-calendar 1.11.0"
    )
    assert lines[-1] == (
        "共 23 年；未列出的年份仅按周末和元旦、劳动节、国庆节的法定日期计算（结果为暂定）。"
    )


def test_years_when_empty(db):
    out, _ = run("years")
    assert "尚未载入任何年份" in out


def test_load_then_replace(seeded, tmp_path):
    out, _ = run("load", str(EXAMPLE_2027))
    assert out.startswith("2027 年节假日安排已载入：法定节假日 29 天，调休上班日 4 天")
    with pytest.raises(CommandError) as info:
        run("load", str(EXAMPLE_2027))
    assert "已载入" in str(info.value) and "--replace" in str(info.value)
    out, _ = run("load", str(EXAMPLE_2027), "--replace")
    assert "已替换（删除原有日期 33 条）" in out


def test_load_bad_file_prints_each_problem_and_fails(seeded, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "year: 2027\nsource: x\nholidays:\n  - name: 元旦\n    dates: [2027-01-01, 2027-02-30]\n"
        "workdays:\n  - name: 春节\n    date: 2027-02-17\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("workdays", "load", str(bad), stdout=StringIO(), stderr=err)
    assert str(info.value) == "节假日文件有误（共 3 处问题，见上），未作任何更改"
    assert err.getvalue().splitlines() == [
        "holidays[0].dates[1]: 日期 '2027-02-30' 无效，应为 YYYY-MM-DD 格式的真实日期",
        "workdays[0].date: 调休上班日 2027-02-17 是星期三，调休上班日只能是星期六或星期日",
        "holidays: 缺少 2027-10-01（星期五）：依《全国年节及纪念日放假办法》第二条，"
        "该日为国庆节法定节假日",
    ]
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add", "2026-9-28", "20"), "日期“2026-9-28”无效"),
        (("add", "2026-09-28", "-1"), "工作日数不能为负数"),
        (("add", "2026-09-28", "abc"), "工作日数“abc”无效"),
        (("between", "2026-09-28", "2026-02-30"), "日期“2026-02-30”无效"),
        (("add", "2100-12-30", "5"), "超出工作日历的范围"),
        (("add", "2026-09-28", "１"), "工作日数“１”无效"),
        (("subtract", "2026-09-28", "٥"), "工作日数“٥”无效"),
        (("add", "2026-09-28", "99999999999"), "工作日数“99999999999”过大，不能超过 36889"),
    ],
)
def test_bad_input_is_a_command_error(db, args, fragment):
    with pytest.raises(CommandError) as info:
        run(*args)
    assert fragment in str(info.value)


def test_real_cli_exits_non_zero_with_a_chinese_message(tmp_path):
    env = {
        **os.environ,
        "YIWANG_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "yiwang", "workdays", "add", "2026-09-28", "-3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert "工作日数不能为负数" in result.stderr
    assert result.stdout == ""


def test_subtract_into_an_unloaded_year(seeded):
    out, _ = run("subtract", "2027-01-05", "3")
    assert (
        out
        == "2026-12-30\n暂定：2027 年节假日安排尚未载入，仅按周末和元旦、劳动节、国庆节的法定日期计算\n"
    )


def test_load_of_a_file_not_in_utf8_names_it_apart_from_the_sentence(db, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_bytes("年份：2027".encode("gbk"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("workdays", "load", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue() == f"文件 {path} 不是 UTF-8 编码的文本\n"
    assert not CalendarYear.objects.exists()


def test_load_missing_file(db, tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("workdays", "load", str(tmp_path / "nope"), stdout=StringIO(), stderr=err)
    assert "找不到文件" in err.getvalue()


def test_load_of_a_recursive_alias_fails_cleanly(db, tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("workdays", "load", str(path), stdout=StringIO(), stderr=err)
    assert "未作任何更改" in str(info.value)
    assert "文件含有循环引用的别名" in err.getvalue()
    assert not CalendarYear.objects.exists()
