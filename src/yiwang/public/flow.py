"""The geometry of an item's flow chart: one lane per level (县级 · 市级 · 省级), one box per step
in order, arrows from each step to the next. Pure layout; the template draws it as inline SVG.

The lanes show what the ordered list beside it cannot: where a case crosses from one level of
government to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LANE_WIDTH = 168
BOX_WIDTH = 144
BOX_HEIGHT = 54
HEADER = 36
ROW = 80  # box height plus the gap an arrow crosses
LANE_ORDER = ("county", "city", "province")


@dataclass(frozen=True)
class FlowStep:
    position: int
    key: str
    name: str
    level: str
    level_label: str
    role_label: str
    limit: str


@dataclass(frozen=True)
class Lane:
    x: int
    width: int
    label: str
    label_x: int


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    cx: int
    name_y: int
    limit_y: int
    step: FlowStep


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lanes: list[Lane]
    boxes: list[Box]
    arrows: list[str]  # SVG path data


def chart(steps: Sequence[FlowStep]) -> Chart:
    present = {s.level for s in steps}
    levels = [lv for lv in LANE_ORDER if lv in present]
    levels += sorted(present - set(levels))
    labels = {s.level: s.level_label for s in steps}
    column = {lv: i for i, lv in enumerate(levels)}
    lanes = [
        Lane(
            x=i * LANE_WIDTH,
            width=LANE_WIDTH,
            label=labels[lv],
            label_x=i * LANE_WIDTH + LANE_WIDTH // 2,
        )
        for i, lv in enumerate(levels)
    ]
    margin = (LANE_WIDTH - BOX_WIDTH) // 2
    boxes = []
    for row, step in enumerate(steps):
        x = column[step.level] * LANE_WIDTH + margin
        y = HEADER + 12 + row * ROW
        boxes.append(
            Box(
                x=x,
                y=y,
                width=BOX_WIDTH,
                height=BOX_HEIGHT,
                cx=x + BOX_WIDTH // 2,
                name_y=y + 23,
                limit_y=y + 43,
                step=step,
            )
        )
    arrows = []
    for a, b in zip(boxes, boxes[1:], strict=False):
        top, bottom = a.y + a.height, b.y - 2  # stop short so the arrowhead stays visible
        if a.cx == b.cx:
            arrows.append(f"M{a.cx} {top}V{bottom}")
        else:
            middle = top + (b.y - top) // 2
            arrows.append(f"M{a.cx} {top}V{middle}H{b.cx}V{bottom}")
    height = HEADER + 12 + len(steps) * ROW
    return Chart(
        width=max(len(levels), 1) * LANE_WIDTH,
        height=height,
        lanes=lanes,
        boxes=boxes,
        arrows=arrows,
    )
