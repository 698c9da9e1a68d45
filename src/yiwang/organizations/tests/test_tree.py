from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yiwang.organizations.models import Level, Organization


def test_paths_are_fixed_width_and_nested(tree):
    assert len(tree.province.path) == 4
    assert tree.county_a2.path.startswith(tree.city_a.path)
    assert tree.township.path.startswith(tree.county_a2.path)
    assert tree.township.depth == 4


def test_subtree_is_one_query_and_excludes_siblings(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Organization.objects.subtree_of(tree.city_a).values_list("name", flat=True))
    assert names == {"郑州市司法局", "郑州市中原区司法局", "中牟县司法局", "中牟县城关镇司法所"}


def test_subtree_of_a_leaf_is_the_leaf(tree):
    assert list(Organization.objects.subtree_of(tree.county_b1)) == [tree.county_b1]


def test_subtree_does_not_leak_into_the_next_sibling_when_numbers_grow(tree):
    # Ten more cities: path segments 0003..0012 must not be mistaken for children of 0001.
    for i in range(10):
        Organization.objects.create(
            name=f"测试市{i}", level=Level.CITY, division_code="419001", parent=tree.province
        )
    assert Organization.objects.subtree_of(tree.city_a).count() == 4
    assert Organization.objects.subtree_of(tree.province).count() == 17


def test_ancestors(tree):
    ancestors = list(Organization.objects.ancestors_of(tree.township).order_by("path"))
    assert ancestors == [tree.province, tree.city_a, tree.county_a2]
    assert tree.township.is_within(tree.city_a)
    assert not tree.township.is_within(tree.city_b)


def test_level_must_follow_the_parent(tree):
    wrong = Organization(
        name="越级县", level=Level.COUNTY, division_code="410100", parent=tree.province
    )
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "level" in exc.value.message_dict


def test_only_a_province_may_have_no_parent(db):
    orphan = Organization(name="无上级市", level=Level.CITY, division_code="410100")
    with pytest.raises(ValidationError) as exc:
        orphan.full_clean()
    assert "parent" in exc.value.message_dict


def test_credit_code_check_character_is_validated(tree):
    code = tree.city_b.credit_code
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    bad = Organization(
        name="错误代码局",
        level=Level.COUNTY,
        division_code="410203",
        parent=tree.city_b,
        credit_code=wrong_check,
    )
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "credit_code" in exc.value.message_dict


def test_implementation_code_is_31_characters(tree):
    code = tree.city_a.implementation_code("410112001006")
    assert code == tree.city_a.credit_code + "3" + "410112001006"
    assert len(code) == 31
