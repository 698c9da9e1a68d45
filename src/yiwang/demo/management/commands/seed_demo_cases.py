"""``yiwang seed-demo-cases``: a handful of demo applications in every state (once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.demo.cases import seed_demo_cases


class Command(BaseCommand):
    help = "创建演示办件：待受理、补正、审查中、特殊环节、待决定、已办结、已送达、不予受理（只创建一次）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("创建演示办件（经由真实的提交和办理流程）……")
        try:
            created = seed_demo_cases(report=self.stdout.write)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        if created:
            self.stdout.write(f"已创建 {created} 件演示办件。")
