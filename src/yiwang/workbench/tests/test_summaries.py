"""The case page's history: each change said once, in words."""

from __future__ import annotations

import datetime as dt

from yiwang.audit.models import AuditEntry
from yiwang.cases.tests.test_engine import LAW_FIRM
from yiwang.workbench.summaries import history_row


def test_a_change_is_not_repeated_by_the_input_that_made_it():
    entry = AuditEntry(
        seq=3,
        at=dt.datetime(2026, 10, 9, 10, 0, tzinfo=dt.UTC),
        action="suspend",
        role="handler",
        actor_name="李审",
        organization_name="郑州市司法局",
        reason="对拟设律所住所进行现场核查",
        before={"status": "in_progress", "suspension_kind": ""},
        after={
            "status": "suspended",
            "suspension_kind": "site_check",
            "details": {"kind": "site_check", "to_step": "review"},
        },
    )
    row = history_row(entry, LAW_FIRM)
    labels = [change.label for change in row.changes] + [label for label, _ in row.details]
    assert labels.count("特殊环节") == 1
    assert ("特殊环节", "—", "现场核查") in [(c.label, c.before, c.after) for c in row.changes]
    assert [label for label, _ in row.details] == ["回退至"]


def test_a_pledge_of_certificates_names_them_once():
    entry = AuditEntry(
        seq=2,
        at=dt.datetime(2026, 10, 9, 10, 0, tzinfo=dt.UTC),
        action="pledge",
        role="applicant",
        actor_name="张伟",
        before={"pledged_materials": []},
        after={
            "pledged_materials": ["住所证明"],
            "details": {"materials": [{"material": "住所证明", "problem": ""}]},
        },
    )
    row = history_row(entry, LAW_FIRM)
    assert row.summary == "以承诺代替的材料：无 → 住所证明"
