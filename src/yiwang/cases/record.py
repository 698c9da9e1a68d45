"""A case's audit chain as the services write it: one entry per engine event, and the acts done
to a case beside its process (a licence revoked after delivery).

Kept apart from ``services`` so that apps the step itself calls (letters, licences) can record
on a case's chain without importing the step.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.audit.services import append_entry
from yiwang.cases import engine
from yiwang.cases.models import Case
from yiwang.core.errors import Conflict, NotFound
from yiwang.core.fastsql import fetch_all, update_where
from yiwang.organizations.models import Organization


def append_event(
    case_id: int,
    seq: int,
    prev_hash: str,
    event: engine.Event,
    actor: engine.Actor,
    client_addr: str,
    at: dt.datetime,
) -> Any:
    """The audit entry of one engine event, chained after ``prev_hash``."""
    return append_entry(
        case_id=case_id,
        seq=seq,
        prev_hash=prev_hash,
        at=at,
        action=event.action,
        actor_id=actor.user_id,
        actor_name=actor.name,
        organization_id=event.organization_id,
        organization_name=organization_name(event.organization_id),
        role=event.role,
        reason=event.reason,
        client_addr=client_addr,
        before=dict(event.before),
        after={**event.after, **({"details": dict(event.details)} if event.details else {})},
    )


@functools.lru_cache(maxsize=4096)
def _organization_names() -> dict[int, str]:
    return dict(Organization.objects.values_list("pk", "name"))


def organization_name(organization_id: int | None) -> str:
    """For the audit record; the tree is small and read on every step, so keep it in memory."""
    if organization_id is None:
        return ""
    names = _organization_names()
    if organization_id not in names:
        _organization_names.cache_clear()
        names = _organization_names()
    return names.get(organization_id, "")


def conflict() -> Conflict:
    # Neutral: the other act may have been the same person's, from another tab.
    return Conflict(
        "case.conflict", "该办件刚刚已有新的办理操作，本页面已过期：请刷新查看最新状态后再操作"
    )


def record_beside_process(
    case_id: int, event: engine.Event, user: User, *, client_addr: str = ""
) -> None:
    """Append an act done to a case outside its process (its licence revoked after delivery)
    to the case's audit chain, inside the caller's transaction.

    The case's version is bumped as by a step, so that a step racing with it gets
    ``case.conflict`` rather than a broken chain. The caller has checked the permission.
    """
    table = Case._meta.db_table
    with transaction.atomic():
        rows = fetch_all(
            f"SELECT version, audit_seq, audit_head FROM {table} WHERE id = %s", [case_id]
        )
        if not rows:
            raise NotFound("case.not_found", "未找到该办件")
        version, seq, head = rows[0]
        actor = engine.Actor(user_id=user.pk, name=user.full_name or user.username)
        now = timezone.now()
        entry = append_event(case_id, seq + 1, head, event, actor, client_addr, now)
        changes = {
            "version": version + 1,
            "audit_seq": entry.seq,
            "audit_head": entry.hash,
            "updated_at": now,
        }
        if update_where(Case, changes, {"id": case_id, "version": version}) != 1:
            raise conflict()
