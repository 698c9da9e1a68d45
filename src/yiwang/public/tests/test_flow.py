"""The flow chart layout."""

from __future__ import annotations

from yiwang.public.flow import LANE_WIDTH, FlowStep, chart


def step(position: int, key: str, level: str, label: str) -> FlowStep:
    return FlowStep(position, key, key, level, label, "承办人", "5 个工作日")


def test_lanes_follow_the_levels_and_arrows_join_consecutive_steps() -> None:
    steps = [
        step(1, "accept", "county", "县级"),
        step(2, "review", "city", "市级"),
        step(3, "check", "city", "市级"),
        step(4, "decide", "province", "省级"),
        step(5, "deliver", "province", "省级"),
    ]
    drawn = chart(steps)
    assert [lane.label for lane in drawn.lanes] == ["县级", "市级", "省级"]
    assert drawn.width == 3 * LANE_WIDTH
    assert [b.step.key for b in drawn.boxes] == ["accept", "review", "check", "decide", "deliver"]
    assert all(a.y < b.y for a, b in zip(drawn.boxes, drawn.boxes[1:], strict=False))
    assert len(drawn.arrows) == 4
    assert "H" in drawn.arrows[0]  # county → city crosses lanes
    assert "H" not in drawn.arrows[1]  # city → city goes straight down
    assert drawn.boxes[-1].y + drawn.boxes[-1].height <= drawn.height


def test_a_single_level_item_has_one_lane() -> None:
    drawn = chart([step(1, "accept", "province", "省级"), step(2, "deliver", "province", "省级")])
    assert len(drawn.lanes) == 1
    assert drawn.arrows == [
        f"M{drawn.boxes[0].cx} {drawn.boxes[0].y + drawn.boxes[0].height}V{drawn.boxes[1].y - 2}"
    ]
