"""Fixtures of the audit tests: cases that keep their chain head as the engine does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from yiwang.audit.models import AuditEntry
from yiwang.audit.services import append_entry

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


class FakeCase:
    """Keeps (audit_seq, audit_head) the way cases.Case does, and appends like the engine."""

    def __init__(self, case_id: int) -> None:
        self.id = case_id
        self.audit_seq = 0
        self.audit_head = ""

    def append(self, action: str = "update", **fields: Any) -> AuditEntry:
        fields.setdefault("at", T0 + dt.timedelta(minutes=self.audit_seq))
        entry = append_entry(
            case_id=self.id,
            seq=self.audit_seq + 1,
            prev_hash=self.audit_head,
            action=action,
            **fields,
        )
        self.audit_seq, self.audit_head = entry.seq, entry.hash
        return entry

    def append_many(self, n: int) -> list[AuditEntry]:
        return [self.append(f"step{i}") for i in range(n)]

    @property
    def head(self) -> tuple[int, int, str]:
        return (self.id, self.audit_seq, self.audit_head)


def heads(*cases: FakeCase) -> list[tuple[int, int, str]]:
    return sorted(case.head for case in cases)


def raw(sql: str, params: list[Any] | None = None) -> int:
    """Run one statement as a database client would; a savepoint keeps the test usable after a
    refused statement on PostgreSQL."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


@pytest.fixture
def make_case(db):
    counter = iter(range(101, 10_000))

    def make(case_id: int | None = None) -> FakeCase:
        return FakeCase(case_id if case_id is not None else next(counter))

    return make
