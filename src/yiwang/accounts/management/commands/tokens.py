"""``yiwang tokens create USERNAME --name 用途`` / ``yiwang tokens revoke ID`` / ``yiwang tokens list``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.accounts.models import ApiToken, User
from yiwang.accounts.tokens import issue_token, revoke
from yiwang.core.errors import DomainError


class Command(BaseCommand):
    help = "管理机器客户端的接口令牌"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户签发令牌（只显示一次）")
        create.add_argument("username", metavar="用户名")
        create.add_argument(
            "--name", required=True, metavar="用途", help="令牌用途（必填，不能为空）"
        )
        rev = sub.add_parser("revoke", help="吊销令牌")
        rev.add_argument("id", type=int)
        sub.add_parser("list", help="列出令牌")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['username']}")
            try:
                token = issue_token(user, options["name"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(token)
            self.stderr.write("请立即保存该令牌：系统只保存其摘要，无法再次显示。")
        elif options["action"] == "revoke":
            if not ApiToken.objects.filter(pk=options["id"]).exists():
                raise CommandError(f"没有编号为 {options['id']} 的令牌")
            revoke(options["id"])
            self.stdout.write("已吊销")
        else:
            for t in ApiToken.objects.select_related("user").order_by("pk"):
                state = "已吊销" if t.revoked_at else "有效"
                self.stdout.write(f"{t.pk:>5}  {t.user.username:<20} {t.name}  {state}")
