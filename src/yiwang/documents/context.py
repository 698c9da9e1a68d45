"""What each document prints: the context schema per kind, and ``build_context``.

A document's context is a JSON object frozen at issue time; rendering reads nothing else, so a
document re-rendered years later prints exactly what it printed when issued, whatever happened
to the case, the item or the organization since. Dates are ISO strings (``"2026-11-21"``);
templates print them as 2026年11月21日. ``build_context`` takes the facts from the case and its
relations and everything the case does not hold from ``extra``.

Every kind shares ``BaseContext``::

    schema        1 (bumped if a template starts to need facts older contexts lack)
    kind, title   the DocumentKind value and its Chinese title
    number        the document number (发文字号); "" until ``issue`` assigns it
    issued_on     the date printed under the signature (成文日期)
    organization  {name, credit_code, address, phone} of the issuing organization (发文机关)
    seal          the SHA-256 of the issuer's seal in use (``organizations.Seal``), pressed over
                  the signature; None when it has none (letters issued before seals lack the key)
    applicant     {name, kind, id_label, id_number}; a person's number is printed masked
    case          {number, item_code, item_name, category, licensing, legal_basis, result_kind,
                   result_name, received_on, accepted_on, statutory_limit, promised_limit,
                   limit_unit, limits_from, statutory_due, promised_due, deadline_provisional}
    remarks       optional free text printed as a last paragraph ("" when none)

``case.licensing`` is true for 行政许可 items: only those letters cite the 行政许可法.
``case.limits_from`` is the day the limits run from, as printed after 自: "受理" or "收到申请"
(letters issued before it existed lack the key and print 受理).

Per kind, the keys read from ``extra`` and the facts added to the context (the TypedDicts
``AcceptanceContext`` … ``DenialContext`` below list every key exactly):

acceptance_notice 受理通知书 (第32条)
    no extra keys besides ``remarks``. From the case: accepted_on (required), deemed_accepted
    (accepted by law because no answer came within 5 working days), promised/statutory limits
    and deadlines, and ``gaps`` [{material, due}] owed under 容缺受理.
refusal_decision 不予受理决定书 (第32条)
    reason (required): why the application is not accepted;
    competent_authority (optional): where to apply instead when the matter is outside this
    organization's powers; reconsideration_bodies (optional, list): where 行政复议 may be
    sought, default ``reconsideration_bodies(organization)``.
supplement_notice 补正材料通知书 (第32条: 一次性告知)
    materials (optional, default ``case.supplement``): [{material, problem}], never empty;
    supplement_due (optional date): the date by which to supplement.
special_procedure_notice 特殊环节告知书 (第45条)
    reason (required); suspension_kind (default ``case.suspension_kind``): one of
    supplement/site_check/expert_review/hearing/testing, printed as ``suspension_label``;
    started_on (default ``case.suspended_on``, else the issue date); expected_days (optional,
    working days) and/or expected_end (optional date): the time needed, which 第45条 requires
    to be told in writing.
extension_notice 延期告知书 (第42条)
    reason (required); extension_days (default ``case.extension_days``, > 0);
    new_statutory_due (default ``case.statutory_due``, required);
    previous_statutory_due (optional date).
approval_decision 准予行政许可决定书 (第38条第一款)
    decided_on (default ``case.decided_on``, else the issue date); licence_number and
    validity (optional): printed when the licence is already numbered. From the case:
    pledged_conditions and pledged_materials, what the decision rests on a pledge for
    (告知承诺), told with the check and its consequence (letters issued before lack both).
denial_decision 不予行政许可决定书 (第38条第二款)
    reason (required); decided_on (as above); reconsideration_bodies (as for refusals).

Keys a kind does not read are ignored, so that a caller may pass a workflow action's reason and
parameters as they are (``cases.services`` passes ``{"reason": …, **action.params}``); the
engine's ``kind`` parameter of a suspension is read as ``suspension_kind``. Every fact a kind
requires is checked, so a misspelt required key is still reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, cast

from django.utils import timezone

from yiwang.accounts.models import ApplicantKind
from yiwang.cases.models import Case, SuspensionKind
from yiwang.catalog.models import Handling, ItemVersion, LimitsFrom, TimeUnit
from yiwang.core.errors import InvalidInput, Problem
from yiwang.documents.models import DocumentKind
from yiwang.documents.numbering import organization_prefix
from yiwang.organizations.models import Organization

SCHEMA_VERSION = 1
# Departments that answer for their letters in 行政复议 (a 司法所 acts for its county bureau).
DEPARTMENT_SUFFIXES = ("司法厅", "司法局")
# Where an organization at the top of the tree takes 行政复议 besides its own government.
NATIONAL_AUTHORITY = "中华人民共和国司法部"


# --- Schema -----------------------------------------------------------------------------------


class OrganizationFacts(TypedDict):
    name: str
    credit_code: str
    address: str
    phone: str


class ApplicantFacts(TypedDict):
    name: str
    kind: str  # ApplicantKind value
    id_label: str  # 公民身份号码 / 统一社会信用代码
    id_number: str  # as printed: a person's number masked, an organization's in full


class CaseFacts(TypedDict):
    number: str
    item_code: str
    item_name: str
    category: str
    licensing: bool
    legal_basis: str
    result_kind: str  # ResultKind value: licence, decision, filing, service
    result_name: str
    received_on: str
    accepted_on: str | None
    statutory_limit: str  # "30个工作日"
    promised_limit: str  # "4个工作日" or "即办"
    limit_unit: str  # "个工作日", "日" or "个月": the unit of limits and extensions
    limits_from: str  # "受理" or "收到申请": 自…之日起
    statutory_due: str | None
    promised_due: str | None
    deadline_provisional: bool  # the deadlines touch a year whose holidays are not published


class BaseContext(TypedDict):
    schema: int
    kind: str
    title: str
    number: str
    issued_on: str
    organization: OrganizationFacts
    seal: str | None
    applicant: ApplicantFacts
    case: CaseFacts
    remarks: str


class Gap(TypedDict):
    material: str
    due: str | None


class MaterialProblem(TypedDict):
    material: str
    problem: str


class AcceptanceContext(BaseContext):
    accepted_on: str
    deemed_accepted: bool
    gaps: list[Gap]


class RefusalContext(BaseContext):
    reason: str
    competent_authority: str
    reconsideration_bodies: list[str]


class SupplementContext(BaseContext):
    materials: list[MaterialProblem]
    supplement_due: str | None


class SpecialProcedureContext(BaseContext):
    suspension_kind: str
    suspension_label: str
    reason: str
    started_on: str
    expected_days: int | None
    expected_end: str | None


class ExtensionContext(BaseContext):
    reason: str
    extension_days: int
    new_statutory_due: str
    previous_statutory_due: str | None


class ApprovalContext(BaseContext):
    decided_on: str
    licence_number: str
    validity: str
    pledged_conditions: bool  # the applicant pledged the conditions are met
    pledged_materials: list[str]  # certificates replaced by a pledge


class DenialContext(BaseContext):
    reason: str
    decided_on: str
    reconsideration_bodies: list[str]


class Extra(TypedDict, total=False):
    """Every key ``extra`` may hold (dates as ``date`` or ISO text); per kind see ``ALLOWED_EXTRA``."""

    remarks: str
    reason: str
    competent_authority: str
    reconsideration_bodies: list[str]
    materials: list[Mapping[str, Any]]
    supplement_due: datetime.date | str
    suspension_kind: str
    started_on: datetime.date | str
    expected_days: int
    expected_end: datetime.date | str
    extension_days: int
    new_statutory_due: datetime.date | str
    previous_statutory_due: datetime.date | str
    decided_on: datetime.date | str
    licence_number: str
    validity: str


ALLOWED_EXTRA: dict[DocumentKind, frozenset[str]] = {
    DocumentKind.ACCEPTANCE_NOTICE: frozenset({"remarks"}),
    DocumentKind.REFUSAL_DECISION: frozenset(
        {"remarks", "reason", "competent_authority", "reconsideration_bodies"}
    ),
    DocumentKind.SUPPLEMENT_NOTICE: frozenset({"remarks", "materials", "supplement_due"}),
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: frozenset(
        {"remarks", "reason", "suspension_kind", "started_on", "expected_days", "expected_end"}
    ),
    DocumentKind.EXTENSION_NOTICE: frozenset(
        {"remarks", "reason", "extension_days", "new_statutory_due", "previous_statutory_due"}
    ),
    DocumentKind.APPROVAL_DECISION: frozenset(
        {"remarks", "decided_on", "licence_number", "validity"}
    ),
    DocumentKind.DENIAL_DECISION: frozenset(
        {"remarks", "reason", "decided_on", "reconsideration_bodies"}
    ),
}

# Parameter names of workflow actions (yiwang.cases.engine) that mean a key read here.
EXTRA_ALIASES = {"kind": "suspension_kind"}

UNIT_TEXT = {TimeUnit.WORKDAY: "个工作日", TimeUnit.DAY: "日", TimeUnit.MONTH: "个月"}
LIMITS_FROM_TEXT = {LimitsFrom.ACCEPTANCE: "受理", LimitsFrom.RECEIPT: "收到申请"}


# --- Small helpers ----------------------------------------------------------------------------


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def mask_resident_id(value: str) -> str:
    """Keep the address code and the last four characters: enough to recognise, not to reuse."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def limit_text(version: ItemVersion, days: int) -> str:
    # Official documents write "30个工作日" without the space ItemVersion.limit_text puts in.
    return f"{days}{UNIT_TEXT[TimeUnit(version.statutory_unit)]}"


def remedy_agency(organization: Organization) -> Organization:
    """The 司法厅/司法局 that answers for a letter in 行政复议: the issuer or its nearest ancestor.

    A 司法所 or a service centre acts under the bureau that set it up, so reconsideration
    bodies are derived from that bureau.
    """
    node: Organization | None = organization
    while node is not None:
        if node.name.endswith(DEPARTMENT_SUFFIXES):
            return node
        node = node.parent
    return organization


def reconsideration_bodies(organization: Organization) -> list[str]:
    """Where an applicant may seek 行政复议 against the organization's decision.

    Under the 2023 revision of the 行政复议法 a 司法行政部门's act may be taken either to the
    people's government at the same level or to the judicial-administration department one level
    up: 郑州市司法局 → 郑州市人民政府 or 河南省司法厅; 河南省司法厅 → 河南省人民政府 or 司法部.
    Callers with a different arrangement pass ``reconsideration_bodies`` in ``extra``.
    """
    agency = remedy_agency(organization)
    bodies = [f"{organization_prefix(agency)}人民政府"]
    parent = agency.parent
    while parent is not None and not parent.name.endswith(DEPARTMENT_SUFFIXES):
        parent = parent.parent
    bodies.append(parent.name if parent is not None else NATIONAL_AUTHORITY)
    return bodies


# --- Reading extra ----------------------------------------------------------------------------


class _Extra:
    """Reads and checks ``extra``, collecting every problem so that one answer lists them all."""

    def __init__(self, kind: DocumentKind, extra: Mapping[str, Any]) -> None:
        values = dict(extra)
        for alias, key in EXTRA_ALIASES.items():
            if alias in values and key not in values:
                values[key] = values[alias]
        self.values = {k: v for k, v in values.items() if k in ALLOWED_EXTRA[kind]}
        self.problems: list[Problem] = []
        self.kind = kind

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem("documents.extra_invalid", message, key, self.kind.value))

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.values.get(key, default)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(key, "必须是文字")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(key, "不能为空")
        return value

    def date(self, key: str, default: datetime.date | None = None) -> str | None:
        value = self.values.get(key, default)
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            self.problem(key, "必须是日期，不能带时间")
            return None
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.problem(key, "必须是形如 2026-11-21 的日期")
        return None

    def positive_int(self, key: str, default: int | None = None) -> int | None:
        value = self.values.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.problem(key, "必须是正整数")
            return None
        return value

    def names(self, key: str, default: list[str]) -> list[str]:
        value = self.values.get(key, default)
        if not isinstance(value, list) or not value:
            self.problem(key, "必须是非空的名称列表")
            return default
        names = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if len(names) != len(value):
            self.problem(key, "每一项都必须是非空文字")
        return names

    def require(self, key: str, value: object, message: str) -> None:
        if value in (None, "", [], 0):
            self.problem(key, message)

    def check(self) -> None:
        if self.problems:
            raise InvalidInput("documents.invalid_extra", "文书内容不完整或有误", self.problems)


# --- Assembling -------------------------------------------------------------------------------


# The decision letters of items the 行政许可法 does not govern, unless the catalogue names them.
OTHER_DECISION_TITLES = {
    DocumentKind.APPROVAL_DECISION: "准予决定书",
    DocumentKind.DENIAL_DECISION: "不予准予决定书",
}


def letter_title(kind: DocumentKind, version: ItemVersion) -> str:
    """The title of a letter: a decision takes the name the catalogue gives it (给予法律援助
    决定书), else 准予/不予行政许可决定书 for a 行政许可 item, else a title that cites no 许可."""
    named = {
        DocumentKind.APPROVAL_DECISION: version.approval_letter,
        DocumentKind.DENIAL_DECISION: version.denial_letter,
    }.get(kind)
    if named:
        return named
    if kind in OTHER_DECISION_TITLES and not version.licensing:
        return OTHER_DECISION_TITLES[kind]
    return str(kind.label)


def _base(
    case: Case,
    kind: DocumentKind,
    organization: Organization,
    number: str,
    issued_on: datetime.date,
    remarks: str,
) -> BaseContext:
    version = case.item_version
    applicant = case.applicant
    person = applicant.kind == ApplicantKind.PERSON
    return {
        "schema": SCHEMA_VERSION,
        "kind": kind.value,
        "title": letter_title(kind, version),
        "number": number,
        "issued_on": issued_on.isoformat(),
        "organization": {
            "name": organization.name,
            "credit_code": organization.credit_code or "",
            "address": organization.address,
            "phone": organization.phone,
        },
        "seal": organization.seal_id,
        "applicant": {
            "name": applicant.name,
            "kind": applicant.kind,
            "id_label": "公民身份号码" if person else "统一社会信用代码",
            "id_number": mask_resident_id(applicant.id_number) if person else applicant.id_number,
        },
        "case": {
            "number": case.number,
            "item_code": version.item.code,
            "item_name": version.name,
            "category": version.category,
            "licensing": version.licensing,
            "legal_basis": version.legal_basis,
            "result_kind": version.result_kind,
            "result_name": version.result_name,
            "received_on": case.received_on.isoformat(),
            "accepted_on": iso(case.accepted_on),
            "statutory_limit": limit_text(version, version.statutory_days),
            "promised_limit": "即办"
            if version.handling == Handling.IMMEDIATE
            else limit_text(version, version.promised_days),
            "limit_unit": UNIT_TEXT[TimeUnit(version.statutory_unit)],
            "limits_from": LIMITS_FROM_TEXT[LimitsFrom(version.limits_from)],
            "statutory_due": iso(case.statutory_due),
            "promised_due": iso(case.promised_due),
            "deadline_provisional": case.deadline_provisional,
        },
        "remarks": remarks,
    }


def _acceptance(base: BaseContext, case: Case, x: _Extra) -> AcceptanceContext:
    x.require("accepted_on", case.accepted_on, "办件尚未受理，不能出具受理通知书")
    gaps: list[Gap] = [
        {"material": str(g.get("material", "")), "due": g.get("due")}
        for g in case.gaps
        if isinstance(g, Mapping)
    ]
    return {
        **base,
        "accepted_on": iso(case.accepted_on) or "",
        "deemed_accepted": case.deemed_accepted,
        "gaps": gaps,
    }


def _refusal(base: BaseContext, case: Case, x: _Extra, org: Organization) -> RefusalContext:
    return {
        **base,
        "reason": x.text("reason", required=True),
        "competent_authority": x.text("competent_authority"),
        "reconsideration_bodies": x.names("reconsideration_bodies", reconsideration_bodies(org)),
    }


def _supplement(base: BaseContext, case: Case, x: _Extra) -> SupplementContext:
    raw = x.values.get("materials", case.supplement)
    materials: list[MaterialProblem] = []
    if not isinstance(raw, list):
        x.problem("materials", "必须是材料列表")
        raw = []
    for entry in raw:
        # The engine stores [{material, problem}]; a bare name is a material with no remark.
        if isinstance(entry, str):
            entry = {"material": entry, "problem": ""}
        if not isinstance(entry, Mapping) or not str(entry.get("material") or "").strip():
            x.problem("materials", "每一项都必须写明材料名称")
            continue
        problem = entry.get("problem") or ""
        materials.append(
            {"material": str(entry["material"]).strip(), "problem": str(problem).strip()}
        )
    if not raw:
        x.problem("materials", "必须一次性列明需要补正的全部材料")
    return {**base, "materials": materials, "supplement_due": x.date("supplement_due")}


def _special(
    base: BaseContext, case: Case, x: _Extra, issued_on: datetime.date
) -> SpecialProcedureContext:
    kind = x.text("suspension_kind", default=case.suspension_kind)
    label = ""
    if kind not in SuspensionKind.values:
        choices = "、".join(SuspensionKind.values)
        x.problem("suspension_kind", f"必须是以下之一：{choices}")
    else:
        label = str(SuspensionKind(kind).label)
    return {
        **base,
        "suspension_kind": kind,
        "suspension_label": label,
        "reason": x.text("reason", required=True),
        "started_on": x.date("started_on", case.suspended_on or issued_on) or "",
        "expected_days": x.positive_int("expected_days"),
        "expected_end": x.date("expected_end"),
    }


def _extension(base: BaseContext, case: Case, x: _Extra) -> ExtensionContext:
    days = x.positive_int("extension_days", case.extension_days or None)
    due = x.date("new_statutory_due", case.statutory_due)
    x.require("extension_days", days, "必须写明延长的天数")
    x.require("new_statutory_due", due, "必须写明延长后的法定办结期限")
    return {
        **base,
        "reason": x.text("reason", required=True),
        "extension_days": days or 0,
        "new_statutory_due": due or "",
        "previous_statutory_due": x.date("previous_statutory_due"),
    }


def _approval(
    base: BaseContext, case: Case, x: _Extra, issued_on: datetime.date
) -> ApprovalContext:
    return {
        **base,
        "decided_on": x.date("decided_on", case.decided_on or issued_on) or "",
        "licence_number": x.text("licence_number"),
        "validity": x.text("validity"),
        "pledged_conditions": case.pledged,
        "pledged_materials": list(case.pledged_materials),
    }


def _denial(
    base: BaseContext, case: Case, x: _Extra, org: Organization, issued_on: datetime.date
) -> DenialContext:
    return {
        **base,
        "reason": x.text("reason", required=True),
        "decided_on": x.date("decided_on", case.decided_on or issued_on) or "",
        "reconsideration_bodies": x.names("reconsideration_bodies", reconsideration_bodies(org)),
    }


def build_context(
    case: Case,
    kind: str,
    extra: Mapping[str, Any] | None = None,
    *,
    organization: Organization | None = None,
    number: str = "",
    issued_on: datetime.date | None = None,
) -> dict[str, Any]:
    """The facts a document of ``kind`` prints for ``case`` (schema in the module docstring).

    ``organization`` is the issuer (default: the case's accepting organization); ``number`` and
    ``issued_on`` are filled in by ``issue``. Raises ``InvalidInput`` listing every missing or
    malformed fact at once.
    """
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        raise InvalidInput("documents.unknown_kind", f"未知的文书种类：{kind}") from None
    org = organization or case.accepting_org
    day = issued_on or timezone.localdate()
    x = _Extra(document_kind, extra or {})
    base = _base(case, document_kind, org, number, day, x.text("remarks"))
    builders: dict[DocumentKind, Callable[[], BaseContext]] = {
        DocumentKind.ACCEPTANCE_NOTICE: lambda: _acceptance(base, case, x),
        DocumentKind.REFUSAL_DECISION: lambda: _refusal(base, case, x, org),
        DocumentKind.SUPPLEMENT_NOTICE: lambda: _supplement(base, case, x),
        DocumentKind.SPECIAL_PROCEDURE_NOTICE: lambda: _special(base, case, x, day),
        DocumentKind.EXTENSION_NOTICE: lambda: _extension(base, case, x),
        DocumentKind.APPROVAL_DECISION: lambda: _approval(base, case, x, day),
        DocumentKind.DENIAL_DECISION: lambda: _denial(base, case, x, org, day),
    }
    context = builders[document_kind]()
    x.check()
    return cast(dict[str, Any], context)
