"""Attempt limits: counted in the database, so every server process counts against one limit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import RequestFactory

from yiwang.core import throttle
from yiwang.core.models import AttemptWindow

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0


def test_attempts_count_up_within_a_window_and_start_again_after_it():
    assert [throttle.hit("k", 60, now=T0 + s).attempts for s in (0, 10, 59)] == [1, 2, 3]
    assert throttle.peek("k", now=T0 + 59) == throttle.Window(3, int(T0) + 60)
    assert throttle.peek("k", now=T0 + 60) is None  # the window ended
    assert throttle.hit("k", 60, now=T0 + 61) == throttle.Window(1, int(T0) + 121)


def test_keys_are_counted_apart_and_forget_clears_one():
    throttle.hit("a", 60, now=T0)
    throttle.hit("a", 60, now=T0)
    throttle.hit("b", 60, now=T0)
    throttle.forget("a")
    assert throttle.peek("a", now=T0) is None
    assert throttle.peek("b", now=T0) == throttle.Window(1, int(T0) + 60)


def test_windows_that_ended_are_dropped_when_a_new_one_opens():
    for n in range(5):
        throttle.hit(f"old-{n}", 60, now=T0)
    throttle.hit("fresh", 60, now=T0 + 3600)
    assert list(AttemptWindow.objects.values_list("key", flat=True)) == ["fresh"]


def test_failures_are_counted_for_each_client_address_apart(settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    one = RequestFactory().post("/", REMOTE_ADDR="203.0.113.1")
    other = RequestFactory().post("/", REMOTE_ADDR="203.0.113.2")
    counted = [throttle.failed("s", one, window_seconds=600).attempts for _ in range(3)]
    assert counted == [1, 2, 3]
    locked = throttle.refused("s", one, limit=3)
    assert locked is not None and throttle.minutes_left(locked) == 10  # opened just now
    assert throttle.refused("s", other, limit=3) is None
    assert throttle.failed("s", other, window_seconds=600).attempts == 1


def test_refused_says_whether_the_failures_are_used_up_without_counting(settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.1")
    assert throttle.refused("s", request, limit=2) is None
    throttle.failed("s", request, window_seconds=60)
    assert throttle.refused("s", request, limit=2) is None
    assert throttle.refused("s", request, limit=2) is None  # asking counts nothing
    throttle.failed("s", request, window_seconds=60)
    window = throttle.refused("s", request, limit=2)
    assert window is not None and throttle.minutes_left(window) == 1
    assert throttle.refused("t", request, limit=2) is None  # another scope


@pytest.mark.django_db(transaction=True)
def test_concurrent_counting_from_separate_connections_loses_no_attempt():
    # Each thread has its own database connection, as each server process has.
    threads, per_thread = 4, 25
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                throttle.hit("shared", 600)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    window = throttle.peek("shared")
    assert window is not None and window.attempts == threads * per_thread
