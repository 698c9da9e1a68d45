"""Benchmark of the staff queue page (待办, ``/work/``) with many cases in the database.

    uv run python bench/workbench/bench_queue.py --cases 100000 [--database sqlite|postgres]
        [--renders 100] [--users zhongmou.clerk,zhengzhou.handler,henan.leader] [--keep]

A fresh database (SQLite files in a temp ``YIWANG_DATA_DIR``, or a throwaway PostgreSQL
database created through ``BENCH_PG_URL``), migrated and seeded with the demo (``seed_demo``),
then ``--cases`` cases bulk-inserted over the demo's organizations, items, statuses and steps:
most closed (delivered, refused, withdrawn), ``--open-share`` of them open (submitted, waiting
for supplement, in progress at every step, suspended, concluded and awaiting delivery), with
deadlines computed on the working-day calendar as the engine computes them. Then the queue page
is rendered for real demo users through Django's test ``Client`` (``force_login``, the whole
middleware stack, template rendering included), ``--renders`` times each after a warm-up,
for the plain queue, a badge filter and an applicant-name search. Reported per user and
scenario: p50 / p90 / p99 / max server time in ms, SQL statements per render, rows shown and
cases in the queue; the query plans of the two queue statements are written to the JSON.

Named bench_*.py so that pytest (which collects test_*.py) never runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import django_on_fresh_database, machine, pg_url_with_db  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_PG_URL = "postgres://yiwang_bench:yiwang_bench@127.0.0.1:5432/postgres"
DEFAULT_USERS = (
    "zhongmou.clerk,zhengzhou.handler,zhengzhou.clerk,henan.handler,henan.leader,"
    "zhengzhou.supervisor,henan.supervisor"
)
TARGET_MS = 100.0
BATCH = 5_000

# Closed cases: how they ended.
CLOSED_MIX = (("delivered", 88), ("refused", 6), ("withdrawn", 6))
# Open cases: where they are.
OPEN_MIX = (
    ("submitted", 20), ("supplement", 8), ("in_progress", 60), ("suspended", 7), ("concluded", 5),
)  # fmt: skip
SUSPENSIONS = ("supplement", "site_check", "expert_review", "hearing", "testing")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强海燕晨阳鑫宇浩然"
DIVISIONS = ("410102", "410103", "410105", "410122", "410202", "410225", "410302", "410305")


class Environment:
    """A temp dir (SQLite file, media) or a throwaway PostgreSQL database; Django set up on it."""

    def __init__(self, database: str, keep: bool) -> None:
        self.database = database
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="yiwang-bench-queue-"))
        self.pg_admin_url = ""
        self.dbname = ""
        self.pg_url = ""
        if database == "postgres":
            import psycopg

            self.pg_admin_url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
            self.dbname = f"yiwang_bench_queue_{os.getpid()}"
            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
                conn.execute(f'CREATE DATABASE "{self.dbname}"')
            self.pg_url = pg_url_with_db(self.pg_admin_url, self.dbname)

    def setup_django(self) -> None:
        seconds = django_on_fresh_database(self.tmp / "yiwang", self.database, self.pg_url)
        print(f"  fresh database migrated and seeded with the demo in {seconds:.1f} s")

    def close(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.database == "postgres" and not self.keep:
            import psycopg

            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"kept: {self.tmp}" + (f" and database {self.dbname}" if self.dbname else ""))


# --- Seeding ---------------------------------------------------------------------------------


def _pick(rng: random.Random, mix: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in mix], weights=[w for _, w in mix])[0]


def make_applicants(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """Natural persons with valid ID numbers (GB 11643 check character), bulk-inserted."""
    from yiwang.accounts.models import Applicant, ApplicantKind
    from yiwang.core.identifiers import resident_id_check_char

    taken = set(Applicant.objects.values_list("id_number", flat=True))
    rows = []
    serial = 0
    while len(rows) < count:
        serial += 1
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        first17 = f"{rng.choice(DIVISIONS)}{born:%Y%m%d}{serial % 1000:03d}"
        number = first17 + resident_id_check_char(first17)
        if number in taken:
            continue
        taken.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        rows.append(Applicant(kind=ApplicantKind.PERSON, name=name, id_number=number, phone=phone))
    Applicant.objects.bulk_create(rows, batch_size=BATCH)
    return list(Applicant.objects.values_list("pk", "name"))


def _chains() -> dict[int, list[list[Any]]]:
    """[level, id] from each organization up to the province, as a case stores it."""
    from yiwang.organizations.models import Organization

    nodes = {o.pk: o for o in Organization.objects.only("pk", "level", "parent_id")}
    chains: dict[int, list[list[Any]]] = {}
    for pk in nodes:
        chain, node = [], nodes[pk]
        while node is not None:
            chain.append([node.level, node.pk])
            node = nodes.get(node.parent_id) if node.parent_id else None
        chains[pk] = chain
    return chains


def seed_cases(total: int, open_share: float, seed: int) -> dict[str, Any]:
    """``total`` cases, bulk-inserted in batches, with a progress line every 10 %."""
    from django.db import transaction
    from django.utils import timezone

    from yiwang.cases import engine
    from yiwang.cases.models import Case
    from yiwang.cases.services import definition_for
    from yiwang.catalog.models import ItemImplementation
    from yiwang.catalog.selectors import current_versions
    from yiwang.organizations.models import Organization
    from yiwang.workcalendar.services import current_calendar

    rng = random.Random(seed)
    t0 = time.perf_counter()
    calendar = current_calendar()
    today = timezone.localdate()
    applicants = make_applicants(max(2_000, total // 40), rng)
    chains = _chains()
    credit = dict(Organization.objects.values_list("pk", "credit_code"))
    implementers: dict[int, list[int]] = defaultdict(list)
    for item_id, org_id in ItemImplementation.objects.filter(active=True).values_list(
        "item_id", "organization_id"
    ):
        implementers[item_id].append(org_id)
    versions = [v for v in current_versions() if implementers.get(v.item_id)]
    definitions = {v.pk: definition_for(v.pk) for v in versions}
    sequences: Counter[tuple[int, dt.date]] = Counter()
    statuses: Counter[str] = Counter()
    inserted = 0
    next_report = max(1, total // 10)

    def due(start: dt.date, days: int) -> dt.date:
        return calendar.add_workdays(start, days).date

    def org_at(chain: list[list[Any]], level: str) -> int:
        return next(org_id for chain_level, org_id in chain if chain_level == level)

    while inserted < total:
        batch = []
        for i in range(inserted, min(total, inserted + BATCH)):
            version = rng.choice(versions)
            defn = definitions[version.pk]
            org_id = rng.choice(implementers[version.item_id])
            chain = chains[org_id]
            applicant_id, applicant_name = rng.choice(applicants)
            is_open = rng.random() < open_share
            status = _pick(rng, OPEN_MIX if is_open else CLOSED_MIX)
            received = today - dt.timedelta(days=rng.randrange(1, 45 if is_open else 730))
            sequences[(org_id, received)] += 1
            values: dict[str, Any] = {
                "number": f"{credit[org_id]}{received:%Y%m%d}{sequences[(org_id, received)]:06d}",
                "item_version_id": version.pk,
                "applicant_id": applicant_id,
                "idempotency_key": f"bench-{i}",
                "channel": rng.choices(("online", "window", "platform"), weights=(70, 25, 5))[0],
                "accepting_org_id": org_id,
                "chain": chain,
                "status": status,
                "form_data": {"申请人": applicant_name, "申请事由": "基准测试数据"},
                "received_on": received,
                "query_code": f"{rng.randrange(10**6):06d}",
            }
            step_index = 0
            if status in ("submitted", "supplement", "refused", "withdrawn"):
                if status == "submitted":
                    values["accept_due"] = values["step_due"] = due(received, 5)
                    values["step_started_on"] = received
                if status == "refused":
                    values["outcome"] = "refused"
                    values["decided_on"] = due(received, rng.randrange(1, 6))
                if status == "withdrawn":
                    values["outcome"] = "withdrawn"
                if status == "supplement":
                    name = rng.choice(sorted(defn.materials))
                    values["supplement"] = [{"material": name, "problem": "不清晰"}]
            else:
                accepted = min(due(received, rng.randrange(1, 6)), today)
                values["accepted_on"] = accepted
                last = len(defn.steps) - 1
                if status in ("in_progress", "suspended"):
                    step_index = rng.randrange(1, last + 1)
                    if step_index == last:
                        values["outcome"] = "approved"
                        values["decided_on"] = accepted
                else:
                    step_index = last
                    values["outcome"] = rng.choices(("approved", "denied"), weights=(9, 1))[0]
                    values["decided_on"] = min(due(accepted, rng.randrange(3, 25)), today)
                # The earlier steps took a share of their limits; this one started after them.
                spent = sum(
                    max(1, int(s.limit_days * rng.uniform(0.2, 1.1)))
                    for s in defn.steps[1:step_index]
                )
                started = min(due(accepted, spent) if spent else accepted, today)
                values["step_started_on"] = started
                if status == "in_progress":
                    step = defn.steps[step_index]
                    values["step_due"] = engine.period_end(
                        calendar, started, step.limit_days, defn.step_unit
                    )[0]
                    values["promised_due"] = engine.period_end(
                        calendar, accepted, defn.promised_days, defn.unit
                    )[0]
                    values["statutory_due"] = engine.period_end(
                        calendar, accepted, defn.statutory_days, defn.unit
                    )[0]
                elif status == "suspended":
                    values["suspended_on"] = started
                    values["suspension_kind"] = rng.choice(SUSPENSIONS)
                elif status == "delivered":
                    values["delivered_on"] = values["decided_on"]
                    values["delivery_method"] = rng.choice(("online", "post", "window"))
            step = defn.steps[step_index]
            values["step_index"] = step_index
            values["step_key"] = step.key
            values["owner_org_id"] = org_at(chain, step.level)
            statuses[status] += 1
            batch.append(Case(**values))
        with transaction.atomic():
            Case.objects.bulk_create(batch, batch_size=1_000)
        inserted += len(batch)
        if inserted >= next_report or inserted == total:
            took = time.perf_counter() - t0
            print(f"  [seed] {inserted:>8,}/{total:,} cases  {took:6.1f} s", flush=True)
            next_report += max(1, total // 10)
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    return {
        "cases": total,
        "open": sum(statuses[s] for s, _ in OPEN_MIX),
        "by_status": dict(statuses),
        "applicants": len(applicants),
        "seconds": time.perf_counter() - t0,
    }


# --- Measuring -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values), max(1, math.ceil(q * len(sorted_values)))) - 1
    return sorted_values[index]


ROW_LINK = re.compile(r'href="/work/cases/[^"/]+/"')
QUEUE_TOTAL = re.compile(r"(?:待办|在办) (\d+) 件")  # a supervisor's list: 在办


def explain(sql: str) -> list[str]:
    from django.db import connection

    prefix = (
        "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def measure(username: str, path: str, renders: int, warmup: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yiwang.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(warmup):
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{username} {path}: HTTP {response.status_code}")
    html = response.content.decode()
    statements = [q["sql"] for q in captured.captured_queries]
    plans = {
        name: explain(sql)
        for name, sql in (
            (
                "counts",
                next((s for s in statements if "FILTER (WHERE" in s or "CASE WHEN" in s), ""),
            ),
            ("page", next((s for s in statements if "cases_case" in s and "LIMIT 50" in s), "")),
        )
        if sql
    }
    times: list[float] = []
    for _ in range(renders):
        start = time.perf_counter_ns()
        response = client.get(path)
        times.append((time.perf_counter_ns() - start) / 1e6)
        if response.status_code != 200:
            raise SystemExit(f"{username} {path}: HTTP {response.status_code}")
    times.sort()
    total = QUEUE_TOTAL.search(html)
    return {
        "user": username,
        "path": path,
        "renders": renders,
        "ms_p50": percentile(times, 0.50),
        "ms_p90": percentile(times, 0.90),
        "ms_p99": percentile(times, 0.99),
        "ms_max": times[-1],
        "ms_mean": sum(times) / len(times),
        "sql_per_render": len(statements),
        "rows_shown": len(ROW_LINK.findall(html)),
        "queue_cases": int(total.group(1)) if total else None,
        "plans": plans,
    }


def scenarios() -> list[tuple[str, str]]:
    return [("queue", "/work/"), ("overdue", "/work/?badge=over"), ("search", "/work/?q=王")]


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.04,
                        help="share of open cases (default 0.04: 4,000 of 100,000)")  # fmt: skip
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--renders", type=int, default=100, help="timed renders per user and scenario"
    )
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--users", default=DEFAULT_USERS)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--index-sql", action="append", default=[],
                        help="extra SQL to run after seeding (e.g. a candidate index), repeatable")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temp dir / database")
    args = parser.parse_args(argv)

    started = dt.datetime.now(dt.UTC)
    print(f"queue benchmark, {args.database}, {args.cases:,} cases, {started:%Y-%m-%d %H:%M} UTC")
    print(f"  command: {' '.join([Path(sys.executable).name] + sys.argv)}")
    env = Environment(args.database, args.keep)
    try:
        env.setup_django()
        seeded = seed_cases(args.cases, args.open_share, args.seed)
        print(
            f"  seeded {seeded['cases']:,} cases ({seeded['open']:,} open) and"
            f" {seeded['applicants']:,} applicants in {seeded['seconds']:.1f} s: {seeded['by_status']}"
        )
        if args.index_sql:
            from django.db import connection

            with connection.cursor() as cursor:
                for sql in args.index_sql:
                    cursor.execute(sql)
                cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE cases_case")
            print(f"  extra SQL run: {args.index_sql}")
        # Move what set-up and seeding left in memory out of the cyclic collector's reach, as a
        # server does after loading its application (gc.freeze): a full collection then walks
        # what requests allocate. Collections during the renders are timed as they happen.
        gc.collect()
        gc.freeze()
        results = []
        for username in [u.strip() for u in args.users.split(",") if u.strip()]:
            for name, path in scenarios():
                result = measure(username, path, args.renders, args.warmup)
                result["scenario"] = name
                results.append(result)
                print(
                    f"  {username:<18} {name:<8} p50 {result['ms_p50']:6.1f} ms  p90"
                    f" {result['ms_p90']:6.1f}  p99 {result['ms_p99']:6.1f}  SQL {result['sql_per_render']}"
                    f"  rows {result['rows_shown']:>3}  queue {result['queue_cases']}",
                    flush=True,
                )
        worst = max(r["ms_p99"] for r in results)
        print()
        print(f"{'user':<18} {'scenario':<8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}"
              f" {'SQL':>4} {'rows':>5} {'queue':>6}")  # fmt: skip
        for r in results:
            print(
                f"{r['user']:<18} {r['scenario']:<8} {r['ms_p50']:7.1f} {r['ms_p90']:7.1f}"
                f" {r['ms_p99']:7.1f} {r['ms_max']:7.1f} {r['sql_per_render']:>4} {r['rows_shown']:>5}"
                f" {r['queue_cases'] if r['queue_cases'] is not None else '-':>6}"
            )
        met = "MET" if worst < TARGET_MS else "NOT MET"
        print(f"worst p99 {worst:.1f} ms; target < {TARGET_MS:.0f} ms per render: {met}")
        payload = {
            "benchmark": "workbench queue page",
            "started": started.isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name] + sys.argv),
            "database": database_version(),
            "machine": machine("django"),
            "seeded": seeded,
            "extra_sql": args.index_sql,
            "results": results,
            "worst_p99_ms": worst,
            "target_ms": TARGET_MS,
            "target_met": worst < TARGET_MS,
        }
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%d-%H%M%SZ")
        path = RESULTS_DIR / f"queue-{args.database}-{stamp}.json"
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        print(f"results written to {path.relative_to(ROOT)}")
    finally:
        env.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
