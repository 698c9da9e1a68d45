"""``yiwang cases deem-accept`` / ``yiwang cases recompute``: the timed duties of the legal clock."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, OutputWrapper

from yiwang.cases.services import deem_overdue_acceptances, recompute_provisional_deadlines


class ProgressLine:
    """Prints how far a batch is every ``every`` cases and at its last one."""

    def __init__(self, out: OutputWrapper, label: str, every: int = 500) -> None:
        self.out, self.label, self.every = out, label, every
        self.started = time.monotonic()
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        if done % self.every == 0 or done == total:
            rate = done / max(time.monotonic() - self.started, 1e-9)
            self.out.write(
                f"{self.label} {done:,}/{total:,} 件（{done * 100 // total}%），每秒 {rate:,.0f} 件"
            )


class Command(BaseCommand):
    help = "办件的定时任务：逾期视为受理（行政许可法第32条）、节假日变更后重算暂定期限"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "deem-accept", help="把超过 5 个工作日未作受理决定的行政许可申请依法视为受理"
        )
        sub.add_parser("recompute", help="重算期限为暂定的在办办件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "deem-accept":
            numbers = deem_overdue_acceptances(progress=ProgressLine(self.stdout, "视为受理"))
            for number in numbers:
                self.stdout.write(f"视为受理：{number}")
            self.stdout.write(f"共视为受理 {len(numbers)} 件")
            return
        progress = ProgressLine(self.stdout, "重算期限")
        count = recompute_provisional_deadlines(progress=progress)
        skipped = progress.total - count
        busy = f"；另有 {skipped} 件重算时正被办理，已随该次办理按新日历计算" if skipped else ""
        self.stdout.write(f"已重算 {count} 件的期限{busy}")
