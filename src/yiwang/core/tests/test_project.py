"""The project as an operator meets it: the `yiwang` command, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def clean_environment(tmp_path, **env: str) -> dict[str, str]:
    """This process's environment without yiwang's settings, data in ``tmp_path``, plus ``env``."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("YIWANG_") and k != "DATABASE_URL"
    }
    environment.update({"YIWANG_DATA_DIR": str(tmp_path), **env})
    return environment


def run(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yiwang", *args],
        capture_output=True,
        text=True,
        env=clean_environment(tmp_path, **env),
        timeout=120,
    )


def test_hyphenated_command_names_work(tmp_path):
    result = run(["help", "seed-demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "载入演示数据" in result.stdout


def test_sqlite_runs_in_wal_mode(tmp_path):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yiwang.settings'); django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA foreign_keys').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean_environment(tmp_path),
    )
    assert result.stdout.split() == ["wal", "1"], result.stderr
    assert (tmp_path / "yiwang.sqlite3").exists()


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        YIWANG_PRODUCTION="1",
        YIWANG_SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        YIWANG_ALLOWED_HOSTS="yiwang.example.gov.cn",
        YIWANG_LICENCE_SM2_PRIVATE_KEY="3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "系统检查未发现问题" in result.stdout


def test_production_refuses_to_start_without_the_licence_signing_key(tmp_path):
    result = run(
        ["check"],
        tmp_path,
        YIWANG_PRODUCTION="1",
        YIWANG_SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        YIWANG_ALLOWED_HOSTS="yiwang.example.gov.cn",
    )
    assert result.returncode != 0
    assert "YIWANG_LICENCE_SM2_PRIVATE_KEY" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "licence_sm2_key").exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["check"], tmp_path, YIWANG_PRODUCTION="1")
    assert result.returncode != 0
    assert "YIWANG_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_debug_is_off_unless_asked(tmp_path):
    result = run(["diffsettings", "--all"], tmp_path)
    assert "DEBUG = False" in result.stdout
    asked = run(["diffsettings", "--all"], tmp_path, YIWANG_DEBUG="1")
    assert "DEBUG = True" in asked.stdout


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_refused(tmp_path, value):
    result = run(["check"], tmp_path, YIWANG_DEBUG=value)
    assert result.returncode == 1
    # Said in a line that names the variable, not at the end of a traceback.
    assert result.stderr == (
        f"错误：配置有误：环境变量 YIWANG_DEBUG 应为 1/0 或 true/false，现为 '{value}'\n"
    )


def test_postgresql_prepares_repeated_statements_unless_told_not_to(tmp_path):
    url = "postgres://yiwang:secret@127.0.0.1:5432/yiwang"
    default = run(["diffsettings", "--all"], tmp_path, DATABASE_URL=url)
    assert "'server_side_binding': True" in default.stdout, default.stderr
    assert "'prepare_threshold': 5" in default.stdout
    pooled = run(
        ["diffsettings", "--all"], tmp_path, DATABASE_URL=url, YIWANG_PG_PREPARE_THRESHOLD=""
    )
    assert "'prepare_threshold': None" in pooled.stdout, pooled.stderr
    wrong = run(["check"], tmp_path, DATABASE_URL=url, YIWANG_PG_PREPARE_THRESHOLD="often")
    assert wrong.returncode != 0 and "YIWANG_PG_PREPARE_THRESHOLD" in wrong.stderr


def test_a_login_limit_that_is_not_a_number_stops_the_server_at_start(tmp_path):
    result = run(["check"], tmp_path, YIWANG_LOGIN_FAILURES_PER_USER="five")
    assert result.returncode != 0
    assert "环境变量 YIWANG_LOGIN_FAILURES_PER_USER 应为整数" in result.stderr
    result = run(["check"], tmp_path, YIWANG_LOGIN_WINDOW_SECONDS="0")
    assert "环境变量 YIWANG_LOGIN_WINDOW_SECONDS 不能小于 1" in result.stderr


def test_a_file_storage_that_cannot_be_built_stops_the_start(tmp_path):
    result = run(["check"], tmp_path, YIWANG_FILE_STORAGE="storages.backends.nowhere.Storage")
    assert result.returncode != 0
    assert "yiwang.E001" in result.stderr and "YIWANG_FILE_STORAGE" in result.stderr
    result = run(["check"], tmp_path, YIWANG_FILE_STORAGE_OPTIONS="{bucket: x}")
    assert result.returncode != 0
    assert "环境变量 YIWANG_FILE_STORAGE_OPTIONS 不是有效的 JSON" in result.stderr
    result = run(
        ["check"],
        tmp_path,
        YIWANG_FILE_STORAGE="django.core.files.storage.InMemoryStorage",
        YIWANG_FILE_STORAGE_OPTIONS='{"base_url": "/files/"}',
    )
    assert result.returncode == 0, result.stderr
