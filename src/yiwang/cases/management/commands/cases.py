"""``yiwang cases deem-accept`` / ``yiwang cases recompute``: the timed duties of the legal clock."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from yiwang.cases.services import deem_overdue_acceptances, recompute_provisional_deadlines


class Command(BaseCommand):
    help = "办件的定时任务：逾期视为受理（行政许可法第32条）、节假日变更后重算暂定期限"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("deem-accept", help="把超过 5 个工作日未作受理决定的申请依法视为受理")
        sub.add_parser("recompute", help="重算期限为暂定的在办办件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "deem-accept":
            numbers = deem_overdue_acceptances()
            for number in numbers:
                self.stdout.write(f"视为受理：{number}")
            self.stdout.write(f"共 {len(numbers)} 件")
        else:
            self.stdout.write(f"已重算 {recompute_provisional_deadlines()} 件的期限")
