"""Writing, sealing and verifying the audit log.

* :func:`append_entry` — the engine's hot path: one INSERT, no other query. The caller keeps
  the case's chain head (``audit_seq``, ``audit_head``) on the case row and passes it in, inside
  the same transaction that changes the case, so seq and prev_hash are right by construction.
* :func:`seal_checkpoint` — seals every entry written since the last checkpoint.
* :func:`verify` — recomputes everything, streaming, and lists what is broken.

Sealing and the commit-order race
---------------------------------
Entry ids are handed out when a row is inserted, but become visible when its transaction
commits, and those orders can differ: on PostgreSQL, transaction A may insert id 10, B insert
id 11 and commit first. A checkpoint sealing "everything up to the highest visible id" would then
seal 11 without 10; 10 would later appear inside a sealed range and verification would report
tampering that never happened. A grace period on ``at`` does not close this (``at`` is the
caller's clock, and a transaction may run longer than any grace period), so:

* SQLite has one writer at a time (the write lock is held from the first write to the commit),
  so ids commit in order: the highest visible id is a safe bound as it is.
* PostgreSQL: in one statement, read the highest visible id M and list the other transactions
  open in this database right now (their virtual transaction ids, from ``pg_locks``). Any
  transaction that still holds an uncommitted id ≤ M took that id before M was taken, hence
  before M's commit, hence is in that list. Wait (polling, ``wait_timeout``) until every listed
  transaction has ended, then seal (last sealed id, M]: by then each id ≤ M is committed or
  rolled back for good. Nothing is locked: appenders are never blocked, at worst sealing waits
  for a long transaction and, after ``wait_timeout``, gives up with :class:`SealBusy` (retry
  later). Sealing is idempotent and cheap to retry.

Two sealers running at once would both chain to the same predecessor; the unique
``prev_hash`` makes the second one fail (also :class:`SealBusy`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.audit.errors import SealBusy
from yiwang.audit.hashing import (
    ENTRY_HASHED_FIELDS,
    MerkleBuilder,
    check_text,
    checkpoint_hash,
    entry_hash,
    normalize_json,
)
from yiwang.audit.models import AuditCheckpoint, AuditEntry
from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.fastsql import built, insert_row

__all__ = [
    "AuditProblem",
    "VerifyReport",
    "append_entry",
    "seal_checkpoint",
    "verify",
]

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_MAX_SEQ: Final = 2_147_483_647  # PositiveIntegerField on every backend
#: The text fields and their length limits (None: unlimited), checked here because SQLite does
#: not enforce them and PostgreSQL does.
_TEXT_LIMITS: Final = {
    field.name: field.max_length
    for field in AuditEntry._meta.concrete_fields
    if field.name in ("actor_name", "organization_name", "role", "action", "reason", "client_addr")
}


# ---------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------


def append_entry(
    *,
    case_id: int,
    seq: int,
    prev_hash: str,
    at: dt.datetime,
    action: str,
    actor_id: int | None = None,
    actor_name: str = "",
    organization_id: int | None = None,
    organization_name: str = "",
    role: str = "",
    reason: str = "",
    client_addr: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append entry ``seq`` to case ``case_id``'s chain and return it (with ``id`` and ``hash``).

    ``prev_hash`` is the hash of the case's entry ``seq - 1`` ("" for ``seq == 1``); the caller
    keeps both on the case row and stores the returned ``entry.hash`` there, in the same
    transaction. Exactly one INSERT; no other query. ``before``/``after`` are JSON values and
    are stored normalised (see ``hashing.normalize_json``). Raises :class:`InvalidInput`
    (``audit.invalid_entry``) for a malformed argument; a duplicate ``(case_id, seq)`` raises
    the database's ``IntegrityError`` (two writers on one case: the caller's version check
    should have prevented it).
    """
    fields: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "organization_id": organization_id,
        "organization_name": organization_name,
        "role": role,
        "action": action,
        "at": at,
        "reason": reason,
        "client_addr": client_addr,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    problems = _entry_problems(fields)  # also normalises before/after in place
    if problems:
        raise InvalidInput("audit.invalid_entry", "审计记录的内容不符合要求", problems)
    fields["hash"] = entry_hash(fields)
    # One prepared INSERT … RETURNING id: this runs on every case step, where compiling the
    # ORM's insert cost more than executing it.
    return built(AuditEntry, {"id": insert_row(AuditEntry, fields), **fields})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entry_problems(fields: dict[str, Any]) -> list[Problem]:
    """What is wrong with the arguments of append_entry, checked in Python so that SQLite and
    PostgreSQL accept and refuse the same entries (SQLite enforces no lengths)."""
    problems: list[Problem] = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem("audit.invalid_entry", message, field=name))

    if not _is_int(fields["case_id"]) or fields["case_id"] < 1:
        bad("case_id", "办件编号必须是正整数")
    seq, prev_hash = fields["seq"], fields["prev_hash"]
    if not _is_int(seq) or not 1 <= seq <= _MAX_SEQ:
        bad("seq", "序号必须是从 1 开始的正整数")
    elif seq == 1 and prev_hash != "":
        bad("prev_hash", "第 1 条记录没有前一条，前一条哈希必须为空")
    elif seq > 1 and not (isinstance(prev_hash, str) and _HEX64.fullmatch(prev_hash)):
        bad("prev_hash", "前一条哈希必须是 64 位小写十六进制")
    at = fields["at"]
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        bad("at", "发生时间必须是带时区的时间")
    for name in ("actor_id", "organization_id"):
        if fields[name] is not None and not _is_int(fields[name]):
            bad(name, "编号必须是整数或空")
    if not fields["action"]:
        bad("action", "动作不能为空")
    for name, limit in _TEXT_LIMITS.items():
        value = fields[name]
        if not isinstance(value, str):
            bad(name, "必须是文本")
            continue
        if limit is not None and len(value) > limit:
            bad(name, f"长度不能超过 {limit} 个字符（实为 {len(value)} 个）")
        try:
            check_text(value)
        except ValueError as exc:
            bad(name, str(exc))
    for name in ("before", "after"):
        try:
            fields[name] = normalize_json(fields[name])
        except (TypeError, ValueError) as exc:
            bad(name, f"必须是可存为 JSON 的值：{exc}")
    return problems


# ---------------------------------------------------------------------------------------------
# Sealing
# ---------------------------------------------------------------------------------------------

_PG_SNAPSHOT_SQL: Final = """
SELECT (SELECT max(id) FROM audit_auditentry),
       ARRAY(
           SELECT l.virtualxid
           FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
           WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid()
             AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND a.backend_type IS DISTINCT FROM 'autovacuum worker'
       )
"""
_PG_STILL_OPEN_SQL: Final = (
    "SELECT count(*) FROM pg_locks "
    "WHERE locktype = 'virtualxid' AND granted AND virtualxid = ANY(%s)"
)


def _settled_upper_bound(wait_timeout: float) -> int | None:
    """The highest entry id below which no further entry can ever commit (see module doc)."""
    if connection.vendor == "sqlite":
        bound: int | None = AuditEntry.objects.aggregate(m=Max("id"))["m"]
        return bound
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            f"审计封存不支持数据库 {connection.vendor}（支持 SQLite 与 PostgreSQL）"
        )
    with connection.cursor() as cursor:
        cursor.execute(_PG_SNAPSHOT_SQL)
        bound, open_transactions = cursor.fetchone()
        deadline = time.monotonic() + wait_timeout
        while open_transactions:
            cursor.execute(_PG_STILL_OPEN_SQL, [list(open_transactions)])
            if cursor.fetchone()[0] == 0:
                break
            if time.monotonic() >= deadline:
                raise SealBusy(
                    f"仍有较早开始的数据库事务未结束（已等待 {wait_timeout:g} 秒），"
                    "为免漏封其间写入的审计记录，本次未封存，请稍后重试"
                )
            time.sleep(0.05)
    return bound


def seal_checkpoint(
    now: dt.datetime | None = None, *, wait_timeout: float = 10.0
) -> AuditCheckpoint | None:
    """Seal every entry written since the last checkpoint; None when there is none.

    Run it periodically, outside request transactions (``yiwang audit seal``). ``now`` becomes
    the checkpoint's ``created_at``. Raises :class:`SealBusy` when it cannot seal safely now.
    """
    last = AuditCheckpoint.objects.order_by("-id").first()
    after = last.last_entry_id if last is not None else 0
    bound = _settled_upper_bound(wait_timeout)
    if bound is None or bound <= after:
        return None
    builder = MerkleBuilder()
    first_id = last_id = 0
    rows = (
        AuditEntry.objects.filter(id__gt=after, id__lte=bound)
        .order_by("id")
        .values_list("id", "hash")
    )
    for entry_id, digest in rows.iterator(chunk_size=5000):
        first_id = first_id or entry_id
        last_id = entry_id
        builder.add(digest)
    if builder.count == 0:
        return None
    fields: dict[str, Any] = {
        "first_entry_id": first_id,
        "last_entry_id": last_id,
        "count": builder.count,
        "merkle_root": builder.root(),
        "prev_hash": last.hash if last is not None else "",
        "created_at": now or timezone.now(),
    }
    checkpoint = AuditCheckpoint(**fields, hash=checkpoint_hash(fields))
    try:
        with transaction.atomic():  # a savepoint: a lost race must not spoil the caller's work
            checkpoint.save()
    except IntegrityError as exc:
        raise SealBusy("另一封存操作刚刚完成或正在进行，本次未封存，请重试") from exc
    return checkpoint


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


class AuditProblem(NamedTuple):
    """One thing found wrong. The first three fields are ``(record id, case id, reason)``."""

    #: The entry's id (``kind == "entry"``), the checkpoint's id (``"checkpoint"``) or None
    #: (``"case"``: entries missing altogether).
    record_id: int | None
    case_id: int | None
    reason: str
    seq: int | None = None
    kind: str = "entry"

    def describe(self) -> str:
        """One line for people."""
        if self.kind == "checkpoint":
            return f"封存点 #{self.record_id}：{self.reason}"
        where = f"办件 {self.case_id}"
        if self.kind == "entry":
            where = f"审计记录 #{self.record_id}（{where}，第 {self.seq} 条）"
        return f"{where}：{self.reason}"


@dataclass
class VerifyReport:
    """What :func:`verify` checked and found. ``problems`` keeps the first ``max_problems``."""

    entries_checked: int = 0
    cases_checked: int = 0
    checkpoints_checked: int = 0
    heads_checked: int = 0
    problem_count: int = 0
    problems: list[AuditProblem] = field(default_factory=list)
    max_problems: int = 1000

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first_problem(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None

    def add(self, problem: AuditProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(problem)


class _Head(NamedTuple):
    case_id: int
    audit_seq: int
    audit_head: str


class _Heads:
    """The caller's (case_id, audit_seq, audit_head) stream, checked to be in case order."""

    def __init__(self, heads: Iterable[tuple[int, int, str]]) -> None:
        self._iterator: Iterator[tuple[int, int, str]] = iter(heads)
        self._last_case = -1
        self.peeked: _Head | None = None
        self.advance()  # runs the query now: before the entries are read (see verify())

    def advance(self) -> None:
        row = next(self._iterator, None)
        if row is None:
            self.peeked = None
            return
        head = _Head(int(row[0]), int(row[1] or 0), row[2] or "")
        if head.case_id <= self._last_case:
            raise ValueError("heads must be sorted by case id, each case once")
        self._last_case = head.case_id
        self.peeked = head


def verify(
    heads: Iterable[tuple[int, int, str]] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 100_000,
    max_problems: int = 1000,
    chunk_size: int = 2000,
) -> VerifyReport:
    """Check the whole audit log; memory does not grow with the number of entries.

    1. Every entry, in (case_id, seq) order: its hash is recomputed; each case's seqs run
       1, 2, 3 … without gap or repeat; each prev_hash is the previous entry's hash.
    2. Every checkpoint, in order: its hash is recomputed, it chains to its predecessor, and the
       entries now in its range (previous checkpoint's last_entry_id, last_entry_id] have its
       count and Merkle root — which catches removed (or added) entries and rewritten hashes
       even when a whole case history is gone.
    3. With ``heads`` — ``(case_id, audit_seq, audit_head)`` from the cases, **sorted by
       case_id** — each case's entry number ``audit_seq`` exists and has hash ``audit_head``,
       and no case with ``audit_seq > 0`` lacks it: this catches removal of the newest entries,
       or of a whole history, after the last checkpoint.

    The heads are read before the entries, so entries appended meanwhile only ever extend a
    chain beyond its head, which is not a problem. ``progress(n)`` is called every
    ``progress_every`` entries.
    """
    report = VerifyReport(max_problems=max_problems)
    head_stream = _Heads(heads) if heads is not None else None
    _verify_chains(report, head_stream, progress, progress_every, chunk_size)
    _verify_checkpoints(report, chunk_size)
    return report


def _verify_chains(
    report: VerifyReport,
    heads: _Heads | None,
    progress: Callable[[int], None] | None,
    progress_every: int,
    chunk_size: int,
) -> None:
    names = ("id", "hash", *ENTRY_HASHED_FIELDS)
    rows = AuditEntry.objects.order_by("case_id", "seq").values_list(*names)
    case_id: int | None = None
    head: _Head | None = None
    expected_seq, last_hash, last_seq = 1, "", 0

    def finish_case() -> None:
        if case_id is not None and head is not None and last_seq < head.audit_seq:
            report.add(
                AuditProblem(
                    None,
                    case_id,
                    f"末尾的审计记录缺失：办件记载共 {head.audit_seq} 条，现只到第 {last_seq} 条",
                    kind="case",
                )
            )

    def skip_heads_before(case: int | None) -> None:
        """Cases without any entry: each one that should have entries lost its whole history."""
        while heads is not None and heads.peeked is not None:
            if case is not None and heads.peeked.case_id >= case:
                return
            if heads.peeked.audit_seq > 0:
                report.add(
                    AuditProblem(
                        None,
                        heads.peeked.case_id,
                        f"整段审计记录缺失：办件记载共 {heads.peeked.audit_seq} 条，现一条也没有",
                        kind="case",
                    )
                )
            report.heads_checked += 1
            heads.advance()

    for row in rows.iterator(chunk_size=chunk_size):
        fields = dict(zip(names, row, strict=True))
        entry_id, stored_hash, seq = fields["id"], fields["hash"], fields["seq"]
        if fields["case_id"] != case_id:
            finish_case()
            case_id = fields["case_id"]
            report.cases_checked += 1
            expected_seq, last_hash, last_seq = 1, "", 0
            skip_heads_before(case_id)
            head = None
            if heads is not None and heads.peeked is not None and heads.peeked.case_id == case_id:
                head = heads.peeked
                report.heads_checked += 1
                heads.advance()

        reasons: list[str] = []
        if entry_hash(fields) != stored_hash:
            reasons.append("内容与哈希不符：记录写入后被修改")
        if seq > expected_seq:
            missing = (
                f"第 {expected_seq} 条"
                if seq == expected_seq + 1
                else f"第 {expected_seq}–{seq - 1} 条"
            )
            reasons.append(f"序号不连续：缺少{missing}（记录被删除）")
        elif seq < expected_seq:
            reasons.append(f"序号重复或倒退：应为第 {expected_seq} 条")
        elif fields["prev_hash"] != last_hash:
            reasons.append("与前一条记录的哈希链接断开：前一条记录被修改或替换")
        if head is not None and seq == head.audit_seq and stored_hash != head.audit_head:
            reasons.append("与办件记载的审计链头哈希不符")
        if reasons:
            report.add(AuditProblem(entry_id, case_id, "；".join(reasons), seq=seq))

        # After a gap, carry on from the entry found; after a repeat, keep the expected seq.
        expected_seq = max(seq + 1, expected_seq)
        last_hash, last_seq = stored_hash, max(seq, last_seq)
        report.entries_checked += 1
        if progress is not None and report.entries_checked % progress_every == 0:
            progress(report.entries_checked)
    finish_case()
    skip_heads_before(None)


def _verify_checkpoints(report: VerifyReport, chunk_size: int) -> None:
    bound = AuditCheckpoint.objects.aggregate(m=Max("last_entry_id"))["m"]
    if bound is None:
        return
    names = ("id", "hash", "first_entry_id", "last_entry_id", "count", "merkle_root")
    checkpoints = (
        AuditCheckpoint.objects.filter(last_entry_id__lte=bound)  # not those sealed meanwhile
        .order_by("id")
        .values_list(*names, "prev_hash", "created_at")
    )
    entries = (
        AuditEntry.objects.filter(id__lte=bound)
        .order_by("id")
        .values_list("id", "hash")
        .iterator(chunk_size=chunk_size)
    )
    pending = next(entries, None)
    prev_last, prev_hash = 0, ""
    for row in checkpoints.iterator(chunk_size=chunk_size):
        cp = dict(zip((*names, "prev_hash", "created_at"), row, strict=True))
        report.checkpoints_checked += 1
        reasons: list[str] = []
        if checkpoint_hash(cp) != cp["hash"]:
            reasons.append("内容与哈希不符：封存点写入后被修改")
        if cp["prev_hash"] != prev_hash:
            reasons.append("与前一封存点的哈希链接断开：封存点被删除或替换")
        if not prev_last < cp["first_entry_id"] <= cp["last_entry_id"]:
            reasons.append("封存范围与前一封存点重叠或颠倒")

        builder, first_seen = MerkleBuilder(), None
        while pending is not None and pending[0] <= cp["last_entry_id"]:
            if pending[0] > prev_last:  # only with overlapping ranges can it be ≤
                first_seen = first_seen or pending[0]
                builder.add(pending[1])
            pending = next(entries, None)
        if builder.count != cp["count"]:
            reasons.append(
                f"封存范围内的记录数不符：封存时 {cp['count']} 条，现有 {builder.count} 条"
                "（记录被删除或插入）"
            )
        elif builder.root() != cp["merkle_root"]:
            reasons.append("封存范围内记录的默克尔根不符：记录或其哈希被改写")
        elif first_seen != cp["first_entry_id"]:
            reasons.append("封存范围的首条记录不符")
        if reasons:
            report.add(AuditProblem(cp["id"], None, "；".join(reasons), kind="checkpoint"))
        prev_last, prev_hash = max(prev_last, cp["last_entry_id"]), cp["hash"]
