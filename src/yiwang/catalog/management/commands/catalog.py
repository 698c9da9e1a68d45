"""``yiwang catalog import FILE`` / ``yiwang catalog export --format yaml|json``."""

from __future__ import annotations

import datetime
import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError

from yiwang.catalog.catalogue_file import FORMAT
from yiwang.catalog.selectors import version_as_file_item, versions_for_export
from yiwang.catalog.services import import_catalogue
from yiwang.core import local_files
from yiwang.core.errors import DomainError

#: The shipped catalogue of 43 items is a quarter of a megabyte.
MAX_FILE_BYTES = 20_000_000


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期 {value!r} 无效，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "导入或导出事项目录（导入要么全部成功，要么什么都不改）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入事项目录文件（YAML 或 JSON）")
        imp.add_argument("file", help="文件路径；- 表示标准输入")
        imp.add_argument("--valid-from", help="新版本的生效日期，默认今天（YYYY-MM-DD）")
        imp.add_argument("--draft", action="store_true", help="只建草稿，不发布")
        exp = sub.add_parser("export", help="把当前有效的事项目录输出到标准输出")
        exp.add_argument("--format", choices=["yaml", "json"], default="yaml")
        exp.add_argument("--on", help="导出在该日期有效的版本，默认今天（YYYY-MM-DD）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        name = options["file"]
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                text = local_files.read_text(Path(name), MAX_FILE_BYTES)
        except local_files.UnreadableFile as exc:
            raise CommandError(exc.message) from None
        except UnicodeDecodeError:
            raise CommandError("标准输入不是 UTF-8 编码的文本") from None
        valid_from = _date(options["valid_from"]) if options.get("valid_from") else None
        try:
            report = import_catalogue(text, valid_from=valid_from, as_draft=options["draft"])
        except DomainError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        self.stdout.write(
            f"导入完成：共 {report.total} 个事项，新增 {len(report.created)}，"
            f"更新 {len(report.updated)}，未变 {len(report.unchanged)}"
        )

    def _export(self, options: dict[str, Any]) -> None:
        on = _date(options["on"]) if options.get("on") else None
        items = [version_as_file_item(v) for v in versions_for_export(on)]
        document = {"format": FORMAT, "items": items}
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
            )
