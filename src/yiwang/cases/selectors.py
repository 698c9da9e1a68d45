"""Reads of cases, with the visibility rule in one place."""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import AgentAuthorization, Applicant, User
from yiwang.cases.models import Case, PledgeCheck
from yiwang.core.errors import Forbidden, NotFound
from yiwang.organizations.models import Organization


def applicant_ids_for(user: User) -> set[int]:
    """The applicants a user may act for: their own record and valid authorizations as agent."""
    from django.utils import timezone

    own = set(Applicant.objects.filter(user=user).values_list("pk", flat=True))
    if not own:
        return own
    principals = AgentAuthorization.objects.valid_on(timezone.localdate()).filter(agent_id__in=own)
    return own | set(principals.values_list("principal_id", flat=True))


def handling_org_ids(case: Case) -> set[int]:
    """The organizations a case passes through: the accepting one, those of its higher levels
    that the item's process reaches (from the case's chain), and the current owner."""
    from yiwang.cases.services import definition_for

    levels = {step.level for step in definition_for(case.item_version_id).steps}
    on_process = (org_id for level, org_id in case.chain if level in levels)
    return {case.owner_org_id, case.accepting_org_id, *on_process}


def can_view(user: User, case: Case) -> bool:
    """Applicants see their own cases; staff see the cases that pass through an organization
    within their reach, so a case stays in view (已办) after it was handed over or sent back."""
    if not user.is_authenticated:
        return False
    if case.applicant_id in applicant_ids_for(user):
        return True
    return views_as_staff(user, case)


def views_as_staff(user: User, case: Case) -> bool:
    """Whether ``user`` sees ``case`` as staff, with the whole record (internal remarks, who
    acted), rather than as its applicant or agent."""
    if not user.is_authenticated:
        return False
    orgs = Organization.objects.filter(pk__in=handling_org_ids(case))
    return any(access.can_see(user, org) for org in orgs)


# Actions whose reason the law requires to be told to the applicant (不予受理、补正、特殊环节、
# 延期、决定); the reasons of other steps are internal remarks between agencies.
REASONS_TOLD = frozenset({"refuse", "request_supplement", "suspend", "extend", "decide"})


def reason_told(action: str, reason: str) -> str:
    """The part of a step's reason its applicant reads: all of it, or nothing."""
    return reason if action in REASONS_TOLD else ""


def _find(number: str) -> Case:
    case = (
        Case.objects.select_related("item_version__item", "applicant", "owner_org", "accepting_org")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("case.not_found", f"未找到办件 {number}")
    return case


def _not_yours() -> Forbidden:
    return Forbidden("case.forbidden", "您无权查看该办件")


def case_for(user: User, number: str) -> Case:
    case = _find(number)
    if not can_view(user, case):
        raise _not_yours()
    return case


def case_with_view(user: User, number: str) -> tuple[Case, bool]:
    """The case and whether ``user`` reads it as staff (``views_as_staff``), each rule asked
    once: the same refusals as ``case_for``."""
    case = _find(number)
    staff = views_as_staff(user, case)
    if not staff and (
        not user.is_authenticated or case.applicant_id not in applicant_ids_for(user)
    ):
        raise _not_yours()
    return case, staff


def cases_owned_by(organization: Organization) -> QuerySet[Case]:
    return Case.objects.filter(owner_org=organization)


def pledge_checks_for(user: User, *, status: str = "") -> QuerySet[PledgeCheck]:
    """The pledge checks (告知承诺核查) of the organizations within the user's reach, the
    earliest due first; ``status`` narrows them (``pending`` for the work still to do)."""
    checks = PledgeCheck.objects.filter(organization__in=access.visible_organizations(user))
    if status:
        checks = checks.filter(status=status)
    return checks.select_related(
        "case__item_version", "case__applicant", "organization", "checked_by"
    ).order_by("due_on", "pk")


def pledge_check_of(case: Case) -> PledgeCheck | None:
    """The check of the pledge ``case`` was approved on, if any (the caller has checked that
    the user sees the case)."""
    if not (case.pledged or case.pledged_materials):
        return None
    check = (
        PledgeCheck.objects.select_related("organization", "checked_by").filter(case=case).first()
    )
    if check is not None:
        check.case = case
    return check


def pledge_check_for(case: Case) -> PledgeCheck:
    """The check of ``case``'s pledge, or ``pledge_check.not_found``."""
    check = pledge_check_of(case)
    if check is None:
        raise NotFound("pledge_check.not_found", f"办件 {case.number} 没有告知承诺核查")
    return check
