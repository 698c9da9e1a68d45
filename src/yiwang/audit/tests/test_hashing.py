"""The hash definitions: canonical JSON, entry and checkpoint hashes, the Merkle tree. No database."""

from __future__ import annotations

import datetime as dt
import enum
import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.audit.hashing import (
    EMPTY_MERKLE_ROOT,
    ENTRY_HASHED_FIELDS,
    MerkleBuilder,
    canonical_json,
    checkpoint_hash,
    entry_hash,
    format_instant,
    merkle_root,
    normalize_json,
)
from yiwang.core.gm import sm3_hex

FIELDS = {
    "case_id": 7,
    "seq": 2,
    "actor_id": 3,
    "actor_name": "张三",
    "organization_id": None,
    "organization_name": "",
    "role": "window_clerk",
    "action": "accept",
    "at": dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    "reason": "材料齐全",
    "client_addr": "10.0.0.8",
    "before": {"status": "submitted"},
    "after": {"status": "accepted"},
    "prev_hash": "a" * 64,
}


def test_entry_hash_is_sm3_of_the_documented_canonical_json():
    text = (
        '{"action":"accept","actor_id":3,"actor_name":"张三","after":{"status":"accepted"},'
        '"at":"2026-03-02T01:30:00.000000Z","before":{"status":"submitted"},"case_id":7,'
        '"client_addr":"10.0.0.8","organization_id":null,"organization_name":"",'
        '"prev_hash":"' + "a" * 64 + '","reason":"材料齐全","role":"window_clerk","seq":2}'
    )
    assert entry_hash(FIELDS) == sm3_hex(text.encode("utf-8"))
    # Pinned, so that a change of the definition cannot go unnoticed: every stored hash would
    # stop verifying.
    assert entry_hash(FIELDS) == "4cc4054953b18b1743ce3d8e08ca9f3facc8ba5c7c028d9a0b424c4360c117ee"


def test_entry_hash_ignores_id_and_hash_and_refuses_other_fields():
    assert entry_hash({**FIELDS, "id": 99, "hash": "x"}) == entry_hash(FIELDS)
    with pytest.raises(ValueError, match="unknown"):
        entry_hash({**FIELDS, "extra": 1})
    with pytest.raises(ValueError, match="missing"):
        entry_hash({k: v for k, v in FIELDS.items() if k != "reason"})


@pytest.mark.parametrize("name", ENTRY_HASHED_FIELDS)
def test_every_field_counts(name):
    changed = dict(FIELDS)
    value = changed[name]
    if isinstance(value, dt.datetime):
        changed[name] = value + dt.timedelta(microseconds=1)
    elif isinstance(value, str):
        changed[name] = value + "x"
    elif isinstance(value, int):
        changed[name] = value + 1
    elif value is None:
        changed[name] = 0
    else:
        changed[name] = {**value, "k": 1}
    assert entry_hash(changed) != entry_hash(FIELDS)


def test_instants_are_utc_with_microseconds():
    shanghai = dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert format_instant(shanghai) == "2026-03-02T01:30:00.000000Z"
    assert format_instant(shanghai.astimezone(dt.UTC)) == format_instant(shanghai)
    assert format_instant(dt.datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=dt.UTC)).endswith(".000005Z")
    with pytest.raises(ValueError):
        format_instant(dt.datetime(2026, 1, 1))


def test_normalize_json_gives_what_the_database_gives_back():
    value = {"a": (1, 2.0), 3: -0.0, "big": 1e16, "f": 0.1, "n": None, "t": True, "s": "中文"}
    assert normalize_json(value) == {
        "a": [1, 2],
        "3": 0,
        "big": 10_000_000_000_000_000,
        "f": 0.1,
        "n": None,
        "t": True,
        "s": "中文",
    }
    assert isinstance(normalize_json(2.0), int) and normalize_json(None) is None
    for bad in (float("nan"), {"x": float("inf")}, "a\x00b", {"k\x00": 1}, "\ud800", {1, 2}):
        with pytest.raises((ValueError, TypeError)):
            normalize_json(bad)


storable_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | storable_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(storable_text, children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_normalize_json_is_idempotent_and_survives_a_json_round_trip(value):
    once = normalize_json(value)
    assert normalize_json(once) == once
    assert canonical_json(json.loads(canonical_json(once))) == canonical_json(once)


def _round_trip(value):
    """The definition normalize_json must agree with: what the JSON column gives back."""

    def integral(v):
        if isinstance(v, float):
            return int(v) if v.is_integer() else v
        if isinstance(v, list):
            return [integral(i) for i in v]
        if isinstance(v, dict):
            return {k: integral(i) for k, i in v.items()}
        return v

    return integral(json.loads(json.dumps(value, allow_nan=False)))


class Colour(enum.StrEnum):
    RED = "红"


class Level(enum.IntEnum):
    HIGH = 3


any_key = st.one_of(
    storable_text, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()
)
loose_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | storable_text
    | st.sampled_from([Colour.RED, Level.HIGH]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(any_key, children, max_size=4)
    ),
    max_leaves=12,
)


@given(loose_values)
def test_normalize_json_equals_the_json_round_trip(value):
    """Tuples, numeric and literal keys, enum members, infinities: the walk and the round trip
    agree on every value, and refuse the same ones with the same kind of error."""
    try:
        expected = _round_trip(value)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            normalize_json(value)
        return
    got = normalize_json(value)
    assert got == expected
    assert canonical_json(got) == canonical_json(expected)  # same types: true is not 1


def test_normalize_json_refuses_a_value_that_contains_itself():
    looping: list = [1]
    looping.append(looping)
    with pytest.raises(ValueError):
        normalize_json({"a": looping})
    shared = [1, 2]
    assert normalize_json({"a": shared, "b": shared}) == {"a": [1, 2], "b": [1, 2]}


def test_checkpoint_hash():
    fields = {
        "first_entry_id": 1,
        "last_entry_id": 9,
        "count": 9,
        "merkle_root": "b" * 64,
        "prev_hash": "",
        "created_at": dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    }
    text = (
        '{"count":9,"created_at":"2026-03-02T00:00:00.000000Z","first_entry_id":1,'
        '"last_entry_id":9,"merkle_root":"' + "b" * 64 + '","prev_hash":""}'
    )
    assert checkpoint_hash(fields) == sm3_hex(text.encode())
    assert checkpoint_hash({**fields, "count": 8}) != checkpoint_hash(fields)


# --- Merkle tree ---------------------------------------------------------------------------------


def naive_root(hashes: list[str]) -> str:
    """The definition, literally: level by level, odd node promoted."""
    if not hashes:
        return sm3_hex(b"")
    level = [bytes.fromhex(sm3_hex(b"\x00" + bytes.fromhex(h))) for h in hashes]
    while len(level) > 1:
        nxt = [
            bytes.fromhex(sm3_hex(b"\x01" + level[i] + level[i + 1]))
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)


def test_merkle_small_trees():
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    leaf = {h: bytes.fromhex(sm3_hex(b"\x00" + bytes.fromhex(h))) for h in (a, b, c)}
    ab = bytes.fromhex(sm3_hex(b"\x01" + leaf[a] + leaf[b]))
    assert merkle_root([]) == EMPTY_MERKLE_ROOT == sm3_hex(b"")
    assert merkle_root([a]) == leaf[a].hex()
    assert merkle_root([a, b]) == ab.hex()
    assert merkle_root([a, b, c]) == sm3_hex(b"\x01" + ab + leaf[c])  # c promoted
    assert merkle_root([b, a]) != merkle_root([a, b])


@given(st.lists(hex64, max_size=70))
def test_streaming_root_equals_the_definition(hashes):
    builder = MerkleBuilder()
    for h in hashes:
        builder.add(h)
    assert builder.count == len(hashes)
    assert builder.root() == naive_root(hashes) == merkle_root(hashes)


@given(st.lists(hex64, min_size=1, max_size=40), st.data())
def test_root_changes_when_any_single_hash_changes(hashes, data):
    position = data.draw(st.integers(0, len(hashes) - 1))
    other = data.draw(hex64.filter(lambda h: h != hashes[position]))
    changed = [*hashes[:position], other, *hashes[position + 1 :]]
    assert merkle_root(changed) != merkle_root(hashes)


@given(st.lists(hex64, min_size=2, max_size=40), st.data())
def test_root_changes_when_a_hash_is_removed(hashes, data):
    position = data.draw(st.integers(0, len(hashes) - 1))
    assert merkle_root(hashes[:position] + hashes[position + 1 :]) != merkle_root(hashes)
