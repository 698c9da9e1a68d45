"""好差评: the applicant rates a finished case once, on five levels, with an optional comment."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from yiwang.accounts.models import User
from yiwang.cases.models import Case, Rating, RatingLevel, Status
from yiwang.cases.selectors import applicant_ids_for
from yiwang.core.errors import Conflict, Forbidden, InvalidInput
from yiwang.core.text import trimmed, unstorable

RATABLE = (Status.CONCLUDED, Status.DELIVERED, Status.REFUSED)
COMMENT_LIMIT = 500


def can_rate(case: Case, user: User) -> bool:
    return (
        case.status in RATABLE
        and case.applicant_id in applicant_ids_for(user)
        and not Rating.objects.filter(case=case).exists()
    )


def rate(case: Case, user: User, level: int, comment: str = "") -> Rating:
    if case.applicant_id not in applicant_ids_for(user):
        raise Forbidden("rating.forbidden", "只有申请人本人或其代办人可以评价")
    if case.status not in RATABLE:
        raise Conflict("rating.too_early", "办件办结后才能评价")
    if level not in RatingLevel.values:
        raise InvalidInput(
            "rating.level", "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意"
        )
    problem = unstorable(comment)  # before trimming, which would drop a NUL at either end
    if problem:
        raise InvalidInput("rating.comment", f"评价内容{problem}")
    # Trimmed of invisible characters too, so that zero-width spaces are no reason given.
    comment = trimmed(comment)
    if len(comment) > COMMENT_LIMIT:
        raise InvalidInput("rating.comment", f"评价内容不能超过 {COMMENT_LIMIT} 字")
    if level <= RatingLevel.DISSATISFIED and not comment:
        # A bad rating starts rectification, which needs to know what went wrong.
        raise InvalidInput("rating.comment_required", "选择“不满意”或“非常不满意”时，请写明原因")
    try:
        with transaction.atomic():
            return Rating.objects.create(
                case=case,
                level=level,
                comment=comment,
                organization_id=case.accepting_org_id,
                rated_by=user,
            )
    except IntegrityError:
        raise Conflict("rating.exists", "该办件已经评价过，每个办件只能评价一次") from None
