"""Benchmark of the working-day arithmetic (no database needed).

    uv run python bench/calendar/bench_deadlines.py [--calls 1000000] [--sample 20000] [--seed 1]

Builds ``WorkdayCalendar`` from chinese-calendar's tables (2004–2026 loaded, 2027 not), runs
``--calls`` ``add_workdays`` with varied starts (2004–2026, about 5 % in 2027) and n in 0–60,
then, on a smaller sample, times ``workdays_between`` and a naive day-by-day loop side by side
and checks that both give the same answers.

Named bench_*.py so that pytest (which collects test_*.py) never runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable

from yiwang.workcalendar.schedules import calendar_from_schedules, chinese_calendar_schedules
from yiwang.workcalendar.workdays import DayKind, WorkdayCalendar

START_LOADED = dt.date(2004, 1, 1)
END_LOADED = dt.date(2026, 12, 31)
END_2027 = dt.date(2027, 12, 31)


def make_starts(rng: random.Random, count: int) -> list[dt.date]:
    loaded_span = (END_LOADED - START_LOADED).days
    starts = []
    for _ in range(count):
        if rng.random() < 0.05:
            starts.append(END_LOADED + dt.timedelta(days=rng.randint(1, 365)))  # into 2027
        else:
            starts.append(START_LOADED + dt.timedelta(days=rng.randint(0, loaded_span)))
    return starts


class NaiveCalendar:
    """What one writes without precomputation: walk day by day, look each day up."""

    def __init__(self, loaded_years: set[int], special: dict[dt.date, DayKind]) -> None:
        self.loaded_years = loaded_years
        self.special = special

    def is_workday(self, day: dt.date) -> bool:
        if day.year in self.loaded_years:
            kind = self.special.get(day)
            if kind is DayKind.HOLIDAY:
                return False
            if kind is DayKind.WORKDAY:
                return True
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        day, counted = start, 0
        one = dt.timedelta(days=1)
        while counted < n:
            day += one
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        sign = 1
        if a > b:
            a, b, sign = b, a, -1
        count, day, one = 0, a, dt.timedelta(days=1)
        while day < b:
            day += one
            count += self.is_workday(day)
        return sign * count


def timed(label: str, calls: int, run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    # The label goes last: CJK characters are double width and would break the columns.
    print(
        f"  {calls:>9,} 次 {seconds:8.3f} s {seconds / calls * 1e9:9,.0f} ns/次"
        f" {calls / seconds:12,.0f} 次/s  {label}"
    )
    return seconds, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="工作日期限计算的性能测试")
    parser.add_argument("--calls", type=int, default=1_000_000, help="add_workdays 调用次数")
    parser.add_argument("--sample", type=int, default=20_000, help="与逐日循环对比的样本数")
    parser.add_argument("--seed", type=int, default=1, help="随机数种子")
    args = parser.parse_args(argv)

    print(f"Python {sys.version.split()[0]}")
    started = time.perf_counter()
    schedules = list(chinese_calendar_schedules())
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    calendar: WorkdayCalendar = calendar_from_schedules(schedules)
    built = time.perf_counter() - started
    print(
        f"读取 chinese-calendar：{parsed * 1000:.1f} ms；构建日历 {calendar.first}..{calendar.last}"
        f"（{(calendar.last - calendar.first).days + 1:,} 天，已载入 {min(calendar.loaded_years)}–"
        f"{max(calendar.loaded_years)}）：{built * 1000:.1f} ms"
    )

    # Inputs are generated before timing, so only the calls are measured.
    rng = random.Random(args.seed)
    starts = make_starts(rng, args.calls)
    ns = [rng.randint(0, 60) for _ in range(args.calls)]

    print(f"\nadd_workdays × {args.calls:,}（起算日 2004–2026，约 5% 在 2027；n = 0–60）")
    add = calendar.add_workdays
    chunks = 20
    size = max(1, args.calls // chunks)
    total = 0.0
    provisional = 0
    done = 0
    while done < args.calls:
        chunk_starts = starts[done : done + size]
        chunk_ns = ns[done : done + size]
        t0 = time.perf_counter()
        results = [add(s, n) for s, n in zip(chunk_starts, chunk_ns, strict=True)]
        total += time.perf_counter() - t0
        provisional += sum(r.provisional for r in results)
        done += len(chunk_starts)
        print(
            f"\r  进度 {done / args.calls:6.1%}  {done:>9,} / {args.calls:,}",
            end="",
            file=sys.stderr,
        )
    print(file=sys.stderr)
    print(
        f"  合计 {total:.3f} s，{total / args.calls * 1e9:.0f} ns/次，{args.calls / total:,.0f} 次/s"
    )
    print(f"  其中暂定（涉及 2027 年）{provisional:,} 次")

    # --- side by side on a smaller sample -------------------------------------------------------
    sample = min(args.sample, args.calls)
    s_starts, s_ns = starts[:sample], ns[:sample]
    s_ends = [s + dt.timedelta(days=rng.randint(-90, 90)) for s in s_starts]
    naive = NaiveCalendar(
        set(calendar.loaded_years),
        {d.date: d.kind for schedule in schedules for d in schedule.days},
    )
    between = calendar.workdays_between
    print(f"\n样本 {sample:,} 次，预计算与逐日循环对比（workdays_between 区间为 ±90 天）")
    fast_add_s, fast_add = timed(
        "add_workdays（预计算）",
        sample,
        lambda: [add(s, n).date for s, n in zip(s_starts, s_ns, strict=True)],
    )
    naive_add_s, naive_add = timed(
        "add_workdays（逐日循环）",
        sample,
        lambda: [naive.add_workdays(s, n) for s, n in zip(s_starts, s_ns, strict=True)],
    )
    fast_between_s, fast_between = timed(
        "workdays_between（预计算）",
        sample,
        lambda: [between(a, b).workdays for a, b in zip(s_starts, s_ends, strict=True)],
    )
    naive_between_s, naive_between = timed(
        "workdays_between（逐日循环）",
        sample,
        lambda: [naive.workdays_between(a, b) for a, b in zip(s_starts, s_ends, strict=True)],
    )
    if fast_add != naive_add or fast_between != naive_between:
        raise SystemExit("错误：预计算与逐日循环的结果不一致")
    print("  两种算法结果完全一致")
    print(f"  加速比 add_workdays：{naive_add_s / fast_add_s:.1f} 倍")
    print(f"  加速比 workdays_between：{naive_between_s / fast_between_s:.1f} 倍")


if __name__ == "__main__":
    main()
