"""Who may see and act where: the one place the organization scoping rules live.

A role held at an organization reaches either that organization only (handling roles) or the
organization and its whole subtree (oversight roles), as ``ROLE_SCOPE`` says. Every page, API
endpoint and service asks these functions; none of them walks the tree itself.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.accounts.models import ROLE_SCOPE, Role, RoleAssignment, Scope, User
from yiwang.core.errors import Forbidden
from yiwang.organizations.models import Organization


def assignments_of(user: User) -> list[RoleAssignment]:
    """The user's roles with their organizations, cached on the user for the request."""
    cached: list[RoleAssignment] | None = getattr(user, "_yiwang_assignments", None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = []
        else:
            cached = list(RoleAssignment.objects.filter(user=user).select_related("organization"))
        user._yiwang_assignments = cached  # type: ignore[attr-defined]
    return cached


def covers(assignment: RoleAssignment, organization: Organization) -> bool:
    if ROLE_SCOPE[Role(assignment.role)] is Scope.SUBTREE:
        return organization.is_within(assignment.organization)
    return organization.pk == assignment.organization_id


def visible_organizations(user: User) -> QuerySet[Organization]:
    """Organizations whose work the user may see: own nodes, plus subtrees for oversight roles."""
    assignments = assignments_of(user)
    subtree_roots = [a.organization for a in assignments if a.scope is Scope.SUBTREE]
    node_ids = [a.organization_id for a in assignments if a.scope is Scope.NODE]
    subtree = Organization.objects.subtree_of_any(subtree_roots).values("pk")
    return Organization.objects.filter(pk__in=node_ids) | Organization.objects.filter(
        pk__in=subtree
    )


def can_see(user: User, organization: Organization) -> bool:
    return any(covers(a, organization) for a in assignments_of(user))


def can_act(user: User, role: Role | str, organization: Organization) -> bool:
    """True when the user holds ``role`` in a way that reaches ``organization``."""
    return any(a.role == role and covers(a, organization) for a in assignments_of(user))


def require_see(user: User, organization: Organization) -> None:
    if not can_see(user, organization):
        raise Forbidden("permission.organization", f"您无权查看“{organization.name}”的信息")


def require_act(user: User, role: Role | str, organization: Organization) -> None:
    if not can_act(user, role, organization):
        label = Role(role).label
        raise Forbidden(
            "permission.role",
            f"您不是“{organization.name}”的{label}，无权办理此操作",
        )


def watches_cases(user: User) -> bool:
    """A supervisor who holds no handling role: their workbench lists the open cases within
    their reach (监察), as they handle none themselves."""
    scopes = {a.scope for a in assignments_of(user)}
    return has_role(user, Role.SUPERVISOR) and Scope.NODE not in scopes


def has_role(user: User, role: Role | str) -> bool:
    return any(a.role == role for a in assignments_of(user))
