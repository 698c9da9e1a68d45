"""``yiwang files sweep``: list (``--delete``: remove) stored files no row refers to.

yiwang files sweep                       # a report only; nothing is removed
yiwang files sweep --delete              # remove the orphans older than the grace period
yiwang files sweep --grace-minutes 240   # leave files of the last 4 hours alone
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from yiwang.core.stored_files import DEFAULT_GRACE, OutOfOrder, SweepReport, sweep

#: Orphans listed by name; all of them are counted.
LISTED = 20
#: Ten years: a longer grace would spare every file ever stored, and a huge one overflows
#: Python's timedelta.
MAX_GRACE_MINUTES = 10 * 366 * 24 * 60


class Command(BaseCommand):
    help = "存储文件：sweep（查找没有任何记录引用的文件，加 --delete 删除）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        cleanup = sub.add_parser("sweep", help="查找（加 --delete 删除）没有任何记录引用的存储文件")
        cleanup.add_argument("--delete", action="store_true", help="删除找到的孤立文件")
        cleanup.add_argument(
            "--grace-minutes",
            type=int,
            default=int(DEFAULT_GRACE.total_seconds() // 60),
            metavar="分钟",
            help="不处理最近这么多分钟内写入的文件（其事务可能尚未提交），默认 60",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["grace_minutes"]
        if minutes < 1:
            raise CommandError("--grace-minutes 至少为 1 分钟，以免删除事务尚未提交的文件")
        if minutes > MAX_GRACE_MINUTES:
            raise CommandError(f"--grace-minutes 至多为 {MAX_GRACE_MINUTES} 分钟（十年）")
        try:
            report = sweep(
                delete=options["delete"],
                grace=dt.timedelta(minutes=minutes),
                progress=self._progress,
            )
        except OutOfOrder as exc:
            raise CommandError(f"文件名没有按预期的顺序返回，未删除任何文件：{exc}") from exc
        for name, size in report.orphans[:LISTED]:
            self.stdout.write(f"  孤立文件：{name}（{filesizeformat(size)}）")
        if len(report.orphans) > LISTED:
            self.stdout.write(f"  …… 另有 {len(report.orphans) - LISTED} 个")
        done = f"已删除 {report.deleted} 个" if options["delete"] else "未删除（加 --delete 删除）"
        self.stdout.write(
            f"共检查 {report.scanned} 个文件：有记录引用 {report.referenced} 个，"
            f"{minutes} 分钟内新写入 {report.recent} 个，孤立 {len(report.orphans)} 个"
            f"（{filesizeformat(report.orphan_bytes)}），{done}。"
        )

    def _progress(self, report: SweepReport) -> None:
        self.stdout.write(f"  已检查 {report.scanned} 个文件，孤立 {len(report.orphans)} 个……")
