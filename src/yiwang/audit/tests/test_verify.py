"""verify(): intact logs pass; every kind of tampering by someone with database rights is found."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.audit.hashing import entry_hash
from yiwang.audit.models import AuditEntry
from yiwang.audit.services import seal_checkpoint, verify
from yiwang.audit.testing import guards_dropped

from .conftest import FakeCase, heads, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_case):
    """Three cases with 4, 3 and 5 entries, interleaved as real traffic would be."""
    a, b, c = make_case(1), make_case(2), make_case(3)
    for step in range(5):
        for case, size in ((a, 4), (b, 3), (c, 5)):
            if step < size:
                case.append(f"step{step}", reason=f"第 {step} 步")
    return a, b, c


def entry(case: FakeCase, seq: int) -> AuditEntry:
    return AuditEntry.objects.get(case_id=case.id, seq=seq)


def only_problem(report):
    assert not report.ok
    assert report.problem_count == len(report.problems) == 1, report.problems
    return report.problems[0]


def test_an_intact_log_verifies(three):
    report = verify(heads(*three))
    assert report.ok and report.first_problem is None and report.problems == []
    assert (report.entries_checked, report.cases_checked, report.heads_checked) == (12, 3, 3)
    seal_checkpoint()
    three[0].append("after_seal")
    report = verify(heads(*three))
    assert report.ok and report.checkpoints_checked == 1 and report.entries_checked == 13


def test_an_empty_log_verifies(db):
    report = verify([])
    assert report.ok and report.entries_checked == 0


def test_a_modified_reason_is_named_as_the_first_broken_entry(three):
    a, b, c = three
    target = entry(b, 2)
    with guards_dropped():
        raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["已补正", target.id])
    report = verify(heads(*three))
    problem = only_problem(report)
    assert report.first_problem == problem
    assert (problem.record_id, problem.case_id, problem.seq, problem.kind) == (
        target.id,
        b.id,
        2,
        "entry",
    )
    assert "内容与哈希不符" in problem.reason
    assert problem[:3] == (target.id, b.id, problem.reason)  # (entry id, case id, reason)


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(three):
    a, _, _ = three
    target = entry(a, 2)
    fields = AuditEntry.objects.values().get(pk=target.id)
    forged = entry_hash({**fields, "reason": "伪造的理由"})
    with guards_dropped():
        raw(
            "UPDATE audit_auditentry SET reason = %s, hash = %s WHERE id = %s",
            ["伪造的理由", forged, target.id],
        )
    problem = only_problem(verify())
    assert (problem.case_id, problem.seq) == (a.id, 3)
    assert "哈希链接断开" in problem.reason


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_by_the_head(three):
    a, _, _ = three
    last = entry(a, 4)
    fields = AuditEntry.objects.values().get(pk=last.id)
    forged = entry_hash({**fields, "reason": "伪造"})
    with guards_dropped():
        raw(
            "UPDATE audit_auditentry SET reason = '伪造', hash = %s WHERE id = %s",
            [forged, last.id],
        )
    assert verify().ok  # the chain alone cannot tell
    problem = only_problem(verify(heads(*three)))
    assert (problem.record_id, problem.seq) == (last.id, 4)
    assert "链头" in problem.reason


def test_a_deleted_middle_entry_is_a_gap(three):
    _, _, c = three
    gone = entry(c, 3)
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE id = %s", [gone.id])
    problem = only_problem(verify(heads(*three)))
    assert (problem.case_id, problem.seq) == (c.id, 4)
    assert "缺少第 3 条" in problem.reason
    # Two in a row, and the first one of a chain:
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE case_id = %s AND seq IN (1, 4)", [c.id])
    report = verify(heads(*three))
    assert [(p.seq, p.reason) for p in report.problems] == [
        (2, "序号不连续：缺少第 1 条（记录被删除）"),
        (5, "序号不连续：缺少第 3–4 条（记录被删除）"),
    ]


def test_a_deleted_last_entry_is_caught_by_the_head(three):
    a, b, c = three
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE case_id = %s AND seq = 3", [b.id])
    assert verify().ok  # nothing in the table itself shows it
    problem = only_problem(verify(heads(a, b, c)))
    assert (problem.record_id, problem.case_id, problem.kind) == (None, b.id, "case")
    assert "末尾" in problem.reason and "共 3 条" in problem.reason


def test_a_whole_history_deleted_before_a_checkpoint_is_caught_by_it(three):
    _, b, _ = three
    checkpoint = seal_checkpoint()
    assert checkpoint is not None and checkpoint.count == 12
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE case_id = %s", [b.id])
    problem = only_problem(verify())  # no heads needed
    assert (problem.record_id, problem.kind) == (checkpoint.id, "checkpoint")
    assert "封存时 12 条，现有 9 条" in problem.reason


@pytest.mark.parametrize("which", [0, 1, 2])  # first, middle and last case in id order
def test_a_whole_history_deleted_after_the_last_checkpoint_is_caught_by_the_heads(make_case, which):
    old = make_case(50)
    old.append_many(2)
    seal_checkpoint()
    cases = [make_case(case_id) for case_id in (60, 70, 80)]
    for case in cases:
        case.append_many(3)
    victim = cases[which]
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE case_id = %s", [victim.id])
    assert verify().ok  # after the last checkpoint, only the heads can tell
    problem = only_problem(verify(heads(old, *cases)))
    assert (problem.record_id, problem.case_id, problem.kind) == (None, victim.id, "case")
    assert "整段审计记录缺失" in problem.reason


def test_a_modified_row_inside_a_checkpoint_is_also_caught_by_it(three):
    a, _, _ = three
    checkpoint = seal_checkpoint()
    assert checkpoint is not None
    target = entry(a, 1)
    with guards_dropped():
        raw("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ["0" * 64, target.id])
    report = verify()
    assert [(p.kind, p.record_id) for p in report.problems] == [
        ("entry", target.id),  # its content no longer matches its hash
        ("entry", entry(a, 2).id),  # the next one no longer links to it
        ("checkpoint", checkpoint.id),
    ]
    assert "默克尔根不符" in report.problems[-1].reason


def test_an_entry_forged_into_a_sealed_range_is_caught(make_case):
    a, b, c = make_case(1), make_case(2), make_case(3)
    a.append()
    hole = b.append()
    c.append()
    # Leave a hole in the ids (as a rolled-back transaction does on PostgreSQL), then seal.
    with guards_dropped():
        raw("DELETE FROM audit_auditentry WHERE id = %s", [hole.id])
    checkpoint = seal_checkpoint()
    assert checkpoint is not None and checkpoint.count == 2
    # Later, an entry with a perfectly valid hash is slipped into the hole.
    fields = {
        "case_id": 77, "seq": 1, "actor_id": None, "actor_name": "", "organization_id": None,
        "organization_name": "", "role": "", "action": "submit", "at": hole.at, "reason": "",
        "client_addr": "", "before": None, "after": None, "prev_hash": "",
    }  # fmt: skip
    AuditEntry(id=hole.id, hash=entry_hash(fields), **fields).save()
    problem = only_problem(verify())
    assert (problem.record_id, problem.kind) == (checkpoint.id, "checkpoint")
    assert "封存时 2 条，现有 3 条" in problem.reason


def test_checkpoint_tampering(three):
    a, _, _ = three
    first = seal_checkpoint()
    a.append("x")
    second = seal_checkpoint()
    a.append("y")
    third = seal_checkpoint()
    assert first and second and third
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    assert verify().checkpoints_checked == 3

    with guards_dropped():
        raw("UPDATE audit_auditcheckpoint SET created_at = created_at WHERE id = %s", [second.id])
        raw("UPDATE audit_auditcheckpoint SET count = 2 WHERE id = %s", [second.id])
    problem = only_problem(verify())
    assert (problem.record_id, problem.kind) == (second.id, "checkpoint")
    assert "封存点写入后被修改" in problem.reason

    with guards_dropped():
        raw("UPDATE audit_auditcheckpoint SET count = 1 WHERE id = %s", [second.id])
        raw("DELETE FROM audit_auditcheckpoint WHERE id = %s", [second.id])
    problem = only_problem(verify())
    assert problem.record_id == third.id
    assert "哈希链接断开" in problem.reason and "封存时 1 条，现有 2 条" in problem.reason


def test_entries_appended_after_the_heads_were_read_are_fine(three):
    a, b, c = three
    snapshot = heads(a, b, c)
    a.append("later")
    make_new = FakeCase(99)
    make_new.append("new case, not in the heads yet")
    assert verify(snapshot).ok


def test_heads_must_be_sorted(three):
    with pytest.raises(ValueError, match="sorted"):
        verify(list(reversed(heads(*three))))


def test_heads_of_cases_without_entries(three):
    extra = [(0, 0, ""), (2, 3, three[1].audit_head), (5, 0, ""), (500, 0, "")]
    report = verify(sorted([*heads(three[0], three[2]), *extra]))
    assert report.ok and report.heads_checked == 6


def test_problems_are_counted_beyond_the_list_limit(three):
    with guards_dropped():
        raw("UPDATE audit_auditentry SET reason = 'x'")
    report = verify(max_problems=5)
    assert report.problem_count == 12 and len(report.problems) == 5 and not report.ok


def test_progress_is_reported(three) -> None:
    calls: list[int] = []
    verify(progress=calls.append, progress_every=5)
    assert calls == [5, 10]


storable_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 4),
            st.sampled_from(["submit", "accept", "review", "decide", "seal"]),
            st.one_of(
                st.none(), st.dictionaries(st.sampled_from("abc"), st.integers() | storable_text)
            ),
        ),
        max_size=40,
    )
)
def test_any_sequence_of_appends_and_seals_verifies(db, steps):
    with transaction.atomic():
        cases = [FakeCase(case_id) for case_id in (3, 1, 4, 15, 9)]
        for index, action, payload in steps:
            if action == "seal":
                seal_checkpoint()
            else:
                cases[index].append(action, before=payload, after={"step": action})
        report = verify(heads(*cases))
        assert report.ok, report.problems
        assert report.entries_checked == sum(case.audit_seq for case in cases)
        transaction.set_rollback(True)
