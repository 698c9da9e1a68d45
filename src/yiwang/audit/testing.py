"""Helpers for tests that touch the audit tables the way only a database administrator can.

* :func:`guards_dropped` — simulate an attacker with database rights: drop the triggers, tamper
  with raw SQL, and have the triggers back afterwards.
* :func:`clear_audit_tables` and two fixtures for *transactional* tests
  (``@pytest.mark.django_db(transaction=True)``, ``transactional_db``, ``live_server``) that
  write audit entries: Django empties every table after such a test (``flush``), which the
  triggers refuse while audit rows exist. Either make every such test clean up, with one line
  in the root ``conftest.py``::

      from yiwang.audit.testing import audit_cleanup_after_transactional_tests  # noqa: F401

  or ask for it in the test itself::

      from yiwang.audit.testing import audit_tables_cleared  # noqa: F401

      @pytest.mark.django_db(transaction=True)
      def test_two_clerks_at_once(audit_tables_cleared): ...

Never import this module outside tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction

from yiwang.audit import dbguard

__all__ = [
    "audit_cleanup_after_transactional_tests",
    "audit_tables_cleared",
    "clear_audit_tables",
    "guards_dropped",
]


@contextmanager
def guards_dropped(using: str = "default") -> Iterator[None]:
    """Inside the block the audit tables accept UPDATE and DELETE; the triggers return after."""
    connection = connections[using]
    dbguard.drop_guards(connection)
    try:
        yield
    finally:
        dbguard.install_guards(connection)


def clear_audit_tables(using: str = "default") -> None:
    """Delete every audit entry and checkpoint (triggers dropped and re-installed around it)."""
    connection = connections[using]
    with transaction.atomic(using=using), guards_dropped(using):
        with connection.cursor() as cursor:
            for table in dbguard.GUARDED_TABLES:
                cursor.execute(f'DELETE FROM "{table}"')


@pytest.fixture
def audit_tables_cleared(transactional_db: None) -> Iterator[None]:
    """Empties the audit tables after a transactional test, before Django's flush runs."""
    yield
    clear_audit_tables()


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def audit_cleanup_after_transactional_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Autouse: after every transactional test, empty the audit tables before the flush.

    Requesting ``transactional_db`` from here makes pytest tear this fixture down first, i.e.
    before Django's flush; other tests are left alone (their transaction is rolled back).
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    clear_audit_tables()
