"""Reads of the staff workbench: the queue (待办), the done list (已办) and the case page.

Every rule about who may act stays in ``yiwang.cases`` (the engine and its services); these
functions only decide what to show. The queue is one indexed condition on the case table:
the user's (organization, step key) pairs come from the published processes, so no case row
is loaded to find out whether it belongs in the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import Role, RoleAssignment, User
from yiwang.audit.models import AuditEntry
from yiwang.cases import engine
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    Channel,
    Outcome,
    PledgeCheck,
    PledgeCheckStatus,
    SuspensionKind,
)
from yiwang.cases.pledges import checker_role
from yiwang.cases.record import organization_name
from yiwang.cases.selectors import can_view, pledge_check_of, pledge_checks_for
from yiwang.cases.services import actor_for_case, definition_for, state_of
from yiwang.catalog.application_form import DisplayRow, display_rows, form_definition
from yiwang.catalog.models import (
    Material,
    ProcessStep,
    VersionStatus,
    days_text,
    pause_unit,
)
from yiwang.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from yiwang.documents.models import Document
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.licences.selectors import licence_for_case
from yiwang.workbench.summaries import HistoryRow, history_rows
from yiwang.workcalendar.workdays import WorkdayCalendar

PAGE_SIZE = 50

# The queue holds what staff can move on; a case waiting for the applicant's supplement
# (补正) has no staff action and is listed apart. A concluded case waits for delivery (送达)
# by the window, so it stays in the window's queue until served.
QUEUE_STATUSES = (engine.SUBMITTED, engine.IN_PROGRESS, engine.SUSPENDED, engine.CONCLUDED)
WAITING_STATUS = engine.SUPPLEMENT
CLOCK_STOPPED = (engine.SUSPENDED, engine.SUPPLEMENT)

# Applicants' own actions are never offered on the staff side.
APPLICANT_ACTIONS = frozenset({"supply_supplement", "pledge", "withdraw"})
STAFF_ACTIONS = tuple(a for a in engine.PERSON_ACTIONS if a not in APPLICANT_ACTIONS)


def assignments(user: User) -> list[RoleAssignment]:
    return access.assignments_of(user)


def is_staff(user: User) -> bool:
    """Staff are users holding at least one role (cached on the user for the request)."""
    return bool(assignments(user))


# --- Deadline badges ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Badge:
    kind: str  # ok | due | over | paused
    label: str


BADGES = {
    "ok": Badge("ok", "正常"),
    "due": Badge("due", "即将到期"),
    "over": Badge("over", "已超期"),
    "paused": Badge("paused", "已暂停"),
}


def soon_limit(today: dt.date, calendar: WorkdayCalendar) -> dt.date:
    """The last day counted as "due soon": the next working day after today."""
    return calendar.add_workdays(today, 1).date


def deadline_badge(
    due: dt.date | None, today: dt.date, soon: dt.date, *, paused: bool = False
) -> Badge | None:
    if paused:
        return BADGES["paused"]
    if due is None:
        return None
    if due < today:
        return BADGES["over"]
    if due <= soon:
        return BADGES["due"]
    return BADGES["ok"]


def _badge_condition(kind: str, today: dt.date, soon: dt.date) -> Q:
    running = ~Q(status__in=CLOCK_STOPPED)
    if kind == "paused":
        return Q(status=engine.SUSPENDED)
    if kind == "over":
        return running & Q(step_due__lt=today)
    if kind == "due":
        return running & Q(step_due__gte=today, step_due__lte=soon)
    return running & Q(step_due__gt=soon)


# --- Published processes: which step keys a role works on ------------------------------------


@dataclass(frozen=True)
class ItemOption:
    item_id: int
    code: str
    name: str


@dataclass(frozen=True)
class StepOption:
    key: str
    label: str


@dataclass(frozen=True)
class StepCatalog:
    """Every non-draft version's steps: who works each step key, and the steps' names."""

    names: Mapping[tuple[int, str], str]
    roles_of_key: Mapping[str, frozenset[str]]
    versions_of: Mapping[tuple[str, str], frozenset[int]]
    versions_of_item: Mapping[int, frozenset[int]]
    items: tuple[ItemOption, ...]
    key_names: Mapping[str, tuple[str, ...]]

    def step_name(self, version_id: int, key: str) -> str:
        return self.names.get((version_id, key), key)

    def condition_for(self, roles: Iterable[str]) -> Q | None:
        """Cases whose current step one of ``roles`` works on.

        A key that every version gives to one of these roles is a plain ``step_key IN``;
        a key whose role differs between items is narrowed to the versions that match.
        """
        held = frozenset(roles)
        plain = sorted(k for k, rs in self.roles_of_key.items() if rs <= held)
        condition = Q(step_key__in=plain) if plain else None
        for key, roles_here in sorted(self.roles_of_key.items()):
            if key in plain or not roles_here & held:
                continue
            ids: set[int] = set()
            for role in roles_here & held:
                ids |= self.versions_of[(key, role)]
            narrowed = Q(step_key=key, item_version_id__in=sorted(ids))
            condition = narrowed if condition is None else condition | narrowed
        return condition

    def keys_for(self, roles: Iterable[str]) -> list[str]:
        held = frozenset(roles)
        return sorted(k for k, rs in self.roles_of_key.items() if rs & held)


def step_catalog() -> StepCatalog:
    """One query over the process steps of every published or retired version (a few hundred
    rows): cases pin the version they were submitted under, retired ones included."""
    rows = (
        ProcessStep.objects.exclude(version__status=VersionStatus.DRAFT)
        .order_by("version_id", "position")
        .values_list(
            "version_id",
            "version__item_id",
            "version__item__code",
            "version__name",
            "key",
            "role",
            "name",
            "position",
        )
    )
    names: dict[tuple[int, str], str] = {}
    roles_of_key: dict[str, set[str]] = defaultdict(set)
    versions_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    versions_of_item: dict[int, set[int]] = defaultdict(set)
    newest: dict[int, tuple[int, str, str]] = {}
    key_names: dict[str, list[str]] = defaultdict(list)
    for version_id, item_id, code, item_name, key, role, name, position in rows:
        # The engine gives acceptance (the first step) and delivery to the window, whatever
        # role a catalogue row names.
        if position == 1 or key == "deliver":
            role = engine.WINDOW_CLERK
        names[(version_id, key)] = name
        roles_of_key[key].add(role)
        versions_of[(key, role)].add(version_id)
        versions_of_item[item_id].add(version_id)
        if item_id not in newest or newest[item_id][0] < version_id:
            newest[item_id] = (version_id, code, item_name)
        if name not in key_names[key]:
            key_names[key].append(name)
    items = tuple(
        sorted(
            (ItemOption(item_id, code, name) for item_id, (_, code, name) in newest.items()),
            key=lambda option: option.code,
        )
    )
    return StepCatalog(
        names=names,
        roles_of_key={k: frozenset(v) for k, v in roles_of_key.items()},
        versions_of={k: frozenset(v) for k, v in versions_of.items()},
        versions_of_item={k: frozenset(v) for k, v in versions_of_item.items()},
        items=items,
        key_names={k: tuple(v) for k, v in key_names.items()},
    )


# --- The queue (待办) --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    view: str = "queue"  # queue | waiting
    item: int | None = None
    step: str = ""
    channel: str = ""
    applicant: str = ""
    q: str = ""
    badge: str = ""
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    number: str
    item_name: str
    applicant_name: str
    channel: str
    step_name: str
    status: str
    status_label: str
    suspension_label: str
    received_on: dt.date
    step_due: dt.date | None
    badge: Badge | None
    owner_name: str = ""  # the organization that holds the case (shown to supervisors)


@dataclass(frozen=True)
class Pages:
    number: int
    count: int  # rows in all pages
    size: int = PAGE_SIZE

    @property
    def total(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.total

    @property
    def previous(self) -> int:
        return self.number - 1

    @property
    def next(self) -> int:
        return self.number + 1

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    counts: Mapping[str, int]
    pages: Pages
    items: tuple[ItemOption, ...]
    steps: tuple[StepOption, ...]
    channels: tuple[tuple[str, str], ...]
    today: dt.date
    soon: dt.date
    handles_cases: bool
    #: A supervisor's list (监察): every open case held within their reach, not a to-do list.
    watching: bool = False


CHANNEL_LABELS = dict(Channel.choices)
SUSPENSION_LABELS = dict(SuspensionKind.choices)
ROW_FIELDS = (
    "number", "channel", "status", "step_key", "item_version_id", "item_version__name",
    "applicant__name", "received_on", "step_due", "suspension_kind",
)  # fmt: skip


def _handling_roles_by_org(user: User) -> dict[int, set[str]]:
    by_org: dict[int, set[str]] = defaultdict(set)
    for assignment in assignments(user):
        if assignment.role in engine.HANDLING_ROLES:
            by_org[assignment.organization_id].add(assignment.role)
    return by_org


def _mine(user: User, catalog: StepCatalog) -> Q | None:
    """(owner organization, step key) pairs of the user's handling roles, as one condition."""
    condition: Q | None = None
    for org_id, roles in sorted(_handling_roles_by_org(user).items()):
        steps = catalog.condition_for(roles)
        if steps is None:
            continue
        here = Q(owner_org_id=org_id) & steps
        condition = here if condition is None else condition | here
    return condition


def _filtered(base: QuerySet[Case], filters: QueueFilters, catalog: StepCatalog) -> QuerySet[Case]:
    if filters.item is not None:
        versions = sorted(catalog.versions_of_item.get(filters.item, frozenset()))
        base = base.filter(item_version_id__in=versions)
    if filters.step:
        base = base.filter(step_key=filters.step)
    if filters.channel:
        base = base.filter(channel=filters.channel)
    if filters.applicant:
        base = base.filter(applicant__name__icontains=filters.applicant)
    if filters.q:
        base = base.filter(Q(number__icontains=filters.q) | Q(applicant__name__icontains=filters.q))
    return base


def queue(
    user: User, filters: QueueFilters, *, today: dt.date, calendar: WorkdayCalendar
) -> QueuePage:
    """The user's queue: two statements (the counts per badge, then one page of rows) after
    the process steps; nearest step deadline first, then the promised one, then the number.
    A supervisor who holds no step gets the open cases within their reach instead (监察)."""
    catalog = step_catalog()
    soon = soon_limit(today, calendar)
    watching = access.watches_cases(user)
    if watching:
        # Every open case held by an organization within the supervisor's reach, any step.
        # Named by id through the queue index as well: with a province's organizations and the
        # organization condition alone, SQLite reads every case (see bench/workbench/README).
        reach = list(access.visible_organizations(user).values_list("pk", flat=True))
        held = Case.objects.filter(
            owner_org_id__in=reach, status__in=(*QUEUE_STATUSES, WAITING_STATUS)
        )
        mine: Q | None = Q(owner_org_id__in=reach, pk__in=held.values("pk"))
        roles = set(engine.HANDLING_ROLES)
    else:
        mine = _mine(user, catalog)
        roles = {role for roles in _handling_roles_by_org(user).values() for role in roles}
    steps = tuple(StepOption(key, _step_label(catalog, key)) for key in catalog.keys_for(roles))
    counts = {"queue": 0, "waiting": 0, "ok": 0, "due": 0, "over": 0, "paused": 0}
    rows: list[QueueRow] = []
    pages = Pages(number=1, count=0)
    if mine is not None:
        base = _filtered(
            Case.objects.filter(mine, status__in=(*QUEUE_STATUSES, WAITING_STATUS)),
            filters,
            catalog,
        )
        in_queue = ~Q(status=WAITING_STATUS)
        counts.update(
            base.aggregate(
                queue=Count("pk", filter=in_queue),
                waiting=Count("pk", filter=Q(status=WAITING_STATUS)),
                **{
                    kind: Count("pk", filter=in_queue & _badge_condition(kind, today, soon))
                    for kind in ("ok", "due", "over", "paused")
                },
            )
        )
        if filters.view == "waiting":
            listed, total = base.filter(status=WAITING_STATUS), counts["waiting"]
        else:
            listed, total = base.filter(in_queue), counts["queue"]
            if filters.badge in BADGES:
                listed = listed.filter(_badge_condition(filters.badge, today, soon))
                total = counts[filters.badge]
        pages = Pages(number=max(1, min(filters.page, -(-total // PAGE_SIZE) or 1)), count=total)
        ordered = listed.order_by(
            F("step_due").asc(nulls_last=True), F("promised_due").asc(nulls_last=True), "number"
        )
        fields = (*ROW_FIELDS, *(("owner_org__name",) if watching else ()))
        for row in ordered.values(*fields)[pages.offset : pages.offset + PAGE_SIZE]:
            rows.append(_queue_row(row, catalog, today, soon))
    return QueuePage(
        rows=rows,
        counts=counts,
        pages=pages,
        items=catalog.items,
        steps=steps,
        channels=tuple(Channel.choices),
        today=today,
        soon=soon,
        handles_cases=mine is not None,
        watching=watching,
    )


def _step_label(catalog: StepCatalog, key: str) -> str:
    """A step key as its items name it: the first few names, as they differ between items."""
    names = catalog.key_names.get(key, (key,))
    return " / ".join(names[:3]) + (" 等" if len(names) > 3 else "")


def _queue_row(
    row: Mapping[str, Any], catalog: StepCatalog, today: dt.date, soon: dt.date
) -> QueueRow:
    status = row["status"]
    return QueueRow(
        number=row["number"],
        item_name=row["item_version__name"],
        applicant_name=row["applicant__name"],
        channel=CHANNEL_LABELS.get(row["channel"], row["channel"]),
        step_name=catalog.step_name(row["item_version_id"], row["step_key"]),
        status=status,
        status_label=engine.STATUS_LABELS.get(status, status),
        suspension_label=SUSPENSION_LABELS.get(row["suspension_kind"], ""),
        received_on=row["received_on"],
        step_due=row["step_due"],
        badge=deadline_badge(row["step_due"], today, soon, paused=status == engine.SUSPENDED),
        owner_name=row.get("owner_org__name", ""),
    )


# --- The done list (已办) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DoneRow:
    number: str
    item_name: str
    applicant_name: str
    action_label: str
    acted_at: dt.datetime
    reason: str
    status_label: str
    owner_name: str
    step_name: str


@dataclass(frozen=True)
class DonePage:
    rows: list[DoneRow]
    pages: Pages


def done(user: User, page: int) -> DonePage:
    """Distinct cases the user acted on, newest action first: four statements whatever the
    page (count, one page of case ids, those entries, those cases)."""
    mine = AuditEntry.objects.filter(actor_id=user.pk)
    count = mine.values("case_id").distinct().count()
    pages = Pages(number=max(1, min(page, -(-count // PAGE_SIZE) or 1)), count=count)
    latest = list(
        mine.values("case_id")
        .annotate(last=Max("id"))
        .order_by("-last")
        .values_list("case_id", "last")[pages.offset : pages.offset + PAGE_SIZE]
    )
    entries = AuditEntry.objects.in_bulk([last for _, last in latest])
    cases = {
        row["pk"]: row
        for row in Case.objects.filter(pk__in=[case_id for case_id, _ in latest]).values(
            "pk",
            "number",
            "status",
            "step_key",
            "item_version_id",
            "item_version__name",
            "applicant__name",
            "owner_org__name",
        )  # fmt: skip
    }
    catalog_names = _step_names({(r["item_version_id"], r["step_key"]) for r in cases.values()})
    rows = []
    for case_id, last in latest:
        entry, case = entries.get(last), cases.get(case_id)
        if entry is None or case is None:
            continue
        rows.append(
            DoneRow(
                number=case["number"],
                item_name=case["item_version__name"],
                applicant_name=case["applicant__name"],
                action_label=engine.ACTION_LABELS.get(entry.action, entry.action),
                acted_at=entry.at,
                reason=entry.reason,
                status_label=engine.STATUS_LABELS.get(case["status"], case["status"]),
                owner_name=case["owner_org__name"],
                step_name=catalog_names.get(
                    (case["item_version_id"], case["step_key"]), case["step_key"]
                ),
            )
        )
    return DonePage(rows=rows, pages=pages)


def _step_names(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    if not pairs:
        return {}
    versions = {version_id for version_id, _ in pairs}
    return {
        (version_id, key): name
        for version_id, key, name in ProcessStep.objects.filter(version_id__in=versions)
        .order_by()
        .values_list("version_id", "key", "name")
    }


# --- The case page -----------------------------------------------------------------------------


def visible_case(user: User, number: str) -> Case:
    """The case, when this staff member may see it (``can_view``); NotFound / Forbidden else."""
    case = (
        Case.objects.select_related(
            "item_version__item", "applicant", "agent", "owner_org", "accepting_org"
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("case.not_found", f"未找到办件 {number}")
    if not is_staff(user) or not can_view(user, case):
        raise Forbidden("case.forbidden", "您无权查看该办件")
    return case


def case_material(user: User, number: str, material_id: int) -> CaseMaterial:
    case = visible_case(user, number)
    row = CaseMaterial.objects.filter(case_id=case.pk, pk=material_id).first()
    if row is None:
        raise NotFound("material.not_found", "未找到该材料文件")
    return row


def case_licence(user: User, number: str) -> Licence:
    licence = licence_for_case(visible_case(user, number))
    if licence is None:
        raise NotFound("licence.not_found", "该办件没有电子证照")
    return licence


def case_document(user: User, number: str, document_id: int) -> Document:
    case = visible_case(user, number)
    document = Document.objects.select_related("case").filter(case_id=case.pk, pk=document_id)
    found = document.first()
    if found is None:
        raise NotFound("document.not_found", "未找到该文书")
    return found


@dataclass(frozen=True)
class MaterialOption:
    position: int
    name: str
    gap_allowed: bool


@dataclass
class MaterialGroup:
    position: int
    name: str
    mandatory: bool
    gap_allowed: bool
    versions: list[CaseMaterial] = field(default_factory=list)
    pledged: bool = False  # replaced by the applicant's pledge (证明事项告知承诺)

    @property
    def newest(self) -> CaseMaterial | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind_label: str
    number: str
    issued_at: dt.datetime


@dataclass(frozen=True)
class Clock:
    label: str
    due: dt.date | None
    badge: Badge | None
    note: str = ""


@dataclass(frozen=True)
class CasePage:
    case: Case
    defn: engine.Definition
    step: engine.StepDef
    status_label: str
    outcome_label: str
    channel_label: str
    owner_name: str
    materials: list[MaterialGroup]
    material_options: list[MaterialOption]
    history: list[HistoryRow]
    documents: list[DocumentRow]
    licence: Licence | None
    clocks: list[Clock]
    clock_state: str
    actions: tuple[str, ...]
    today: dt.date
    hand_over_to: str
    send_back_targets: tuple[engine.StepDef, ...]
    can_revoke_licence: bool = False
    pledge_check: PledgeCheck | None = None
    can_record_pledge_check: bool = False

    @property
    def pledge_check_overdue(self) -> bool:
        check = self.pledge_check
        return check is not None and check.status == "pending" and check.due_on < self.today

    @property
    def step_where(self) -> str:
        level = engine.LEVEL_LABELS.get(self.step.level, self.step.level)
        return f"{level} · {engine.ROLE_LABELS.get(self.step.role, self.step.role)}"

    @property
    def last_entry(self) -> HistoryRow | None:
        return self.history[-1] if self.history else None


OUTCOME_LABELS = {**dict(Outcome.choices), "": ""}


def case_page(user: User, number: str, *, today: dt.date, calendar: WorkdayCalendar) -> CasePage:
    """Everything the case page shows, in a fixed number of statements."""
    case = visible_case(user, number)
    defn = definition_for(case.item_version_id)
    state = state_of(case)
    actor = actor_for_case(user, case.owner_org_id, case.applicant_id, today)
    actions, targets = offered_actions(defn, state, actor, today, calendar)

    materials = list(
        Material.objects.filter(version_id=case.item_version_id)
        .only("pk", "position", "name", "mandatory", "gap_allowed")
        .order_by("position")
    )
    groups = {
        m.pk: MaterialGroup(
            m.position, m.name, m.mandatory, m.gap_allowed, pledged=m.name in case.pledged_materials
        )
        for m in materials
    }
    for row in CaseMaterial.objects.filter(case_id=case.pk).order_by("material_id", "version"):
        group = groups.get(row.material_id)
        if group is not None:
            group.versions.append(row)
    entries = AuditEntry.objects.filter(case_id=case.pk).order_by("seq")
    documents = [
        DocumentRow(d.pk, d.title, d.number, d.issued_at)
        for d in Document.objects.filter(case_id=case.pk)
        .only("pk", "kind", "number", "issued_at", "context")
        .order_by("issued_at", "pk")
    ]
    soon = soon_limit(today, calendar)
    step = defn.steps[case.step_index]
    licence = licence_for_case(case)
    check = pledge_check_of(case)
    return CasePage(
        case=case,
        defn=defn,
        step=step,
        status_label=engine.STATUS_LABELS.get(case.status, case.status),
        outcome_label=OUTCOME_LABELS.get(case.outcome, case.outcome),
        channel_label=CHANNEL_LABELS.get(case.channel, case.channel),
        owner_name=case.owner_org.name,
        materials=list(groups.values()),
        material_options=[MaterialOption(m.position, m.name, m.gap_allowed) for m in materials],
        history=history_rows(entries, defn),
        documents=documents,
        licence=licence,
        clocks=_clocks(case, today, soon),
        clock_state=_clock_state(case, today, calendar),
        actions=actions,
        today=today,
        hand_over_to=_hand_over_to(defn, state) if "hand_over" in actions else "",
        send_back_targets=targets,
        can_revoke_licence=licence is not None
        and licence.status == LicenceStatus.VALID
        and access.can_act(user, Role.LEADER, licence.issuer),
        pledge_check=check,
        can_record_pledge_check=check is not None
        and check.status == PledgeCheckStatus.PENDING
        and checker_role(user, check.organization) is not None,
    )


def _passes(
    defn: engine.Definition,
    state: engine.State,
    actor: engine.Actor,
    today: dt.date,
    calendar: WorkdayCalendar,
    kind: str,
    params: Mapping[str, Any],
) -> bool:
    try:
        engine.apply(defn, state, engine.Action(kind, "（试算）", params), actor, today, calendar)
    except DomainError:
        return False
    return True


def offered_actions(
    defn: engine.Definition,
    state: engine.State,
    actor: engine.Actor,
    today: dt.date,
    calendar: WorkdayCalendar,
) -> tuple[tuple[str, ...], tuple[engine.StepDef, ...]]:
    """The staff actions to show, and the steps a send-back may go to (each asked of the
    rules with that step, so nothing about them is restated here)."""
    offered = engine.available_actions(defn, state, actor, today, calendar)
    targets = tuple(
        step
        for step in defn.steps
        if "send_back" in offered
        and _passes(defn, state, actor, today, calendar, "send_back", {"to_step": step.key})
    )
    return tuple(kind for kind in offered if kind not in APPLICANT_ACTIONS), targets


def _clocks(case: Case, today: dt.date, soon: dt.date) -> list[Clock]:
    paused = case.status == engine.SUSPENDED
    clocks = []
    version = case.item_version
    if case.status == engine.SUBMITTED:
        # The law is cited only where it governs: 行政许可 items (as the letters do).
        basis = "（行政许可法第32条）" if version.licensing else ""
        window = engine.acceptance_window(definition_for(case.item_version_id))
        due = case.acceptance_due
        clocks.append(
            Clock("受理期限", due, deadline_badge(due, today, soon),
                  f"{window}受理、不予受理或一次性告知补正{basis}")
        )  # fmt: skip
    else:
        clocks.append(
            Clock(
                "环节期限", case.step_due, deadline_badge(case.step_due, today, soon, paused=paused)
            )
        )
    start = f"自{version.get_limits_from_display()}起算"
    clocks.append(
        Clock("承诺期限", case.promised_due,
              deadline_badge(case.promised_due, today, soon, paused=paused), start)
    )  # fmt: skip
    extended = f"，已延长 {case.extension_text}" if case.extension_days else ""
    clocks.append(
        Clock("法定期限", case.statutory_due,
              deadline_badge(case.statutory_due, today, soon, paused=paused), start + extended)
    )  # fmt: skip
    return clocks


def _clock_state(case: Case, today: dt.date, calendar: WorkdayCalendar) -> str:
    if case.status == engine.SUSPENDED and case.suspended_on is not None:
        kind = SUSPENSION_LABELS.get(case.suspension_kind, case.suspension_kind)
        version = case.item_version
        unit = pause_unit(version.statutory_unit)
        # Counted as resuming today would count it (the engine's own measure of a pause).
        days, _ = engine.pause_length(calendar, case.suspended_on, today, unit)
        basis = "（行政许可法第45条）" if version.licensing else ""
        return (
            f"已暂停：自 {case.suspended_on:%Y-%m-%d} 起进入特殊环节“{kind}”，"
            f"至今 {days_text(days, unit)}，期间不计入办理时限{basis}"
        )
    if case.status == engine.SUPPLEMENT:
        return "等待申请人补正：受理期限自申请人提交全部补正材料之日起重新计算"
    if case.status == engine.SUBMITTED:
        return "计时中：受理期限"
    if case.status == engine.IN_PROGRESS:
        return "计时中"
    return f"已停止：办件{engine.STATUS_LABELS.get(case.status, case.status)}"


def _hand_over_to(defn: engine.Definition, state: engine.State) -> str:
    """Where a hand-over would send the case: the next step's organization in the chain."""
    if state.step_index + 1 >= len(defn.steps):
        return ""
    following = defn.steps[state.step_index + 1]
    for level, org_id in state.chain:
        if level == following.level:
            return f"{organization_name(org_id)}（{following.name}）"
    return ""


def material_options(version_id: int) -> list[MaterialOption]:
    return [
        MaterialOption(position, name, gap_allowed)
        for position, name, gap_allowed in Material.objects.filter(version_id=version_id)
        .order_by("position")
        .values_list("position", "name", "gap_allowed")
    ]


# --- The application form ------------------------------------------------------------------------


def form_rows(case: Case) -> list[DisplayRow]:
    """The answers, labelled by the version's form definition; answers the definition does not
    name (an item without a defined form, or keys from elsewhere) are shown as given."""
    data = case.form_data if isinstance(case.form_data, dict) else {}
    try:
        definition = form_definition(case.item_version)
    except InvalidInput:
        definition = None
    rows = display_rows(definition, data) if definition is not None else []
    known = {row.key for row in rows}
    return rows + [_plain_row(key, value) for key, value in data.items() if key not in known]


def _plain_row(key: str, value: Any) -> DisplayRow:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        headers = list(dict.fromkeys(str(k) for entry in value for k in entry))
        body = [[_plain(entry.get(h)) for h in headers] for entry in value]
        return DisplayRow(label=key, group_labels=headers, group_rows=body, key=key, is_group=True)
    return DisplayRow(label=key, value=_plain(value), key=key)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class PledgeChecksPage:
    """告知承诺核查: one page of the checks of the user's organizations, pending ones or all."""

    checks: list[PledgeCheck]
    status: str
    pages: Pages
    today: dt.date
    pending_count: int
    overdue_count: int


def pledge_checks_page(user: User, status: str, page: int, today: dt.date) -> PledgeChecksPage:
    if status not in ("", *PledgeCheckStatus.values):
        raise InvalidInput("pledge_check.status", "核查结果只能是待核查、承诺属实或承诺不实")
    pending = pledge_checks_for(user, status=PledgeCheckStatus.PENDING)
    chosen = pledge_checks_for(user, status=status)
    count = chosen.count()
    pages = Pages(number=max(1, min(page, -(-count // PAGE_SIZE) or 1)), count=count)
    return PledgeChecksPage(
        checks=list(chosen[pages.offset : pages.offset + PAGE_SIZE]),
        status=status,
        pages=pages,
        today=today,
        pending_count=pending.count(),
        overdue_count=pending.filter(due_on__lt=today).count(),
    )
