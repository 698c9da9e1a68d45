"""The single-row SQL helpers give the same values as the ORM, on either database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals

from yiwang.core.fastsql import (
    built,
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


def _all_fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_a_built_instance_is_the_loaded_instance(tree):
    loaded = Organization.objects.get(pk=tree.county_a1.pk)
    made = built(Organization, _all_fields(loaded))
    assert _all_fields(made) == _all_fields(loaded)
    assert made._state.adding is False and made._state.db == "default"
    assert made.parent == tree.city_a  # relations load lazily, as on a loaded instance
    made.phone = "0371-9"
    made.save(update_fields=["phone"])  # an UPDATE of the existing row, not an INSERT
    assert Organization.objects.filter(name=loaded.name).count() == 1
    assert Organization.objects.get(pk=loaded.pk).phone == "0371-9"


def test_a_built_instance_runs_init_receivers_when_there_are_any(tree):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Organization)
    try:
        made = built(Organization, _all_fields(tree.county_a1))
    finally:
        signals.post_init.disconnect(receiver, sender=Organization)
    assert seen == [tree.county_a1.pk] and made.path == tree.county_a1.path


def test_building_refuses_missing_or_unknown_fields(tree):
    values = _all_fields(tree.county_a1)
    del values["phone"]
    with pytest.raises(TypeError, match="phone"):
        built(Organization, values)
    with pytest.raises(TypeError, match="colour"):
        built(Organization, {**_all_fields(tree.county_a1), "colour": "红"})


def test_a_partial_row_defers_the_other_fields(tree):
    names = ("id", "name")
    table = Organization._meta.db_table
    rows = fetch_all(f"SELECT id, name FROM {table} WHERE id = %s", [tree.county_a1.pk])
    instance = instance_from_row(Organization, names, rows[0])
    assert instance.get_deferred_fields() >= {"path", "phone"}
    assert instance.path == tree.county_a1.path  # loaded on access
