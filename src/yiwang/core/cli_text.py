"""The ``yiwang`` command speaks Chinese: argparse's own texts, Django's common options, a
command's refusal, what Django's own commands (``migrate``, ``runserver``) say, the list of
commands and an unknown command.

argparse looks its texts up through ``gettext``, which finds no Chinese catalogue for the
standard library, and Django's management commands add their common options (``--verbosity``,
``--settings`` …) with English help. An operator mistyping an option would read "error:
unrecognized arguments", and a command's refusal "CommandError: …". ``install`` gives argparse
a Chinese lookup, rewrites the common options' help and prefixes a refusal with "错误：";
``Utility`` says the command list and an unknown command in Chinese. Both are used by the
``yiwang`` command only (``yiwang.cli``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any, NoReturn

from django.core.management import ManagementUtility, get_commands

if TYPE_CHECKING:
    from django.core.management.base import BaseCommand

# argparse's message ids (Python 3.11) and their Chinese.
ARGPARSE_TEXTS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须提供其中之一",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "至多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 有歧义，可能是 %(matches)s"
    ),
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "未知的子命令 %(parser_name)r（可选：%(choices)s）"
    ),
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}
ARGPARSE_PLURALS = {"expected %s argument": "需要 %s 个值"}

# Django's common options of every management command, by option string.
DJANGO_OPTION_HELP = {
    "--version": "显示版本号并退出",
    "--verbosity": "输出详细程度：0 最少，1 正常，2 详细，3 非常详细",
    "--settings": "设置模块的 Python 路径；不指定时使用环境变量 DJANGO_SETTINGS_MODULE",
    "--pythonpath": "加入 Python 路径的目录",
    "--traceback": "出现 CommandError 时显示完整的调用栈",
    "--no-color": "不使用彩色输出",
    "--force-color": "强制使用彩色输出",
    "--skip-checks": "跳过系统检查",
}


def gettext(message: str) -> str:
    return ARGPARSE_TEXTS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return ARGPARSE_PLURALS.get(singular, singular if n == 1 else plural)


def chinese_help(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parser`` with Django's common options explained in Chinese."""
    for action in parser._actions:
        for option in action.option_strings:
            if option in DJANGO_OPTION_HELP:
                action.help = DJANGO_OPTION_HELP[option]
    return parser


ERROR_PREFIX = "错误："

# Month names as runserver prints its start time.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def _date_line(match: re.Match[str]) -> str:
    month = MONTHS.index(match["month"]) + 1
    return f"{match['year']}年{month}月{int(match['day'])}日 {match['time']}"


# What Django's own commands say, in English, to an operator of ``yiwang migrate`` and
# ``yiwang runserver``: their refusals and their progress. Substituted wherever they occur in a
# message, so that a multi-line or coloured one is said in Chinese too.
DJANGO_TEXTS: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"No installed app with label '(.+?)'\.", r"没有名为“\1”的应用。"),
        (r"Cannot find a migration matching '(.+?)' from app '(.+?)'\.",
         r"应用“\2”中没有与“\1”对应的迁移。"),
        (r"More than one migration matches '(.+?)' in app '(.+?)'\. Please be more specific\.",
         r"应用“\2”中有不止一个迁移与“\1”对应，请写得更具体。"),
        (r"App '(.+?)' does not have migrations\.", r"应用“\1”没有迁移。"),
        (r'"(.+?)" is not a valid port number or address:port pair\.',
         r"“\1”不是有效的端口号或“地址:端口”。"),
        (r'"(.+?)" is not a valid IPv6 address\.', r"“\1”不是有效的 IPv6 地址。"),
        (r"Error: That port is already in use\.",
         "错误：端口已被占用；请换一个端口，或先停止占用它的程序。"),
        (r"Error: You don't have permission to access that port\.",
         "错误：没有权限使用该端口（1024 以下的端口需要管理员权限）。"),
        (r"Error: That IP address can't be assigned to\.",
         "错误：本机没有这个 IP 地址，无法在其上监听。"),
        (r"You have (\d+) unapplied migration\(s\)\. Your project may not work properly until "
         r"you apply the migrations for app\(s\): (.+?)\.",
         r"有 \1 项迁移尚未执行（\2），执行之前系统可能无法正常工作。"),
        (r"Run 'python manage\.py migrate' to apply them\.", "请运行 yiwang migrate 执行迁移。"),
        (r"Operations to perform:", "要执行的操作："),
        (r"Apply all migrations: ", "执行全部迁移："),
        (r"Running migrations:", "正在执行迁移："),
        (r"No migrations to apply\.", "没有需要执行的迁移。"),
        (r"Applying (\S+?)\.\.\.", r"执行 \1…"),
        (r"Performing system checks\.\.\.", "正在进行系统检查…"),
        (r"System check identified no issues \((\d+) silenced\)\.",
         r"系统检查未发现问题（忽略 \1 项）。"),
        (r"System check identified some issues:", "系统检查发现以下问题："),
        (r"System check identified (\d+) issues? \((\d+) silenced\)\.",
         r"系统检查共发现 \1 个问题（忽略 \2 项）。"),
        (r"Django version (\S+), using settings '(.+?)'", r"Django \1，设置模块 \2"),
        (r"Starting development server at (\S+)", r"开发服务器已启动：\1"),
        (r"Quit the server with (\S+?)\.", r"按 \1 停止服务器。"),
        (r"WARNING: This is a development server\. Do not use it in a production setting\. "
         r"Use a production WSGI or ASGI server instead\.",
         "警告：这是开发用服务器，不能用于生产环境；生产环境请使用 WSGI 或 ASGI 服务器。"),
        (r"For more information on production servers see: (\S+)", r"生产环境部署说明：\1"),
        # runserver's start time, "November 22, 2026 - 03:49:02"
        (rf"^(?P<month>{'|'.join(MONTHS)}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}}) - "
         r"(?P<time>\d{2}:\d{2}:\d{2})$", _date_line),
    )
)  # fmt: skip


def django_text(message: str) -> str:
    """``message`` of one of Django's own commands, with the texts it knows said in Chinese."""
    for pattern, chinese in DJANGO_TEXTS:
        message = pattern.sub(chinese, message)
    return message


def _speak_chinese(command: BaseCommand) -> None:
    """Say what one of Django's own commands writes in Chinese."""
    for stream in (command.stdout, command.stderr):
        write = stream.write

        def translated(
            msg: str = "", style_func: Any = None, ending: Any = None, w: Any = write
        ) -> None:
            w(django_text(msg), style_func, ending)

        stream.write = translated  # type: ignore[method-assign]


def install() -> None:
    """Make argparse and Django's command parsers speak Chinese (idempotent)."""
    from django.core.management.base import BaseCommand

    argparse._ = gettext  # type: ignore[attr-defined]  # argparse's module-level lookups
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    original: Callable[..., Any] = BaseCommand.create_parser
    if getattr(original, "chinese", False):
        return

    def create_parser(self: BaseCommand, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        return chinese_help(original(self, prog_name, subcommand, **kwargs))

    create_parser.chinese = True  # type: ignore[attr-defined]
    BaseCommand.create_parser = create_parser  # type: ignore[method-assign]
    BaseCommand.execute = chinese_errors(BaseCommand.execute)  # type: ignore[method-assign]


def chinese_errors(execute: Callable[..., Any]) -> Callable[..., Any]:
    """``BaseCommand.execute`` that, run from the command line, says a refusal as "错误：…".

    Django's ``run_from_argv`` prints a ``CommandError`` as "CommandError: …", its class name.
    This says it first, with the same exit status, and says a ``DomainError`` a command let
    through the same way (its message is already Chinese). ``call_command`` (tests, other
    commands) and ``--traceback`` get the exception itself, as before.
    """
    from django.core.management.base import CommandError, SystemCheckError
    from django.db import DatabaseError

    from yiwang.core.errors import DomainError

    def run(self: BaseCommand, *args: Any, **options: Any) -> Any:
        if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
            return execute(self, *args, **options)
        # Django's own commands and those of its add-ons (WhiteNoise's runserver), never
        # yiwang's, whose output may be data.
        django_command = not type(self).__module__.startswith("yiwang.")
        if django_command:
            _speak_chinese(self)
        try:
            return execute(self, *args, **options)
        except SystemCheckError:
            raise  # formats itself
        except CommandError as exc:
            said = django_text(str(exc)) if django_command else str(exc)
            self.stderr.write(f"{ERROR_PREFIX}{said}")
            sys.exit(exc.returncode)
        except DomainError as exc:
            self.stderr.write(f"{ERROR_PREFIX}{exc.message}")
            sys.exit(1)
        except DatabaseError:
            try:
                pending = unapplied_migrations()
            except DatabaseError:
                pending = 0  # no database to ask either: the first error says more
            if not pending:
                raise
            self.stderr.write(
                f"{ERROR_PREFIX}数据库尚未建立或不是最新结构（有 {pending} 项迁移未执行）；"
                "请先运行 yiwang migrate，或用 ./dev up 建立演示环境"
            )
            sys.exit(1)

    return run


def unapplied_migrations() -> int:
    """How many migrations the default database lacks (a failed statement is behind us)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    connection.close()  # the failed statement may have left its transaction unusable
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Utility(ManagementUtility):
    """Django's command-line utility with its own texts in Chinese."""

    def main_help_text(self, commands_only: bool = False) -> str:
        text: str = super().main_help_text(commands_only)
        if commands_only:
            return text
        return (
            text.replace(
                f"Type '{self.prog_name} help <subcommand>' for help on a specific subcommand.",
                f"输入“{self.prog_name} help 子命令”查看该子命令的说明；子命令中的下划线也可写作连字符。",
            )
            .replace("Available subcommands:", "可用的子命令：")
            .replace(
                "Note that only Django core commands are listed as settings are not properly "
                "configured (error: ",
                "设置有误，只列出了 Django 自带的子命令（错误：",
            )
        )

    def fetch_command(self, subcommand: str) -> Any:
        commands = get_commands()
        if subcommand in commands:
            return super().fetch_command(subcommand)
        return self._unknown(subcommand, commands)

    def _unknown(self, subcommand: str, commands: dict[str, Any]) -> NoReturn:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018  # misconfigured settings raise here, with the cause
        close = get_close_matches(subcommand, commands)
        hint = f"，是否要输入 {close[0]}？" if close else "。"
        sys.stderr.write(f"没有子命令“{subcommand}”{hint}输入“{self.prog_name} help”查看用法。\n")
        sys.exit(1)
