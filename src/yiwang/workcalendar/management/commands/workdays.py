"""``yiwang workdays``: working-day arithmetic and holiday schedules from the command line.

yiwang workdays add 2026-09-28 20        # -> 2026-10-30
yiwang workdays between 2026-09-28 2026-10-30
yiwang workdays seed                     # load 2004–2026 from chinese-calendar
yiwang workdays load 2027.yaml [--replace]
yiwang workdays years
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.workcalendar import services
from yiwang.workcalendar.workdays import parse_day, parse_workdays


class Command(BaseCommand):
    help = "工作日计算与节假日安排：add（加工作日）、between（区间工作日数）、seed、load、years"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")

        add = sub.add_parser("add", help="起算日之后第 N 个工作日（起算日当天不计）")
        add.add_argument("start", help="起算日（触发事件当天），YYYY-MM-DD")
        add.add_argument("workdays", help="工作日数 N（非负整数；0 表示即办，当天）")

        sub_ = sub.add_parser("subtract", help="某日之前第 N 个工作日（该日当天不计）")
        sub_.add_argument("end", help="日期，YYYY-MM-DD")
        sub_.add_argument("workdays", help="工作日数 N（非负整数）")

        between = sub.add_parser("between", help="区间 (A, B] 内的工作日数（A 不计，B 计）")
        between.add_argument("start", help="起算日 A，YYYY-MM-DD")
        between.add_argument("end", help="截止日 B，YYYY-MM-DD")

        sub.add_parser("seed", help="从 chinese-calendar 载入其涵盖的全部年份（可重复运行）")

        load = sub.add_parser("load", help="从 YAML 年度文件载入一年的节假日安排")
        load.add_argument("file", help="YAML 文件路径（格式见 workcalendar/schedules.py）")
        load.add_argument("--replace", action="store_true", help="该年已载入时，删除原有日期并替换")

        sub.add_parser("years", help="列出已载入的年份、来源及节假日/调休天数")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except DomainError as exc:
            if exc.code == "calendar.invalid_file":
                # One line per problem, so an operator can fix the whole file in one pass.
                for problem in exc.problems:
                    self.stderr.write(str(problem))
            raise CommandError(_error_text(exc)) from exc

    # --- subcommands ----------------------------------------------------------------------------

    def _add(self, options: dict[str, Any]) -> None:
        start = parse_day(options["start"], "start")
        n = parse_workdays(options["workdays"])
        deadline = services.add_workdays(start, n)
        self.stdout.write(deadline.date.isoformat())
        if deadline.provisional:
            self.stdout.write(services.span_note(start, deadline.date))

    def _subtract(self, options: dict[str, Any]) -> None:
        end = parse_day(options["end"], "end")
        n = parse_workdays(options["workdays"])
        result = services.subtract_workdays(end, n)
        self.stdout.write(result.date.isoformat())
        if result.provisional:
            # Counted span: [result, end).
            one = dt.timedelta(days=1)
            self.stdout.write(services.span_note(result.date - one, end - one))

    def _between(self, options: dict[str, Any]) -> None:
        start = parse_day(options["start"], "start")
        end = parse_day(options["end"], "end")
        count = services.workdays_between(start, end)
        self.stdout.write(str(count.workdays))
        if count.provisional:
            self.stdout.write(services.span_note(start, end))

    def _seed(self, options: dict[str, Any]) -> None:
        report = services.seed_from_chinese_calendar()
        self.stdout.write(report.summary())

    def _load(self, options: dict[str, Any]) -> None:
        # A Path, so that a missing file is reported as such and never read as YAML text.
        report = services.load_year_file(Path(options["file"]), replace=options["replace"])
        self.stdout.write(report.summary())

    def _years(self, options: dict[str, Any]) -> None:
        years = services.loaded_years()
        if not years:
            self.stdout.write(
                "尚未载入任何年份。可运行 yiwang workdays seed 从 chinese-calendar 载入。"
            )
            return
        for y in years:
            self.stdout.write(
                f"{y.year}  法定节假日 {y.holidays:>2} 天  调休上班日 {y.workdays} 天  "
                f"来源：{y.source}  载入于 {timezone.localtime(y.loaded_at):%Y-%m-%d %H:%M}"
            )
        self.stdout.write(
            f"共 {len(years)} 年；未列出的年份仅按周末和元旦、劳动节、国庆节的法定日期计算（结果为暂定）。"
        )


def _error_text(exc: DomainError) -> str:
    if exc.code == "calendar.invalid_file":
        return f"{exc.message}（共 {len(exc.problems)} 处问题，见上），未作任何更改"
    return exc.message
