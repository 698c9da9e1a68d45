"""Every one of the 43 catalogue items runs end to end through the engine, on the demo province."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from yiwang.accounts.models import Applicant, RoleAssignment, User
from yiwang.audit.services import verify
from yiwang.cases import engine
from yiwang.cases.models import Case
from yiwang.cases.services import Submission, definition_for, perform, submit
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.models import ItemImplementation, ItemVersion
from yiwang.catalog.tests.test_import import REFERENCE_CODES
from yiwang.core.errors import InvalidInput
from yiwang.organizations.models import Organization

# Where the demo has staff for every handling role: one county, its city, the province.
DEMO_WINDOWS = {"county": "中牟县司法局", "city": "郑州市司法局", "province": "河南省司法厅"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("seed_demo", stdout=open("/dev/null", "w"))
    yield
    with django_db_blocker.unblock():
        from yiwang.audit.testing import clear_audit_tables

        clear_audit_tables()
        call_command("flush", interactive=False, verbosity=0)


def staff_for(role: str, organization_id: int) -> User:
    assignment = (
        RoleAssignment.objects.select_related("user")
        .filter(role=role, organization_id=organization_id)
        .first()
    )
    assert assignment is not None, (role, organization_id)
    return assignment.user


@pytest.mark.django_db
@pytest.mark.parametrize("code", REFERENCE_CODES)
def test_item_runs_from_submission_to_delivery(demo, code, settings):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False  # letters numbered and stored; PDFs on download
    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code=code)
    defn = definition_for(version.pk)
    window = Organization.objects.get(name=DEMO_WINDOWS[defn.steps[0].level])
    assert ItemImplementation.objects.filter(item__code=code, organization=window).exists()
    agent_user = User.objects.get(username="zhang.wei")
    firm = Applicant.objects.get(name="河南中原正道律师事务所")
    case, created = submit(
        agent_user,
        Submission(item_code=code, organization=window, applicant=firm,
                   agent=Applicant.objects.get(user=agent_user), idempotency_key=uuid.uuid4().hex,
                   form_data=example_data(form_definition(version))),
    )  # fmt: skip
    assert created
    for _ in range(len(defn.steps) + 3):
        case = Case.objects.get(pk=case.pk)
        if case.status == "delivered":
            break
        step = defn.steps[case.step_index]
        actor = staff_for(step.role, case.owner_org_id)
        if case.status == "concluded":
            action = engine.Action("deliver", params={"method": "online"})
        elif step.key == "accept":
            action = engine.Action("accept")
        elif step.key == "deliver":
            action = engine.Action("conclude")
        elif step.role == "leader":
            action = engine.Action("decide", "符合法定条件", {"decision": "approve"})
        else:
            following = defn.steps[case.step_index + 1]
            same_level = following.level == step.level
            action = engine.Action(
                ("review" if step.role == "handler" else "check") if same_level else "hand_over"
            )
        perform(case.pk, action, actor)
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.outcome) == ("delivered", "approved"), code
    kinds = set(case.documents.values_list("kind", flat=True))
    assert {"acceptance_notice", "approval_decision"} <= kinds
    report = verify(heads=[(case.pk, case.audit_seq, case.audit_head)])
    assert report.ok, report.first_problem


@pytest.mark.django_db
def test_only_licensing_applications_are_deemed_accepted(demo, settings):
    """第32条 deems an unanswered 行政许可 application accepted; 法律援助 (公共服务) and 备案
    (其他) items have no such rule, so theirs stay overdue for supervision to see."""
    from yiwang.cases.services import deem_overdue_acceptances
    from yiwang.workcalendar.services import add_workdays

    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    received = timezone.localdate()
    later = add_workdays(received, 6).date
    agent_user = User.objects.get(username="zhang.wei")
    firm = Applicant.objects.get(name="河南中原正道律师事务所")
    cases = {}
    for code in ("SF-LS-006", "SF-FY-001", "SF-LS-009"):
        version = ItemVersion.objects.valid_on(received).get(item__code=code)
        window = Organization.objects.get(
            name=DEMO_WINDOWS[definition_for(version.pk).steps[0].level]
        )
        applicant = Applicant.objects.get(user=agent_user) if code == "SF-FY-001" else firm
        cases[code], _ = submit(
            agent_user,
            Submission(item_code=code, organization=window, applicant=applicant,
                       agent=None if code == "SF-FY-001" else Applicant.objects.get(user=agent_user),
                       idempotency_key=f"deem-{code}", form_data=example_data(form_definition(version))),
            today=received,
        )  # fmt: skip
    deemed = deem_overdue_acceptances(later)
    assert deemed == [cases["SF-LS-006"].number]
    licensing = Case.objects.get(pk=cases["SF-LS-006"].pk)
    assert licensing.deemed_accepted and licensing.accepted_on == received
    for code in ("SF-FY-001", "SF-LS-009"):
        waiting = Case.objects.get(pk=cases[code].pk)
        assert waiting.status == "submitted" and not waiting.deemed_accepted, code
        assert waiting.accept_due is None, code  # no 第32条 window to deem by
        assert waiting.acceptance_due < later, code  # still overdue, and shown so
    with pytest.raises(InvalidInput) as refused:
        perform(cases["SF-FY-001"].pk, engine.Action("deem_accept"), None, today=later)
    assert refused.value.code == "case.deemed_acceptance_not_applicable"
