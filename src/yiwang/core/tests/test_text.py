"""Finding the NUL characters PostgreSQL cannot store, wherever in a value they sit."""

from __future__ import annotations

from yiwang.core.text import nul_path


def test_the_path_names_where_the_nul_sits():
    assert nul_path("a\x00") == ""
    assert nul_path({"items": [{"name": "ok"}, {"name": "x\x00"}]}) == "items.1.name"
    assert nul_path({"k\x00": 1}) == "k\x00"
    assert nul_path(("a", ["b", "\x00"])) == "1.1"


def test_values_without_one_pass():
    assert nul_path({"a": [1, 2.5, None, True, "text", {"b": "c"}]}) is None
    assert nul_path(7) is None
