"""告知承诺 and its later check: a certificate replaced by a pledge in the draft, the check opened
when the case is approved, and the finding recorded once, by the right people only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.audit.models import AuditEntry
from yiwang.audit.services import verify
from yiwang.cases import drafts, engine
from yiwang.cases.models import Case, CaseMaterial, Draft, PledgeCheck, PledgeCheckStatus
from yiwang.cases.pledges import record_finding
from yiwang.cases.selectors import pledge_check_for
from yiwang.cases.services import perform
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.services import new_draft, publish
from yiwang.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from yiwang.portal.tests.conftest import pdf
from yiwang.workcalendar.services import add_workdays

ITEM = (
    "SF-LS-006"  # 律师事务所设立许可: 住所证明 may be replaced by a pledge; decided by the province
)
PLEDGED = "住所证明"


def _chains_verify() -> bool:
    heads = Case.objects.order_by("pk").values_list("pk", "audit_seq", "audit_head")
    report = verify(heads=list(heads))
    assert report.ok, report.first_problem
    return True


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def _draft_with_pledge(zhang, firm, zhongmou) -> Draft:
    """Every mandatory material uploaded except the certificate, which is pledged."""
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    drafts.save(draft, zhang, example_data(form_definition(version)))
    for material in version.materials.filter(mandatory=True).exclude(name=PLEDGED):
        drafts.upload(draft, material.name, pdf(), f"{material.name}.pdf", zhang)
    drafts.pledge_material(draft, PLEDGED, zhang)
    return draft


def _approve(case: Case, decision: str = "approve") -> Case:
    steps = [
        ("zhongmou.clerk", engine.Action("accept")),
        ("zhengzhou.handler", engine.Action("review")),
        ("zhengzhou.reviewer", engine.Action("hand_over")),
        ("henan.leader", engine.Action("decide", "不符合条件" if decision == "deny" else "", {
            "decision": decision
        })),
        ("henan.clerk", engine.Action("conclude")),
    ]  # fmt: skip
    for username, action in steps:
        case = perform(case.pk, action, _staff(username))
    return case


# --- The pledge in the draft --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pledged_certificate_is_not_asked_for_and_is_on_the_record(zhang, firm, zhongmou):
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    version = drafts.current_version(ITEM)
    assert drafts.missing_materials(draft, version) == []
    case = drafts.submit_draft(draft, zhang)
    assert case.pledged_materials == [PLEDGED] and not case.pledged
    assert not CaseMaterial.objects.filter(case=case, material__name=PLEDGED).exists()
    pledge = AuditEntry.objects.get(case_id=case.pk, action="pledge")
    assert pledge.role == "applicant" and pledge.after["pledged_materials"] == [PLEDGED]
    assert _chains_verify()


@pytest.mark.django_db
def test_without_the_pledge_the_certificate_is_missing(zhang, firm, zhongmou):
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    drafts.remove_material(draft, PLEDGED, zhang)
    missing = drafts.missing_materials(draft, drafts.current_version(ITEM))
    assert [m.name for m in missing] == [PLEDGED]


@pytest.mark.django_db
def test_a_material_not_marked_replaceable_cannot_be_pledged(zhang, firm, zhongmou):
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    version = drafts.current_version(ITEM)
    other = version.materials.filter(mandatory=True, pledge_replaceable=False).first()
    before = dict(Draft.objects.get(pk=draft.pk).materials)
    with pytest.raises(InvalidInput) as refused:
        drafts.pledge_material(draft, other.name, zhang)
    assert refused.value.code == "material.pledge_not_offered"
    stored = Draft.objects.get(pk=draft.pk)
    assert stored.materials == before and stored.pledged_materials == [PLEDGED]


@pytest.mark.django_db
def test_an_upload_takes_back_the_pledge_and_a_pledge_takes_back_the_file(zhang, firm, zhongmou):
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    drafts.upload(draft, PLEDGED, pdf(), "住所证明.pdf", zhang)
    stored = Draft.objects.get(pk=draft.pk)
    assert PLEDGED in stored.materials and stored.pledged_materials == []
    drafts.pledge_material(draft, PLEDGED, zhang)
    stored = Draft.objects.get(pk=draft.pk)
    assert PLEDGED not in stored.materials and stored.pledged_materials == [PLEDGED]


@pytest.mark.django_db
def test_only_the_drafts_applicant_may_pledge(zhang, firm, zhongmou):
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    drafts.remove_material(draft, PLEDGED, zhang)
    with pytest.raises(Forbidden):
        drafts.pledge_material(draft, PLEDGED, _staff("li.na"))
    assert Draft.objects.get(pk=draft.pk).pledged_materials == []


# --- The check ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approval_on_a_pledge_opens_one_check_at_the_deciding_organization(
    zhang, firm, zhongmou, settings
):
    settings.YIWANG_PLEDGE_CHECK_WORKDAYS = 7
    case = _approve(drafts.submit_draft(_draft_with_pledge(zhang, firm, zhongmou), zhang))
    check = PledgeCheck.objects.get(case=case)
    assert check.organization.name == "河南省司法厅"
    assert check.subjects == [PLEDGED] and check.status == PledgeCheckStatus.PENDING
    assert check.opened_on == case.decided_on
    assert check.due_on == add_workdays(check.opened_on, 7).date
    perform(case.pk, engine.Action("deliver", params={"method": "online"}), _staff("henan.clerk"))
    assert PledgeCheck.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_an_items_own_check_period_stands_before_the_provinces_default(
    zhang, firm, zhongmou, settings
):
    settings.YIWANG_PLEDGE_CHECK_WORKDAYS = 30
    draft_version = new_draft(drafts.current_version(ITEM).item)
    draft_version.pledge_check_days = 12
    draft_version.save()
    publish(draft_version, timezone.localdate())
    case = _approve(drafts.submit_draft(_draft_with_pledge(zhang, firm, zhongmou), zhang))
    assert case.item_version_id == draft_version.pk
    check = PledgeCheck.objects.get(case=case)
    assert check.due_on == add_workdays(check.opened_on, 12).date


@pytest.mark.django_db
def test_a_denied_case_and_a_case_without_a_pledge_open_no_check(zhang, firm, zhongmou):
    denied = _approve(drafts.submit_draft(_draft_with_pledge(zhang, firm, zhongmou), zhang), "deny")
    assert denied.outcome == "denied"
    draft = _draft_with_pledge(zhang, firm, zhongmou)
    drafts.upload(draft, PLEDGED, pdf(), "住所证明.pdf", zhang)
    plain = _approve(drafts.submit_draft(draft, zhang))
    assert plain.outcome == "approved"
    assert not PledgeCheck.objects.filter(case__in=[denied, plain]).exists()


@pytest.fixture
def approved(zhang, firm, zhongmou) -> Case:
    return _approve(drafts.submit_draft(_draft_with_pledge(zhang, firm, zhongmou), zhang))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username",
    [
        "zhang.wei",  # the applicant
        "henan.clerk",  # the deciding organization, but a window clerk
        "zhengzhou.handler",  # a handler, of the city that reviewed it
        "zhongmou.handler",  # a handler, of the county that accepted it
    ],
)
def test_only_a_handler_or_leader_of_the_deciding_organization_records_a_finding(
    approved, username
):
    with pytest.raises(Forbidden) as refused:
        record_finding(
            pledge_check_for(approved),
            _staff(username),
            verdict="confirmed",
            finding="实地查看，住所属实",
        )
    assert refused.value.status == 403
    check = PledgeCheck.objects.get(case=approved)
    assert check.status == PledgeCheckStatus.PENDING and check.checked_by is None
    assert not AuditEntry.objects.filter(case_id=approved.pk, action="pledge_check").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["henan.handler", "henan.leader"])
def test_the_finding_is_recorded_once_on_the_cases_chain(approved, username):
    checker = _staff(username)
    check = record_finding(
        pledge_check_for(approved), checker, verdict="false", finding="现场核查：所称住所为他人住宅"
    )
    assert check.status == PledgeCheckStatus.FALSE and check.checked_by == checker
    entry = AuditEntry.objects.get(case_id=approved.pk, action="pledge_check")
    assert entry.after["pledge_check"] == "false" and entry.reason == "现场核查：所称住所为他人住宅"
    assert entry.organization_name == "河南省司法厅"
    assert _chains_verify()
    with pytest.raises(Conflict) as again:
        record_finding(pledge_check_for(approved), checker, verdict="confirmed", finding="复查属实")
    assert again.value.code == "pledge_check.recorded" and again.value.status == 409
    assert PledgeCheck.objects.get(case=approved).status == PledgeCheckStatus.FALSE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verdict", "finding", "code"),
    [
        ("maybe", "实地查看", "pledge_check.verdict"),
        ("confirmed", "   ", "pledge_check.finding_required"),
        ("confirmed", "a\x00b", "pledge_check.finding_invalid"),
        ("confirmed", "查" * 1001, "pledge_check.finding_too_long"),
    ],
)
def test_a_bad_finding_is_refused_and_nothing_changes(approved, verdict, finding, code):
    with pytest.raises(InvalidInput) as refused:
        record_finding(
            pledge_check_for(approved), _staff("henan.handler"), verdict=verdict, finding=finding
        )
    assert refused.value.code == code
    assert PledgeCheck.objects.get(case=approved).status == PledgeCheckStatus.PENDING


@pytest.mark.django_db
def test_a_case_without_a_check_has_no_finding_to_record(zhang, firm, zhongmou):
    case = drafts.submit_draft(_draft_with_pledge(zhang, firm, zhongmou), zhang)
    with pytest.raises(NotFound) as missing:
        pledge_check_for(case)
    assert missing.value.code == "pledge_check.not_found"
