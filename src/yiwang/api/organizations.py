"""Organizations as the signed-in staff member may see them.

It lives with the API rather than in ``organizations``: it needs the access rules of ``accounts``,
which stand above ``organizations``.
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from yiwang.accounts.access import require_see, visible_organizations
from yiwang.api.auth import STAFF_OR_APPLICANT
from yiwang.core.errors import NotFound
from yiwang.organizations.models import Organization

# Tokens as well as the session: a machine client needs an organization's credit code to submit.
router = Router(auth=STAFF_OR_APPLICANT)


class OrganizationOut(Schema):
    name: str = Field(description="机构名称")
    level: str = Field(description="层级：province / city / county / township / village")
    credit_code: str | None = Field(description="统一社会信用代码")
    division_code: str = Field(description="行政区划代码")
    parent_credit_code: str | None = Field(description="上级机构的统一社会信用代码")
    runs_window: bool = Field(description="是否设有审批窗口")


def _out(org: Organization, parent_code: str | None) -> dict[str, object]:
    return {
        "name": org.name,
        "level": org.level,
        "credit_code": org.credit_code,
        "division_code": org.division_code,
        "parent_credit_code": parent_code,
        "runs_window": org.runs_window,
    }


@router.get("", response=list[OrganizationOut], summary="我可以查看的机构")
def list_organizations(request: HttpRequest) -> list[dict[str, object]]:
    """本人岗位所及的机构：办理岗位为本机构，监察和管理岗位为本机构及下级机构。"""
    orgs = visible_organizations(request.user).select_related("parent").order_by("path")  # type: ignore[arg-type]
    return [_out(o, o.parent.credit_code if o.parent else None) for o in orgs]


@router.get("/{credit_code}", response=OrganizationOut, summary="机构详情")
def get_organization(request: HttpRequest, credit_code: str) -> dict[str, object]:
    org = (
        Organization.objects.select_related("parent")
        .filter(credit_code=credit_code.upper())
        .first()
    )
    if org is None:
        raise NotFound("organization.not_found", f"未找到统一社会信用代码为 {credit_code} 的机构")
    require_see(request.user, org)  # type: ignore[arg-type]
    return _out(org, org.parent.credit_code if org.parent else None)
