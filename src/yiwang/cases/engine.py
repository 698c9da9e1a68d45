"""The approval engine: a pure function ``apply(definition, state, action, actor, today, calendar)``.

It reads no database and no clock: everything it needs comes in as values and everything it
decides goes out as a new ``State`` plus ``Event`` records. Persistence (``services.perform``)
wraps it in one transaction with an optimistic version check. Every rule about who may do what,
when, and how the legal clock moves lives here, in one function per action.

The clock (行政许可法):
- 第32条: accept, refuse or ask for supplement within 5 working days of receipt, else a 行政许可
  application is deemed accepted from the day of receipt (``deem_accept``). Other items keep the
  5-day acceptance limit, and an overdue one stays overdue: no law deems them accepted
  (法律援助法 第43条, for one, only gives the 7 days of the decision).
- 第42条/第43条: statutory and promised limits run from acceptance; each step has its own limit.
  Where an item's own law counts them from receipt (法律援助法 第43条、第49条), they run from the
  day the complete application is received, while it waits for acceptance too.
- 第45条: suspended periods (补正, 现场核查, 专家评审, 听证, 检验检测鉴定) are not counted: the
  days between suspension and resumption are added back to every running limit.
- 延期: a leader may extend the statutory limit once by the item's extension days.
Deadlines are the end of the N-th unit after the start day (the start day is not counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from yiwang.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from yiwang.core.text import trimmed, unstorable

ACCEPTANCE_WORKDAYS = 5  # 行政许可法 第32条
# Reasons and problem notes are printed on letters: long enough for any real reason, short
# enough that a letter stays a letter.
REASON_MAX_CHARS = 500
PROBLEM_MAX_CHARS = 200

# Roles (same codes as accounts.Role; the engine does not import Django models).
WINDOW_CLERK, HANDLER, REVIEWER, LEADER = "window_clerk", "handler", "reviewer", "leader"
HANDLING_ROLES = (WINDOW_CLERK, HANDLER, REVIEWER, LEADER)
LEVEL_ORDER = {"county": 0, "city": 1, "province": 2}

# Statuses (same codes as models.Status).
SUBMITTED, SUPPLEMENT, IN_PROGRESS, SUSPENDED = (
    "submitted",
    "supplement",
    "in_progress",
    "suspended",
)
CONCLUDED, DELIVERED, REFUSED, WITHDRAWN = "concluded", "delivered", "refused", "withdrawn"
OPEN = (SUBMITTED, SUPPLEMENT, IN_PROGRESS, SUSPENDED)
SUSPENSION_KINDS = ("supplement", "site_check", "expert_review", "hearing", "testing")
DELIVERY_METHODS = ("online", "post", "window")
# When the statutory and promised limits start (same codes as catalog.LimitsFrom).
FROM_ACCEPTANCE, FROM_RECEIPT = "acceptance", "receipt"


class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> Any: ...
    def workdays_between(self, a: dt.date, b: dt.date) -> Any: ...


# --- Definition (from a published item version; immutable) ---------------------------------


@dataclass(frozen=True, slots=True)
class StepDef:
    key: str
    name: str
    level: str
    role: str
    limit_days: int


@dataclass(frozen=True, slots=True)
class Definition:
    version_id: int
    item_code: str
    item_name: str
    steps: tuple[StepDef, ...]
    handling: str  # promised | immediate
    unit: str  # workday | day | month
    statutory_days: int
    promised_days: int
    extension_days: int
    pledge_allowed: bool
    materials: frozenset[str]
    gap_materials: frozenset[str]
    limits_from: str = FROM_ACCEPTANCE
    # 第32条 deems an unanswered application accepted: 行政许可 items only.
    deemed_acceptance: bool = True
    # Certificates the applicant may replace by a written pledge (证明事项告知承诺), whether
    # or not the item as a whole admits one (``pledge_allowed``).
    pledge_materials: frozenset[str] = frozenset()
    #: The item's own check period of a pledge (working days); None: the province's default.
    pledge_check_days: int | None = None

    @property
    def step_unit(self) -> str:
        # Step limits are working days, except for items counted in natural days.
        return "day" if self.unit == "day" else "workday"


# --- State, actor, action, event -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class State:
    status: str
    outcome: str
    step_index: int
    owner_org_id: int
    chain: tuple[tuple[str, int], ...]  # (level, organization id), accepting organization first
    applicant_id: int
    received_on: dt.date
    accept_due: dt.date | None = None
    accepted_on: dt.date | None = None
    deemed_accepted: bool = False
    step_started_on: dt.date | None = None
    step_due: dt.date | None = None
    promised_due: dt.date | None = None
    statutory_due: dt.date | None = None
    deadline_provisional: bool = False
    paused_workdays: int = 0
    step_paused_workdays: int = 0
    suspended_on: dt.date | None = None
    suspension_kind: str = ""
    extension_days: int = 0
    decided_on: dt.date | None = None
    decision_reason: str = ""
    delivered_on: dt.date | None = None
    delivery_method: str = ""
    pledged: bool = False
    pledged_materials: tuple[str, ...] = ()
    gaps: tuple[Mapping[str, Any], ...] = ()
    supplement: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff member with (role, organization) pairs, an applicant, or the system."""

    user_id: int | None
    name: str
    roles: frozenset[tuple[str, int]] = frozenset()
    applicant_ids: frozenset[int] = frozenset()
    system: bool = False

    def holds(self, role: str, organization_id: int) -> bool:
        return (role, organization_id) in self.roles


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    reason: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    """What happened, for the audit record and for documents to issue."""

    action: str
    role: str  # the role the actor used ("applicant", "system" or a staff role)
    organization_id: int | None
    reason: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    document: str = ""  # the kind of letter this event issues, if any
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ctx:
    """The inputs of one ``apply`` call that every rule may read."""

    defn: Definition
    actor: Actor
    today: dt.date
    calendar: Calendar
    # Facts read for the step by the caller: for each step that asks the applicant for materials
    # (request_supplement, suspend, accept_with_gaps), the materials given a new version since
    # its latest entry. Only supply_supplement reads them.
    supplied: Mapping[str, frozenset[str]] = field(default_factory=dict)


# --- Errors ------------------------------------------------------------------------------------


def _forbidden(message: str) -> DomainError:
    return Forbidden("case.forbidden", message)


def _wrong_state(message: str) -> DomainError:
    return Conflict("case.invalid_state", message)


def _invalid(code: str, message: str) -> DomainError:
    return InvalidInput(code, message)


# --- Clock ---------------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        raise OverflowError("date value out of range")
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_end(
    calendar: Calendar, start: dt.date, amount: int, unit: str, paused: int = 0
) -> tuple[dt.date, bool]:
    """The last day of a period of ``amount`` units after ``start``, plus ``paused`` days not counted.

    Working days: the N-th working day after ``start``. Natural days and months: the date so many
    days or months later; a period that ends on a rest day runs to the next working day
    (民法典 第203条). ``paused`` is in working days for working-day periods and in natural days
    otherwise, as the pause itself was measured.
    """
    if unit == "workday":
        result = calendar.add_workdays(start, amount + paused)
        return result.date, bool(result.provisional)
    try:
        end = start + dt.timedelta(days=amount) if unit == "day" else _add_months(start, amount)
        end += dt.timedelta(days=paused)
    except OverflowError:
        # A limit stored before the catalogue bounded them: refused like any date past the calendar.
        raise InvalidInput("calendar.out_of_range", "期限超出工作日历的范围") from None
    rolled = calendar.add_workdays(end - dt.timedelta(days=1), 1)  # the next working day ≥ end
    return rolled.date, bool(rolled.provisional)


def pause_length(calendar: Calendar, since: dt.date, until: dt.date, unit: str) -> tuple[int, bool]:
    """Days in (since, until] that the law does not count (第45条)."""
    if unit == "workday":
        count = calendar.workdays_between(since, until)
        return max(count.workdays, 0), bool(count.provisional)
    return max((until - since).days, 0), False


def _limit_dues(defn: Definition, calendar: Calendar, s: State) -> tuple[dt.date, dt.date, bool]:
    """The statutory and promised deadlines, counted from the item's start day (``limits_from``)."""
    start = s.received_on if defn.limits_from == FROM_RECEIPT else s.accepted_on
    assert start is not None, "limits counted from acceptance need an accepted case"
    statutory, p1 = period_end(
        calendar, start, defn.statutory_days + s.extension_days, defn.unit, s.paused_workdays
    )
    promised, p2 = period_end(calendar, start, defn.promised_days, defn.unit, s.paused_workdays)
    return statutory, promised, p1 or p2


def _awaiting_acceptance(
    defn: Definition, calendar: Calendar, s: State, received: dt.date
) -> State:
    """Received complete on ``received``: the acceptance window opens (five working days; for
    a 行政许可 item that is 第32条's, kept in ``accept_due``, after which the application is
    deemed accepted), and limits counted from receipt start running."""
    due = calendar.add_workdays(received, ACCEPTANCE_WORKDAYS)
    s = replace(
        s,
        status=SUBMITTED,
        received_on=received,
        accept_due=due.date if defn.deemed_acceptance else None,
        step_started_on=received,
        step_due=due.date,
        statutory_due=None,
        promised_due=None,
        deadline_provisional=bool(due.provisional),
    )
    if defn.limits_from != FROM_RECEIPT:
        return s
    statutory, promised, provisional = _limit_dues(defn, calendar, s)
    # The whole limit runs from receipt, so acceptance takes its own step's share of it, never
    # the 第32条 five days of a limit that would only start at acceptance.
    own_share, p_accept = period_end(calendar, received, defn.steps[0].limit_days, defn.step_unit)
    return replace(
        s,
        step_due=min(due.date, own_share, statutory),
        statutory_due=statutory,
        promised_due=promised,
        deadline_provisional=s.deadline_provisional or provisional or p_accept,
    )


def acceptance_window(defn: Definition) -> str:
    """The time :func:`_awaiting_acceptance` gives the window, as people read it."""
    if defn.limits_from == FROM_RECEIPT:
        unit = "日" if defn.step_unit == "day" else "个工作日"
        return f"收件后 {defn.steps[0].limit_days} {unit}内"
    return f"收件后 {ACCEPTANCE_WORKDAYS} 个工作日内"


def _with_clocks(c: Ctx, s: State) -> State:
    """Recompute every running deadline of an accepted case from the stored starts, pauses and
    extension."""
    defn = c.defn
    if s.status in (SUSPENDED,) or s.accepted_on is None:
        return replace(s, step_due=None, promised_due=None, statutory_due=None)
    if s.status not in (IN_PROGRESS,):
        return replace(
            s, step_due=None, promised_due=None, statutory_due=None, deadline_provisional=False
        )
    statutory, promised, provisional = _limit_dues(defn, c.calendar, s)
    step = defn.steps[s.step_index]
    started = s.step_started_on or s.accepted_on
    step_due, p3 = period_end(
        c.calendar, started, step.limit_days, defn.step_unit, s.step_paused_workdays
    )
    return replace(
        s,
        statutory_due=statutory,
        promised_due=promised,
        step_due=step_due,
        deadline_provisional=provisional or p3,
    )


# --- Helpers -------------------------------------------------------------------------------------


def _step(defn: Definition, s: State) -> StepDef:
    return defn.steps[s.step_index]


def _org_at(s: State, level: str) -> int:
    for chain_level, org_id in s.chain:
        if chain_level == level:
            return org_id
    raise _invalid("case.no_organization", f"受理机构的上级链中没有{level}级机构，无法移送")


def _first_handler(c: Ctx, s: State) -> int:
    """收办分离: the window accepts; the first handling step may sit at a higher level."""
    return _org_at(s, c.defn.steps[1].level)


def _require_staff(actor: Actor, s: State, role: str, what: str) -> None:
    if not actor.holds(role, s.owner_org_id):
        raise _forbidden(f"只有当前办理机构的{ROLE_LABELS[role]}可以{what}")


def _require_applicant(actor: Actor, s: State, what: str) -> None:
    if s.applicant_id not in actor.applicant_ids:
        raise _forbidden(f"只有申请人本人或其授权代办人可以{what}")


def _require_status(s: State, allowed: tuple[str, ...], what: str) -> None:
    if s.status not in allowed:
        label = STATUS_LABELS.get(s.status, s.status)
        raise _wrong_state(f"办件当前状态为“{label}”，不能{what}")


def _require_reason(action: Action, what: str) -> str:
    reason = trimmed(action.reason)
    if not reason:
        raise _invalid("case.reason_required", f"{what}必须填写理由")
    return reason


def _checked_text(text: str, label: str, limit: int) -> str:
    """A person's text for the record and the letters: trimmed, storable, not too long."""
    text = trimmed(text)
    problem = unstorable(text)
    if problem:
        raise _invalid("case.text_invalid", f"{label}{problem}")
    if len(text) > limit:
        raise _invalid("case.text_too_long", f"{label}不能超过 {limit} 字（现有 {len(text)} 字）")
    return text


def _materials_list(
    defn: Definition, value: Any, allowed: frozenset[str], what: str
) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise _invalid("case.materials_required", f"{what}必须列出至少一项材料")
    items: list[dict[str, str]] = []
    for entry in value:
        name = entry.get("material") if isinstance(entry, Mapping) else entry
        if not isinstance(name, str) or name not in allowed:
            raise _invalid("case.unknown_material", f"“{name}”不是本事项{what}允许的材料")
        problem = entry.get("problem", "") if isinstance(entry, Mapping) else ""
        note = _checked_text(str(problem), f"“{name}”的问题说明", PROBLEM_MAX_CHARS)
        items.append({"material": name, "problem": note})
    return items


# No clock runs: the case ended before acceptance, or waits there on the applicant's supplement.
_STOPPED: dict[str, Any] = {
    "accept_due": None,
    "step_due": None,
    "statutory_due": None,
    "promised_due": None,
    "deadline_provisional": False,
}


def _enter_step(c: Ctx, s: State, index: int, owner: int, today: dt.date) -> State:
    return _with_clocks(
        c,
        replace(
            s, step_index=index, owner_org_id=owner, step_started_on=today, step_paused_workdays=0
        ),
    )


FIELDS = (
    "status", "outcome", "step_index", "owner_org_id", "accept_due", "accepted_on",
    "deemed_accepted", "step_started_on", "step_due", "promised_due", "statutory_due",
    "deadline_provisional", "paused_workdays", "step_paused_workdays", "suspended_on",
    "suspension_kind", "extension_days", "decided_on", "decision_reason", "delivered_on",
    "delivery_method",
    "pledged", "pledged_materials", "gaps", "supplement",
)  # fmt: skip


def changes(before: State, after: State) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, as JSON-ready values, for the audit record."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name in FIELDS:
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            old[name], new[name] = _jsonable(a), _jsonable(b)
    return old, new


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


# --- Starting a case -----------------------------------------------------------------------------


def start(
    defn: Definition,
    *,
    applicant_id: int,
    chain: tuple[tuple[str, int], ...],
    today: dt.date,
    calendar: Calendar,
) -> tuple[State, Event]:
    """A submitted application: owned by the accepting window, with the 第32条 clock running."""
    accept_level = defn.steps[0].level
    if not chain or chain[0][0] != accept_level:
        raise _invalid(
            "case.wrong_accepting_level",
            f"本事项由{LEVEL_LABELS.get(accept_level, accept_level)}机构受理，所选机构层级不符",
        )
    received = State(
        status=SUBMITTED,
        outcome="",
        step_index=0,
        owner_org_id=chain[0][1],
        chain=chain,
        applicant_id=applicant_id,
        received_on=today,
    )
    state = _awaiting_acceptance(defn, calendar, received, today)
    blank = replace(received, status="")
    old, new = changes(blank, state)
    return state, Event("submit", "applicant", chain[0][1], "", old, new)


# --- Actions ---------------------------------------------------------------------------------------


def _withdraw(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    actor = c.actor
    _require_applicant(actor, s, "撤回申请")
    _require_status(s, (SUBMITTED, SUPPLEMENT), "撤回（受理后不能撤回）")
    new = replace(s, status=WITHDRAWN, outcome="withdrawn", **_STOPPED)
    return new, "applicant", ""


def _accept(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    actor, today = c.actor, c.today
    _require_staff(actor, s, WINDOW_CLERK, "受理")
    _require_status(s, (SUBMITTED,), "受理")
    new = replace(s, status=IN_PROGRESS, accepted_on=today, accept_due=None, supplement=())
    return _enter_step(c, new, 1, _first_handler(c, s), today), WINDOW_CLERK, "acceptance_notice"


def _accept_with_gaps(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_staff(actor, s, WINDOW_CLERK, "容缺受理")
    _require_status(s, (SUBMITTED,), "容缺受理")
    if not defn.gap_materials:
        raise _invalid("case.gaps_not_allowed", "本事项没有可以容缺的材料")
    owed = _materials_list(defn, a.params.get("materials"), defn.gap_materials, "容缺受理")
    due = a.params.get("due")
    if not isinstance(due, dt.date) or due <= today:
        raise _invalid("case.gap_due", "容缺材料的补交期限必须是今天以后的日期")
    gaps = tuple({"material": m["material"], "due": due.isoformat()} for m in owed)
    new = replace(
        s, status=IN_PROGRESS, accepted_on=today, accept_due=None, gaps=gaps, supplement=()
    )
    new = _enter_step(c, new, 1, _first_handler(c, s), today)
    # Owed materials block approval: due after the statutory deadline, they could not be decided on.
    if new.statutory_due is not None and due > new.statutory_due:
        raise _invalid(
            "case.gap_due",
            f"容缺材料的补交期限不能晚于法定办结期限（{new.statutory_due.isoformat()}）",
        )
    return new, WINDOW_CLERK, "acceptance_notice"


def _refuse(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    actor, today = c.actor, c.today
    _require_staff(actor, s, WINDOW_CLERK, "作出不予受理决定")
    _require_status(s, (SUBMITTED,), "不予受理")
    _require_reason(a, "不予受理")
    new = replace(s, status=REFUSED, outcome="refused", decided_on=today, **_STOPPED)
    return new, WINDOW_CLERK, "refusal_decision"


def _request_supplement(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor = c.defn, c.actor
    _require_staff(actor, s, WINDOW_CLERK, "一次性告知补正")
    _require_status(s, (SUBMITTED,), "要求补正（已受理的办件请使用特殊环节“补正”）")
    items = _materials_list(defn, a.params.get("materials"), defn.materials, "补正")
    # 第32条: once told in time, no deemed acceptance; the 5-day clock restarts on supply, and
    # so do limits counted from receipt (the complete application is received then).
    new = replace(s, status=SUPPLEMENT, supplement=tuple(items), **_STOPPED)
    return new, WINDOW_CLERK, "supplement_notice"


def _supply_supplement(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_applicant(actor, s, "提交补正材料")
    if s.status == SUPPLEMENT:
        _require_supplied(c, "request_supplement", [m["material"] for m in s.supplement])
        new = _awaiting_acceptance(defn, c.calendar, replace(s, supplement=()), today)
        return new, "applicant", ""
    if s.status == SUSPENDED and s.suspension_kind == "supplement":
        _require_supplied(c, "suspend", [m["material"] for m in s.supplement])
        resumed = _resume_state(c, s, today)
        return replace(resumed, supplement=()), "applicant", ""
    if s.gaps and s.status in (IN_PROGRESS, SUSPENDED, CONCLUDED):
        uploaded = c.supplied.get("accept_with_gaps", frozenset())
        if a.params.get("materials") is None:  # all the owed materials given so far
            handed = [g["material"] for g in s.gaps if g["material"] in uploaded]
            if not handed:
                _require_supplied(c, "accept_with_gaps", [g["material"] for g in s.gaps])
        else:
            listed = _materials_list(defn, a.params.get("materials"), defn.materials, "补交")
            handed = [m["material"] for m in listed]
            _require_supplied(c, "accept_with_gaps", handed)
        remaining = tuple(g for g in s.gaps if g["material"] not in handed)
        return replace(s, gaps=remaining), "applicant", ""
    raise _wrong_state("办件当前没有待补正或待补交的材料")


def _require_supplied(c: Ctx, request: str, names: list[str]) -> None:
    """Materials named by a request must each have a new version uploaded since it."""
    uploaded = c.supplied.get(request, frozenset())
    missing = [name for name in dict.fromkeys(names) if name not in uploaded]
    if missing:
        raise _invalid(
            "case.supplement_missing",
            f"以下材料尚未上传新的文件：{'、'.join(missing)}；请逐项上传后再提交",
        )


def upload_refusal(s: State, material: str) -> str:
    """Why the applicant may not give ``material`` a new version now; "" when they may.

    Before acceptance the window examines the whole application, so any material may be
    replaced. From acceptance on, the agency reviews what was accepted: only the materials a
    supplement request (补正) or an acceptance with gaps (容缺) names are open, until supplied.
    """
    if s.status in (SUBMITTED, SUPPLEMENT):
        return ""
    open_names = (
        {g["material"] for g in s.gaps}
        if s.status in (IN_PROGRESS, SUSPENDED, CONCLUDED)
        else set()
    )
    if s.status == SUSPENDED and s.suspension_kind == "supplement":
        open_names |= {m["material"] for m in s.supplement}
    if material in open_names:
        return ""
    if open_names:
        return f"“{material}”不在需要补正或补交的材料之中，办件受理后不能再更换"
    if s.status in (IN_PROGRESS, SUSPENDED, CONCLUDED):
        return "办件已经受理，材料不能再更换；需要补正时，窗口会通知您"
    return "办件已经结束，不能再上传材料"


def _pledge(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    """告知承诺. Without ``materials``: the item's own pledge that its conditions are met, on
    which it is decided. With ``materials``: named certificates replaced by the pledge
    (证明事项告知承诺), given with the application. Either is verified after approval."""
    defn, actor = c.defn, c.actor
    _require_applicant(actor, s, "作出告知承诺")
    materials = a.params.get("materials")
    if materials is None:
        _require_status(s, (SUBMITTED, SUPPLEMENT), "作出告知承诺")
        if not defn.pledge_allowed:
            raise _invalid("case.pledge_not_allowed", "本事项不适用告知承诺")
        if s.pledged:
            raise _wrong_state("已经作出告知承诺")
        return replace(s, pledged=True), "applicant", ""
    _require_status(s, (SUBMITTED,), "以告知承诺代替证明材料（只能随申请一并作出）")
    if not defn.pledge_materials:
        raise _invalid("case.pledge_not_allowed", "本事项没有可以告知承诺代替的材料")
    named = _materials_list(defn, materials, defn.pledge_materials, "告知承诺")
    pledged = tuple(sorted({*s.pledged_materials, *(m["material"] for m in named)}))
    if pledged == s.pledged_materials:
        raise _wrong_state("所列材料已经以告知承诺代替")
    return replace(s, pledged_materials=pledged), "applicant", ""


def _complete_step(c: Ctx, s: State, role: str, what: str) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (IN_PROGRESS,), what)
    step = _step(defn, s)
    if step.role != role or step.key in ("accept", "deliver"):
        raise _wrong_state(f"当前环节“{step.name}”不是{what}环节")
    _require_staff(actor, s, role, what)
    following = defn.steps[s.step_index + 1]
    if LEVEL_ORDER[following.level] > LEVEL_ORDER[step.level]:
        raise _wrong_state(f"本环节完成后须移送{LEVEL_LABELS[following.level]}机构，请使用“移送”")
    return _enter_step(c, s, s.step_index + 1, s.owner_org_id, today), role, ""


def _review(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    return _complete_step(c, s, HANDLER, "审查")


def _check(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    return _complete_step(c, s, REVIEWER, "审核")


def _decide(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (IN_PROGRESS,), "作出决定")
    step = _step(defn, s)
    if step.role != LEADER:
        raise _wrong_state(f"当前环节“{step.name}”不是决定环节")
    _require_staff(actor, s, LEADER, "作出决定")
    decision = a.params.get("decision")
    if decision not in ("approve", "deny"):
        raise _invalid("case.decision", "请选择决定：准予或不予准予")
    if decision == "deny":
        _require_reason(a, "不予准予")
    if decision == "approve" and s.gaps:
        owed = "、".join(g["material"] for g in s.gaps)
        raise _wrong_state(f"容缺材料尚未补齐（{owed}），不能作出准予决定")
    outcome = "approved" if decision == "approve" else "denied"
    deliver = len(defn.steps) - 1
    owner = _org_at(s, defn.steps[deliver].level)
    new = replace(s, outcome=outcome, decided_on=today, decision_reason=a.reason.strip())
    return _enter_step(c, new, deliver, owner, today), LEADER, ""


def _send_back(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (IN_PROGRESS,), "回退")
    if s.outcome:
        # A decision made is changed only by the law's own procedures, never by a step back.
        raise _wrong_state("已经作出决定，不能回退")
    step = _step(defn, s)
    _require_staff(actor, s, step.role, "回退")
    _require_reason(a, "回退")
    target = a.params.get("to_step")
    keys = [st.key for st in defn.steps]
    if target not in keys:
        raise _invalid("case.unknown_step", f"没有环节“{target}”")
    index = keys.index(target)
    if not 0 < index < s.step_index:
        raise _invalid("case.send_back_target", "只能回退到受理之后、当前环节之前的环节")
    owner = _org_at(s, defn.steps[index].level)
    return _enter_step(c, s, index, owner, today), step.role, ""


def _hand_over(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (IN_PROGRESS,), "移送")
    step = _step(defn, s)
    _require_staff(actor, s, step.role, "移送")
    if s.step_index + 1 >= len(defn.steps):
        raise _wrong_state("已是最后一个环节，没有可以移送的下一环节")
    following = defn.steps[s.step_index + 1]
    if LEVEL_ORDER.get(following.level, -1) <= LEVEL_ORDER.get(step.level, -1):
        raise _wrong_state("下一环节仍在本级办理，无需移送")
    owner = _org_at(s, following.level)
    return _enter_step(c, s, s.step_index + 1, owner, today), step.role, ""


def _suspend(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (IN_PROGRESS,), "进入特殊环节")
    step = _step(defn, s)
    _require_staff(actor, s, step.role, "启动特殊环节")
    kind = a.params.get("kind")
    if kind not in SUSPENSION_KINDS:
        raise _invalid(
            "case.suspension_kind", "特殊环节必须是补正、现场核查、专家评审、听证或检验检测鉴定之一"
        )
    _require_reason(a, "启动特殊环节")
    supplement = s.supplement
    if kind == "supplement":
        supplement = tuple(_materials_list(defn, a.params.get("materials"), defn.materials, "补正"))
    new = replace(
        s, status=SUSPENDED, suspended_on=today, suspension_kind=str(kind), supplement=supplement
    )
    return _with_clocks(c, new), step.role, "special_procedure_notice"


def _resume_state(c: Ctx, s: State, today: dt.date) -> State:
    defn = c.defn
    paused, _ = pause_length(c.calendar, s.suspended_on or today, today, defn.unit)
    step_paused, _ = pause_length(c.calendar, s.suspended_on or today, today, defn.step_unit)
    new = replace(
        s,
        status=IN_PROGRESS,
        suspended_on=None,
        suspension_kind="",
        paused_workdays=s.paused_workdays + paused,
        step_paused_workdays=s.step_paused_workdays + step_paused,
    )
    return _with_clocks(c, new)


def _resume(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor, today = c.defn, c.actor, c.today
    _require_status(s, (SUSPENDED,), "结束特殊环节")
    step = _step(defn, s)
    _require_staff(actor, s, step.role, "结束特殊环节")
    return _resume_state(c, s, today), step.role, ""


def _extend(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor = c.defn, c.actor
    if s.status == SUSPENDED:
        # The clocks stand still, so there is no deadline to move and none to tell.
        raise _wrong_state("特殊环节期间时限暂停，请在特殊环节结束后再决定是否延期")
    _require_status(s, (IN_PROGRESS,), "延期")
    if s.outcome:
        raise _wrong_state("已经作出决定，无需延期")
    _require_staff(actor, s, LEADER, "批准延期")
    deciding_level = next(st.level for st in defn.steps if st.role == LEADER)
    if s.owner_org_id != _org_at(s, deciding_level):
        # 第42条: the head of the agency that decides extends its limit; a lower level that only
        # reviews would spend the one extension on another agency's decision.
        raise _wrong_state(
            f"本事项由{LEVEL_LABELS.get(deciding_level, deciding_level)}机关作出决定，"
            "延期须在办件移送至决定机关后由其负责人批准"
        )
    if defn.extension_days <= 0:
        raise _invalid("case.extension_not_allowed", "本事项依法不能延长期限")
    if s.extension_days:
        raise _wrong_state("期限已经延长过一次，不能再次延长")
    _require_reason(a, "延期（须告知申请人理由）")
    new = replace(s, extension_days=defn.extension_days)
    return _with_clocks(c, new), LEADER, "extension_notice"


def _conclude(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    defn, actor = c.defn, c.actor
    _require_status(s, (IN_PROGRESS,), "办结")
    if _step(defn, s).key != "deliver" or not s.outcome:
        raise _wrong_state("尚未作出决定，不能办结")
    _require_staff(actor, s, WINDOW_CLERK, "办结")
    kind = "approval_decision" if s.outcome == "approved" else "denial_decision"
    new = replace(s, status=CONCLUDED)
    return _with_clocks(c, new), WINDOW_CLERK, kind


def _deliver(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    actor, today = c.actor, c.today
    _require_status(s, (CONCLUDED,), "送达")
    _require_staff(actor, s, WINDOW_CLERK, "送达")
    method = a.params.get("method")
    if method not in DELIVERY_METHODS:
        raise _invalid(
            "case.delivery_method",
            "请选择送达方式：电子送达、邮寄或窗口领取",
        )
    if method == "post" and "served_on" not in a.params:
        # Served by post on the day the applicant signs for it, which only the receipt tells.
        raise _invalid("case.served_on_required", "邮寄送达须填写送达日期（以签收日期为准）")
    served = a.params.get("served_on", today)
    if (
        not isinstance(served, dt.date)
        or served > today
        or (s.decided_on and served < s.decided_on)
    ):
        raise _invalid("case.served_on", "送达日期不能晚于今天，也不能早于决定日期")
    return (
        replace(s, status=DELIVERED, delivered_on=served, delivery_method=str(method)),
        WINDOW_CLERK,
        "",
    )


def _deem_accept(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    actor, today = c.actor, c.today
    if not actor.system:
        raise _forbidden("视为受理由系统依法自动处理")
    _require_status(s, (SUBMITTED,), "视为受理")
    if not c.defn.deemed_acceptance:
        raise _invalid("case.deemed_acceptance_not_applicable", "本事项不适用逾期视为受理")
    if s.accept_due is None or today <= s.accept_due:
        raise _wrong_state("受理期限尚未届满")
    # 第32条: deemed accepted from the day the materials were received.
    new = replace(
        s, status=IN_PROGRESS, accepted_on=s.received_on, deemed_accepted=True, accept_due=None
    )
    return (
        _enter_step(c, new, 1, _first_handler(c, s), s.received_on),
        "system",
        "acceptance_notice",
    )


def _recompute(c: Ctx, s: State, a: Action) -> tuple[State, str, str]:
    if not c.actor.system:
        raise _forbidden("期限重算由系统在节假日安排变更后自动进行")
    _require_status(s, OPEN, "重算期限")
    if s.status == SUBMITTED:
        return _awaiting_acceptance(c.defn, c.calendar, s, s.received_on), "system", ""
    return _with_clocks(c, s), "system", ""


HANDLERS = {
    "withdraw": _withdraw,
    "accept": _accept,
    "accept_with_gaps": _accept_with_gaps,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "supply_supplement": _supply_supplement,
    "pledge": _pledge,
    "review": _review,
    "check": _check,
    "decide": _decide,
    "send_back": _send_back,
    "hand_over": _hand_over,
    "suspend": _suspend,
    "resume": _resume,
    "extend": _extend,
    "conclude": _conclude,
    "deliver": _deliver,
    "deem_accept": _deem_accept,
    "recompute": _recompute,
}

ACTION_LABELS = {
    "submit": "提交申请",
    "withdraw": "撤回申请",
    "accept": "受理",
    "accept_with_gaps": "容缺受理",
    "refuse": "不予受理",
    "request_supplement": "一次性告知补正",
    "supply_supplement": "提交补正材料",
    "pledge": "告知承诺",
    "review": "审查",
    "check": "审核",
    "decide": "审批决定",
    "send_back": "回退",
    "hand_over": "移送",
    "suspend": "进入特殊环节",
    "resume": "结束特殊环节",
    "extend": "延期",
    "conclude": "办结",
    "deliver": "送达",
    "deem_accept": "逾期视为受理",
    "recompute": "重算期限",
    # Recorded on the case's chain beside the process (not an engine action).
    "revoke_licence": "撤销证照",
    "pledge_check": "告知承诺核查",
}
ROLE_LABELS = {
    WINDOW_CLERK: "窗口受理人员",
    HANDLER: "承办人",
    REVIEWER: "审核人",
    LEADER: "审批负责人",
}
LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级", "national": "国家级"}
STATUS_LABELS = {
    SUBMITTED: "待受理", SUPPLEMENT: "待补正", IN_PROGRESS: "办理中", SUSPENDED: "特殊环节",
    CONCLUDED: "已办结", DELIVERED: "已送达", REFUSED: "不予受理", WITHDRAWN: "已撤回",
}  # fmt: skip


def apply(
    defn: Definition,
    state: State,
    action: Action,
    actor: Actor,
    today: dt.date,
    calendar: Calendar,
    supplied: Mapping[str, frozenset[str]] | None = None,
) -> tuple[State, list[Event]]:
    """The one entry point: the new state and what happened, or a DomainError saying why not.

    ``supplied``: see :attr:`Ctx.supplied`; without it no material counts as supplied."""
    handler = HANDLERS.get(action.kind)
    if handler is None:
        raise _invalid("case.unknown_action", f"未知的操作“{action.kind}”")
    action = replace(action, reason=_checked_text(action.reason, "理由", REASON_MAX_CHARS))
    ctx = Ctx(defn, actor, today, calendar, supplied or {})
    new, role, document = handler(ctx, state, action)
    old_values, new_values = changes(state, new)
    organization = None if role in ("applicant", "system") else state.owner_org_id
    event = Event(
        action=action.kind,
        role=role,
        organization_id=organization,
        reason=action.reason,
        before=old_values,
        after=new_values,
        document=document,
        details={k: _jsonable(v) for k, v in action.params.items()},
    )
    return new, [event]


# Actions people take (the system's own are left out), in the order an action panel lists them.
PERSON_ACTIONS = (
    "accept", "accept_with_gaps", "request_supplement", "refuse", "review", "check", "decide",
    "hand_over", "send_back", "suspend", "resume", "extend", "conclude", "deliver",
    "supply_supplement", "pledge", "withdraw",
)  # fmt: skip


# Refusals that concern the item, not the input: the action does not exist for it.
NOT_APPLICABLE = frozenset(
    {"case.pledge_not_allowed", "case.gaps_not_allowed", "case.extension_not_allowed"}
)


def available_actions(
    defn: Definition, state: State, actor: Actor, today: dt.date, calendar: Calendar
) -> tuple[str, ...]:
    """The actions ``actor`` may take on ``state`` now, asked of the rules themselves.

    Each action is tried with complete sample input; an action is offered when the rules accept
    it or only object to that input (which the person then supplies). A refusal for role,
    organization or state means it is not offered, so no rule is restated here.
    """
    later = today + dt.timedelta(days=30)
    sample_material = sorted(defn.materials)[:1]
    gap_material = sorted(defn.gap_materials)[:1]
    earlier = next((st.key for st in defn.steps[1 : state.step_index]), "")
    samples: dict[str, Mapping[str, Any]] = {
        "accept_with_gaps": {"materials": gap_material, "due": later},
        "request_supplement": {"materials": sample_material},
        "supply_supplement": {"materials": [g["material"] for g in state.gaps][:1]},
        "decide": {"decision": "deny"},
        "send_back": {"to_step": earlier},
        "suspend": {"kind": "site_check"},
        "deliver": {"method": "online", "served_on": today},
    }
    offered = []
    for kind in PERSON_ACTIONS:
        if kind == "send_back" and not earlier:
            continue  # nothing between acceptance and this step to return to
        action = Action(kind=kind, reason="（试算）", params=samples.get(kind, {}))
        try:
            apply(defn, state, action, actor, today, calendar)
        except InvalidInput as refusal:
            if refusal.code in NOT_APPLICABLE:
                continue
            # Otherwise allowed; the input is the person's to give.
        except DomainError:
            continue
        offered.append(kind)
    return tuple(offered)
