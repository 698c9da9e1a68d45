"""Reads behind the public pages: item search, the item guide and the progress query.

Search. The catalogue is small (tens to a few hundred items valid on a day) and every result
row is rendered anyway, so the valid versions are read in one query and matched in Python:

- Chinese keywords match when every character of the query occurs in the item name in order
  (律所 → 律师事务所设立许可). We chose this over n-grams because people shorten names by
  dropping characters (律所, 法援, 鉴定登记), which in-order matching catches and bigrams miss;
  a run of consecutive characters ranks first, then the earliest start.
- Latin letters also match pinyin initials character by character (lssws → 律师事务所…), so a
  query may mix both (律sw). Letters alone must match consecutive initials: scattered single
  letters would match almost every name.
- Codes match as substrings (ls-006) and 基本编码 by prefix.

Pinyin initials are a pure function of the name (``initials``), memoised in process per name.
A published version's name never changes and a new version with a new name simply has a new
key, so a catalogue change never leaves a stale entry and there is nothing to invalidate.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from yiwang.accounts.models import ApplicantKind
from yiwang.audit.models import AuditEntry
from yiwang.cases import engine
from yiwang.cases.models import Case, Outcome, Status, SuspensionKind
from yiwang.cases.services import definition_for
from yiwang.catalog.models import (
    Category,
    ItemImplementation,
    ItemVersion,
    Material,
    StepLevel,
    StepRole,
)
from yiwang.catalog.selectors import current_version, current_versions
from yiwang.organizations.models import SEGMENT_WIDTH, Level, Organization
from yiwang.public.flow import Chart, FlowStep, chart

MAX_QUERY = 50
CATEGORY_ORDER = {c.value: i for i, c in enumerate(Category)}
LEVELS = tuple(StepLevel)


# --- Search --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """One lowercase key per character of ``name``: a Han character's pinyin initial (read in
    context, so 银行 gives yh and 行政 xz), any other character itself, lowercased."""
    # A list from ``errors`` splits a run without pinyin into one entry per character, as
    # pypinyin documents; its stubs only allow a string.
    keys = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=_split)  # type: ignore[arg-type]
    if len(keys) != len(name) or any(len(k) != 1 for k in keys):
        # Never expected, but a misaligned key would match the wrong characters.
        keys = [(lazy_pinyin(ch, style=Style.FIRST_LETTER) or [ch])[0][:1] or ch for ch in name]
    return "".join(_fold(k) for k in keys)


def _split(text: str) -> list[str]:
    return list(text)


def _fold(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).lower()
    return folded if len(folded) == 1 else ch


def normalize_query(text: str) -> str:
    """Lowercase, half-width, no spaces, at most ``MAX_QUERY`` characters."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(folded.split())[:MAX_QUERY]


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _same(q: str, ch: str, key: str) -> bool:
    return q == ch or (q.isascii() and q == key)


def match_rank(query: str, name: str) -> tuple[int, int] | None:
    """How well ``name`` matches a normalized ``query``: (0, start) for a run of consecutive
    characters, (1, start) for characters in order, None for no match. Lower is better."""
    keys = initials(name)
    n, m = len(name), len(query)
    if m == 0 or m > n:
        return None
    for start in range(n - m + 1):
        if all(_same(query[j], name[start + j], keys[start + j]) for j in range(m)):
            return (0, start)
    if not any(_is_han(q) for q in query):
        return None
    for start in range(n):
        if not _same(query[0], name[start], keys[start]):
            continue
        j, i = 1, start + 1
        while i < n and j < m:
            if _same(query[j], name[i], keys[i]):
                j += 1
            i += 1
        # The earliest start wins: a name that opens with the query's first character is most
        # likely what was abbreviated (律所: 律师事务所… before 基层法律服务所…).
        return (1, start) if j == m else None
    return None


def _code_rank(query: str, version: ItemVersion) -> tuple[int, int] | None:
    code = version.item.code.lower()
    if query in code:
        return (0, code.index(query))
    if query.isdigit() and version.item.basic_code.startswith(query):
        return (0, 0)
    return None


def _handles_level(version: ItemVersion, level: str) -> bool:
    # Where an applicant goes (accepting level) or who decides: the two a person asks about.
    return level in (version.accept_level, version.decide_level)


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    query: str
    category: str
    level: str
    items: list[ItemVersion]
    categories: list[Facet]
    levels: list[Facet]
    total: int

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.category or self.level)


def search_items(
    query: str = "", category: str = "", level: str = "", on: dt.date | None = None
) -> SearchResults:
    """Items valid on ``on`` (default today) matching the keyword, category and level. Unknown
    category or level values are ignored. Ranked by match quality, else catalogue order."""
    q = normalize_query(query)
    category = category if category in CATEGORY_ORDER else ""
    level = level if level in LEVELS else ""
    versions = list(current_versions(on=on))
    ranked: list[tuple[tuple[int, int], ItemVersion]] = []
    for version in versions:
        if not q:
            ranked.append(((0, 0), version))
            continue
        ranks = [r for r in (match_rank(q, version.name), _code_rank(q, version)) if r]
        if ranks:
            ranked.append((min(ranks), version))
    ranked.sort(key=lambda rv: (rv[0], CATEGORY_ORDER[rv[1].category], rv[1].item.code))
    matched = [v for _, v in ranked]

    by_level = [v for v in matched if not level or _handles_level(v, level)]
    by_category = Counter(v.category for v in by_level)
    in_category = [v for v in matched if not category or v.category == category]
    return SearchResults(
        query=q,
        category=category,
        level=level,
        items=[v for v in by_level if not category or v.category == category],
        categories=[Facet(c.value, c.label, by_category.get(c.value, 0)) for c in Category],
        levels=[
            Facet(lv.value, lv.label, sum(1 for v in in_category if _handles_level(v, lv.value)))
            for lv in StepLevel
        ],
        total=len(versions),
    )


# --- Item guide ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    implementation: ItemImplementation
    organization: Organization
    promised_text: str


@dataclass(frozen=True)
class PlaceGroup:
    """The agencies implementing an item within one city (or the province department)."""

    label: str
    places: list[Place]


@dataclass(frozen=True)
class Guide:
    version: ItemVersion
    materials: list[Material]
    steps: list[FlowStep]
    chart: Chart
    places: list[PlaceGroup]
    province: Organization | None
    place_count: int
    extension_text: str
    #: Working days within which a pledge is checked after approval; None: no pledge applies.
    pledge_check_workdays: int | None


def _step_limit(days: int, unit: str) -> str:
    if days == 0:
        return "当场办理"
    return f"{days} 日" if unit == "day" else f"{days} 个工作日"


def _places(version: ItemVersion) -> tuple[list[PlaceGroup], int]:
    implementations = list(
        ItemImplementation.objects.filter(item_id=version.item_id, active=True)
        .select_related("organization")
        .order_by("organization__path")
    )
    city_width = 2 * SEGMENT_WIDTH  # province segment + city segment of the materialized path
    city_paths = {
        impl.organization.path[:city_width]
        for impl in implementations
        if impl.organization.level != Level.PROVINCE
    }
    cities = {o.path: o for o in Organization.objects.filter(path__in=city_paths)}
    groups: dict[str, PlaceGroup] = {}
    for impl in implementations:
        org = impl.organization
        if org.level == Level.PROVINCE:
            key, label = org.path, org.name
        else:
            key = org.path[:city_width]
            city = cities.get(key)
            label = f"{city.name}及所辖县（市、区）" if city else org.name
        promised = version.limit_text(impl.promised_days) if impl.promised_days is not None else ""
        groups.setdefault(key, PlaceGroup(label, [])).places.append(Place(impl, org, promised))
    # The province department first (its key is the shortest path), then cities in tree order.
    ordered = [groups[k] for k in sorted(groups, key=lambda k: (len(k), k))]
    return ordered, len(implementations)


def item_guide(code: str, on: dt.date | None = None) -> Guide:
    """Everything the 办事指南 shows for the version of ``code`` valid on ``on``. Raises
    ``NotFound`` for an unknown or unpublished item."""
    version = current_version(code, on)
    unit = definition_for(version.pk).step_unit
    levels = dict(StepLevel.choices)
    roles = dict(StepRole.choices)
    steps = [
        FlowStep(
            position=s.position,
            key=s.key,
            name=s.name,
            level=s.level,
            level_label=levels.get(s.level, s.level),
            role_label=roles.get(s.role, s.role),
            limit=_step_limit(s.limit_days, unit),
        )
        for s in version.steps.all()
    ]
    places, count = _places(version)
    return Guide(
        version=version,
        materials=list(version.materials.all()),
        steps=steps,
        chart=chart(steps),
        places=places,
        province=Organization.objects.filter(level=Level.PROVINCE).order_by("path").first(),
        place_count=count,
        extension_text=version.limit_text(version.extension_days),
        pledge_check_workdays=version.pledge_check_workdays,
    )


def published_code(code: str, on: dt.date | None = None) -> str | None:
    """The canonical code of a published item valid on ``on``, or None: one small query."""
    day = on or timezone.localdate()
    found: QuerySet[ItemVersion] = ItemVersion.objects.valid_on(day).filter(item__code=code.upper())
    return found.values_list("item__code", flat=True).first()


def sample_material(code: str, position: int, on: dt.date | None = None) -> Material | None:
    """Material ``position`` of the current version of ``code`` if it has a sample text.
    Raises ``NotFound`` for an unknown item."""
    version = current_version(code, on)
    for material in version.materials.all():
        if material.position == position:
            material.version = version  # already loaded: the caller prints the item name
            return material if material.sample.strip() else None
    return None


# --- Progress query ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    organization: str


@dataclass(frozen=True)
class Progress:
    number: str
    item_name: str
    item_code: str
    accepting_org: str
    applicant: str
    status: str
    status_label: str
    outcome_label: str
    submitted_on: dt.date
    current_step: str
    suspension: str
    accept_due: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    limits_start: str  # when limits not yet running will start
    provisional: bool
    decided_on: dt.date | None
    delivered_on: dt.date | None
    timeline: list[TimelineEntry]

    @property
    def open(self) -> bool:
        return self.status in engine.OPEN


# Internal bookkeeping a member of the public has no use for in the timeline.
HIDDEN_ACTIONS = frozenset({"recompute"})
_DUMMY_CODE = "\x00" * 6


def mask_name(name: str, kind: str) -> str:
    """张伟 → 张*; 欧阳娜娜 → 欧***; longer organization names keep their first two and last
    five characters (河南****律师事务所), which tells the kind of body without naming it."""
    name = name.strip()
    if not name:
        return ""
    if kind == ApplicantKind.PERSON or len(name) <= 8:
        return name[0] + "*" * max(len(name) - 1, 1)
    return name[:2] + "*" * (len(name) - 7) + name[-5:]


def progress_for(number: str, code: str) -> Progress | None:
    """The public view of case ``number`` if ``code`` is its query code, else None (the same
    None for an unknown number, so numbers cannot be probed)."""
    number = number.strip().upper()
    case = (
        Case.objects.select_related("item_version__item", "accepting_org", "applicant")
        .filter(number=number)
        .first()
        if number
        else None
    )
    expected = case.query_code if case is not None and case.query_code else _DUMMY_CODE
    # Compared even for an unknown number, so both answers take about the same time.
    matches = secrets.compare_digest(code.strip().encode(), expected.encode())
    if case is None or not matches:
        return None
    defn = definition_for(case.item_version_id)
    step = defn.steps[case.step_index] if case.step_index < len(defn.steps) else None
    finished = case.status in (Status.DELIVERED, Status.REFUSED, Status.WITHDRAWN)
    current = (
        f"{step.name}（{engine.LEVEL_LABELS.get(step.level, step.level)}）"
        if step is not None and not finished
        else ""
    )
    entries = (
        AuditEntry.objects.filter(case_id=case.pk)
        .exclude(action__in=HIDDEN_ACTIONS)
        .order_by("seq")
        .values_list("at", "action", "organization_name")
    )
    return Progress(
        number=case.number,
        item_name=case.item_version.name,
        item_code=case.item_version.item.code,
        accepting_org=case.accepting_org.name,
        applicant=mask_name(case.applicant.name, case.applicant.kind),
        status=case.status,
        status_label=engine.STATUS_LABELS.get(case.status, case.status),
        outcome_label=Outcome(case.outcome).label if case.outcome else "",
        submitted_on=case.received_on,
        current_step=current,
        suspension=SuspensionKind(case.suspension_kind).label if case.suspension_kind else "",
        accept_due=case.acceptance_due,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        # Limits counted from receipt stop only for a supplement asked before acceptance.
        limits_start="收到全部补正材料后重新计算"
        if defn.limits_from == engine.FROM_RECEIPT
        else "受理后开始计算",
        provisional=case.deadline_provisional,
        decided_on=case.decided_on,
        delivered_on=case.delivered_on,
        timeline=[
            TimelineEntry(at, engine.ACTION_LABELS.get(action, action), org)
            for at, action, org in entries
        ],
    )
