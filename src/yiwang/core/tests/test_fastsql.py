"""The single-row SQL helpers give the same values as the ORM, on either database."""

from __future__ import annotations

import datetime as dt

from yiwang.core.fastsql import (
    columns_sql,
    convert_row,
    fetch_all,
    insert_row,
    instance_from_row,
    update_where,
)
from yiwang.organizations.models import Level, Organization


def test_converted_rows_match_the_orm(tree):
    names = ("name", "level", "parent_id", "credit_code", "runs_window", "path")
    table = Organization._meta.db_table
    rows = fetch_all(
        f"SELECT {columns_sql(Organization, names, table='o')} FROM {table} o WHERE o.id = %s",
        [tree.county_a1.pk],
    )
    assert convert_row(Organization, names, rows[0]) == {
        n: getattr(tree.county_a1, n) for n in names
    }
    instance = instance_from_row(Organization, names, rows[0])
    assert (
        instance.path == tree.county_a1.path and instance.runs_window is tree.county_a1.runs_window
    )


def test_update_where_is_a_compare_and_set(tree):
    org = tree.county_a1
    assert update_where(Organization, {"phone": "0371-1"}, {"id": org.pk, "path": org.path}) == 1
    assert update_where(Organization, {"phone": "0371-2"}, {"id": org.pk, "path": "nope"}) == 0
    org.refresh_from_db()
    assert org.phone == "0371-1"


def test_insert_returns_the_new_id_and_converts_types(db):
    from yiwang.workcalendar.models import CalendarYear

    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    pk = insert_row(
        CalendarYear,
        {"year": 2031, "source": "测试", "note": "", "loaded_at": moment, "updated_at": moment},
    )
    assert CalendarYear.objects.get(pk=pk).year == 2031
    org_pk = insert_row(
        Organization,
        {"name": "测试厅", "short_name": "", "level": Level.PROVINCE, "parent_id": None, "credit_code": None,
         "division_code": "410000", "runs_window": True, "address": "", "phone": "", "path": "0099"},
    )  # fmt: skip
    assert Organization.objects.get(pk=org_pk).runs_window is True
