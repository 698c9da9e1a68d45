"""告知承诺核查: the later check of the pledge a case was approved on.

A case approved on a pledge, whether the item's own (its conditions are met) or certificates
replaced by one (证明事项告知承诺), gets one check when it is concluded. The check is due
within the item version's own period (``pledge_check_days`` of the catalogue), else
``YIWANG_PLEDGE_CHECK_WORKDAYS`` working days, and is owned by the organization that
decided the case. Its handler or leader records the finding once, and the finding becomes an
entry of the case's audit chain. A false pledge is the ground on which that organization's
leader revokes the licence (``licences.services.revoke``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.accounts import access
from yiwang.accounts.models import Role, User
from yiwang.cases import engine
from yiwang.cases.models import Case, PledgeCheck, PledgeCheckStatus
from yiwang.cases.record import record_beside_process
from yiwang.catalog.models import pledge_check_workdays
from yiwang.core.errors import Conflict, Forbidden, InvalidInput
from yiwang.core.text import trimmed, unstorable
from yiwang.organizations.models import Organization
from yiwang.workcalendar.services import add_workdays

#: The subject of the item's own pledge; certificates replaced by a pledge are named as such.
CONDITIONS = "申请条件"
#: Who records a finding at the deciding organization: the check is field work (承办), and the
#: leader who would act on a false pledge may record it too.
CHECKERS = (Role.HANDLER, Role.LEADER)
FINDING_MAX_CHARS = 1000


def subjects_of(case: Case) -> list[str]:
    """What the applicant pledged, in the words the check lists it."""
    return ([CONDITIONS] if case.pledged else []) + list(case.pledged_materials)


def open_check(
    case: Case, organization: Organization, today: dt.date, own_days: int | None
) -> PledgeCheck:
    """Open the check of a case concluded with approval on a pledge (inside the step), due
    within the item version's own period (``own_days``) or the province's default."""
    due = add_workdays(today, pledge_check_workdays(own_days)).date
    return PledgeCheck.objects.create(
        case=case,
        organization=organization,
        subjects=subjects_of(case),
        opened_on=today,
        due_on=due,
    )


def checker_role(user: User, organization: Organization) -> Role | None:
    """The role in which ``user`` may record a finding at ``organization``, if any."""
    return next((role for role in CHECKERS if access.can_act(user, role, organization)), None)


def _finding(text: str) -> str:
    finding = trimmed(text or "")
    if not finding:
        raise InvalidInput(
            "pledge_check.finding_required", "请填写核查情况：核查的方式和发现的情况"
        )
    problem = unstorable(finding)
    if problem:
        raise InvalidInput("pledge_check.finding_invalid", f"核查情况{problem}")
    if len(finding) > FINDING_MAX_CHARS:
        raise InvalidInput(
            "pledge_check.finding_too_long",
            f"核查情况不能超过 {FINDING_MAX_CHARS} 字（现有 {len(finding)} 字）",
        )
    return finding


def record_finding(
    check: PledgeCheck, user: User, *, verdict: str, finding: str, client_addr: str = ""
) -> PledgeCheck:
    """Record the finding of ``check`` (found by the caller through a case the user sees,
    ``selectors.pledge_check_for``): once, by a checker of its organization, with the finding in
    the case's audit chain in the same transaction. Returns the check as recorded."""
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("not_authenticated", "请先登录")
    if verdict not in (PledgeCheckStatus.CONFIRMED, PledgeCheckStatus.FALSE):
        raise InvalidInput("pledge_check.verdict", "核查结果只能是“承诺属实”或“承诺不实”")
    text = _finding(finding)
    number = check.case.number
    role = checker_role(user, check.organization)
    if role is None:
        raise Forbidden(
            "permission.role",
            f"您不是“{check.organization.name}”的承办人或审批负责人，无权登记核查结果",
        )
    with transaction.atomic():
        locked = PledgeCheck.objects.select_for_update().get(pk=check.pk)
        if locked.status != PledgeCheckStatus.PENDING:
            label = PledgeCheckStatus(locked.status).label
            raise Conflict(
                "pledge_check.recorded", f"办件 {number} 的承诺核查已登记为“{label}”，不能更改"
            )
        locked.status = verdict
        locked.finding = text
        locked.checked_by = user
        locked.checked_at = timezone.now()
        locked.save(update_fields=["status", "finding", "checked_by", "checked_at"])
        record_beside_process(
            locked.case_id,
            engine.Event(
                action="pledge_check",
                role=role.value,
                organization_id=locked.organization_id,
                reason=text,
                before={"pledge_check": PledgeCheckStatus.PENDING.value},
                after={"pledge_check": verdict},
                details={"subjects": list(locked.subjects)},
            ),
            user,
            client_addr=client_addr,
        )
    locked.case, locked.organization = check.case, check.organization
    return locked
