"""好差评: a bad rating says what went wrong, in characters a reader can see."""

from __future__ import annotations

import pytest

from yiwang.cases.models import Rating
from yiwang.cases.ratings import rate
from yiwang.cases.tests.test_services import World
from yiwang.core.errors import InvalidInput


@pytest.fixture
def world(tree, make_staff) -> World:
    return World(tree, make_staff)


@pytest.mark.parametrize("comment", ["", "  ", "\u200b\u200b\u2060", "\u3000\ufeff\u200d"])
def test_a_very_dissatisfied_rating_needs_a_visible_reason(world, comment):
    case = world.approve(world.submit())
    with pytest.raises(InvalidInput) as info:
        rate(case, world.user, 1, comment)
    assert info.value.code == "rating.comment_required"
    assert info.value.message == "选择“不满意”或“非常不满意”时，请写明原因"
    assert not Rating.objects.exists()


def test_a_comment_is_stored_without_its_invisible_ends(world):
    case = world.approve(world.submit())
    rating = rate(case, world.user, 1, "\u200b办理太慢\u3000")
    assert Rating.objects.get(pk=rating.pk).comment == "办理太慢"


def test_a_comment_the_database_cannot_store_is_refused(world):
    case = world.approve(world.submit())
    with pytest.raises(InvalidInput) as info:
        rate(case, world.user, 2, "慢\ud800")
    assert info.value.code == "rating.comment"
    assert info.value.message == "评价内容含有无法识别的字符，无法保存"
    assert not Rating.objects.exists()
