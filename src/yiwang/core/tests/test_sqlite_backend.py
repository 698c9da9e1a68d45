"""yiwang's SQLite backend: the same queries and results as Django's, converted once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.sqlite import base
from yiwang.core.tests.test_project import clean_environment

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend only")


# Plain in-memory cursors of both classes: conversion needs no database of ours.
_memory = sqlite3.connect(":memory:")
OURS = _memory.cursor(factory=base.CursorWrapper)
DJANGOS = _memory.cursor(factory=SQLiteCursorWrapper)


@given(st.text(alphabet="%s?'ab ", max_size=40))
def test_a_query_is_converted_exactly_as_django_converts_it(query):
    assert OURS.convert_query(query) == DJANGOS.convert_query(query)


def test_named_parameters_are_converted_as_django_converts_them():
    query = "SELECT %(a)s, '%%' || %(b)s"
    names = ["a", "b"]
    converted = OURS.convert_query(query, param_names=names)
    assert converted == DJANGOS.convert_query(query, param_names=names) == "SELECT :a, '%' || :b"


@pytest.mark.django_db
def test_the_project_runs_on_it_and_each_text_is_converted_once():
    assert type(connections["default"]).__module__ == "yiwang.core.sqlite.base"
    base._qmark.cache_clear()
    query = "SELECT %s || '%%', %s"
    with connection.cursor() as cursor:
        for n in range(3):
            cursor.execute(query, [str(n), n])
            assert cursor.fetchone() == (f"{n}%", n)
    info = base._qmark.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert info.maxsize == base.CONVERTED_QUERIES


def test_a_sqlite_database_url_uses_it_too(tmp_path):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yiwang.settings');"
        "django.setup(); from django.db import connections; c = connections['default'];"
        "c.ensure_connection(); print(type(c).__module__, c.vendor)"
    )
    environment = clean_environment(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.stdout.split() == ["yiwang.core.sqlite.base", "sqlite"], result.stderr
