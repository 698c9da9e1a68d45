"""What the workbench's forms send, turned into queue filters and ``engine.Action`` values.

Only the shape of the input is checked here (a number is a number, a date is a date); whether
an action is allowed and complete is the engine's to say, so its messages reach the page as
they reach the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from yiwang.cases import engine
from yiwang.cases.models import Channel, DeliveryMethod, SuspensionKind
from yiwang.core.errors import InvalidInput
from yiwang.workbench.selectors import (
    BADGES,
    CasePage,
    MaterialOption,
    QueueFilters,
)

SEARCH_MAX = 60

# Actions that need a reason whatever else is given; 决定 needs one only to deny.
REASON_REQUIRED = frozenset({"refuse", "send_back", "suspend", "extend"})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def queue_filters(query: QueryDict) -> QueueFilters:
    """Filters from the query string; unknown or malformed values are ignored, not errors."""
    view = query.get("view", "")
    channel = query.get("channel", "")
    badge = query.get("badge", "")
    return QueueFilters(
        view="waiting" if view == "waiting" else "queue",
        item=_int(query.get("item")),
        step=query.get("step", "").strip()[:30],
        channel=channel if channel in Channel.values else "",
        applicant=query.get("applicant", "").strip()[:SEARCH_MAX],
        q=query.get("q", "").strip()[:SEARCH_MAX],
        badge=badge if badge in BADGES else "",
        page=max(_int(query.get("page")) or 1, 1),
    )


def page_number(query: QueryDict) -> int:
    return max(_int(query.get("page")) or 1, 1)


# --- Actions -----------------------------------------------------------------------------------


@dataclass
class Posted:
    """What a person typed into one action form, kept to show it again after a refusal."""

    reason: str = ""
    materials: list[str] = field(default_factory=list)  # material positions, as sent
    problems: dict[str, str] = field(default_factory=dict)  # position → note
    due: str = ""
    kind: str = ""
    decision: str = ""
    to_step: str = ""
    method: str = ""
    served_on: str = ""
    verdict: str = ""  # the finding of a pledge check


def posted(data: QueryDict) -> Posted:
    chosen = [p for p in data.getlist("materials") if p.isdigit()]
    return Posted(
        reason=data.get("reason", "").strip(),
        materials=chosen,
        problems={p: data.get(f"problem_{p}", "").strip() for p in chosen},
        due=data.get("due", "").strip(),
        kind=data.get("kind", "").strip(),
        decision=data.get("decision", "").strip(),
        to_step=data.get("to_step", "").strip(),
        method=data.get("method", "").strip(),
        served_on=data.get("served_on", "").strip(),
        verdict=data.get("verdict", "").strip(),
    )


def expected_version(data: QueryDict) -> int:
    version = _int(data.get("version"))
    if version is None or version < 1:
        raise InvalidInput("workbench.version", "表单缺少办件版本号，请刷新页面后重新操作")
    return version


def _date(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("workbench.date", f"{label}不是有效的日期（格式：2026-10-08）") from None


def build_action(kind: str, given: Posted, materials: Sequence[MaterialOption]) -> engine.Action:
    """The engine's action for one form; the engine checks the rest."""
    by_position = {str(m.position): m.name for m in materials}
    params: dict[str, Any] = {}
    listed = [
        {"material": by_position[p], "problem": given.problems.get(p, "")}
        for p in given.materials
        if p in by_position
    ]
    if kind in ("request_supplement", "accept_with_gaps") or (
        kind == "suspend" and given.kind == "supplement"
    ):
        params["materials"] = listed
    if kind == "accept_with_gaps" and given.due:
        params["due"] = _date(given.due, "补交期限")
    if kind == "suspend" and given.kind:
        params["kind"] = given.kind
    if kind == "decide" and given.decision:
        params["decision"] = given.decision
    if kind == "send_back" and given.to_step:
        params["to_step"] = given.to_step
    if kind == "deliver":
        if given.method:
            params["method"] = given.method
        # The page always sends the date (today by default): a blank one was cleared on purpose.
        if not given.served_on:
            raise InvalidInput("workbench.served_on", "请填写送达日期")
        params["served_on"] = _date(given.served_on, "送达日期")
    return engine.Action(kind, given.reason, params)


# --- The action panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class MaterialChoice:
    position: int
    name: str
    checked: bool
    problem: str


@dataclass(frozen=True)
class Panel:
    """One action's small form on the case page."""

    kind: str
    label: str
    reason: str
    reason_required: bool
    reason_hint: str
    open: bool
    error: str
    materials: tuple[MaterialChoice, ...] = ()
    material_hint: str = ""
    with_problems: bool = False
    due: str = ""
    due_min: str = ""
    kinds: tuple[Choice, ...] = ()
    decisions: tuple[Choice, ...] = ()
    targets: tuple[Choice, ...] = ()
    methods: tuple[Choice, ...] = ()
    served_on: str = ""
    note: str = ""


@dataclass(frozen=True)
class Failure:
    """A refused submission of one action form: which, why, and what was typed."""

    kind: str
    message: str
    given: Posted
    conflict: bool = False

    @property
    def label(self) -> str:
        return engine.ACTION_LABELS.get(self.kind, self.kind)


def _choices(options: Sequence[tuple[str, str]], chosen: str) -> tuple[Choice, ...]:
    return tuple(Choice(value, label, value == chosen) for value, label in options)


def _material_choices(
    options: Sequence[MaterialOption], given: Posted | None, *, gaps_only: bool = False
) -> tuple[MaterialChoice, ...]:
    chosen = set(given.materials) if given else set()
    problems: Mapping[str, str] = given.problems if given else {}
    return tuple(
        MaterialChoice(
            m.position, m.name, str(m.position) in chosen, problems.get(str(m.position), "")
        )
        for m in options
        if m.gap_allowed or not gaps_only
    )


HINTS = {
    "refuse": "写入不予受理决定书，须说明理由。",
    "send_back": "说明回退的原因，接收环节据此办理。",
    "suspend": "写入特殊环节告知书，须说明理由。",
    "extend": "延期须告知申请人理由。",
    "decide": "不予准予时必填，写入决定书。",
}


def panels(page: CasePage, failure: Failure | None) -> list[Panel]:
    """The forms of the actions the engine offers now; the refused one keeps its input."""
    result = []
    for kind in page.actions:
        given = failure.given if failure is not None and failure.kind == kind else None
        error = failure.message if given is not None and failure is not None else ""
        common: dict[str, Any] = {
            "kind": kind,
            "label": engine.ACTION_LABELS.get(kind, kind),
            "reason": given.reason if given else "",
            "reason_required": kind in REASON_REQUIRED,
            "reason_hint": HINTS.get(kind, "可选，记入办理过程。"),
            "open": given is not None,
            "error": error,
        }
        if kind == "request_supplement":
            extra: dict[str, Any] = {
                "materials": _material_choices(page.material_options, given),
                "material_hint": "勾选需要补正的全部材料（一次性告知），并写明每项的问题。",
                "with_problems": True,
            }
        elif kind == "accept_with_gaps":
            extra = {
                "materials": _material_choices(page.material_options, given, gaps_only=True),
                "material_hint": "勾选容缺受理后补交的材料。",
                "due": given.due if given else "",
                "due_min": (page.today + dt.timedelta(days=1)).isoformat(),
            }
        elif kind == "suspend":
            extra = {
                "kinds": _choices(SuspensionKind.choices, given.kind if given else ""),
                "materials": _material_choices(page.material_options, given),
                "material_hint": "特殊环节为“补正材料”时，勾选需要补正的材料并写明问题。",
                "with_problems": True,
            }
        elif kind == "decide":
            extra = {
                "decisions": _choices(
                    (("approve", "准予"), ("deny", "不予准予")), given.decision if given else ""
                )
            }
        elif kind == "send_back":
            extra = {
                "targets": _choices(
                    [(s.key, s.name) for s in page.send_back_targets],
                    given.to_step if given else "",
                )
            }
        elif kind == "deliver":
            extra = {
                "methods": _choices(DeliveryMethod.choices, given.method if given else ""),
                "served_on": given.served_on if given else page.today.isoformat(),
            }
        elif kind == "hand_over":
            extra = {"note": f"移送至：{page.hand_over_to}" if page.hand_over_to else ""}
        elif kind == "extend":
            extension = page.case.item_version.limit_text(page.defn.extension_days)
            extra = {"note": f"批准后法定期限延长 {extension}（仅可延长一次）。"}
        else:
            extra = {}
        result.append(Panel(**common, **extra))
    return result
