"""append_entry: one INSERT, a chain that verifies, and arguments checked the same on every
database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from yiwang.audit.hashing import entry_hash
from yiwang.audit.models import AuditEntry
from yiwang.audit.services import append_entry, verify
from yiwang.core.errors import InvalidInput

from .conftest import T0

pytestmark = pytest.mark.django_db


def test_append_builds_a_chain(make_case):
    case = make_case()
    first = case.append("submit", actor_id=5, actor_name="李四", after={"status": "submitted"})
    second = case.append("accept", reason="材料齐全", before={"status": "submitted"})
    assert (first.seq, first.prev_hash) == (1, "")
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert first.id < second.id
    stored = AuditEntry.objects.values().get(pk=second.pk)
    assert entry_hash(stored) == stored["hash"] == second.hash
    assert verify().ok


def test_append_is_exactly_one_insert(make_case):
    case = make_case()
    case.append()
    with CaptureQueriesContext(connection) as queries:
        entry = case.append("decide", before={"a": 1}, after={"a": 2})
    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().upper().startswith("INSERT")
    assert entry.pk is not None


def test_what_is_read_back_hashes_as_what_was_written(make_case):
    case = make_case()
    tricky = {"fee": 100.0, "big": 1e16, "neg0": -0.0, "ratio": 0.1, "tuple": (1, 2), 3: "三"}
    entry = case.append(
        before=tricky,
        after=["中文", {"nested": [None, True, 1.5]}],
        at=dt.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai")),
        client_addr="2001:db8::1, 10.0.0.1",
    )
    assert entry.before == {
        "fee": 100,
        "big": 10**16,
        "neg0": 0,
        "ratio": 0.1,
        "tuple": [1, 2],
        "3": "三",
    }
    stored = AuditEntry.objects.values().get(pk=entry.pk)
    assert stored["before"] == entry.before
    assert stored["at"] == dt.datetime(2026, 3, 2, 1, 0, 0, 123456, tzinfo=dt.UTC)
    assert entry_hash(stored) == entry.hash
    assert verify().ok


def test_a_second_writer_on_the_same_seq_is_refused(make_case):
    case = make_case()
    first = case.append()
    with pytest.raises(IntegrityError), transaction.atomic():
        append_entry(case_id=case.id, seq=1, prev_hash="", at=T0, action="again")
    assert list(AuditEntry.objects.values_list("id", flat=True)) == [first.id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"case_id": 0}, "case_id"),
        ({"case_id": "7"}, "case_id"),
        ({"seq": 0}, "seq"),
        ({"seq": True}, "seq"),
        ({"seq": 2, "prev_hash": ""}, "prev_hash"),
        ({"seq": 2, "prev_hash": "A" * 64}, "prev_hash"),
        ({"prev_hash": "a" * 64}, "prev_hash"),
        ({"at": dt.datetime(2026, 3, 2)}, "at"),
        ({"at": "2026-03-02T00:00:00Z"}, "at"),
        ({"action": ""}, "action"),
        ({"action": "x" * 65}, "action"),
        ({"actor_name": "名" * 151}, "actor_name"),
        ({"role": None}, "role"),
        ({"reason": "含\x00空字符"}, "reason"),
        ({"actor_id": "5"}, "actor_id"),
        ({"organization_id": 1.0}, "organization_id"),
        ({"before": {"x": float("nan")}}, "before"),
        ({"after": {"when": dt.date(2026, 1, 1)}}, "after"),
        ({"after": "\ud800"}, "after"),
    ],
)
def test_bad_arguments_are_refused_before_the_database(changes, field):
    arguments = {"case_id": 7, "seq": 1, "prev_hash": "", "at": T0, "action": "submit"}
    arguments.update(changes)
    with pytest.raises(InvalidInput) as info:
        append_entry(**arguments)
    assert info.value.code == "audit.invalid_entry"
    assert [p.field for p in info.value.problems] == [field]
    assert not AuditEntry.objects.exists()


def test_all_problems_are_reported_at_once():
    with pytest.raises(InvalidInput) as info:
        append_entry(case_id=-1, seq=0, prev_hash="", at=dt.datetime(2026, 1, 1), action="")
    assert {p.field for p in info.value.problems} == {"case_id", "seq", "at", "action"}
