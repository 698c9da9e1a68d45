"""``yiwang seals``: the organizations' electronic seals, for operators who register many at once.

yiwang seals list                                   # every organization's seal in use, or none
yiwang seals register 1141000000002001X5 seal.png --name 河南省司法厅行政审批专用章 [--width-mm 42]
yiwang seals withdraw 1141000000002001X5            # letters issued from now on carry no seal

An organization is named by its 统一社会信用代码. The rules are those of the admin
(``organizations.seals``): a refused image changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.core import local_files
from yiwang.core.errors import DomainError
from yiwang.organizations import seals
from yiwang.organizations.models import Organization, Seal


class Command(BaseCommand):
    help = "电子印章：list（列出各机构在用印章）、register（登记）、withdraw（停用）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        sub.add_parser("list", help="列出各机构在用的印章（没有的也列出）")
        register = sub.add_parser("register", help="登记机构的印章图片，原在用的印章随之停用")
        register.add_argument("credit_code", metavar="统一社会信用代码", help="印章所属机构")
        register.add_argument("file", metavar="文件", help="电子印章系统导出的透明背景 PNG")
        register.add_argument("--name", required=True, metavar="名称", help="印章名称")
        register.add_argument(
            "--width-mm",
            default=str(seals.DEFAULT_WIDTH_MM),
            metavar="毫米",
            help=f"印面宽度，默认 {seals.DEFAULT_WIDTH_MM} 毫米",
        )
        withdraw = sub.add_parser("withdraw", help="停用机构在用的印章")
        withdraw.add_argument("credit_code", metavar="统一社会信用代码", help="印章所属机构")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _organization(self, credit_code: str) -> Organization:
        found = Organization.objects.filter(credit_code=credit_code.strip().upper()).first()
        if found is None:
            raise CommandError(f"没有统一社会信用代码为 {credit_code} 的机构")
        return found

    def _list(self, options: dict[str, Any]) -> None:
        agencies = Organization.objects.exclude(credit_code=None).order_by("path")
        names = dict(Seal.objects.values_list("sha256", "name"))
        sealed = 0
        for org in agencies:
            if org.seal_id:
                sealed += 1
                line = f"{names[org.seal_id]}（{org.seal_id[:12]}…）"
            else:
                line = "未登记，文书在印章位置留出虚线圆圈"
            self.stdout.write(f"{org.credit_code}  {org.name}  {line}")
        self.stdout.write(f"共 {len(agencies)} 个机构，{sealed} 个有在用印章。")

    def _register(self, options: dict[str, Any]) -> None:
        org = self._organization(options["credit_code"])
        try:
            # One byte past the limit, so that the service reports an oversized file.
            content = local_files.read_bytes(Path(options["file"]), seals.MAX_BYTES + 1)
        except local_files.UnreadableFile as exc:
            raise CommandError(exc.message) from None
        seal = seals.register(
            org, name=options["name"], content=content, width_mm=options["width_mm"], by=None
        )
        self.stdout.write(
            f"已登记{org.name}的印章“{seal.name}”（{seal.width_px}×{seal.height_px} 像素，"
            f"印面宽 {seal.width_mm} 毫米，SHA-256 {seal.sha256}）；此后出具的文书加盖此印章。"
        )

    def _withdraw(self, options: dict[str, Any]) -> None:
        org = self._organization(options["credit_code"])
        seal = seals.withdraw(org, by=None)
        assert seal.withdrawn_at is not None  # set by withdraw
        moment = timezone.localtime(seal.withdrawn_at)
        self.stdout.write(
            f"已停用{org.name}的印章“{seal.name}”（{moment:%Y-%m-%d %H:%M}）；"
            "此后出具的文书不再加盖，已出具的保持不变。"
        )
