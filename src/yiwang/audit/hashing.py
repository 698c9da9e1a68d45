"""The hashes of the audit log, defined once: entry hashes, checkpoint hashes, the Merkle root.

Pure functions (no database), shared by appending, sealing and verification, so that the three
can never disagree on what is hashed.

**Entry hash.** ``SM3(canonical_json(fields))`` over every field of an entry except ``id`` and
``hash`` (the list is :data:`ENTRY_HASHED_FIELDS`), where

* ``canonical_json`` is ``json.dumps(..., sort_keys=True, ensure_ascii=False,
  separators=(",", ":"), allow_nan=False)`` encoded as UTF-8;
* ``at`` is written ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (always six fraction digits, so
  that the text does not depend on the value);
* ``before``/``after`` are JSON values normalised by :func:`normalize_json` *before* they are
  stored, so that what is read back from SQLite or PostgreSQL hashes to the same text.

Because ``prev_hash`` is one of the hashed fields, every entry commits to its whole case history.

**Checkpoint hash.** The same construction over :data:`CHECKPOINT_HASHED_FIELDS`
(``created_at`` formatted like ``at``).

**Merkle root** over a sequence of entry hashes (in entry id order):

* a leaf is ``bytes.fromhex(entry_hash)``; its node is ``SM3(0x00 || leaf)``;
* an inner node is ``SM3(0x01 || left || right)``;
* nodes are paired left to right, level by level; an odd last node is promoted unchanged to
  the next level; the root is the single node left. (The 0x00/0x01 prefixes keep a leaf from
  ever being taken for an inner node, as in RFC 6962, whose tree shape this is.)
* the root of no leaves is ``SM3("")``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from yiwang.core.gm import SM3, sm3_hex

__all__ = [
    "CHECKPOINT_HASHED_FIELDS",
    "EMPTY_MERKLE_ROOT",
    "ENTRY_HASHED_FIELDS",
    "MerkleBuilder",
    "canonical_json",
    "check_text",
    "checkpoint_hash",
    "entry_hash",
    "format_instant",
    "merkle_root",
    "normalize_json",
]

#: Every field of AuditEntry that its hash covers: all of them except ``id`` and ``hash``.
ENTRY_HASHED_FIELDS: Final = (
    "case_id",
    "seq",
    "actor_id",
    "actor_name",
    "organization_id",
    "organization_name",
    "role",
    "action",
    "at",
    "reason",
    "client_addr",
    "before",
    "after",
    "prev_hash",
)

#: Every field of AuditCheckpoint that its hash covers: all of them except ``id`` and ``hash``.
CHECKPOINT_HASHED_FIELDS: Final = (
    "first_entry_id",
    "last_entry_id",
    "count",
    "merkle_root",
    "prev_hash",
    "created_at",
)

_NOT_HASHED: Final = frozenset({"id", "hash"})
_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"


def format_instant(value: dt.datetime) -> str:
    """An aware datetime as UTC text with microseconds: ``2026-03-01T02:03:04.000005Z``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("审计时间必须带时区（aware datetime）")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize_json(value: Any) -> Any:
    """``value`` as it will come back from the database's JSON column.

    What a JSON round trip gives (tuples become lists, keys become strings, subclasses of str,
    int and float their plain values), then every float with an integral value becomes an int:
    jsonb keeps numbers as decimals and gives ``1e16`` back as ``10000000000000000`` and
    ``-0.0`` as ``0``, which would otherwise hash differently. Raises ``ValueError`` for what
    PostgreSQL cannot store (NaN, infinities, NUL characters, unpaired surrogates) and for a
    value that contains itself, so that SQLite refuses it as well; ``TypeError`` for non-JSON
    values.

    Written as one walk rather than ``json.loads(json.dumps(value))``: it runs on every audit
    entry, twice, and the walk costs a third of the round trip.
    """
    return _normalized(value, set())


def _normalized(value: Any, open_containers: set[int]) -> Any:
    # bool before int: bool is an int subclass, and JSON keeps true/false.
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        return check_text(str.__str__(value))
    if isinstance(value, int):
        if value.bit_length() > _LONGEST_INT_BITS:
            int.__repr__(value)  # raises ValueError past Python's digit limit, as json.dumps does
        return int(value)
    if isinstance(value, float):
        if value != value or value in (_INF, -_INF):
            raise ValueError("JSON 不能表示 NaN 或无穷大")
        return int(value) if value.is_integer() else float(value)
    if isinstance(value, (list, tuple, dict)):
        marker = id(value)
        if marker in open_containers:
            raise ValueError("JSON 值不能包含自身（循环引用）")
        open_containers.add(marker)
        try:
            if isinstance(value, dict):
                result: dict[str, Any] = {}
                for key, item in value.items():
                    result[_json_key(key)] = _normalized(item, open_containers)
                return result
            return [_normalized(item, open_containers) for item in value]
        finally:
            open_containers.discard(marker)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_INF: Final = float("inf")
_LONGEST_INT_BITS: Final = 14_000  # below sys.get_int_max_str_digits()'s 4,300 digits


def _json_key(key: Any) -> str:
    """An object key as JSON writes it: strings as they are, numbers and literals as text."""
    if isinstance(key, str):
        return check_text(str.__str__(key))
    if isinstance(key, float):
        if key != key or key in (_INF, -_INF):
            raise ValueError("JSON 不能表示 NaN 或无穷大")
        return float.__repr__(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def check_text(value: str) -> str:
    """``value`` itself, unless it holds what PostgreSQL cannot store (``ValueError``)."""
    if "\x00" in value:
        raise ValueError("文本中含有空字符（NUL），无法存储")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("文本中含有无效的 Unicode 字符（孤立代理项）") from exc
    return value


def canonical_json(value: Any) -> str:
    """The one text form that is hashed: sorted keys, no blanks, UTF-8 characters as they are."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def _hash_of(fields: Mapping[str, Any], names: tuple[str, ...], instants: tuple[str, ...]) -> str:
    unknown = set(fields) - set(names) - _NOT_HASHED
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    missing = [name for name in names if name not in fields]
    if missing:
        raise ValueError(f"missing fields: {missing}")
    document = {name: fields[name] for name in names}
    for name in instants:
        document[name] = format_instant(document[name])
    return sm3_hex(canonical_json(document).encode("utf-8"))


def entry_hash(fields: Mapping[str, Any]) -> str:
    """The hash of an audit entry given as ``{field name: value}`` (``id``/``hash`` ignored).

    The single definition used by ``append_entry`` and ``verify``; see the module docstring.
    ``before``/``after`` must already be normalised (:func:`normalize_json`), as stored.
    """
    return _hash_of(fields, ENTRY_HASHED_FIELDS, ("at",))


def checkpoint_hash(fields: Mapping[str, Any]) -> str:
    """The hash of a checkpoint given as ``{field name: value}`` (``id``/``hash`` ignored)."""
    return _hash_of(fields, CHECKPOINT_HASHED_FIELDS, ("created_at",))


class MerkleBuilder:
    """Computes the Merkle root of a stream of entry hashes in O(log n) memory.

    Keeps the roots of the complete subtrees seen so far (sizes are distinct powers of two,
    largest first), merging equal sizes like a binary counter; folding them right to left at
    the end gives exactly the tree of the module docstring (odd nodes promoted).
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (size, node)
        self.count = 0

    def add(self, entry_hash_hex: str) -> None:
        """Append one leaf (an entry hash, 64 hex digits)."""
        node = SM3(_LEAF + bytes.fromhex(entry_hash_hex)).digest()
        size = 1
        while self._stack and self._stack[-1][0] == size:
            _, left = self._stack.pop()
            node = SM3(_NODE + left + node).digest()
            size *= 2
        self._stack.append((size, node))
        self.count += 1

    def root(self) -> str:
        """The root as 64 hex digits (``SM3("")`` when there are no leaves)."""
        if not self._stack:
            return EMPTY_MERKLE_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = SM3(_NODE + left + node).digest()
        return node.hex()


EMPTY_MERKLE_ROOT: Final = sm3_hex(b"")


def merkle_root(entry_hashes: Iterable[str]) -> str:
    """The Merkle root of entry hashes given in entry id order (see the module docstring)."""
    builder = MerkleBuilder()
    for value in entry_hashes:
        builder.add(value)
    return builder.root()
