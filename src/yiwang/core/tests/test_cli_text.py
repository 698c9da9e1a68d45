"""The ``yiwang`` command answers an operator's mistakes in Chinese (run as a real process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.cli_text import chinese_errors
from yiwang.core.errors import InvalidInput


def environment(data_dir: Path) -> dict[str, str]:
    """A ``yiwang`` process on its own SQLite file in ``data_dir``: never the database a
    ``DATABASE_URL`` names, which these tests would otherwise migrate or find migrated."""
    env = {**os.environ, "YIWANG_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return env


CHECKOUT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def yiwang(tmp_path_factory: pytest.TempPathFactory):
    env = environment(tmp_path_factory.mktemp("cli"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "yiwang", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=CHECKOUT,
            timeout=60,
        )

    return run


def test_a_mistyped_option_or_missing_argument_is_explained_in_chinese(yiwang):
    bogus = yiwang("cases", "deem-accept", "--bogus")
    assert bogus.returncode == 2
    assert "yiwang cases：错误：无法识别的参数：--bogus" in bogus.stderr
    assert "用法：" in bogus.stderr and "error:" not in bogus.stderr
    missing = yiwang("seals", "register")
    assert missing.returncode == 2
    assert "缺少必需的参数：统一社会信用代码, 文件, --name" in missing.stderr


def test_the_help_and_the_command_list_are_in_chinese(yiwang):
    helped = yiwang("seals", "--help")
    assert helped.returncode == 0
    for text in ("选项", "显示本帮助并退出", "跳过系统检查", "输出详细程度"):
        assert text in helped.stdout
    assert "show this help message" not in helped.stdout and "Verbosity" not in helped.stdout
    listing = yiwang()
    assert "可用的子命令：" in listing.stdout and "Available subcommands" not in listing.stdout
    assert "seals" in listing.stdout


def test_an_unknown_command_is_refused_in_chinese(yiwang):
    unknown = yiwang("seels")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("没有子命令“seels”，是否要输入 seals？")


def test_a_refusal_is_said_in_chinese_with_a_non_zero_status(yiwang, tmp_path):
    missing = yiwang("catalog", "import", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1
    assert missing.stderr == f"错误：找不到文件 {tmp_path / 'none.yaml'}\n"
    folder = yiwang("catalog", "import", str(tmp_path))
    assert folder.returncode == 1
    assert folder.stderr == f"错误：{tmp_path} 是目录，不是文件\n"
    bad_day = yiwang("demo-case", "--start", "2026-13-01")
    assert bad_day.returncode == 1
    assert bad_day.stderr.startswith("错误：日期“2026-13-01”无效")
    for result in (missing, folder, bad_day):
        assert "CommandError" not in result.stderr and "Traceback" not in result.stderr


def test_a_database_never_migrated_is_named_not_traced(tmp_path):
    fresh = subprocess.run(
        [sys.executable, "-m", "yiwang", "catalog", "export"],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        cwd=CHECKOUT,
        timeout=60,
    )
    assert fresh.returncode == 1
    assert fresh.stderr.startswith("错误：数据库尚未建立或不是最新结构（有 ")
    assert "请先运行 yiwang migrate" in fresh.stderr and "Traceback" not in fresh.stderr


def test_djangos_own_commands_speak_chinese(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "yiwang", *args],
            capture_output=True,
            text=True,
            env=environment(tmp_path),
            cwd=CHECKOUT,
            timeout=60,
        )

    unknown = run("migrate", "nosuchapp")
    assert (unknown.returncode, unknown.stderr) == (1, "错误：没有名为“nosuchapp”的应用。\n")
    bad_port = run("runserver", "99999x")
    assert bad_port.returncode == 1
    assert bad_port.stderr == "错误：“99999x”不是有效的端口号或“地址:端口”。\n"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run("runserver", f"127.0.0.1:{port}", "--noreload")
    assert busy.returncode == 1
    assert "错误：端口已被占用；请换一个端口，或先停止占用它的程序。" in busy.stderr
    # The database of this fresh directory was never migrated: runserver says so first.
    assert "项迁移尚未执行" in busy.stdout and "请运行 yiwang migrate 执行迁移。" in busy.stdout
    for result in (unknown, bad_port, busy):
        assert "Error" not in result.stderr and "python manage.py" not in result.stdout
    migrated = run("migrate")
    assert migrated.returncode == 0
    assert "正在执行迁移：" in migrated.stdout and "执行 cases.0001_initial… OK" in migrated.stdout
    assert "Applying" not in migrated.stdout


def test_a_yiwang_commands_output_is_never_rewritten(capsys):
    # Its output may be data (an exported catalogue) that merely looks like Django's words.
    Speaking().run_from_argv(["yiwang", "speaking", "--skip-checks"])
    assert capsys.readouterr().out == "No migrations to apply.\n"
    Django = type("Command", (Speaking,), {"__module__": "django.core.management.commands.x"})
    Django().run_from_argv(["yiwang", "x", "--skip-checks"])
    assert capsys.readouterr().out == "没有需要执行的迁移。\n"


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    # As with `yiwang catalog export | head`, once head has read enough and left.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        gone = subprocess.run(
            [sys.executable, "-m", "yiwang", "help"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(tmp_path),
            cwd=CHECKOUT,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert gone.returncode == 1
    assert gone.stderr == ""


class Refusing(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("how")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["how"] == "domain":
            raise InvalidInput("demo.refused", "不予办理")
        raise CommandError("参数有误", returncode=3)


Refusing.execute = chinese_errors(BaseCommand.execute)  # type: ignore[method-assign]


class Speaking(BaseCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("No migrations to apply.")


Speaking.execute = chinese_errors(BaseCommand.execute)  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("how", "status", "said"), [("domain", 1, "不予办理"), ("command", 3, "参数有误")]
)
def test_a_refusal_a_command_lets_through_is_said_the_same_way(capsys, how, status, said):
    with pytest.raises(SystemExit) as exited:
        Refusing().run_from_argv(["yiwang", "refusing", how, "--skip-checks"])
    assert exited.value.code == status
    assert capsys.readouterr().err == f"错误：{said}\n"
    with pytest.raises((InvalidInput, CommandError)):  # --traceback: the exception itself
        Refusing().run_from_argv(["yiwang", "refusing", how, "--skip-checks", "--traceback"])
