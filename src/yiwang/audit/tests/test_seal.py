"""seal_checkpoint(): seals exactly the entries since the last checkpoint, chained."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.audit.errors import SealBusy
from yiwang.audit.hashing import checkpoint_hash, merkle_root
from yiwang.audit.models import AuditCheckpoint, AuditCheckpointQuerySet, AuditEntry
from yiwang.audit.services import seal_checkpoint, verify

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_nothing_to_seal(db):
    assert seal_checkpoint() is None
    assert not AuditCheckpoint.objects.exists()


def test_seals_everything_new_and_chains(make_case):
    a, b = make_case(), make_case()
    a.append_many(3)
    b.append_many(2)
    first = seal_checkpoint(NOW)
    assert first is not None
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    hashes = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
    assert (first.first_entry_id, first.last_entry_id, first.count) == (ids[0], ids[-1], 5)
    assert first.merkle_root == merkle_root(hashes)
    assert first.prev_hash == "" and first.created_at == NOW
    stored = AuditCheckpoint.objects.values().get(pk=first.pk)
    assert checkpoint_hash(stored) == first.hash

    assert seal_checkpoint(NOW) is None  # nothing new since

    b.append("later")
    second = seal_checkpoint(NOW + dt.timedelta(minutes=5))
    assert second is not None
    assert second.prev_hash == first.hash
    assert (second.first_entry_id, second.count) == (second.last_entry_id, 1)
    assert second.first_entry_id > first.last_entry_id
    assert verify().ok and verify().checkpoints_checked == 2


def test_a_racing_sealer_cannot_fork_the_chain(make_case, monkeypatch):
    case = make_case()
    case.append()
    assert seal_checkpoint() is not None
    case.append()
    # As if another sealer had not yet seen the checkpoint just written: same predecessor.
    monkeypatch.setattr(AuditCheckpointQuerySet, "first", lambda self: None)
    with pytest.raises(SealBusy) as info:
        seal_checkpoint()
    assert info.value.code == "audit.seal_busy" and info.value.status == 409
    monkeypatch.undo()
    assert AuditCheckpoint.objects.count() == 1
    assert seal_checkpoint() is not None  # the test's transaction is still usable
    assert verify().ok
