"""The organization scoping rules: who may see and act where."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from yiwang.accounts import access
from yiwang.accounts.models import AgentAuthorization, Applicant, ApplicantKind, Role
from yiwang.core.errors import Forbidden


def test_county_clerk_sees_and_acts_only_for_own_county(tree, make_staff):
    clerk = make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)
    assert access.can_act(clerk, Role.WINDOW_CLERK, tree.county_a1)
    assert access.can_see(clerk, tree.county_a1)
    for other in (tree.county_a2, tree.county_b1, tree.city_a, tree.province):
        assert not access.can_see(clerk, other), other
        assert not access.can_act(clerk, Role.WINDOW_CLERK, other), other
    assert list(access.visible_organizations(clerk)) == [tree.county_a1]


def test_refusal_names_the_organization_and_role(tree, make_staff):
    clerk = make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)
    with pytest.raises(Forbidden) as exc:
        access.require_act(clerk, Role.WINDOW_CLERK, tree.county_b1)
    assert exc.value.code == "permission.role"
    assert exc.value.status == 403
    assert "兰考县司法局" in exc.value.message
    with pytest.raises(Forbidden) as exc:
        access.require_see(clerk, tree.county_a2)
    assert exc.value.code == "permission.organization"


def test_wrong_role_at_own_organization_cannot_act(tree, make_staff):
    clerk = make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)
    assert not access.can_act(clerk, Role.LEADER, tree.county_a1)
    assert not access.can_act(clerk, Role.HANDLER, tree.county_a1)


def test_city_handling_roles_do_not_reach_the_counties_below(tree, make_staff):
    leader = make_staff("city.leader", tree.city_a, Role.LEADER)
    assert access.can_act(leader, Role.LEADER, tree.city_a)
    assert not access.can_act(leader, Role.LEADER, tree.county_a1)
    assert not access.can_see(leader, tree.county_a1)


def test_city_supervisor_sees_the_subtree_but_not_another_city(tree, make_staff):
    supervisor = make_staff("city.supervisor", tree.city_a, Role.SUPERVISOR)
    visible = set(access.visible_organizations(supervisor))
    assert visible == {tree.city_a, tree.county_a1, tree.county_a2, tree.township}
    assert not access.can_see(supervisor, tree.city_b)
    assert not access.can_see(supervisor, tree.county_b1)
    assert not access.can_see(supervisor, tree.province)
    # Seeing is not acting: a supervisor takes no handling step.
    assert not access.can_act(supervisor, Role.WINDOW_CLERK, tree.county_a1)


def test_province_supervisor_sees_everything(tree, make_staff):
    supervisor = make_staff("prov.supervisor", tree.province, Role.SUPERVISOR)
    assert access.visible_organizations(supervisor).count() == 7


def test_roles_held_at_two_organizations_combine(tree, make_staff):
    user = make_staff("two.hats", tree.county_a1, Role.WINDOW_CLERK)
    from yiwang.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=user, organization=tree.city_b, role=Role.SUPERVISOR)
    user = type(user).objects.get(pk=user.pk)  # fresh: the assignment cache is per object
    assert set(access.visible_organizations(user)) == {tree.county_a1, tree.city_b, tree.county_b1}


def test_inactive_or_anonymous_users_reach_nothing(tree, make_staff):
    from django.contrib.auth.models import AnonymousUser

    clerk = make_staff("gone.clerk", tree.county_a1, Role.WINDOW_CLERK)
    clerk.is_active = False
    clerk.save()
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert not access.can_act(clerk, Role.WINDOW_CLERK, tree.county_a1)
    assert not access.can_see(AnonymousUser(), tree.county_a1)


def test_organizations_api_lists_only_what_the_user_may_see(tree, make_staff, client):
    clerk = make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)
    client.force_login(clerk)
    response = client.get("/api/v1/organizations")
    assert response.status_code == 200
    assert [o["name"] for o in response.json()] == ["郑州市中原区司法局"]

    own = client.get(f"/api/v1/organizations/{tree.county_a1.credit_code}")
    assert own.status_code == 200
    other = client.get(f"/api/v1/organizations/{tree.county_b1.credit_code}")
    assert other.status_code == 403
    assert other.json()["code"] == "permission.organization"
    missing = client.get("/api/v1/organizations/91350100M000100Y43")
    assert missing.status_code == 404
    assert missing.json()["code"] == "organization.not_found"


def test_organizations_api_requires_login(tree, client):
    response = client.get("/api/v1/organizations")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_applicant_id_number_is_checked(db):
    good = Applicant(kind=ApplicantKind.PERSON, name="测试", id_number="11010519491231002x")
    good.full_clean()
    assert good.id_number == "11010519491231002X"
    bad = Applicant(kind=ApplicantKind.PERSON, name="测试", id_number="110105194912310021")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "校验" in " ".join(exc.value.message_dict["id_number"])


def test_organization_applicant_needs_a_valid_credit_code(db):
    firm = Applicant(kind=ApplicantKind.ORGANIZATION, name="某律所", id_number="91350100M000100Y43")
    firm.full_clean()
    bad = Applicant(kind=ApplicantKind.ORGANIZATION, name="某律所", id_number="91350100M000100Y44")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_agent_authorization_validity(db):
    agent = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="代办人", id_number="11010519491231002X"
    )
    firm = Applicant.objects.create(
        kind=ApplicantKind.ORGANIZATION, name="律所", id_number="91350100M000100Y43"
    )
    auth = AgentAuthorization.objects.create(
        agent=agent,
        principal=firm,
        scope="代为办理律师事务所设立许可",
        document="委托书1",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
    )
    assert list(AgentAuthorization.objects.valid_on(datetime.date(2026, 6, 1))) == [auth]
    assert not AgentAuthorization.objects.valid_on(datetime.date(2027, 1, 1)).exists()
    reverse = AgentAuthorization(
        agent=firm,
        principal=agent,
        scope="x",
        document="y",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 2, 1),
    )
    with pytest.raises(ValidationError) as exc:
        reverse.full_clean()
    assert "agent" in exc.value.message_dict
