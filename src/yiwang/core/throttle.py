"""Attempt limits (尝试次数限制): fixed-window counters in the database, shared by every process.

A counter is one row per key (``login:user:<name>``, ``progress:address:<ip>``). Counting is one
atomic upsert, so two processes counting the same key at once both count: neither increment is
lost, which a cache's get-then-set would allow. A window opens at the first attempt and lasts
``window_seconds``; the first attempt after it ends opens the next one, counting from 1.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time

from django.db import connection, models
from django.http import HttpRequest

from yiwang.core.http import client_address
from yiwang.core.models import AttemptWindow


@dataclasses.dataclass(frozen=True)
class Window:
    """The attempts counted for a key in its open window, and when that window ends."""

    attempts: int
    ends: int  # Unix seconds

    def seconds_left(self, now: float | None = None) -> int:
        return max(0, self.ends - int(time.time() if now is None else now))


def _key(key: str) -> str:
    # Longer keys (an absurd login name) share a counter with their first 255 characters.
    return key[:255]


def _column(name: str) -> str:
    field = AttemptWindow._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


@functools.lru_cache(maxsize=4)
def _hit_sql(vendor: str) -> str:
    table = connection.ops.quote_name(AttemptWindow._meta.db_table)
    key, ends, attempts = (
        connection.ops.quote_name(_column(name)) for name in ("key", "window_ends", "attempts")
    )
    # Every right-hand side reads the row as it was before this statement, on both databases.
    return (
        f"INSERT INTO {table} ({key}, {ends}, {attempts}) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{attempts} = CASE WHEN {table}.{ends} > %s THEN {table}.{attempts} + 1 ELSE 1 END, "
        f"{ends} = CASE WHEN {table}.{ends} > %s THEN {table}.{ends} ELSE excluded.{ends} END "
        f"RETURNING {attempts}, {ends}"
    )


def hit(key: str, window_seconds: int, *, now: float | None = None) -> Window:
    """Count one attempt for ``key`` and return its window as it is now."""
    if window_seconds < 1:
        raise ValueError("window_seconds must be at least 1")
    moment = int(time.time() if now is None else now)
    with connection.cursor() as cursor:
        cursor.execute(
            _hit_sql(connection.vendor), [_key(key), moment + window_seconds, moment, moment]
        )
        attempts, ends = cursor.fetchone()
    if attempts == 1:
        # A window opened: a good moment to drop the ones that ended, so the table holds only
        # the keys seen lately, without a separate cleaning job.
        AttemptWindow.objects.filter(window_ends__lte=moment).delete()
    return Window(int(attempts), int(ends))


def peek(key: str, *, now: float | None = None) -> Window | None:
    """The open window of ``key`` without counting an attempt; None when there is none."""
    moment = int(time.time() if now is None else now)
    found = (
        AttemptWindow.objects.filter(key=_key(key), window_ends__gt=moment)
        .values_list("attempts", "window_ends")
        .first()
    )
    return None if found is None else Window(*found)


def forget(key: str) -> None:
    """Drop the count of ``key`` (a successful login clears its user's failures)."""
    AttemptWindow.objects.filter(key=_key(key)).delete()


def _address_key(scope: str, request: HttpRequest) -> str:
    return f"{scope}:address:{client_address(request) or 'unknown'}"


def refused(scope: str, request: HttpRequest, *, limit: int) -> Window | None:
    """The open window of the request's client in ``scope`` once it holds ``limit`` failures
    (the client must wait until it ends); None while the client may still try."""
    window = peek(_address_key(scope, request))
    return window if window is not None and window.attempts >= limit else None


def failed(scope: str, request: HttpRequest, *, window_seconds: int) -> Window:
    """Count one failed attempt of the request's client in ``scope``."""
    return hit(_address_key(scope, request), window_seconds)


def minutes_left(window: Window) -> int:
    """Whole minutes until ``window`` ends, at least 1: what a message tells a person."""
    return max(1, math.ceil(window.seconds_left() / 60))
