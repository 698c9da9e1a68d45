"""Writes to cases: submission and every action, each in one transaction.

``perform`` is the one path by which a case changes: load the row, run the pure engine, write
the new state with a compare-and-set on ``version`` (two clerks acting at once: exactly one
wins, the other gets ``case.conflict``), append the audit entry to the case's hash chain, and
issue the letter the action calls for. Views, the API, the CLI and the tests all call it.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts.models import AgentAuthorization, Applicant, Role, RoleAssignment, User
from yiwang.audit.hashing import normalize_json
from yiwang.audit.models import AuditEntry
from yiwang.cases import engine
from yiwang.cases.models import OPEN_STATUSES, Case, CaseMaterial, CaseSequence, Channel
from yiwang.cases.pledges import open_check
from yiwang.cases.record import append_event, conflict
from yiwang.catalog.application_form import form_definition, validate_form
from yiwang.catalog.models import (
    Category,
    ItemImplementation,
    ItemVersion,
    ResultKind,
    ServiceItem,
)
from yiwang.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from yiwang.core.fastsql import (
    columns_sql,
    fetch_all,
    insert_row,
    instance_from_row,
    update_where,
)
from yiwang.organizations.models import Organization
from yiwang.workcalendar.services import current_calendar

STATE_FIELDS = tuple(f for f in engine.FIELDS if f != "owner_org_id") + ("received_on",)
SYSTEM = engine.Actor(user_id=None, name="系统", system=True)

#: Told ``(done, total)`` after each case of a batch, for a command to show how far it is.
Progress = Callable[[int, int], None]


@functools.lru_cache(maxsize=1024)
def definition_for(version_id: int) -> engine.Definition:
    """The process of a published version. Cached forever: published versions never change."""
    version = ItemVersion.objects.prefetch_related("steps", "materials").get(pk=version_id)
    materials = list(version.materials.all())
    return engine.Definition(
        version_id=version.pk,
        item_code=version.item.code,
        item_name=version.name,
        steps=tuple(
            engine.StepDef(s.key, s.name, s.level, s.role, s.limit_days)
            for s in version.steps.all()
        ),
        handling=version.handling,
        unit=version.statutory_unit,
        statutory_days=version.statutory_days,
        promised_days=version.promised_days,
        extension_days=version.extension_days,
        pledge_allowed=version.pledge_allowed,
        materials=frozenset(m.name for m in materials),
        gap_materials=frozenset(m.name for m in materials if m.gap_allowed),
        limits_from=version.limits_from,
        pledge_materials=frozenset(m.name for m in materials if m.pledge_replaceable),
        deemed_acceptance=version.licensing,
        pledge_check_days=version.pledge_check_days,
    )


def state_of(case: Case) -> engine.State:
    return engine.State(
        status=case.status,
        outcome=case.outcome,
        step_index=case.step_index,
        owner_org_id=case.owner_org_id,
        chain=tuple((level, org_id) for level, org_id in case.chain),
        applicant_id=case.applicant_id,
        received_on=case.received_on,
        accept_due=case.accept_due,
        accepted_on=case.accepted_on,
        deemed_accepted=case.deemed_accepted,
        step_started_on=case.step_started_on,
        step_due=case.step_due,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        deadline_provisional=case.deadline_provisional,
        paused_workdays=case.paused_workdays,
        step_paused_workdays=case.step_paused_workdays,
        suspended_on=case.suspended_on,
        suspension_kind=case.suspension_kind,
        extension_days=case.extension_days,
        decided_on=case.decided_on,
        decision_reason=case.decision_reason,
        delivered_on=case.delivered_on,
        delivery_method=case.delivery_method,
        pledged=case.pledged,
        pledged_materials=tuple(case.pledged_materials),
        gaps=tuple(case.gaps),
        supplement=tuple(case.supplement),
    )


def _columns(defn: engine.Definition, state: engine.State) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(state, name) for name in STATE_FIELDS}
    values["gaps"] = [dict(g) for g in state.gaps]
    values["supplement"] = [dict(s) for s in state.supplement]
    values["pledged_materials"] = list(state.pledged_materials)
    values["owner_org_id"] = state.owner_org_id
    values["step_key"] = defn.steps[state.step_index].key
    return values


def _chain(org: Organization) -> list[list[Any]]:
    """[level, id] from the accepting organization up to the province (one indexed lookup)."""
    paths = [*org.ancestor_paths(), org.path]
    table = Organization._meta.db_table
    marks = ", ".join(["%s"] * len(paths))
    rows = fetch_all(
        f"SELECT level, id FROM {table} WHERE path IN ({marks}) ORDER BY path DESC", paths
    )
    return [[level, pk] for level, pk in rows]


def _next_number(org: Organization, today: dt.date) -> str:
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    with connection.cursor() as cursor:
        # Usually one statement: increment today's counter under the UPDATE's own row lock.
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE organization_id = %s AND day = %s RETURNING last",
            [org.pk, connection.ops.adapt_datefield_value(today)],
        )
        row = cursor.fetchone()
    if row is None:
        sequence, _ = CaseSequence.objects.select_for_update().get_or_create(
            organization=org, day=today
        )
        CaseSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
        sequence.refresh_from_db(fields=["last"])
        last = sequence.last
    else:
        last = int(row[0])
    return f"{org.credit_code}{today:%Y%m%d}{last:06d}"


def new_query_code() -> str:
    """The receipt's verification code for the public progress query: 6 random digits."""
    return f"{secrets.randbelow(10**6):06d}"


def current_version_id(code: str, day: dt.date) -> int:
    """The id of the version valid on ``day``: one small query; the process itself is cached."""
    versions, items = ItemVersion._meta.db_table, ServiceItem._meta.db_table
    adapted = connection.ops.adapt_datefield_value(day)
    rows = fetch_all(
        f"SELECT v.id FROM {versions} v JOIN {items} i ON i.id = v.item_id "
        "WHERE i.code = %s AND v.status = 'published' AND v.valid_from <= %s "
        "AND (v.valid_to IS NULL OR v.valid_to >= %s) ORDER BY v.valid_from DESC LIMIT 1",
        [code.upper(), adapted, adapted],
    )
    if not rows:
        raise NotFound("catalog.item_not_found", f"未找到事项 {code} 在 {day} 有效的已发布版本")
    return int(rows[0][0])


def _implements(organization_id: int, item_code: str) -> bool:
    implementations, items = ItemImplementation._meta.db_table, ServiceItem._meta.db_table
    rows = fetch_all(
        f"SELECT 1 FROM {implementations} m JOIN {items} i ON i.id = m.item_id "
        "WHERE m.organization_id = %s AND i.code = %s AND m.active",
        [organization_id, item_code],
    )
    return bool(rows)


@dataclass(frozen=True)
class Submission:
    item_code: str
    organization: Organization
    applicant: Applicant
    idempotency_key: str
    form_data: Mapping[str, Any]
    channel: str = Channel.ONLINE
    agent: Applicant | None = None


def submit(
    user: User, submission: Submission, *, client_addr: str = "", today: dt.date | None = None
) -> tuple[Case, bool]:
    """File an application. Returns (case, created); the same idempotency key returns the same case."""
    key = submission.idempotency_key.strip()
    if not key or len(key) > 64:
        raise InvalidInput(
            "case.idempotency_key", "提交必须带 1–64 个字符的幂等键（idempotency key）"
        )
    org = submission.organization
    day = today or timezone.localdate()
    # Permission before the key is looked up: otherwise anyone could learn, from 409 against
    # 403, which keys another applicant has used.
    actor = actor_for_case(user, org.pk, submission.applicant.pk, day)
    acting_for_self = submission.applicant.pk in actor.applicant_ids
    clerk_at_window = (
        actor.holds(Role.WINDOW_CLERK, org.pk) and submission.channel == Channel.WINDOW
    )
    if not (acting_for_self or clerk_at_window):
        raise Forbidden("case.forbidden", "只能为本人或经授权委托的申请人提交申请")
    table = Case._meta.db_table
    found = fetch_all(
        f"SELECT id FROM {table} WHERE applicant_id = %s AND idempotency_key = %s",
        [submission.applicant.pk, key],
    )
    if found:
        existing = Case.objects.get(pk=found[0][0])
        return _same_submission(existing, submission), False
    version_id = current_version_id(submission.item_code, day)
    defn = definition_for(version_id)
    form_data = checked_form(version_id, submission.form_data, day)
    if not _implements(org.pk, defn.item_code):
        raise InvalidInput("case.not_implemented", f"“{org.name}”不受理“{defn.item_name}”")
    chain = _chain(org)
    state, event = engine.start(
        defn,
        applicant_id=submission.applicant.pk,
        chain=tuple((level, org_id) for level, org_id in chain),
        today=day,
        calendar=current_calendar(),
    )
    try:
        with transaction.atomic():
            case = Case(
                number=_next_number(org, day),
                item_version_id=version_id,
                applicant=submission.applicant,
                agent=submission.agent,
                submitted_by=user,
                idempotency_key=key,
                channel=submission.channel,
                accepting_org=org,
                chain=chain,
                form_data=form_data,
                query_code=new_query_code(),
                **_columns(defn, state),
            )
            now = timezone.now()
            case.created_at = case.updated_at = now
            values = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
            del values["id"]
            case.pk = insert_row(Case, values)
            case._state.adding = False
            _record(case, event, actor, client_addr)
    except IntegrityError:
        # The same key submitted twice at once: the other request won; answer with its case.
        winner = Case.objects.filter(applicant=submission.applicant, idempotency_key=key).first()
        if winner is None:
            raise
        return _same_submission(winner, submission), False
    return case, True


def checked_form(
    version_id: int, data: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """The application form checked against the item's definition (the one place it is
    checked, for pages and API alike): typed values, or every problem at once. ``today`` is
    the day of submission, which a date of a past event may not be after."""
    defn = form_definition(published_version(version_id))
    cleaned, errors = validate_form(defn, data, today)
    if errors:
        raise InvalidInput(
            "case.form_invalid",
            f"申请表有 {len(errors)} 处需要修改",
            [Problem("form.invalid", message, field=key) for key, message in errors.items()],
        )
    return cleaned


def _same_submission(case: Case, submission: Submission) -> Case:
    """``case``, filed earlier under the same key, when ``submission`` repeats it (a retry);
    ``case.idempotency_reused`` when anything the applicant chose differs, which would
    otherwise be dropped without a word."""
    same = (
        case.item_version.item.code == submission.item_code.upper()
        and case.accepting_org_id == submission.organization.pk
        and case.channel == submission.channel
        and _same_form(case, submission.form_data)
    )
    if not same:
        raise Conflict("case.idempotency_reused", "该幂等键已用于另一项申请，请为新申请生成新的键")
    return case


def _same_form(case: Case, data: Mapping[str, Any]) -> bool:
    """Whether ``data`` is the form ``case`` holds, compared as stored: checked against the
    case's own version, then as the database gives JSON back (a retry may send 30 or "30")."""
    try:
        cleaned = checked_form(case.item_version_id, data)
        return normalize_json(cleaned) == normalize_json(case.form_data)
    except (InvalidInput, TypeError, ValueError):
        return False  # answers the case could not have been filed with


def _record(case: Case, event: engine.Event, actor: engine.Actor, client_addr: str) -> None:
    entry = append_event(
        case.pk, case.audit_seq + 1, case.audit_head, event, actor, client_addr, timezone.now()
    )
    update_where(Case, {"audit_seq": entry.seq, "audit_head": entry.hash}, {"id": case.pk})
    case.audit_seq, case.audit_head = entry.seq, entry.hash


def perform(
    case_id: int,
    action: engine.Action,
    user: User | None,
    *,
    expected_version: int | None = None,
    client_addr: str = "",
    today: dt.date | None = None,
) -> Case:
    """Apply one action to one case: one transaction, optimistic version check, audit entry.

    The hot path issues three statements: one read (the case, the actor's standing at the
    owning organization, and the applicant and organization a letter prints), the audit entry,
    the compare-and-set of the case; a letter adds two (its number, its row).
    """
    if user is not None and (not user.is_authenticated or not user.is_active):
        raise Forbidden("not_authenticated", "请先登录")
    try:
        return _perform(case_id, action, user, expected_version, client_addr, today)
    except IntegrityError as exc:
        # Another transaction appended to this case's audit chain first (PostgreSQL blocks on the
        # (case, seq) unique index until it commits): this writer lost the race.
        raise conflict() from exc


CASE_COLUMNS = tuple(f.attname for f in Case._meta.concrete_fields)
HANDLING = (Role.WINDOW_CLERK.value, Role.HANDLER.value, Role.REVIEWER.value, Role.LEADER.value)


@functools.lru_cache(maxsize=1)
def _standing_sql() -> str:
    """The user's standing towards a case ``c`` (columns ``owner_org_id``, ``applicant_id``) as
    one boolean column per handling role at the owning organization, then one for "is its
    applicant or the applicant's authorized agent". Parameters: :func:`_standing_params`."""
    roles = RoleAssignment._meta.db_table
    applicants = Applicant._meta.db_table
    authorizations = AgentAuthorization._meta.db_table
    held = (
        f"EXISTS (SELECT 1 FROM {roles} r WHERE r.user_id = %s "
        "AND r.organization_id = c.owner_org_id AND r.role = %s)"
    )
    applicant = (
        f"(EXISTS (SELECT 1 FROM {applicants} p WHERE p.id = c.applicant_id AND p.user_id = %s) "
        f"OR EXISTS (SELECT 1 FROM {authorizations} a JOIN {applicants} g ON g.id = a.agent_id "
        "WHERE a.principal_id = c.applicant_id AND g.user_id = %s AND a.valid_from <= %s "
        "AND a.valid_to >= %s AND a.revoked_at IS NULL))"
    )
    return ", ".join([held] * len(HANDLING) + [applicant])


def _standing_params(user: User, today: dt.date) -> list[Any]:
    day = connection.ops.adapt_datefield_value(today)
    params: list[Any] = []
    for role in HANDLING:
        params += [user.pk, role]
    return params + [user.pk, user.pk, day, day]


def _actor(
    user: User, organization_id: int, applicant_id: int, flags: tuple[Any, ...]
) -> engine.Actor:
    """The engine's actor from the columns of :func:`_standing_sql`."""
    *held, is_applicant = flags
    return engine.Actor(
        user_id=user.pk,
        name=user.full_name or user.username,
        roles=frozenset(
            (role, organization_id) for role, has in zip(HANDLING, held, strict=True) if has
        ),
        applicant_ids=frozenset({applicant_id}) if is_applicant else frozenset(),
    )


def actor_for_case(
    user: User, organization_id: int, applicant_id: int, today: dt.date
) -> engine.Actor:
    """The user's standing towards one case only: handling roles at the organization that owns
    it, and whether they are its applicant or the applicant's authorized agent. One query."""
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("not_authenticated", "请先登录")
    sql = (
        f"SELECT {_standing_sql()} FROM (SELECT CAST(%s AS BIGINT) AS owner_org_id, "
        "CAST(%s AS BIGINT) AS applicant_id) c"
    )
    rows = fetch_all(sql, [*_standing_params(user, today), organization_id, applicant_id])
    return _actor(user, organization_id, applicant_id, tuple(rows[0]))


APPLICANT_COLUMNS = tuple(f.attname for f in Applicant._meta.concrete_fields)
ORGANIZATION_COLUMNS = tuple(f.attname for f in Organization._meta.concrete_fields)


@functools.lru_cache(maxsize=8)
def _step_read_sql(alias: str, standing: bool) -> str:
    """A step's one read: the case row, the acting user's standing towards it (unless the
    system acts), and the rows a letter prints: the applicant and the owning organization."""
    qn = connection.ops.quote_name
    columns = [
        columns_sql(Case, CASE_COLUMNS, alias, "c"),
        columns_sql(Applicant, APPLICANT_COLUMNS, alias, "ap"),
        columns_sql(Organization, ORGANIZATION_COLUMNS, alias, "og"),
    ]
    if standing:
        columns.append(_standing_sql())
    return (
        f"SELECT {', '.join(columns)} FROM {qn(Case._meta.db_table)} c "
        f"JOIN {qn(Applicant._meta.db_table)} ap ON ap.id = c.applicant_id "
        f"JOIN {qn(Organization._meta.db_table)} og ON og.id = c.owner_org_id WHERE c.id = %s"
    )


def _read_for_step(case_id: int, user: User | None, today: dt.date) -> tuple[Case, engine.Actor]:
    """The case with its applicant and owning organization attached, and the actor."""
    params: list[Any] = [] if user is None else _standing_params(user, today)
    with connection.cursor() as cursor:
        cursor.execute(_step_read_sql(connection.alias, user is not None), [*params, case_id])
        found = cursor.fetchone()
    if found is None:
        raise NotFound("case.not_found", "未找到该办件")
    row = tuple(found)
    case_end = len(CASE_COLUMNS)
    applicant_end = case_end + len(APPLICANT_COLUMNS)
    organization_end = applicant_end + len(ORGANIZATION_COLUMNS)
    alias = connection.alias
    case = instance_from_row(Case, CASE_COLUMNS, row[:case_end], alias)
    case.applicant = instance_from_row(
        Applicant, APPLICANT_COLUMNS, row[case_end:applicant_end], alias
    )
    case.owner_org = instance_from_row(
        Organization, ORGANIZATION_COLUMNS, row[applicant_end:organization_end], alias
    )
    row = row[organization_end:]
    if user is None:
        return case, SYSTEM
    return case, _actor(user, case.owner_org_id, case.applicant_id, row)


def _perform(
    case_id: int,
    action: engine.Action,
    user: User | None,
    expected_version: int | None,
    client_addr: str,
    today: dt.date | None,
) -> Case:
    day = today or timezone.localdate()
    with transaction.atomic():
        case, actor = _read_for_step(case_id, user, day)
        if expected_version is not None and case.version != expected_version:
            raise conflict()
        defn = definition_for(case.item_version_id)
        before_owner = case.owner_org  # the letter of this step is issued in its name
        supplied = supplied_since_requests(case) if action.kind == "supply_supplement" else None
        new_state, events = engine.apply(
            defn, state_of(case), action, actor, day, current_calendar(), supplied
        )
        columns = _columns(defn, new_state)
        seq, head = case.audit_seq, case.audit_head
        now = timezone.now()
        for event in events:
            entry = append_event(case.pk, seq + 1, head, event, actor, client_addr, now)
            seq, head = entry.seq, entry.hash
        # Compare-and-set: only the writer that read this version may write the next one.
        changed = {k: v for k, v in columns.items() if getattr(case, k) != v}
        changes = {**changed, "version": case.version + 1, "audit_seq": seq, "audit_head": head}
        written = update_where(
            Case, {**changes, "updated_at": now}, {"id": case.pk, "version": case.version}
        )
        if written != 1:
            raise conflict()
        for name, value in changes.items():
            setattr(case, name, value)
        case.updated_at = now
        for event in events:
            if event.document:
                _issue_document(case, event, user, before_owner)
            if event.action == "conclude" and case.outcome == "approved":
                _issue_licence(case, user, before_owner)
                if case.pledged or case.pledged_materials:
                    open_check(case, before_owner, day, defn.pledge_check_days)
    return case


# The steps that ask the applicant for materials (see engine.Ctx.supplied).
_MATERIAL_REQUESTS = ("request_supplement", "suspend", "accept_with_gaps")


def supplied_since_requests(case: Case) -> dict[str, frozenset[str]]:
    """For each step that asks for materials, the materials of ``case`` uploaded since its
    latest entry: what the applicant has actually handed in, read from the record."""
    latest: dict[str, dt.datetime] = {}
    requests = AuditEntry.objects.filter(case_id=case.pk, action__in=_MATERIAL_REQUESTS)
    for action, at in requests.values_list("action", "at"):
        latest[action] = max(at, latest.get(action, at))
    uploads = list(
        CaseMaterial.objects.filter(case_id=case.pk).values_list("material__name", "uploaded_at")
    )
    return {
        action: frozenset(name for name, uploaded_at in uploads if uploaded_at > since)
        for action, since in latest.items()
    }


@functools.lru_cache(maxsize=512)
def published_version(version_id: int) -> ItemVersion:
    """A published version row, kept in memory: it never changes once published."""
    return ItemVersion.objects.select_related("item").get(pk=version_id)


def _issue_document(
    case: Case, event: engine.Event, user: User | None, organization: Organization
) -> None:
    from yiwang.documents.services import issue

    case.item_version = published_version(case.item_version_id)
    issue(
        case,
        event.document,
        organization=organization,
        user=user,
        # A decision letter (issued at the conclusion) carries the reasons given at the
        # decision, never a remark the window made when concluding.
        extra={
            "reason": case.decision_reason if event.action == "conclude" else event.reason,
            **dict(event.details),
        },
        render=settings.YIWANG_RENDER_DOCUMENTS_INLINE,
    )


def _issue_licence(case: Case, user: User | None, issuer: Organization) -> None:
    """An approved licensing item yields its signed electronic licence when it is concluded."""
    version = published_version(case.item_version_id)
    if version.result_kind != ResultKind.LICENCE:
        return
    from yiwang.licences.services import issue_for

    case.item_version = version
    issue_for(case, user, issuer, render=settings.YIWANG_RENDER_DOCUMENTS_INLINE)


def _system_acts(case_id: int, action: engine.Action, today: dt.date | None) -> bool:
    """The system's own action on a case; False when someone acted on it first."""
    try:
        perform(case_id, action, None, today=today)
    except Conflict:
        return False
    return True


def deem_overdue_acceptances(
    today: dt.date | None = None, *, progress: Progress | None = None
) -> list[str]:
    """第32条: 行政许可 applications not answered within 5 working days are accepted from
    receipt; those of other items stay overdue for supervision to see.

    Returns the numbers of the cases deemed; ``progress(done, total)`` after each case."""
    day = today or timezone.localdate()
    due = list(
        Case.objects.filter(
            status="submitted", accept_due__lt=day, item_version__category=Category.LICENSING
        )
        .order_by("pk")
        .values_list("pk", "number")
    )
    done = []
    for position, (pk, number) in enumerate(due, 1):
        # A clerk who acted meanwhile leaves nothing to deem.
        if _system_acts(pk, engine.Action("deem_accept"), day):
            done.append(number)
        if progress is not None:
            progress(position, len(due))
    return done


def recompute_provisional_deadlines(*, progress: Progress | None = None) -> int:
    """After a new holiday year is loaded, recompute the provisional deadlines of open cases.

    Returns how many were recomputed; ``progress(done, total)`` after each case."""
    ids = list(
        Case.objects.filter(status__in=OPEN_STATUSES, deadline_provisional=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for position, pk in enumerate(ids, 1):
        # A step taken meanwhile has recomputed the deadlines already.
        if _system_acts(pk, engine.Action("recompute"), None):
            count += 1
        if progress is not None:
            progress(position, len(ids))
    return count
