"""Benchmark of the approval engine against SpiffWorkflow 3.x and a hand-written SQL floor.

    uv run --with 'SpiffWorkflow==3.*' python bench/engine/bench_engine.py --cases 2000 \
        [--database sqlite|postgres] [--prefill N] [--only yiwang,spiff,floor] [--flatness]

One run measures, side by side, on the same database engine with the same durability settings
(SQLite: WAL, synchronous=NORMAL, IMMEDIATE transactions; PostgreSQL: stock, synchronous_commit
on), the workload of ``/work/shared/reference/peer-figures.md``: per 20 cases 1 refused at
acceptance, 2 with one supplement loop, 3 denied, 14 approved; every case submitted first, then
driven round-robin one step per open case until all are finished; every step a stateless round
trip (load, apply, write state + one audit row, commit). Configurations:

- ``yiwang``: ``yiwang.cases.services.submit`` and ``perform`` exactly as a web request calls
  them, on a fresh database (migrated, ``seed_demo``), item SF-LS-003 at 河南省司法厅, documents
  numbered and stored in the step but rendered lazily (``YIWANG_RENDER_DOCUMENTS_INLINE=0``).
- ``spiff``: SpiffWorkflow 3.x running ``bench/engine/approval.bpmn``, the workflow JSON in a
  table, plain DB-API (sqlite3 / psycopg). Two modes: ``spiff-once`` (definition stored once in
  its own table and restored once per process, instances hold only their state: the faster
  configuration) and ``spiff-inline`` (SpiffWorkflow's default: the definition inside every
  instance's JSON).
- ``floor``: one compare-and-set UPDATE + one audit INSERT per step, nothing else.

``--prefill N`` first inserts N finished cases (cloned from cases made by the real services,
hash-chained with the audit app's own hash function) into yiwang's database; ``--flatness`` runs
the workload after prefilling to 1,000 and again after prefilling to 100,000 finished cases.

Named bench_*.py so that pytest (which collects test_*.py) never runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cryptography.hazmat.primitives import hashes
from harness import django_on_fresh_database, machine, pg_url_with_db  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BPMN_FILE = HERE / "approval.bpmn"
RESULTS_DIR = ROOT / "bench" / "results"

TARGET_PEER_RATIO = 5.0  # ours ≥ 5 × the peer's steps/s, audit chain on
TARGET_FLOOR_SHARE = 0.25  # ours ≥ 25 % of the floor's steps/s

ITEM_CODE = "SF-LS-003"  # 律师执业证书注销: province accepts, reviews, decides, delivers
PROVINCE_CREDIT_CODE = "1141000000002001X5"  # 河南省司法厅
USERS = {
    "applicant": "zhang.wei",
    "window_clerk": "henan.clerk",
    "handler": "henan.handler",
    "leader": "henan.leader",
}

# --- The workload ------------------------------------------------------------------------------

REFUSED, SUPPLEMENT, DENIED, APPROVED = "refused", "supplement", "denied", "approved"
# Per 20 cases: 1 refused at acceptance, 2 with one supplement loop, 3 denied, 14 approved.
MIX = (
    REFUSED, APPROVED, SUPPLEMENT, APPROVED, DENIED, APPROVED, APPROVED, APPROVED, APPROVED,
    DENIED, APPROVED, SUPPLEMENT, APPROVED, APPROVED, APPROVED, DENIED, APPROVED, APPROVED,
    APPROVED, APPROVED,
)  # fmt: skip
assert Counter(MIX) == {REFUSED: 1, SUPPLEMENT: 2, DENIED: 3, APPROVED: 14}

REFUSE_REASON = "申请人不属于本机关审核颁证的律师，依法应向原审核颁证机关申请"
DENY_REASON = "申请人尚有未办结的承办业务且未作出妥善安排，不符合注销条件"
SUPPLEMENT_MATERIALS = [
    {"material": "注销事由证明材料", "problem": "解除聘用关系证明未加盖律师事务所公章"}
]
# The corrected file the applicant uploads before handing a supplement in (checked by content).
SUPPLIED_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The application form of SF-LS-003 as the catalogue defines it (checked on submission).
FORM_DATA = {
    "licence_no": "14101201810123456",
    "firm_name": "河南中原正道律师事务所",
    "reason": "本人不愿继续执业",
    "reason_detail": "本人因个人原因不再从事律师职业，申请注销执业证书",
    "cases_settled": True,
}


@dataclass(frozen=True)
class Move:
    """One persisted step of the workload, in yiwang's terms."""

    action: str
    role: str
    params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def kind_of(i: int) -> str:
    return MIX[i % len(MIX)]


def our_moves(kind: str) -> list[Move]:
    """yiwang's process: submit, accept (or refuse / supplement loop), review, decide, conclude, deliver."""
    moves = [Move("submit", "applicant")]
    if kind == REFUSED:
        return moves + [Move("refuse", "window_clerk", reason=REFUSE_REASON)]
    if kind == SUPPLEMENT:
        moves += [
            Move("request_supplement", "window_clerk", {"materials": SUPPLEMENT_MATERIALS}),
            Move("supply_supplement", "applicant"),
        ]
    deny = kind == DENIED
    return moves + [
        Move("accept", "window_clerk"),
        Move("review", "handler"),
        Move(
            "decide",
            "leader",
            {"decision": "deny" if deny else "approve"},
            DENY_REASON if deny else "",
        ),  # fmt: skip
        Move("conclude", "window_clerk"),
        Move("deliver", "window_clerk", {"method": "online"}),
    ]


def expected_end(kind: str) -> tuple[str, str]:
    """(status, outcome) every case of this kind must end in."""
    if kind == REFUSED:
        return "refused", "refused"
    return "delivered", "denied" if kind == DENIED else "approved"


# The peer's process has no separate "conclude" step: its Deliver follows Decide directly.
PEER_TASKS = {
    "refuse": ("Accept", lambda m: {"acceptance": "reject", "reason": m.reason}),
    "request_supplement": (
        "Accept",
        lambda m: {"acceptance": "supplement", "materials": m.params["materials"]},
    ),
    "supply_supplement": ("Supply", lambda m: {"supplied": ["注销事由证明材料"]}),
    "accept": ("Accept", lambda m: {"acceptance": "accept"}),
    "review": ("Review", lambda m: {}),
    "decide": ("Decide", lambda m: {"decision": m.params["decision"], "reason": m.reason}),
    "deliver": ("Deliver", lambda m: {"method": m.params["method"]}),
}


def peer_moves(kind: str) -> list[Move]:
    return [m for m in our_moves(kind) if m.action != "conclude"]


# --- Measuring ---------------------------------------------------------------------------------


def percentile(sorted_values: list[int], q: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0
    index = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[index]


class Recorder:
    """Per-step times (perf_counter_ns) and SQL statements, with a progress line every ~10 %."""

    def __init__(self, name: str, total_steps: int, *, quiet: bool = False) -> None:
        self.name = name
        self.quiet = quiet
        self.total = total_steps
        self.times: list[int] = []
        self.by_action: dict[str, list[int]] = defaultdict(list)
        self.statements: Counter[str] = Counter()
        self.statements_by_action: Counter[str] = Counter()
        self.current_action = ""
        self.started = time.perf_counter_ns()
        self.next_report = max(1, total_steps // 10)
        self.wall_ns = 0
        # Requests between steps (an applicant's upload before handing a supplement in) are
        # neither timed nor counted: their time is taken out of the wall, their statements skipped.
        self.counting = True
        self.excluded_ns = 0

    def statement(self, sql: str) -> None:
        if not self.counting:
            return
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.statements[verb] += 1
        if verb not in ("BEGIN", "COMMIT"):
            self.statements_by_action[self.current_action] += 1

    def add(self, action: str, ns: int) -> None:
        self.times.append(ns)
        self.by_action[action].append(ns)
        done = len(self.times)
        if not self.quiet and (done >= self.next_report or done == self.total):
            elapsed = (time.perf_counter_ns() - self.started - self.excluded_ns) / 1e9
            print(
                f"  [{self.name}] {done:>7,}/{self.total:,} steps ({100 * done / self.total:3.0f} %)"
                f"  {elapsed:7.1f} s  {done / elapsed:8.0f} steps/s",
                flush=True,
            )
            self.next_report += max(1, self.total // 10)

    def finish(self) -> None:
        self.wall_ns = time.perf_counter_ns() - self.started - self.excluded_ns

    def summary(self, cases: int) -> dict[str, Any]:
        ordered = sorted(self.times)
        steps = len(ordered)
        wall = self.wall_ns / 1e9
        data_statements = sum(n for v, n in self.statements.items() if v not in ("BEGIN", "COMMIT"))
        per_action = {}
        for action, values in self.by_action.items():
            values = sorted(values)
            per_action[action] = {
                "steps": len(values),
                "ms_p50": percentile(values, 0.50) / 1e6,
                "ms_p99": percentile(values, 0.99) / 1e6,
                "statements_per_step": self.statements_by_action[action] / len(values),
            }
        return {
            "cases": cases,
            "steps": steps,
            "steps_per_case": steps / cases,
            "wall_s": wall,
            "steps_per_s": steps / wall,
            "cases_per_s": cases / wall,
            "ms_p50": percentile(ordered, 0.50) / 1e6,
            "ms_p90": percentile(ordered, 0.90) / 1e6,
            "ms_p99": percentile(ordered, 0.99) / 1e6,
            "ms_max": ordered[-1] / 1e6,
            "ms_mean": sum(ordered) / steps / 1e6,
            "statements_per_step": data_statements / steps,
            "statements_by_verb": dict(self.statements),
            "per_action": per_action,
        }


def drive(
    recorder: Recorder,
    moves: list[list[Move]],
    step: Callable[[int, Any, Move], Any],
    between: Callable[[Any, Move], None] | None = None,
) -> None:
    """All cases submitted first, then round-robin one step per open case until all are done.

    ``between`` runs before a step, untimed and uncounted: what another request does first."""
    handles: list[Any] = [None] * len(moves)
    clock = time.perf_counter_ns
    for i, case_moves in enumerate(moves):
        move = case_moves[0]
        recorder.current_action = move.action
        t0 = clock()
        handles[i] = step(i, None, move)
        recorder.add(move.action, clock() - t0)
    position = [1] * len(moves)
    open_cases = [i for i in range(len(moves)) if len(moves[i]) > 1]
    while open_cases:
        still_open = []
        for i in open_cases:
            move = moves[i][position[i]]
            if between is not None:
                t0 = clock()
                recorder.counting = False
                between(handles[i], move)
                recorder.counting = True
                recorder.excluded_ns += clock() - t0
            recorder.current_action = move.action
            t0 = clock()
            handles[i] = step(i, handles[i], move)
            recorder.add(move.action, clock() - t0)
            position[i] += 1
            if position[i] < len(moves[i]):
                still_open.append(i)
        open_cases = still_open
    recorder.finish()


class BenchFailure(RuntimeError):
    pass


# --- Audit rows of the peer and the floor (same shape as yiwang's) ----------------------------


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def audit_row_hash(row: dict[str, Any]) -> str:
    """SM3 over the canonical JSON of every field but id and hash, as yiwang.audit.hashing does."""
    return sm3_hex(
        json.dumps(
            row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    )


# --- Plain DB-API databases for the peer and the floor -----------------------------------------


class RawDB:
    """One DB-API connection with the same durability as yiwang's; counts the statements it runs."""

    def __init__(self, kind: str, target: str) -> None:
        self.kind = kind
        self.recorder: Recorder | None = None
        if kind == "sqlite":
            self.conn: Any = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            # The same PRAGMAs as yiwang's settings.DATABASES (WAL, synchronous=NORMAL).
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                self.conn.execute(pragma)
            self.json_type = "TEXT"
            self.id_type = "INTEGER PRIMARY KEY"
        else:
            import psycopg

            # Server-side binding, statements prepared after 5 runs: as yiwang's settings.
            self.conn = psycopg.connect(target, autocommit=False)
            self.json_type = "JSONB"
            self.id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def _sql(self, sql: str) -> str:
        return sql if self.kind == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        if self.recorder is not None:
            self.recorder.statement(sql)
        if self.kind == "sqlite":
            return self.conn.execute(sql, tuple(params))
        cursor = self.conn.cursor()
        cursor.execute(self._sql(sql), tuple(params))
        return cursor

    def begin(self) -> None:
        # SQLite: IMMEDIATE, as yiwang's settings; psycopg opens the transaction implicitly.
        if self.kind == "sqlite":
            self.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.kind == "sqlite":
            self.execute("COMMIT")
        else:
            if self.recorder is not None:
                self.recorder.statement("COMMIT")
            self.conn.commit()

    def ddl(self, statements: Iterable[str]) -> None:
        for sql in statements:
            if self.kind == "sqlite":
                self.conn.execute(sql)
            else:
                self.conn.execute(sql)
        if self.kind != "sqlite":
            self.conn.commit()

    def table_bytes(self, tables: Iterable[str]) -> int:
        return table_bytes(self.kind, self.conn, list(tables))

    def close(self) -> None:
        self.conn.close()


def table_bytes(kind: str, conn: Any, tables: list[str]) -> int:
    """Bytes the tables and their indexes occupy (SQLite: dbstat pages; PostgreSQL: relation size)."""
    if kind == "sqlite":
        marks = ",".join("?" * len(tables))
        names = [
            row[0]
            for row in conn.execute(
                f"SELECT name FROM sqlite_master WHERE tbl_name IN ({marks})", tables
            )
        ]
        marks = ",".join("?" * len(names))
        row = conn.execute(
            f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ({marks})", names
        ).fetchone()
        return int(row[0])
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "WHERE c.relname = ANY(%s) AND c.relkind = 'r'",
            (tables,),
        )
        return int(cursor.fetchone()[0])


def audit_ddl(db: RawDB, table: str, case_table: str) -> list[str]:
    """An audit table of the same shape as yiwang's audit_auditentry (same columns, types,
    unique (case_id, seq) index and seq check; JSON checked as Django's JSONField does)."""
    if db.kind == "sqlite":
        ts = "DATETIME"
        before = "TEXT NULL CHECK ((JSON_VALID(before) OR before IS NULL))"
        after = "TEXT NULL CHECK ((JSON_VALID(after) OR after IS NULL))"
    else:
        ts = "TIMESTAMPTZ"
        before, after = "JSONB NULL", "JSONB NULL"
    return [
        f"DROP TABLE IF EXISTS {table}",
        f"""CREATE TABLE {table} (
            id {db.id_type},
            case_id BIGINT NOT NULL REFERENCES {case_table}(id),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            actor_id BIGINT NULL,
            actor_name VARCHAR(150) NOT NULL,
            organization_id BIGINT NULL,
            organization_name VARCHAR(200) NOT NULL,
            role VARCHAR(64) NOT NULL,
            action VARCHAR(64) NOT NULL,
            at {ts} NOT NULL,
            reason TEXT NOT NULL,
            client_addr TEXT NOT NULL,
            before {before},
            after {after},
            prev_hash VARCHAR(64) NOT NULL,
            hash VARCHAR(64) NOT NULL,
            UNIQUE (case_id, seq)
        )""",
    ]


ACTORS = {  # (actor id, name, organization id, organization name) for the audit rows
    "applicant": (101, "张伟", None, ""),
    "window_clerk": (11, "王丽", 1, "河南省司法厅"),
    "handler": (12, "李建华", 1, "河南省司法厅"),
    "leader": (14, "刘秀英", 1, "河南省司法厅"),
}


def insert_audit(
    db: RawDB,
    table: str,
    case_id: int,
    seq: int,
    prev_hash: str,
    action: str,
    role: str,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> str:
    """One audit row, hashed like yiwang's (SM3 over the canonical JSON of the row); its hash."""
    actor_id, actor_name, org_id, org_name = ACTORS[role]
    now = dt.datetime.now(dt.UTC)
    row = {
        "case_id": case_id, "seq": seq, "actor_id": actor_id, "actor_name": actor_name,
        "organization_id": org_id, "organization_name": org_name, "role": role,
        "action": action, "at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "reason": reason,
        "client_addr": "127.0.0.1", "before": before, "after": after, "prev_hash": prev_hash,
    }  # fmt: skip
    digest = audit_row_hash(row)
    db.execute(
        f"INSERT INTO {table} (case_id, seq, actor_id, actor_name, organization_id,"
        " organization_name, role, action, at, reason, client_addr, before, after, prev_hash,"
        " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            case_id, seq, actor_id, actor_name, org_id, org_name, role, action,
            now if db.kind != "sqlite" else now.isoformat(sep=" "), reason, "127.0.0.1",
            json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False),
            prev_hash, digest,
        ),
    )  # fmt: skip
    return digest


# --- The SQL floor -----------------------------------------------------------------------------

FLOOR_NEXT = {  # action -> (status, outcome) after it; decided trivially in Python
    "submit": ("submitted", ""),
    "refuse": ("refused", "refused"),
    "request_supplement": ("supplement", ""),
    "supply_supplement": ("submitted", ""),
    "accept": ("in_progress", ""),
    "review": ("in_progress", ""),
    "conclude": ("concluded", None),
    "deliver": ("delivered", None),
}


class Floor:
    """One compare-and-set UPDATE + one audit INSERT per step, commit per step."""

    def __init__(self, db: RawDB, prefix: str) -> None:
        self.db = db
        self.case_table = f"{prefix}floor_case"
        self.audit_table = f"{prefix}floor_audit"
        self.db.ddl(
            [f"DROP TABLE IF EXISTS {self.audit_table}", f"DROP TABLE IF EXISTS {self.case_table}"]
            + [
                f"""CREATE TABLE {self.case_table} (
                    id {db.id_type},
                    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
                    status VARCHAR(12) NOT NULL,
                    outcome VARCHAR(10) NOT NULL,
                    version INTEGER NOT NULL,
                    audit_seq INTEGER NOT NULL,
                    audit_head VARCHAR(64) NOT NULL
                )"""
            ]
            + audit_ddl(db, self.audit_table, self.case_table)[1:]
        )
        # In-memory view of each case: (status, outcome, version, audit seq, audit head).
        self.state: dict[int, list[Any]] = {}

    def step(self, i: int, case_id: int | None, move: Move) -> int:
        db = self.db
        db.begin()
        if move.action == "submit":
            case_id = db.execute(
                f"INSERT INTO {self.case_table} (idempotency_key, status, outcome, version,"
                " audit_seq, audit_head) VALUES (?, 'submitted', '', 1, 0, '') RETURNING id",
                (f"floor-{i}",),
            ).fetchone()[0]
            head = insert_audit(db, self.audit_table, case_id, 1, "", "submit", move.role, "",
                                {}, {"status": "submitted"})  # fmt: skip
            # (the case row's audit columns are set by the next UPDATE, as yiwang's submit does)
            self.state[case_id] = ["submitted", "", 1, 1, head]
            db.commit()
            return case_id
        assert case_id is not None
        status, outcome, version, seq, head = self.state[case_id]
        if move.action == "decide":
            new_status = "in_progress"
            new_outcome = "approved" if move.params["decision"] == "approve" else "denied"
        else:
            new_status, maybe_outcome = FLOOR_NEXT[move.action]
            new_outcome = outcome if maybe_outcome is None else maybe_outcome
        head = insert_audit(
            db, self.audit_table, case_id, seq + 1, head, move.action, move.role, move.reason,
            {"status": status, "outcome": outcome},
            {"status": new_status, "outcome": new_outcome, **move.params},
        )  # fmt: skip
        written = db.execute(
            f"UPDATE {self.case_table} SET status = ?, outcome = ?, version = version + 1,"
            " audit_seq = ?, audit_head = ? WHERE id = ? AND version = ?",
            (new_status, new_outcome, seq + 1, head, case_id, version),
        ).rowcount
        if written != 1:
            raise BenchFailure(f"floor: lost compare-and-set on case {case_id}")
        db.commit()
        self.state[case_id] = [new_status, new_outcome, version + 1, seq + 1, head]
        return case_id

    def check(self, handles: dict[int, int]) -> None:
        rows = dict(
            (row[0], (row[1], row[2]))
            for row in self.db.execute(f"SELECT id, status, outcome FROM {self.case_table}")
        )
        self.db.commit() if self.db.kind != "sqlite" else None
        wrong = [
            i for i, case_id in handles.items() if rows.get(case_id) != expected_end(kind_of(i))
        ]
        if wrong:
            raise BenchFailure(f"floor: {len(wrong)} cases ended wrong, e.g. case #{wrong[0]}")

    def tables(self) -> list[str]:
        return [self.case_table, self.audit_table]


# --- The peer: SpiffWorkflow 3.x ---------------------------------------------------------------


class SpiffPeer:
    """SpiffWorkflow 3.x: each step loads the instance JSON, deserializes, completes the ready
    task, serializes, updates the row and inserts an audit row, in one transaction."""

    def __init__(self, db: RawDB, prefix: str, mode: str) -> None:
        try:
            from SpiffWorkflow.bpmn import BpmnWorkflow
            from SpiffWorkflow.bpmn.parser import BpmnParser
            from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
            from SpiffWorkflow.util.task import TaskState
        except ImportError as exc:  # pragma: no cover - depends on how it is run
            raise SystemExit(
                "SpiffWorkflow is not installed: run with "
                "`uv run --with 'SpiffWorkflow==3.*' python bench/engine/bench_engine.py ...` "
                "or pass --only yiwang,floor"
            ) from exc
        self.db = db
        self.mode = mode
        self.BpmnWorkflow = BpmnWorkflow
        self.READY = TaskState.READY
        self.COMPLETED = TaskState.COMPLETED
        self.case_table = f"{prefix}spiff_case"
        self.audit_table = f"{prefix}spiff_audit"
        self.spec_table = f"{prefix}spiff_spec"
        self.db.ddl(
            [
                f"DROP TABLE IF EXISTS {self.audit_table}",
                f"DROP TABLE IF EXISTS {self.case_table}",
                f"DROP TABLE IF EXISTS {self.spec_table}",
                f"""CREATE TABLE {self.spec_table} (
                    id {db.id_type},
                    process_id VARCHAR(100) NOT NULL,
                    serialization TEXT NOT NULL
                )""",
                f"""CREATE TABLE {self.case_table} (
                    id {db.id_type},
                    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
                    spec_id BIGINT REFERENCES {self.spec_table}(id),
                    status VARCHAR(20) NOT NULL,
                    version INTEGER NOT NULL,
                    audit_seq INTEGER NOT NULL,
                    audit_head VARCHAR(64) NOT NULL,
                    workflow TEXT NOT NULL
                )""",
            ]
            + audit_ddl(db, self.audit_table, self.case_table)[1:]
        )
        # Deployment (not timed): parse the BPMN once.
        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN_FILE))
        self.parsed_spec = parser.get_spec("approval")
        self.parsed_subprocesses = parser.get_subprocess_specs("approval")
        self.inline_serializer = BpmnWorkflowSerializer()
        self.spec_cache: dict[str, tuple[Any, Any]] = {}
        if mode == "spiff-once":
            spec_json = json.dumps(
                {
                    "spec": self.inline_serializer.to_dict(self.parsed_spec),
                    "subprocess_specs": {
                        k: self.inline_serializer.to_dict(v)
                        for k, v in self.parsed_subprocesses.items()
                    },
                }
            )
            self.spec_id = db.execute(
                f"INSERT INTO {self.spec_table} (process_id, serialization) VALUES (?, ?)"
                " RETURNING id",
                ("approval", spec_json),
            ).fetchone()[0]
            db.commit() if db.kind != "sqlite" else None
            self.serializer = self._spec_once_serializer()
        else:
            self.spec_id = None
            self.serializer = self.inline_serializer
        self.json_bytes: dict[int, int] = {}

    # The "definition stored once" configuration: the instance JSON names its definition (the
    # row of the spec table); the definition is restored from that row once per process and
    # shared by every instance, as a published definition is immutable (yiwang likewise caches
    # its definitions per process).
    def _spec_once_serializer(self) -> Any:
        from uuid import UUID

        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
        from SpiffWorkflow.bpmn.serializer.default.workflow import (
            BpmnWorkflowConverter,
            WorkflowConverter,
        )

        peer = self

        class SpecOnceWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
            def to_dict(self, workflow: Any) -> dict[str, Any]:
                dct = WorkflowConverter.to_dict(self, workflow)
                dct["spec"] = workflow.spec_ref
                dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
                dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
                return dct

            def from_dict(self, dct: dict[str, Any]) -> Any:
                ref = dct.pop("spec")
                spec, subprocess_specs = peer.spec_for(ref)
                workflow = self.target_class(spec, subprocess_specs, deserializing=True)
                workflow.spec_ref = ref
                workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
                workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
                self.set_default_attributes(workflow, dct)
                self.subprocesses_from_dict(dct["subprocesses"], workflow)
                workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
                return workflow

        config = dict(DEFAULT_CONFIG)
        config[self.BpmnWorkflow] = SpecOnceWorkflowConverter
        return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))

    def spec_for(self, ref: str) -> tuple[Any, Any]:
        cached = self.spec_cache.get(ref)
        if cached is None:
            row = self.db.execute(
                f"SELECT serialization FROM {self.spec_table} WHERE id = ?", (int(ref),)
            ).fetchone()
            stored = json.loads(row[0])
            registry = self.inline_serializer.registry
            cached = (
                registry.restore(stored["spec"]),
                {k: registry.restore(v) for k, v in stored["subprocess_specs"].items()},
            )
            self.spec_cache[ref] = cached
        return cached

    def _new_workflow(self) -> Any:
        if self.mode == "spiff-once":
            ref = str(self.spec_id)
            spec, subprocess_specs = self.spec_for(ref)
            workflow = self.BpmnWorkflow(spec, subprocess_specs)
            workflow.spec_ref = ref
        else:
            workflow = self.BpmnWorkflow(self.parsed_spec, self.parsed_subprocesses)
        return workflow

    def _status(self, workflow: Any) -> str:
        if workflow.is_completed():
            ended = workflow.get_tasks(spec_name="End_refused", state=self.COMPLETED)
            return "refused" if ended else "delivered"
        ready = workflow.get_tasks(state=self.READY, manual=True)
        return ready[0].task_spec.name if ready else "waiting"

    def step(self, i: int, case_id: int | None, move: Move) -> int:
        db = self.db
        db.begin()
        if move.action == "submit":
            workflow = self._new_workflow()
            workflow.data["form"] = FORM_DATA
            workflow.do_engine_steps()
            status = self._status(workflow)
            serialized = self.serializer.serialize_json(workflow)
            case_id = db.execute(
                f"INSERT INTO {self.case_table} (idempotency_key, spec_id, status, version,"
                " audit_seq, audit_head, workflow) VALUES (?, ?, ?, 1, 0, '', ?) RETURNING id",
                (f"spiff-{i}", self.spec_id, status, serialized),
            ).fetchone()[0]
            head = insert_audit(db, self.audit_table, case_id, 1, "", "submit", move.role, "",
                                {}, {"status": status})  # fmt: skip
            db.execute(
                f"UPDATE {self.case_table} SET audit_seq = 1, audit_head = ? WHERE id = ?",
                (head, case_id),
            )
            db.commit()
            return case_id
        assert case_id is not None
        version, seq, head, serialized = db.execute(
            f"SELECT version, audit_seq, audit_head, workflow FROM {self.case_table} WHERE id = ?",
            (case_id,),
        ).fetchone()
        workflow = self.serializer.deserialize_json(serialized)
        task_name, data_for = PEER_TASKS[move.action]
        ready = workflow.get_tasks(state=self.READY, manual=True)
        if len(ready) != 1 or ready[0].task_spec.name != task_name:
            raise BenchFailure(f"spiff: case {case_id} expected {task_name}, ready: {ready}")
        task = ready[0]
        if task.task_spec.lane != move.role:
            raise BenchFailure(f"spiff: {move.role} may not complete {task_name}")
        before = {"status": task_name}
        data = data_for(move)
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        status = self._status(workflow)
        serialized = self.serializer.serialize_json(workflow)
        new_head = insert_audit(
            db, self.audit_table, case_id, seq + 1, head, move.action, move.role, move.reason,
            before, {"status": status, **data},
        )  # fmt: skip
        written = db.execute(
            f"UPDATE {self.case_table} SET workflow = ?, status = ?, version = version + 1,"
            " audit_seq = ?, audit_head = ? WHERE id = ? AND version = ?",
            (serialized, status, seq + 1, new_head, case_id, version),
        ).rowcount
        if written != 1:
            raise BenchFailure(f"spiff: lost compare-and-set on case {case_id}")
        db.commit()
        self.json_bytes[case_id] = len(serialized.encode())
        return case_id

    def check(self, handles: dict[int, int]) -> None:
        """Every instance completed, at the right end event, with the right decision."""
        rows = {
            row[0]: (row[1], row[2])
            for row in self.db.execute(f"SELECT id, status, workflow FROM {self.case_table}")
        }
        self.db.commit() if self.db.kind != "sqlite" else None
        wrong = []
        for i, case_id in handles.items():
            kind = kind_of(i)
            status, serialized = rows[case_id]
            workflow = self.serializer.deserialize_json(serialized)
            decision = workflow.get_data("decision")
            ok = workflow.is_completed() and status == expected_end(kind)[0]
            if kind != REFUSED:
                ok = ok and decision == ("deny" if kind == DENIED else "approve")
            if not ok:
                wrong.append(i)
        if wrong:
            raise BenchFailure(f"spiff: {len(wrong)} cases ended wrong, e.g. case #{wrong[0]}")

    def tables(self) -> list[str]:
        return [self.case_table, self.audit_table, self.spec_table]


def run_raw(
    name: str,
    maker: Callable[[], Any],
    db: RawDB,
    n_cases: int,
    moves_of: Callable[[str], list[Move]],
) -> dict[str, Any]:
    engine = maker()
    moves = [moves_of(kind_of(i)) for i in range(n_cases)]
    before = db.table_bytes(engine.tables())
    if db.kind != "sqlite":
        db.conn.commit()
    recorder = Recorder(name, sum(len(m) for m in moves))
    db.recorder = recorder
    handles: dict[int, int] = {}

    def step(i: int, handle: Any, move: Move) -> Any:
        handle = engine.step(i, handle, move)
        handles[i] = handle
        return handle

    gc.collect()
    drive(recorder, moves, step)
    db.recorder = None
    engine.check(handles)
    after = db.table_bytes(engine.tables())
    if db.kind != "sqlite":
        db.conn.commit()
    result = recorder.summary(n_cases)
    result["bytes_per_case"] = (after - before) / n_cases
    if isinstance(engine, SpiffPeer):
        sizes = list(engine.json_bytes.values())
        result["workflow_json_bytes_per_case"] = sum(sizes) / len(sizes)
    result["end_states_checked"] = n_cases
    return result


# --- yiwang's own SQL, replayed without the application -----------------------------------------


class Replay:
    """Every statement yiwang sent in each step of its run (SQL, parameters as bound), to be
    replayed on a copy of the database yiwang started from: the same rows, indexes, letters
    and commits, with no application code between them. What is left is the part of a step
    that is the database's, which no application code on this schema can go below."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.steps: list[tuple[str, list[tuple[str, Any, bool]]]] = []

    def next_step(self, action: str) -> None:
        self.steps.append((action, []))

    def statement(self, sql: str, params: Any, many: bool) -> None:
        # Only kept here, inside the timed step; converted for the driver after the run.
        if self.steps:
            self.steps[-1][1].append((sql, params, many))

    def prepared(self) -> list[tuple[str, list[tuple[str, Any, bool]]]]:
        """The steps with each statement as the driver takes it (SQLite: Django's own
        format-to-qmark conversion), so that the replay times the database only."""
        from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

        steps = []
        for action, statements in self.steps:
            converted = []
            for sql, params, many in statements:
                if self.kind == "sqlite":
                    if isinstance(params, dict):
                        sql = sql % {name: f":{name}" for name in params}
                    else:
                        sql = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
                converted.append((sql, () if params is None else params, many))
            steps.append((action, converted))
        return steps


def snapshot_ours(env: Environment) -> str:
    """A copy of yiwang's database as it is now (before its run): a file or a database name."""
    from django.db import connection, connections

    if env.database == "sqlite":
        target = str(env.tmp / "yiwang-replay.sqlite3")
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    import psycopg

    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the source without sessions
    name = f"{env.dbname}_replay"
    with psycopg.connect(env.pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{env.dbname}"')
    env.extra_databases.append(name)
    return pg_url_with_db(env.pg_admin_url, name)


def run_replay(env: Environment, target: str, replay: Replay, n_cases: int) -> dict[str, Any]:
    """Replay yiwang's statements step by step, one commit a step, on the copy; check that the
    copy ends with the same rows as yiwang's database."""
    db = RawDB(env.database, target)
    before = db.table_bytes(OUR_TABLES)
    if db.kind != "sqlite":
        db.conn.commit()
    steps = replay.prepared()
    recorder = Recorder("yiwang-sql", len(steps))
    clock = time.perf_counter_ns
    gc.collect()
    for action, statements in steps:
        recorder.current_action = action
        t0 = clock()
        for sql, params, many in statements:
            recorder.statement(sql)
            if db.kind == "sqlite":
                if many:
                    db.conn.executemany(sql, params)
                else:
                    db.conn.execute(sql, params)
            else:
                with db.conn.cursor() as cursor:
                    if many:
                        cursor.executemany(sql, params)
                    else:
                        cursor.execute(sql, params)
        if db.kind != "sqlite" or db.conn.in_transaction:
            db.conn.commit()
        recorder.add(action, clock() - t0)
    recorder.finish()
    after = db.table_bytes(OUR_TABLES)
    replayed = _our_row_counts(db.conn)
    db.close()
    from django.db import connection

    connection.ensure_connection()
    original = _our_row_counts(connection.connection)
    if replayed != original:
        raise BenchFailure(f"yiwang-sql: the replay ended with {replayed}, yiwang with {original}")
    result = recorder.summary(n_cases)
    result["bytes_per_case"] = (after - before) / n_cases
    result["end_states_checked"] = n_cases
    return result


def _our_row_counts(conn: Any) -> tuple[Any, ...]:
    cursor = conn.cursor()
    cursor.execute(
        "SELECT (SELECT count(*) FROM cases_case), (SELECT sum(audit_seq) FROM cases_case),"
        " (SELECT count(*) FROM audit_auditentry), (SELECT count(*) FROM documents_document),"
        " (SELECT max(hash) FROM audit_auditentry)"
    )
    row = tuple(cursor.fetchone())
    cursor.close()
    if not isinstance(conn, sqlite3.Connection):
        conn.commit()
    return row


# --- yiwang: Django, the real services ---------------------------------------------------------


class Environment:
    """A fresh database for one benchmark process: SQLite files in a temp dir or a throwaway
    PostgreSQL database ``yiwang_bench_<pid>``; Django configured on it before setup."""

    def __init__(self, database: str, keep: bool) -> None:
        self.database = database
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="yiwang-bench-"))
        self.pg_admin_url = ""
        self.pg_url = ""
        self.dbname = ""
        self.extra_databases: list[str] = []
        self.django_ready = False
        if database == "postgres":
            admin = os.environ.get("BENCH_PG_URL", "")
            if not admin:
                raise SystemExit(
                    "--database postgres needs BENCH_PG_URL, e.g. "
                    "postgres://yiwang_bench:yiwang_bench@127.0.0.1:5432/postgres "
                    "(a role with CREATEDB; see bench/engine/README.md)"
                )
            import psycopg

            self.pg_admin_url = admin
            self.dbname = f"yiwang_bench_{os.getpid()}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
                conn.execute(f'CREATE DATABASE "{self.dbname}"')
            self.pg_url = pg_url_with_db(admin, self.dbname)

    def raw(self, name: str) -> RawDB:
        if self.database == "sqlite":
            return RawDB("sqlite", str(self.tmp / f"{name}.sqlite3"))
        return RawDB("postgres", self.pg_url)

    def setup_django(self) -> None:
        if self.django_ready:
            return
        seconds = django_on_fresh_database(self.tmp / "yiwang", self.database, self.pg_url)
        print(f"  fresh yiwang database migrated and seeded in {seconds:.1f} s")
        self.django_ready = True

    def close(self) -> None:
        if self.django_ready:
            from django.db import connections

            connections.close_all()
        if self.database == "postgres" and not self.keep:
            import psycopg

            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                for name in [self.dbname, *self.extra_databases]:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"kept: {self.tmp}" + (f" and database {self.dbname}" if self.dbname else ""))


OUR_TABLES = ["cases_case", "audit_auditentry", "documents_document"]
EXPECTED_DOCUMENTS = {REFUSED: 1, SUPPLEMENT: 3, DENIED: 2, APPROVED: 2}


class Ours:
    """yiwang's engine through ``submit`` and ``perform``, as a web request calls them."""

    def __init__(self, tag: str) -> None:
        from yiwang.accounts.models import Applicant, User
        from yiwang.cases import engine
        from yiwang.cases.services import Submission, perform, submit
        from yiwang.organizations.models import Organization

        self.tag = tag
        self.engine = engine
        self.submit, self.perform, self.Submission = submit, perform, Submission
        # The request's user, as the authentication middleware would have loaded it.
        self.users = {role: User.objects.get(username=name) for role, name in USERS.items()}
        self.applicant = Applicant.objects.get(user=self.users["applicant"])
        self.organization = Organization.objects.get(credit_code=PROVINCE_CREDIT_CODE)

    def hand_in(self, case_id: int, move: Move) -> None:
        """Before handing a supplement in, the applicant uploads the corrected file (the
        portal's separate request): the step checks that it is there."""
        if move.action != "supply_supplement":
            return
        from yiwang.cases.materials import upload
        from yiwang.cases.models import Case

        case = Case.objects.get(pk=case_id)
        for name in {m["material"] for m in SUPPLEMENT_MATERIALS}:
            upload(case, name, io.BytesIO(SUPPLIED_PDF), f"{name}.pdf", self.users["applicant"])

    def step(self, i: int, case_id: int | None, move: Move) -> int:
        if move.action == "submit":
            case, created = self.submit(
                self.users["applicant"],
                self.Submission(
                    item_code=ITEM_CODE,
                    organization=self.organization,
                    applicant=self.applicant,
                    idempotency_key=f"{self.tag}-{i}",
                    form_data=FORM_DATA,
                ),
                client_addr="127.0.0.1",
            )
            if not created:
                raise BenchFailure(f"yiwang: submission {self.tag}-{i} was not new")
            return case.pk
        assert case_id is not None
        self.perform(
            case_id,
            self.engine.Action(move.action, move.reason, move.params),
            self.users[move.role],
            client_addr="127.0.0.1",
        )
        return case_id

    def check(self, handles: dict[int, int]) -> None:
        from django.db.models import Count

        from yiwang.cases.models import Case
        from yiwang.documents.models import Document

        rows = {
            pk: (status, outcome, seq)
            for pk, status, outcome, seq in Case.objects.filter(pk__in=handles.values())
            .values_list("pk", "status", "outcome", "audit_seq")
            .iterator()
        }
        documents = dict(
            Document.objects.filter(case_id__in=handles.values())
            .values("case_id")
            .annotate(n=Count("pk"))
            .values_list("case_id", "n")
        )
        wrong = []
        for i, case_id in handles.items():
            kind = kind_of(i)
            status, outcome, seq = rows[case_id]
            if (
                (status, outcome) != expected_end(kind)
                or seq != len(our_moves(kind))
                or documents.get(case_id, 0) != EXPECTED_DOCUMENTS[kind]
            ):
                wrong.append((i, kind, status, outcome, seq, documents.get(case_id, 0)))
        if wrong:
            raise BenchFailure(
                f"yiwang: {len(wrong)} cases ended wrong, e.g. (i, kind, status, outcome, "
                f"audit entries, documents) = {wrong[0]}"
            )


def our_table_bytes() -> int:
    from django.db import connection

    connection.ensure_connection()
    kind = "sqlite" if connection.vendor == "sqlite" else "postgres"
    return table_bytes(kind, connection.connection, OUR_TABLES)


def run_ours(
    n_cases: int,
    tag: str,
    *,
    profile: bool = False,
    show_sql: bool = False,
    replay: Replay | None = None,
) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    ours = Ours(tag)
    moves = [our_moves(kind_of(i)) for i in range(n_cases)]
    before = our_table_bytes()
    recorder = Recorder("yiwang", sum(len(m) for m in moves))
    handles: dict[int, int] = {}

    shown: dict[str, list[str]] = {}
    in_step: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not recorder.counting:
            return execute(sql, params, many, context)
        recorder.statement(sql)
        if replay is not None:
            replay.statement(sql, params, many)
        if show_sql:
            in_step.append(" ".join(sql.split())[:150])
        return execute(sql, params, many, context)

    def step(i: int, handle: Any, move: Move) -> Any:
        in_step.clear()
        if replay is not None:
            replay.next_step(move.action)
        handle = ours.step(i, handle, move)
        handles[i] = handle
        if show_sql and i >= 40 and move.action not in shown:  # after the per-process caches fill
            shown[move.action] = list(in_step)
        return handle

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    gc.collect()
    with connection.execute_wrapper(count):
        if profiler is not None:
            profiler.enable()
        drive(recorder, moves, step, ours.hand_in)
        if profiler is not None:
            profiler.disable()
    ours.check(handles)
    if show_sql:
        for action, statements in shown.items():
            print(f"  SQL of one {action} ({len(statements)} statements):")
            for sql in statements:
                print(f"      {sql}")
    if profiler is not None:
        import io
        import pstats

        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"engine-profile-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%SZ}.txt"
        path.write_text(text.getvalue())
        print(f"  profile (cProfile; timings above are inflated by it) written to {path}")
    after = our_table_bytes()
    result = recorder.summary(n_cases)
    result["bytes_per_case"] = (after - before) / n_cases
    result["end_states_checked"] = n_cases
    result["render_documents_inline"] = bool(settings.YIWANG_RENDER_DOCUMENTS_INLINE)
    result["profiled"] = profile
    return result


def run_core(n_cases: int) -> dict[str, Any]:
    """yiwang's pure engine alone (``engine.start`` / ``engine.apply`` on in-memory states, no
    database): the part of a step that is the engine itself. Not a round trip; not compared."""
    from yiwang.accounts.models import Applicant, RoleAssignment, User
    from yiwang.cases import engine
    from yiwang.cases.services import definition_for
    from yiwang.catalog.models import ItemVersion
    from yiwang.organizations.models import Organization
    from yiwang.workcalendar.services import current_calendar

    # Set-up, not timed: the published definition (through the services' own cache), the
    # calendar, the accepting organization's chain and the four actors.
    version = ItemVersion.objects.filter(item__code=ITEM_CODE).order_by("-valid_from").first()
    assert version is not None
    defn = definition_for(version.pk)
    calendar = current_calendar()
    organization: Any = Organization.objects.get(credit_code=PROVINCE_CREDIT_CODE)
    chain_list = []
    while organization is not None:
        chain_list.append((organization.level, organization.pk))
        organization = organization.parent
    chain = tuple(chain_list)
    # What the services read from the record before a supplement is handed in: the file is there.
    supplied = {"request_supplement": frozenset(m["material"] for m in SUPPLEMENT_MATERIALS)}
    actors = {}
    for role, name in USERS.items():
        user = User.objects.get(username=name)
        actors[role] = engine.Actor(
            user_id=user.pk,
            name=user.full_name or user.username,
            roles=frozenset(
                RoleAssignment.objects.filter(user=user).values_list("role", "organization_id")
            ),
            applicant_ids=frozenset(
                Applicant.objects.filter(user=user).values_list("pk", flat=True)
            ),
        )
    applicant_id = next(iter(actors["applicant"].applicant_ids))
    today = dt.date.today()
    moves = [our_moves(kind_of(i)) for i in range(n_cases)]
    recorder = Recorder("yiwang-core", sum(len(m) for m in moves))
    states: dict[int, Any] = {}

    def step(i: int, handle: Any, move: Move) -> Any:
        if move.action == "submit":
            states[i], _ = engine.start(
                defn, applicant_id=applicant_id, chain=chain, today=today, calendar=calendar
            )
        else:
            states[i], _ = engine.apply(
                defn, states[i], engine.Action(move.action, move.reason, move.params),
                actors[move.role], today, calendar, supplied,
            )  # fmt: skip
        return i

    gc.collect()
    drive(recorder, moves, step)
    wrong = [i for i in range(n_cases)
             if (states[i].status, states[i].outcome) != expected_end(kind_of(i))]  # fmt: skip
    if wrong:
        raise BenchFailure(f"yiwang-core: {len(wrong)} cases ended wrong")
    result = recorder.summary(n_cases)
    result["bytes_per_case"] = 0
    result["end_states_checked"] = n_cases
    return result


# --- Prefill (flatness) ------------------------------------------------------------------------

FINISHED = ("delivered", "refused")
DATE_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
PREFILL_BATCH = 2000
PREFILL_SPAN_DAYS = 730  # cloned cases are spread over the two years before today


def _make_templates(tag: str) -> dict[str, int]:
    """One finished case of each kind, made by the real services (the shape every clone copies)."""
    ours = Ours(tag)
    kinds = [REFUSED, SUPPLEMENT, DENIED, APPROVED]
    handles: dict[int, int] = {}
    recorder = Recorder("templates", sum(len(our_moves(k)) for k in kinds), quiet=True)

    def step(i: int, handle: Any, move: Move) -> Any:
        handles[i] = ours.step(i, handle, move)
        return handles[i]

    drive(recorder, [our_moves(k) for k in kinds], step, ours.hand_in)
    return {kind: handles[i] for i, kind in enumerate(kinds)}


def _shift_text(text: str, days: int) -> str:
    def shift(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return (day - dt.timedelta(days=days)).isoformat()

    return DATE_TEXT.sub(shift, text)


@dataclass
class _Template:
    kind: str
    case: dict[str, Any]
    entries: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    shifted: dict[int, tuple[list[Any], list[Any], list[str]]] = field(default_factory=dict)

    def at_shift(self, days: int) -> tuple[list[Any], list[Any], list[str]]:
        """(before values, after values, document contexts as JSON text) with dates moved back."""
        cached = self.shifted.get(days)
        if cached is None:
            before = [json.loads(_shift_text(json.dumps(e["before"], ensure_ascii=False), days))
                      for e in self.entries]  # fmt: skip
            after = [json.loads(_shift_text(json.dumps(e["after"], ensure_ascii=False), days))
                     for e in self.entries]  # fmt: skip
            contexts = [_shift_text(json.dumps(d["context"], ensure_ascii=False), days)
                        for d in self.documents]  # fmt: skip
            cached = self.shifted[days] = (before, after, contexts)
        return cached


def prefill(target_finished: int, tag: str) -> dict[str, Any]:
    """Bring yiwang's database up to ``target_finished`` finished cases.

    Clones of finished cases made by the real services (one per kind, the workload's 1/2/3/14
    mix), with their audit chains (hashed by ``yiwang.audit.hashing.entry_hash``, the function
    ``append_entry`` and ``verify`` use) and documents (numbered by ``documents.numbering``,
    counters advanced), dated over the two years before today, bulk-inserted in batches.
    """
    from django.db import transaction
    from django.db.models import DateField, DateTimeField, Max

    from yiwang.audit.hashing import entry_hash
    from yiwang.audit.models import AuditEntry
    from yiwang.cases.models import Case, CaseSequence
    from yiwang.documents.models import Document, DocumentCounter
    from yiwang.documents.numbering import format_number
    from yiwang.organizations.models import Organization

    t0 = time.perf_counter()
    finished = Case.objects.filter(status__in=FINISHED).count()
    need = target_finished - finished
    if need <= 0:
        return {"target": target_finished, "inserted": 0, "seconds": 0.0,
                "finished_cases_before_run": finished}  # fmt: skip
    templates_ids = _make_templates(f"{tag}-template-{os.getpid()}")
    need -= len(templates_ids)

    case_fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    date_fields = [f.attname for f in case_fields
                   if isinstance(f, DateField) and not isinstance(f, DateTimeField)]  # fmt: skip
    datetime_fields = [f.attname for f in case_fields if isinstance(f, DateTimeField)]
    entry_names = [
        f.attname for f in AuditEntry._meta.concrete_fields if f.attname not in ("id", "hash")
    ]
    document_names = [f.attname for f in Document._meta.concrete_fields if f.attname != "id"]
    templates: dict[str, _Template] = {}
    for kind, case_id in templates_ids.items():
        case = Case.objects.filter(pk=case_id).values(*[f.attname for f in case_fields]).get()
        entries = list(
            AuditEntry.objects.filter(case_id=case_id).order_by("seq").values(*entry_names)
        )
        documents = list(
            Document.objects.filter(case_id=case_id).order_by("id").values(*document_names)
        )
        templates[kind] = _Template(kind, case, entries, documents)

    organizations = {o.pk: o for o in Organization.objects.all()}
    today = dt.date.today()
    sequences: dict[tuple[int, dt.date], int] = {
        (s.organization_id, s.day): s.last for s in CaseSequence.objects.all()
    }
    counters: dict[tuple[int, str, int], int] = {
        (c.organization_id, c.kind, c.year): c.last for c in DocumentCounter.objects.all()
    }
    first = Case.objects.aggregate(m=Max("pk"))["m"] or 0
    inserted = entries_inserted = documents_inserted = 0
    next_report = max(1, need // 10)
    while inserted < need:
        batch = min(PREFILL_BATCH, need - inserted)
        cases: list[Any] = []
        plans: list[tuple[_Template, int]] = []
        for k in range(inserted, inserted + batch):
            template = templates[kind_of(k)]
            days = 1 + (k * 7919) % PREFILL_SPAN_DAYS
            values = dict(template.case)
            for name in date_fields:
                if values[name] is not None:
                    values[name] -= dt.timedelta(days=days)
            for name in datetime_fields:
                if values[name] is not None:
                    values[name] -= dt.timedelta(days=days)
            org_id = values["accepting_org_id"]
            received = values["received_on"]
            sequence = sequences.get((org_id, received), 0) + 1
            sequences[(org_id, received)] = sequence
            credit = organizations[org_id].credit_code
            values["number"] = f"{credit}{received:%Y%m%d}{sequence:06d}"
            values["idempotency_key"] = f"{tag}-{first}-{k}"
            cases.append(Case(**values))
            plans.append((template, days))
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            entries: list[Any] = []
            documents: list[Any] = []
            heads: list[tuple[int, int, str]] = []
            for case, (template, days) in zip(cases, plans, strict=True):
                before, after, contexts = template.at_shift(days)
                prev = ""
                for n, entry in enumerate(template.entries):
                    fields = dict(entry)
                    fields["case_id"] = case.pk
                    fields["at"] = entry["at"] - dt.timedelta(days=days)
                    fields["before"], fields["after"] = before[n], after[n]
                    fields["prev_hash"] = prev
                    prev = entry_hash(fields)
                    entries.append(AuditEntry(**fields, hash=prev))
                heads.append((case.pk, len(template.entries), prev))
                template_number = template.case["number"]
                for n, document in enumerate(template.documents):
                    org = organizations[document["organization_id"]]
                    issued_at = document["issued_at"] - dt.timedelta(days=days)
                    key = (org.pk, document["kind"], issued_at.year)
                    counters[key] = counters.get(key, 0) + 1
                    number = format_number(org, document["kind"], issued_at.year, counters[key])
                    context = json.loads(
                        contexts[n]
                        .replace(template_number, case.number)
                        .replace(document["number"], number)
                    )
                    values = dict(document, case_id=case.pk, number=number, context=context,
                                  issued_at=issued_at)  # fmt: skip
                    documents.append(Document(**values))
            AuditEntry.objects.bulk_create(entries, batch_size=5000)
            Document.objects.bulk_create(documents, batch_size=2000)
            # The chain heads on the case rows (Case has no append-only guard).
            Case.objects.bulk_update(
                [Case(pk=pk, audit_seq=seq, audit_head=head) for pk, seq, head in heads],
                ["audit_seq", "audit_head"],
                batch_size=1000,
            )
        inserted += batch
        entries_inserted += len(entries)
        documents_inserted += len(documents)
        if inserted >= next_report or inserted == need:
            took = time.perf_counter() - t0
            print(f"  [prefill] {inserted:>8,}/{need:,} cases  {took:7.1f} s", flush=True)
            next_report += max(1, need // 10)
    with transaction.atomic():
        for (org_id, day), last in sequences.items():
            if day < today:
                CaseSequence.objects.update_or_create(
                    organization_id=org_id, day=day, defaults={"last": last}
                )
        for (org_id, kind, year), last in counters.items():
            DocumentCounter.objects.update_or_create(
                organization_id=org_id, kind=kind, year=year, defaults={"last": last}
            )
    took = time.perf_counter() - t0
    total = Case.objects.filter(status__in=FINISHED).count()
    print(
        f"  prefilled {inserted + len(templates_ids):,} finished cases ({entries_inserted:,} audit"
        f" entries, {documents_inserted:,} documents) in {took:.1f} s; {total:,} finished now"
    )
    return {
        "target": target_finished,
        "inserted": inserted + len(templates_ids),
        "audit_entries": entries_inserted,
        "documents": documents_inserted,
        "seconds": took,
        "finished_cases_before_run": total,
    }


# --- Reporting ---------------------------------------------------------------------------------


def source_fingerprint() -> dict[str, Any]:
    """Which code was measured: a digest of the modules on the measured path, newest mtime."""
    import hashlib

    files = sorted(
        path
        for area in ("cases", "audit", "documents", "accounts", "catalog", "workcalendar")
        for path in (ROOT / "src" / "yiwang" / area).glob("*.py")
    )
    digest = hashlib.sha256()
    newest = 0.0
    for path in files:
        digest.update(path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    return {
        "sha256": digest.hexdigest()[:16],
        "files": len(files),
        "newest_mtime": dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(timespec="seconds"),
    }


def fmt_row(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name:<14} {r['steps']:>7,} {r['steps_per_case']:>6.2f} {r['steps_per_s']:>9,.0f}"
        f" {r['cases_per_s']:>8,.0f} {r['ms_p50']:>8.3f} {r['ms_p99']:>8.3f}"
        f" {r['statements_per_step']:>7.2f} {r['bytes_per_case']:>10,.0f}"
    )


HEADER = (
    f"{'configuration':<14} {'steps':>7} {'st/case':>6} {'steps/s':>9} {'cases/s':>8}"
    f" {'p50 ms':>8} {'p99 ms':>8} {'SQL/st':>7} {'bytes/case':>10}"
)


def comparison(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ours = results.get("yiwang")
    peer = results.get("spiff-once") or results.get("spiff-inline")
    floor = results.get("floor")
    if ours and peer:
        out["ours_over_peer_steps_per_s"] = ours["steps_per_s"] / peer["steps_per_s"]
        out["ours_over_peer_cases_per_s"] = ours["cases_per_s"] / peer["cases_per_s"]
        out["peer_configuration"] = "spiff-once" if "spiff-once" in results else "spiff-inline"
        out["target_peer"] = f"ours ≥ {TARGET_PEER_RATIO:g}× peer steps/s (audit chain on)"
        out["target_peer_met"] = out["ours_over_peer_steps_per_s"] >= TARGET_PEER_RATIO
    own_sql = results.get("yiwang-sql")
    if ours and own_sql:
        out["ours_over_own_sql_steps_per_s"] = ours["steps_per_s"] / own_sql["steps_per_s"]
    if own_sql and floor:
        out["own_sql_over_floor_steps_per_s"] = own_sql["steps_per_s"] / floor["steps_per_s"]
    if own_sql and peer:
        out["own_sql_over_peer_steps_per_s"] = own_sql["steps_per_s"] / peer["steps_per_s"]
    if ours and floor:
        out["ours_over_floor_steps_per_s"] = ours["steps_per_s"] / floor["steps_per_s"]
        out["target_floor"] = f"ours ≥ {TARGET_FLOOR_SHARE:.0%} of the floor's steps/s"
        out["target_floor_met"] = out["ours_over_floor_steps_per_s"] >= TARGET_FLOOR_SHARE
    return out


def print_summary(results: dict[str, dict[str, Any]], compared: dict[str, Any]) -> None:
    print()
    print(HEADER)
    for name, r in results.items():
        print(fmt_row(name, r))
    print("(SQL/st: statements the application issues per step, BEGIN/COMMIT not counted;"
          " bytes/case: tables + indexes grown per case)")  # fmt: skip
    if "yiwang-core" in results:
        print("(yiwang-core: engine.start/apply alone on in-memory states, no database: not a"
              " round trip, not compared)")  # fmt: skip
    if "yiwang" in results:
        print(
            "yiwang: YIWANG_RENDER_DOCUMENTS_INLINE ="
            f" {results['yiwang'].get('render_documents_inline')} (PDFs rendered on first"
            " download; numbers and document rows written in the step)"
        )
        print("  per action (p50 ms / statements):", ", ".join(
            f"{a} {v['ms_p50']:.2f}/{v['statements_per_step']:.0f}"
            for a, v in results["yiwang"]["per_action"].items()
        ))  # fmt: skip
    if "own_sql_over_floor_steps_per_s" in compared:
        line = (
            "yiwang-sql (yiwang's statements replayed, no application code): "
            f"{compared['own_sql_over_floor_steps_per_s']:.1%} of the floor"
        )
        if "own_sql_over_peer_steps_per_s" in compared:
            line += f", {compared['own_sql_over_peer_steps_per_s']:.2f}× the peer"
        if "ours_over_own_sql_steps_per_s" in compared:
            line += f"; yiwang runs at {compared['ours_over_own_sql_steps_per_s']:.1%} of it"
        print(line)
    for name in ("spiff-once", "spiff-inline"):
        if name in results:
            print(
                f"{name}: workflow JSON per case {results[name]['workflow_json_bytes_per_case']:,.0f} bytes"
            )
    if "ours_over_peer_steps_per_s" in compared:
        ok = "MET" if compared["target_peer_met"] else "NOT MET"
        print(
            f"ours / peer ({compared['peer_configuration']}): steps/s"
            f" {compared['ours_over_peer_steps_per_s']:.2f}×, completed cases/s"
            f" {compared['ours_over_peer_cases_per_s']:.2f}×   target {compared['target_peer']}: {ok}"
        )
    if "ours_over_floor_steps_per_s" in compared:
        ok = "MET" if compared["target_floor_met"] else "NOT MET"
        print(
            f"ours / floor: steps/s {compared['ours_over_floor_steps_per_s']:.1%}"
            f"   target {compared['target_floor']}: {ok}"
        )


def write_results(database: str, payload: dict[str, Any], label: str = "engine") -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%SZ")
    path = RESULTS_DIR / f"{label}-{database}-{stamp}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    return path


# --- Main --------------------------------------------------------------------------------------

ALL = ("yiwang", "yiwang-sql", "spiff-once", "spiff-inline", "floor", "yiwang-core")


def parse_only(value: str) -> list[str]:
    chosen: list[str] = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        names = ["spiff-once", "spiff-inline"] if part == "spiff" else [part]
        for name in names:
            if name not in ALL:
                raise argparse.ArgumentTypeError(f"unknown configuration {name!r}")
            if name not in chosen:
                chosen.append(name)
    return [name for name in ALL if name in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--prefill", type=int, default=0,
                        help="finished cases in yiwang's database before the run")  # fmt: skip
    parser.add_argument("--only", type=parse_only, default=list(ALL),
                        help="comma-separated: yiwang, yiwang-sql (yiwang's own statements "
                        "replayed with no application code; needs yiwang), spiff (= spiff-once,"
                        "spiff-inline), spiff-once, spiff-inline, floor, yiwang-core (the pure "
                        "engine alone, no database)")  # fmt: skip
    parser.add_argument("--flatness", action="store_true",
                        help="yiwang only: prefill to 1,000, run; prefill to --flatness-to, run")  # fmt: skip
    parser.add_argument("--flatness-from", type=int, default=1_000)
    parser.add_argument("--flatness-to", type=int, default=100_000)
    parser.add_argument("--no-verify", action="store_true",
                        help="skip `audit verify` after a prefilled run")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temp dir / database")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run yiwang under cProfile (slower; for finding where time goes)",
    )
    parser.add_argument("--show-sql", action="store_true",
                        help="print the SQL of one step of each yiwang action")  # fmt: skip
    args = parser.parse_args(argv)

    env = Environment(args.database, args.keep)
    # UTC throughout: django.setup() later switches the process's local time zone to TIME_ZONE.
    started = dt.datetime.now(dt.UTC)
    print(f"engine benchmark, {args.database}, {args.cases:,} cases, {started:%Y-%m-%d %H:%M} UTC")
    print(f"  command: {' '.join([Path(sys.executable).name] + sys.argv)}")
    print(f"  source measured: {source_fingerprint()}")
    try:
        if args.flatness:
            payload = run_flatness(env, args)
            path = write_results(args.database, payload, "engine-flatness")
        else:
            payload = run_comparison(env, args)
            path = write_results(args.database, payload)
        print(f"\nresults written to {path.relative_to(ROOT)}")
    finally:
        env.close()
    return 0


def run_comparison(env: Environment, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    replay: Replay | None = None
    replay_target = ""
    prefix = "bench_" if args.database == "postgres" else ""
    for name in args.only:
        print(f"\n== {name} ==")
        if name == "yiwang":
            env.setup_django()
            if args.prefill:
                extra["prefill"] = prefill(args.prefill, "prefill")
            replay = Replay(args.database) if "yiwang-sql" in args.only else None
            replay_target = snapshot_ours(env) if replay is not None else ""
            results[name] = run_ours(args.cases, f"bench-{os.getpid()}", profile=args.profile,
                                     show_sql=args.show_sql, replay=replay)  # fmt: skip
            if args.prefill and not args.no_verify:
                extra["audit_verify"] = verify_audit()
        elif name == "yiwang-sql":
            if replay is None or "yiwang" not in results:
                raise SystemExit("yiwang-sql replays the statements of the yiwang run: add yiwang")
            results[name] = run_replay(env, replay_target, replay, args.cases)
            replay = None
        elif name == "yiwang-core":
            env.setup_django()
            results[name] = run_core(args.cases)
        elif name.startswith("spiff"):
            db = env.raw(name)
            results[name] = run_raw(
                name, lambda db=db, name=name: SpiffPeer(db, prefix, name), db, args.cases,
                peer_moves,
            )  # fmt: skip
            db.close()
        else:
            db = env.raw(name)
            results[name] = run_raw(
                name, lambda db=db: Floor(db, prefix), db, args.cases, our_moves
            )
            db.close()
    compared = comparison(results)
    print_summary(results, compared)
    return {
        "benchmark": "engine",
        "database": args.database,
        "database_version": database_version(env),
        "durability": durability(args.database),
        "cases": args.cases,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine("django", "SpiffWorkflow"),
        "source": source_fingerprint(),
        "command": " ".join(sys.argv),
        "results": results,
        "comparison": compared,
        **extra,
    }


def durability(database: str) -> str:
    if database == "sqlite":
        return "SQLite WAL, synchronous=NORMAL, BEGIN IMMEDIATE, one commit per step"
    return "PostgreSQL stock settings (fsync on, synchronous_commit on), loopback TCP, one commit per step"


def database_version(env: Environment) -> str:
    if env.database == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(env.pg_admin_url) as conn:
        return str(conn.execute("SELECT version()").fetchone()[0])


def verify_audit() -> dict[str, Any]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    t0 = time.perf_counter()
    call_command("audit", "verify", stdout=out, stderr=out)
    took = time.perf_counter() - t0
    text = out.getvalue().strip()
    print(f"  audit verify ({took:.1f} s): {text.splitlines()[-1] if text else 'ok'}")
    return {"seconds": took, "output": text[-2000:]}


def run_flatness(env: Environment, args: argparse.Namespace) -> dict[str, Any]:
    env.setup_django()
    runs: list[dict[str, Any]] = []
    for n, target in enumerate((args.flatness_from, args.flatness_to)):
        print(f"\n== prefill to {target:,} finished cases ==")
        filled = prefill(target, f"prefill{n}")
        print(f"\n== yiwang with {filled['finished_cases_before_run']:,} finished cases ==")
        result = run_ours(args.cases, f"bench-{os.getpid()}-{n}")
        runs.append({"prefill": filled, "result": result})
    verified = None if args.no_verify else verify_audit()
    a, b = runs[0]["result"], runs[1]["result"]
    na = runs[0]["prefill"]["finished_cases_before_run"]
    nb = runs[1]["prefill"]["finished_cases_before_run"]
    print()
    print(f"{'finished cases before run':<28} {na:>12,} {nb:>12,}")
    for key, label in (("steps_per_s", "steps/s"), ("ms_p50", "p50 ms/step"),
                       ("ms_p99", "p99 ms/step"), ("statements_per_step", "SQL statements/step")):  # fmt: skip
        print(f"{label:<28} {a[key]:>12,.3f} {b[key]:>12,.3f}")
    ratio = b["ms_p50"] / a["ms_p50"]
    print(f"ratio of p50s ({nb:,} / {na:,}): {ratio:.3f}")
    return {
        "benchmark": "engine-flatness",
        "database": args.database,
        "database_version": database_version(env),
        "durability": durability(args.database),
        "cases": args.cases,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine("django", "SpiffWorkflow"),
        "source": source_fingerprint(),
        "command": " ".join(sys.argv),
        "runs": runs,
        "p50_ratio": ratio,
        "audit_verify": verified,
    }


if __name__ == "__main__":
    sys.exit(main())
