"""The ``yiwang audit`` command: verify (exit codes, first problem) and seal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from yiwang.audit import dbguard
from yiwang.audit.management.commands import audit as command
from yiwang.audit.models import AuditEntry
from yiwang.audit.testing import guards_dropped

from .conftest import heads, raw

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def cases(make_case, monkeypatch):
    a, b = make_case(1), make_case(2)
    a.append_many(3)
    b.append_many(2)
    # The heads as the cases app would give them (its Case rows are not made here).
    monkeypatch.setattr(command, "case_heads", lambda: iter(heads(a, b)))
    return a, b


def test_verify_an_intact_log(cases):
    out, err = run("verify")
    assert out == "审计记录完整：共校验审计记录 5 条（2 个办件）、封存点 0 个、办件链头 2 个。\n"
    assert err == ""


def test_verify_reports_the_first_problem_and_fails(cases):
    target = AuditEntry.objects.get(case_id=1, seq=2)
    with guards_dropped():
        raw("UPDATE audit_auditentry SET reason = '改' WHERE case_id = 1 AND seq >= 2")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert str(info.value) == "审计记录校验未通过：共发现 2 处问题，审计记录可能已被篡改"
    assert info.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0] == (
        f"第一处问题：审计记录 #{target.id}（办件 1，第 2 条）：内容与哈希不符：记录写入后被修改"
    )
    assert lines[1].startswith("  审计记录 #") and "第 3 条" in lines[1]


def test_verify_reports_a_lost_history(cases, monkeypatch):
    a, b = cases
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE case_id = %s", [b.id])
    with pytest.raises(CommandError, match="共发现 1 处问题"):
        run("verify")


def test_verify_prints_progress_and_warns_about_missing_guards(cases, monkeypatch):
    monkeypatch.setattr(command, "PROGRESS_EVERY", 2)
    dbguard.drop_guards(connection)  # rolled back with the test
    out, err = run("verify")
    assert out.splitlines()[:2] == ["已校验 2 条审计记录……", "已校验 4 条审计记录……"]
    assert err.startswith("警告：数据库防篡改触发器缺失或已停用（audit_auditcheckpoint_")


def test_seal_prints_the_checkpoint_then_nothing(cases):
    out, _ = run("seal")
    first, root, digest = out.splitlines()
    assert first.startswith("已生成封存点 #") and "共 5 条" in first
    assert root.startswith("默克尔根 ") and digest.startswith("封存点哈希 ")
    assert run("seal") == ("没有需要封存的新审计记录。\n", "")
    out, _ = run("verify")
    assert "封存点 1 个" in out


@pytest.mark.parametrize("wait", ["nan", "-1", "inf"])
def test_seal_refuses_a_wait_that_is_no_number_of_seconds(cases, wait):
    with pytest.raises(CommandError) as refused:
        run("seal", "--wait", wait)
    assert str(refused.value).startswith("--wait 应为不小于 0 的秒数")
    assert run("seal", "--wait", "0")[0].startswith("已生成封存点 #")


def test_heads_come_from_the_cases_app_only_when_it_is_installed(monkeypatch, db):
    if apps.is_installed("yiwang.cases"):
        assert list(command.case_heads() or ["not an iterator"]) == []  # no cases yet
    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    assert command.case_heads() is None
    out, _ = run("verify")
    assert out.splitlines()[0] == "未安装办件模块：不核对各办件记载的审计链头。"
