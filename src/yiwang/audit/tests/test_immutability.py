"""Entries and checkpoints cannot be changed or removed: not through the ORM, not with raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from yiwang.audit import dbguard
from yiwang.audit.errors import AuditImmutable
from yiwang.audit.models import AuditCheckpoint, AuditEntry
from yiwang.audit.services import seal_checkpoint
from yiwang.audit.testing import guards_dropped

from .conftest import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(make_case):
    case = make_case()
    case.append_many(3)
    checkpoint = seal_checkpoint()
    assert checkpoint is not None
    return case, checkpoint


def assert_immutable(call) -> None:
    # A savepoint, as some ORM paths (bulk_update) run inside atomic(savepoint=False).
    with pytest.raises(AuditImmutable) as info, transaction.atomic():
        call()
    assert info.value.code == "audit.immutable"
    assert "不可修改或删除" in info.value.message


def test_the_orm_refuses_to_change_or_remove_an_entry(sealed):
    entry = AuditEntry.objects.order_by("id").first()
    assert entry is not None
    entry.reason = "改写"
    assert_immutable(entry.save)
    assert_immutable(lambda: entry.save(update_fields=["reason"]))
    assert_immutable(entry.delete)
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert_immutable(fresh.save)  # even unchanged: a loaded row is never saved again
    queryset = AuditEntry.objects.filter(pk=entry.pk)
    assert_immutable(lambda: queryset.update(reason="改写"))
    assert_immutable(queryset.delete)
    assert_immutable(AuditEntry.objects.all().delete)
    assert_immutable(lambda: AuditEntry.objects.bulk_update([entry], ["reason"]))
    assert_immutable(lambda: AuditEntry._base_manager.filter(pk=entry.pk).update(seq=9))
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
    assert AuditEntry.objects.count() == 3


def test_the_orm_refuses_to_change_or_remove_a_checkpoint(sealed):
    _, checkpoint = sealed
    checkpoint.count = 1
    assert_immutable(checkpoint.save)
    assert_immutable(checkpoint.delete)
    assert_immutable(lambda: AuditCheckpoint.objects.update(count=1))
    assert_immutable(AuditCheckpoint.objects.all().delete)
    assert AuditCheckpoint.objects.get().count == 3


def test_a_new_instance_with_an_existing_id_is_never_an_update(sealed):
    entry = AuditEntry.objects.order_by("id").first()
    assert entry is not None
    copy = AuditEntry.objects.values().get(pk=entry.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry(**{**copy, "reason": "改写"}).save()  # INSERT with a taken id: refused
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_the_guards_are_installed_by_the_migrations(db):
    assert dbguard.missing_guards(connection) == []
    assert dbguard.guards_present(connection)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'x'",
        "UPDATE audit_auditentry SET hash = hash",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_auditentry WHERE seq = 2",
        "UPDATE audit_auditcheckpoint SET count = 1",
        "DELETE FROM audit_auditcheckpoint",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(sealed, sql):
    with pytest.raises(DatabaseError, match="审计记录不可"):
        raw(sql)
    assert AuditEntry.objects.count() == 3
    assert AuditCheckpoint.objects.count() == 1
    assert not AuditEntry.objects.exclude(reason="").exists()


def test_an_administrator_can_drop_the_guards_and_they_come_back(sealed):
    with guards_dropped():
        assert not dbguard.guards_present(connection)
        assert raw("UPDATE audit_auditentry SET reason = 'x' WHERE seq = 1") == 1
    assert dbguard.guards_present(connection)
    with pytest.raises(DatabaseError):
        raw("UPDATE audit_auditentry SET reason = 'y'")
    assert AuditEntry.objects.get(seq=1).reason == "x"


def test_install_is_idempotent(db):
    dbguard.install_guards(connection)
    dbguard.install_guards(connection)
    assert dbguard.guards_present(connection)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_refuses_truncate_of_a_non_empty_table_and_counts_disabled_triggers(sealed):
    with pytest.raises(DatabaseError, match="审计记录不可删除"):
        raw("TRUNCATE audit_auditentry")
    with pytest.raises(DatabaseError, match="审计记录不可删除"):
        raw("TRUNCATE audit_auditcheckpoint, audit_auditentry")
    assert AuditEntry.objects.count() == 3
    with guards_dropped():
        raw("DELETE FROM audit_auditcheckpoint")
    raw("TRUNCATE audit_auditcheckpoint")  # empty: allowed, so Django's flush keeps working
    raw("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_no_change")
    assert dbguard.missing_guards(connection) == ["audit_auditentry_no_change"]
