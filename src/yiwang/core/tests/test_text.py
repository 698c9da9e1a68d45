"""Finding the NUL characters PostgreSQL cannot store, wherever in a value they sit."""

from __future__ import annotations

import pytest

from yiwang.core.text import CyclicValue, nul_path


def test_the_path_names_where_the_nul_sits():
    assert nul_path("a\x00") == ""
    assert nul_path({"items": [{"name": "ok"}, {"name": "x\x00"}]}) == "items.1.name"
    assert nul_path({"k\x00": 1}) == "k\x00"
    assert nul_path(("a", ["b", "\x00"])) == "1.1"


def test_values_without_one_pass():
    assert nul_path({"a": [1, 2.5, None, True, "text", {"b": "c"}]}) is None
    assert nul_path(7) is None


def test_messages_join_into_one_sentence_without_doubled_punctuation():
    from yiwang.core.text import join_sentences

    assert join_sentences(["太短。", "太常见了。"]) == "太短；太常见了。"
    assert join_sentences(["无标点", "有分号；"]) == "无标点；有分号。"
    assert join_sentences([]) == ""


def test_a_size_and_its_limit_are_told_in_one_unit():
    from yiwang.core.text import size_text, size_unit

    mb = 1024 * 1024
    assert size_unit(20 * mb) == "MB" and size_unit(500 * 1024) == "KB"
    assert size_text(25 * mb, "MB", round_up=True) == "25 MB"
    assert size_text(20 * mb + 1, "MB", round_up=True) == "20.1 MB"  # never "20 MB"
    assert size_text(2621440, "MB") == "2.5 MB"
    assert size_text(1536, "KB") == "1.5 KB"


def test_a_value_that_contains_itself_is_refused_with_where():
    looped: list = []
    looped.append(looped)
    with pytest.raises(CyclicValue) as info:
        nul_path({"a": looped})
    assert info.value.path == "a.0"
    assert str(info.value).startswith("文件含有循环引用的别名（a.0 处的列表或映射包含了它自身")
    mapping: dict = {"x": 1}
    mapping["self"] = [mapping]
    with pytest.raises(CyclicValue):
        nul_path(mapping)


def test_shared_values_are_not_cycles_and_are_walked_once():
    # YAML aliases of aliases: 50 levels of two references each, 2**50 paths but 50 lists.
    shared: list = ["leaf"]
    for _ in range(50):
        shared = [shared, shared]
    assert nul_path({"a": shared, "b": shared}) is None
    shared_nul = ["x\x00"]
    assert nul_path({"a": [shared_nul], "b": shared_nul}) == "a.0.0"


def test_depth_is_no_limit():
    deep: list = ["\x00"]
    for _ in range(5_000):
        deep = [deep]
    assert nul_path(deep) == ".".join(["0"] * 5_001)
