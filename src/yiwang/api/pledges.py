"""The pledge checks (告知承诺核查) an agency has to do, over HTTP."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yiwang.api.auth import STAFF_OR_APPLICANT
from yiwang.api.cases import PledgeCheckOut, pledge_check_out
from yiwang.cases.models import PledgeCheckStatus
from yiwang.cases.selectors import pledge_checks_for
from yiwang.core.errors import InvalidInput

router = Router(auth=STAFF_OR_APPLICANT)

PAGE_SIZE = 100
# Ten million checks, far more than any agency has; past it the offset would overflow the
# database's 64-bit integer (a 500) long before any page could hold a row.
MAX_PAGE = 100_000


class ChecksQuery(Schema):
    status: str = Field("", description="pending / confirmed / false；不传则全部")
    page: int = Field(
        1, ge=1, le=MAX_PAGE, description=f"页码，每页 {PAGE_SIZE} 条，从 1 开始，最大 {MAX_PAGE}"
    )


class ChecksOut(Schema):
    count: int = Field(description="符合条件的核查任务总数")
    page: int = Field(description="本页页码")
    pages: int = Field(description="总页数")
    items: list[PledgeCheckOut] = Field(description="本页的核查任务，期限最早的在前")


@router.get("", response=ChecksOut, summary="告知承诺核查任务")
def list_checks(request: HttpRequest, query: Query[ChecksQuery]) -> dict[str, Any]:
    """本人所在机构（监察人员为其辖区）的核查任务，期限最早的在前，分页返回；
    申请人没有任务可见。"""
    if query.status and query.status not in PledgeCheckStatus.values:
        raise InvalidInput("pledge_check.status", "status 只能是 pending、confirmed 或 false")
    checks = pledge_checks_for(request.user, status=query.status)  # type: ignore[arg-type]
    count = checks.count()
    start = (query.page - 1) * PAGE_SIZE
    return {
        "count": count,
        "page": query.page,
        "pages": max(1, -(-count // PAGE_SIZE)),
        "items": [pledge_check_out(check) for check in checks[start : start + PAGE_SIZE]],
    }
