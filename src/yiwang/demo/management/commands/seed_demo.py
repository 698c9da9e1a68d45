"""``yiwang seed-demo``: load the calendar, catalogue, organizations and demo users (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.accounts.models import RoleAssignment
from yiwang.core.errors import DomainError
from yiwang.demo.seed import seed_demo


class Command(BaseCommand):
    help = "载入演示数据：工作日历、事项目录、组织机构、演示用户（可重复执行，不会重复创建）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = seed_demo(report=self.stdout.write)
        except DomainError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        self.stdout.write("")
        from yiwang.demo.seed import PEOPLE_LABELS

        self.stdout.write(
            "演示数据已就绪："
            + "；".join(f"{PEOPLE_LABELS.get(k, k)} {v}" for k, v in summary.parts.items())
        )
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {summary.password}，{summary.password_note}）：")
        assignments = RoleAssignment.objects.select_related("user", "organization").order_by(
            "organization__path", "role"
        )
        for a in assignments:
            self.stdout.write(
                f"  {a.user.username:<22} {a.user.full_name:<6} {a.organization.name} · {a.get_role_display()}"
            )
