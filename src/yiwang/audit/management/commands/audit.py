"""``yiwang audit``: verify the audit log, or seal the entries written since the last checkpoint.

yiwang audit verify          # exit code 0 when intact, 1 (with the first problem) otherwise
yiwang audit seal [--wait S] # run periodically, e.g. every few minutes
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from yiwang.audit import dbguard
from yiwang.audit.services import seal_checkpoint, verify
from yiwang.core.errors import DomainError

#: How many problems are listed after the first one; all of them are counted.
LISTED_PROBLEMS = 20
#: A progress line every this many entries.
PROGRESS_EVERY = 100_000


def case_heads() -> Iterable[tuple[int, int, str]] | None:
    """``(case id, audit_seq, audit_head)`` of every case, in id order; None without the cases
    app (the audit app must not depend on it)."""
    if not apps.is_installed("yiwang.cases"):
        return None
    case_model = apps.get_model("cases", "Case")
    # The base manager: a default manager that hides some cases must not hide their heads.
    rows = case_model._base_manager.order_by("id").values_list("id", "audit_seq", "audit_head")
    return rows.iterator(chunk_size=5000)


class Command(BaseCommand):
    help = "审计日志：verify（校验哈希链、封存点与办件链头）、seal（封存新写入的审计记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        sub.add_parser("verify", help="校验全部审计记录；完好时退出码为 0，发现篡改时为 1")
        seal = sub.add_parser("seal", help="封存上一封存点之后写入的全部审计记录")
        seal.add_argument(
            "--wait",
            type=float,
            default=10.0,
            metavar="秒",
            help="等待较早开始的数据库事务结束的最长时间（PostgreSQL），默认 10 秒",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal" and not 0 <= options["wait"] < math.inf:
            # NaN would never reach the deadline; negative or infinite is surely a typo.
            raise CommandError(f"--wait 应为不小于 0 的秒数（收到 {options['wait']:g}）")
        try:
            if options["action"] == "verify":
                self._verify()
            else:
                self._seal(options["wait"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _verify(self) -> None:
        missing = dbguard.missing_guards(connection)
        if missing:
            self.stderr.write(
                "警告：数据库防篡改触发器缺失或已停用（" + "、".join(missing) + "），"
                "请由数据库管理员重新安装（yiwang.audit.dbguard.install_guards）"
            )
        heads = case_heads()
        if heads is None:
            self.stdout.write("未安装办件模块：不核对各办件记载的审计链头。")
        report = verify(
            heads,
            progress=lambda n: self.stdout.write(f"已校验 {n} 条审计记录……"),
            progress_every=PROGRESS_EVERY,
        )
        summary = (
            f"共校验审计记录 {report.entries_checked} 条（{report.cases_checked} 个办件）、"
            f"封存点 {report.checkpoints_checked} 个"
        )
        if heads is not None:
            summary += f"、办件链头 {report.heads_checked} 个"
        if report.ok:
            self.stdout.write(f"审计记录完整：{summary}。")
            return
        first = report.first_problem
        assert first is not None
        self.stdout.write(f"{summary}。")
        self.stderr.write(f"第一处问题：{first.describe()}")
        for problem in report.problems[1 : LISTED_PROBLEMS + 1]:
            self.stderr.write(f"  {problem.describe()}")
        if report.problem_count > LISTED_PROBLEMS + 1:
            self.stderr.write(f"  ……另有 {report.problem_count - LISTED_PROBLEMS - 1} 处未列出")
        raise CommandError(
            f"审计记录校验未通过：共发现 {report.problem_count} 处问题，审计记录可能已被篡改"
        )

    def _seal(self, wait: float) -> None:
        checkpoint = seal_checkpoint(wait_timeout=wait)
        if checkpoint is None:
            self.stdout.write("没有需要封存的新审计记录。")
            return
        self.stdout.write(
            f"已生成封存点 #{checkpoint.id}：审计记录 #{checkpoint.first_entry_id}–"
            f"#{checkpoint.last_entry_id}，共 {checkpoint.count} 条，"
            f"封存时间 {timezone.localtime(checkpoint.created_at):%Y-%m-%d %H:%M:%S}\n"
            f"默克尔根 {checkpoint.merkle_root}\n"
            # Worth copying somewhere outside this database: it pins everything sealed so far.
            f"封存点哈希 {checkpoint.hash}"
        )
