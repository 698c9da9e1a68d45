"""Tests with real commits: the clean-up helper, and (PostgreSQL) the sealing race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yiwang.audit.errors import SealBusy
from yiwang.audit.hashing import entry_hash
from yiwang.audit.models import AuditCheckpoint, AuditEntry
from yiwang.audit.services import seal_checkpoint, verify
from yiwang.audit.testing import audit_tables_cleared  # noqa: F401  (a fixture)

from .conftest import T0, FakeCase


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_that_writes_entries_can_be_flushed(audit_tables_cleared):  # noqa: F811
    FakeCase(1).append()
    assert seal_checkpoint() is not None
    assert AuditEntry.objects.count() == 1
    # Without the fixture, Django's flush after this test would be refused by the triggers.


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_sealing_never_skips_an_entry_committed_late(audit_tables_cleared):  # noqa: F811
    """Transaction A takes id n and commits after B's id n + 1: the seal must wait for A."""
    fields = {
        "case_id": 1, "seq": 1, "actor_id": None, "actor_name": "", "organization_id": None,
        "organization_name": "", "role": "", "action": "slow", "at": T0, "reason": "",
        "client_addr": "", "before": None, "after": None, "prev_hash": "",
    }  # fmt: skip
    slow = connection.get_new_connection(connection.get_connection_params())
    try:
        with slow.cursor() as cursor:  # a transaction of its own, left open
            cursor.execute(
                "INSERT INTO audit_auditentry (case_id, seq, actor_id, actor_name, "
                "organization_id, organization_name, role, action, at, reason, client_addr, "
                "before, after, prev_hash, hash) VALUES "
                "(%s, %s, NULL, '', NULL, '', '', %s, %s, '', '', NULL, NULL, '', %s) RETURNING id",
                [1, 1, "slow", T0, entry_hash(fields)],
            )
            low_id = cursor.fetchone()[0]
        fast = FakeCase(2).append("fast")  # committed at once, with a higher id
        assert fast.id > low_id

        with pytest.raises(SealBusy, match="较早开始的数据库事务未结束"):
            seal_checkpoint(wait_timeout=0.3)
        assert not AuditCheckpoint.objects.exists()

        committer = threading.Timer(0.5, slow.commit)
        committer.start()
        checkpoint = seal_checkpoint(wait_timeout=20)  # waits for the commit, then seals both
        committer.join()
        assert checkpoint is not None
        assert (checkpoint.first_entry_id, checkpoint.last_entry_id, checkpoint.count) == (
            low_id,
            fast.id,
            2,
        )
        assert verify().ok
    finally:
        slow.close()
