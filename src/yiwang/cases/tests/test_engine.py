"""The pure engine: rules, permissions and the legal clock, without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.cases import engine
from yiwang.cases.engine import Action, Actor, Definition, StepDef
from yiwang.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from yiwang.workcalendar.schedules import chinese_calendar_workday_calendar

CAL = chinese_calendar_workday_calendar()
D = dt.date.fromisoformat
PROVINCE, CITY, OTHER_CITY, COUNTY = 1, 2, 3, 4
APPLICANT, OTHER_APPLICANT = 100, 101

LAW_FIRM = Definition(
    version_id=1,
    item_code="SF-LS-006",
    item_name="律师事务所设立许可",
    steps=(
        StepDef("accept", "受理", "city", "window_clerk", 5),
        StepDef("review", "初审", "city", "handler", 15),
        StepDef("check", "审核", "city", "reviewer", 5),
        StepDef("decide", "审批决定", "province", "leader", 10),
        StepDef("deliver", "制证送达", "province", "window_clerk", 10),
    ),
    handling="promised",
    unit="workday",
    statutory_days=30,
    promised_days=4,
    extension_days=10,
    pledge_allowed=False,
    materials=frozenset({"申请书", "住所证明", "资产证明"}),
    gap_materials=frozenset({"资产证明"}),
)
IMMEDIATE = replace(
    LAW_FIRM,
    steps=(
        StepDef("accept", "受理", "city", "window_clerk", 0),
        StepDef("decide", "审批决定", "city", "leader", 0),
        StepDef("deliver", "送达", "city", "window_clerk", 1),
    ),
    handling="immediate",
    promised_days=0,
    statutory_days=20,
)
CHAIN = (("city", CITY), ("province", PROVINCE))


def staff(*pairs: tuple[str, int]) -> Actor:
    return Actor(user_id=len(pairs), name="工作人员", roles=frozenset(pairs))


CLERK = staff(("window_clerk", CITY))
HANDLER = staff(("handler", CITY))
REVIEWER = staff(("reviewer", CITY))
CITY_LEADER = staff(("leader", CITY))
PROVINCE_LEADER = staff(("leader", PROVINCE))
PROVINCE_CLERK = staff(("window_clerk", PROVINCE))
OTHER_CLERK = staff(("window_clerk", OTHER_CITY))
APPLICANT_ACTOR = Actor(user_id=9, name="申请人", applicant_ids=frozenset({APPLICANT}))
STRANGER = Actor(user_id=10, name="他人", applicant_ids=frozenset({OTHER_APPLICANT}))
SYSTEM = Actor(user_id=None, name="系统", system=True)


def submitted(on: str = "2026-09-24", defn: Definition = LAW_FIRM) -> engine.State:
    state, _ = engine.start(defn, applicant_id=APPLICANT, chain=CHAIN, today=D(on), calendar=CAL)
    return state


# As if the applicant had uploaded a new version of every material since every request.
ALL_SUPPLIED = dict.fromkeys(
    ("request_supplement", "suspend", "accept_with_gaps"), frozenset(LAW_FIRM.materials)
)


def run(state, kind, actor, on, /, defn=LAW_FIRM, reason="", supplied=None, **params):
    action = Action(kind, reason, params)
    new, events = engine.apply(defn, state, action, actor, D(on), CAL, supplied)
    assert len(events) == 1 and events[0].action == kind
    return new


def test_submission_starts_the_acceptance_clock():
    state = submitted("2026-09-24")
    # 9/25–27 中秋, 10/1–7 国庆: five working days are 9/28, 9/29, 9/30, 10/8, 10/9.
    assert state.accept_due == D("2026-10-09")
    assert state.status == "submitted" and state.owner_org_id == CITY


def test_limits_run_from_acceptance_with_suspension_and_extension():
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    assert state.accepted_on == D("2026-09-28")
    assert state.promised_due == D("2026-10-09")  # 4 working days
    assert state.step_due == D("2026-10-23")  # review: 15 working days (10/10 Saturday is worked)
    assert state.statutory_due == D("2026-11-13")  # 30 working days
    state = run(state, "suspend", HANDLER, "2026-10-12", reason="现场核查住所", kind="site_check")
    assert state.status == "suspended" and state.statutory_due is None and state.step_due is None
    state = run(state, "resume", HANDLER, "2026-10-16")
    assert state.paused_workdays == 4  # 10/13–10/16 are not counted (第45条)
    assert state.statutory_due == D("2026-11-19")
    assert state.step_due == D("2026-10-29")
    state = run(state, "review", HANDLER, "2026-10-19")
    state = run(state, "hand_over", REVIEWER, "2026-10-19")
    state = run(state, "extend", PROVINCE_LEADER, "2026-10-20", reason="需征求律师协会意见")
    assert state.extension_days == 10
    assert state.statutory_due == D("2026-12-03")
    assert state.promised_due == D("2026-10-14")  # 4 + 4 paused; the promise is not extended


def test_only_the_deciding_agency_extends():
    """第42条: the head of the agency that decides approves an extension; a city that only
    reviews may not spend the one extension of the province's decision."""
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    with pytest.raises(Conflict) as refused:
        run(state, "extend", CITY_LEADER, "2026-10-20", reason="需征求律师协会意见")
    assert "省级机关作出决定" in refused.value.message
    assert engine.available_actions(LAW_FIRM, state, CITY_LEADER, D("2026-10-20"), CAL) == ()
    state = run(state, "review", HANDLER, "2026-10-19")
    state = run(state, "hand_over", REVIEWER, "2026-10-19")
    assert "extend" in engine.available_actions(
        LAW_FIRM, state, PROVINCE_LEADER, D("2026-10-20"), CAL
    )
    with pytest.raises(Forbidden):
        run(state, "extend", CITY_LEADER, "2026-10-20", reason="需征求律师协会意见")
    # An item decided where it is accepted extends at its own level.
    local = replace(LAW_FIRM, steps=IMMEDIATE.steps)
    state = run(submitted(defn=local), "accept", CLERK, "2026-09-28", defn=local)
    state = run(state, "extend", CITY_LEADER, "2026-09-29", defn=local, reason="需实地核实")
    assert state.extension_days == 10


def test_full_journey_across_levels():
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    state = run(state, "review", HANDLER, "2026-09-29")
    assert (state.step_index, state.owner_org_id) == (2, CITY)
    with pytest.raises(Conflict) as exc:
        run(state, "check", REVIEWER, "2026-09-30")  # next step is at the province
    assert "移送" in exc.value.message
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    assert (state.step_index, state.owner_org_id) == (3, PROVINCE)
    with pytest.raises(Forbidden):
        run(state, "decide", CITY_LEADER, "2026-10-08", decision="approve")
    state = run(state, "decide", PROVINCE_LEADER, "2026-10-08", decision="approve")
    assert (state.outcome, state.step_index, state.owner_org_id) == ("approved", 4, PROVINCE)
    state = run(state, "conclude", PROVINCE_CLERK, "2026-10-09")
    assert state.status == "concluded"
    state = run(state, "deliver", PROVINCE_CLERK, "2026-10-12", method="online")
    assert (state.status, state.delivered_on) == ("delivered", D("2026-10-12"))


def test_documents_follow_the_actions():
    state = submitted()
    _, events = engine.apply(LAW_FIRM, state, Action("accept"), CLERK, D("2026-09-28"), CAL)
    assert events[0].document == "acceptance_notice"
    _, events = engine.apply(
        LAW_FIRM, state, Action("refuse", "不符合条件"), CLERK, D("2026-09-28"), CAL
    )
    assert events[0].document == "refusal_decision"


def test_deemed_acceptance_after_five_working_days():
    state = submitted("2026-09-24")
    with pytest.raises(Conflict):
        run(state, "deem_accept", SYSTEM, "2026-10-09")  # the 5th working day is still in time
    with pytest.raises(Forbidden):
        run(state, "deem_accept", CLERK, "2026-10-12")
    state = run(state, "deem_accept", SYSTEM, "2026-10-12")
    assert state.deemed_accepted and state.accepted_on == D("2026-09-24")
    # Counted from the day of receipt (第32条): 30 working days after 9/24.
    assert state.statutory_due == D("2026-11-12")


def test_supplement_before_acceptance_stops_and_restarts_the_acceptance_clock():
    state = submitted("2026-09-24")
    state = run(
        state, "request_supplement", CLERK, "2026-09-28",
        materials=[{"material": "住所证明", "problem": "租赁合同已过期"}, {"material": "申请书"}],
    )  # fmt: skip
    assert state.status == "supplement" and state.accept_due is None
    assert [m["material"] for m in state.supplement] == ["住所证明", "申请书"]
    with pytest.raises(Conflict):
        run(state, "deem_accept", SYSTEM, "2026-10-20")
    with pytest.raises(Forbidden):
        run(state, "supply_supplement", STRANGER, "2026-10-12", supplied=ALL_SUPPLIED)
    # Every listed material needs a new file: nothing uploaded, or one of the two, is refused.
    for uploaded in (frozenset(), frozenset({"住所证明"})):
        with pytest.raises(InvalidInput) as refused:
            run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-12",
                supplied={"request_supplement": uploaded})  # fmt: skip
        assert refused.value.code == "case.supplement_missing"
        assert "申请书" in refused.value.message
    state = run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-12",
                supplied={"request_supplement": frozenset({"住所证明", "申请书"})})  # fmt: skip
    assert state.status == "submitted" and state.received_on == D("2026-10-12")
    assert state.accept_due == D("2026-10-19")


def test_supplement_during_review_pauses_the_clock_until_supplied():
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    state = run(state, "suspend", HANDLER, "2026-10-12", reason="材料需补正", kind="supplement",
                materials=[{"material": "资产证明", "problem": "验资报告缺页"}])  # fmt: skip
    with pytest.raises(InvalidInput):
        run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-14",
            supplied={"request_supplement": frozenset({"资产证明"})})  # fmt: skip
    state = run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-14",
                supplied={"suspend": frozenset({"资产证明"})})  # fmt: skip
    assert state.status == "in_progress" and state.paused_workdays == 2 and state.supplement == ()


def test_accept_with_gaps_blocks_approval_until_supplied():
    state = run(submitted(), "accept_with_gaps", CLERK, "2026-09-28",
                materials=[{"material": "资产证明"}], due=D("2026-10-20"))  # fmt: skip
    with pytest.raises(InvalidInput):
        run(
            submitted(),
            "accept_with_gaps",
            CLERK,
            "2026-09-28",
            materials=[{"material": "申请书"}],
            due=D("2026-10-20"),
        )
    state = run(state, "review", HANDLER, "2026-09-29")
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    with pytest.raises(Conflict) as exc:
        run(state, "decide", PROVINCE_LEADER, "2026-10-08", decision="approve")
    assert "资产证明" in exc.value.message
    with pytest.raises(InvalidInput):
        run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-08", materials=["资产证明"])
    state = run(state, "supply_supplement", APPLICANT_ACTOR, "2026-10-08",
                supplied={"accept_with_gaps": frozenset({"资产证明"})})  # fmt: skip
    assert state.gaps == ()
    run(state, "decide", PROVINCE_LEADER, "2026-10-08", decision="approve")


def test_refusal_denial_send_back_and_extension_need_reasons():
    with pytest.raises(InvalidInput):
        run(submitted(), "refuse", CLERK, "2026-09-28")
    state = run(run(submitted(), "accept", CLERK, "2026-09-28"), "review", HANDLER, "2026-09-29")
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    for kind, params in (
        ("decide", {"decision": "deny"}),
        ("send_back", {"to_step": "review"}),
        ("extend", {}),
    ):
        with pytest.raises(InvalidInput) as exc:
            run(state, kind, PROVINCE_LEADER, "2026-10-08", **params)
        assert exc.value.code == "case.reason_required"


def test_send_back_returns_the_case_to_the_lower_level():
    state = run(run(submitted(), "accept", CLERK, "2026-09-28"), "review", HANDLER, "2026-09-29")
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    back = run(
        state, "send_back", PROVINCE_LEADER, "2026-10-08", reason="住所证明存疑", to_step="review"
    )
    assert (back.step_index, back.owner_org_id, back.step_started_on) == (1, CITY, D("2026-10-08"))
    assert back.statutory_due == state.statutory_due  # a send-back does not stop the legal clock
    with pytest.raises(InvalidInput):
        run(state, "send_back", PROVINCE_LEADER, "2026-10-08", reason="x", to_step="accept")


def test_withdraw_only_before_acceptance_and_only_by_the_applicant():
    with pytest.raises(Forbidden):
        run(submitted(), "withdraw", STRANGER, "2026-09-25")
    assert run(submitted(), "withdraw", APPLICANT_ACTOR, "2026-09-25").status == "withdrawn"
    with pytest.raises(Conflict):
        run(
            run(submitted(), "accept", CLERK, "2026-09-28"),
            "withdraw",
            APPLICANT_ACTOR,
            "2026-09-29",
        )


def test_immediate_item_in_one_sitting():
    clerk_and_leader = staff(("window_clerk", CITY), ("leader", CITY))
    state = submitted("2026-10-12", IMMEDIATE)
    state = run(state, "accept", clerk_and_leader, "2026-10-12", defn=IMMEDIATE)
    assert state.promised_due == D("2026-10-12")
    state = run(state, "decide", clerk_and_leader, "2026-10-12", defn=IMMEDIATE, decision="approve")
    state = run(state, "conclude", clerk_and_leader, "2026-10-12", defn=IMMEDIATE)
    state = run(state, "deliver", clerk_and_leader, "2026-10-12", defn=IMMEDIATE, method="window")
    assert state.status == "delivered"


def test_pledge_only_where_allowed():
    with pytest.raises(InvalidInput):
        run(submitted(), "pledge", APPLICANT_ACTOR, "2026-09-25")
    pledging = replace(LAW_FIRM, pledge_allowed=True)
    state = run(submitted(defn=pledging), "pledge", APPLICANT_ACTOR, "2026-09-25", defn=pledging)
    assert state.pledged


def test_only_a_licensing_item_is_deemed_accepted():
    service = replace(LAW_FIRM, deemed_acceptance=False)  # e.g. 法律援助, a 公共服务 item
    waiting = submitted("2026-09-24", service)
    with pytest.raises(InvalidInput) as refused:
        run(waiting, "deem_accept", SYSTEM, "2026-10-20", defn=service)
    assert refused.value.code == "case.deemed_acceptance_not_applicable"
    deemed = run(submitted("2026-09-24"), "deem_accept", SYSTEM, "2026-10-20")
    assert deemed.deemed_accepted and deemed.accepted_on == D("2026-09-24")


CERTIFICATES = replace(LAW_FIRM, pledge_materials=frozenset({"住所证明"}))


def test_a_certificate_is_pledged_with_the_application_where_the_item_offers_it():
    # 证明事项告知承诺 does not need the item's own 告知承诺 (LAW_FIRM has none).
    state = run(
        submitted(defn=CERTIFICATES), "pledge", APPLICANT_ACTOR, "2026-09-25",
        defn=CERTIFICATES, materials=["住所证明"],
    )  # fmt: skip
    assert state.pledged_materials == ("住所证明",) and not state.pledged
    with pytest.raises(Conflict):  # the same again changes nothing
        run(
            state,
            "pledge",
            APPLICANT_ACTOR,
            "2026-09-25",
            defn=CERTIFICATES,
            materials=["住所证明"],
        )
    with pytest.raises(InvalidInput) as unknown:  # not offered for this material
        run(state, "pledge", APPLICANT_ACTOR, "2026-09-25", defn=CERTIFICATES, materials=["申请书"])
    assert unknown.value.code == "case.unknown_material"
    with pytest.raises(InvalidInput) as none:  # the item offers it for no material
        run(submitted(), "pledge", APPLICANT_ACTOR, "2026-09-25", materials=["住所证明"])
    assert none.value.code == "case.pledge_not_allowed"
    with pytest.raises(Forbidden):  # only the applicant pledges
        run(submitted(defn=CERTIFICATES), "pledge", CLERK, "2026-09-25",
            defn=CERTIFICATES, materials=["住所证明"])  # fmt: skip
    accepted = run(submitted(defn=CERTIFICATES), "accept", CLERK, "2026-09-25", defn=CERTIFICATES)
    with pytest.raises(Conflict):  # with the application, not once it is being reviewed
        run(accepted, "pledge", APPLICANT_ACTOR, "2026-09-26", defn=CERTIFICATES,
            materials=["住所证明"])  # fmt: skip


LEGAL_AID = replace(
    LAW_FIRM,
    steps=(
        StepDef("accept", "受理", "city", "window_clerk", 1),
        StepDef("review", "审查", "city", "handler", 3),
        StepDef("decide", "作出是否给予法律援助的决定", "city", "leader", 3),
        StepDef("deliver", "指派并告知", "city", "window_clerk", 3),
    ),
    unit="day",
    statutory_days=7,
    promised_days=4,
    extension_days=0,
    limits_from=engine.FROM_RECEIPT,
)


def test_natural_day_items_end_on_a_working_day():
    state = run(submitted("2026-09-24", LEGAL_AID), "accept", CLERK, "2026-09-24", defn=LEGAL_AID)
    # 7 natural days after 9/24 is 10/1, a holiday: the period runs to the next working day.
    assert state.statutory_due == D("2026-10-08")
    with pytest.raises(InvalidInput):
        run(state, "extend", CITY_LEADER, "2026-09-25", defn=LEGAL_AID, reason="x")


def test_limits_counted_from_receipt_run_before_acceptance():
    # 法律援助法 第43条: 7 日 from receipt of the application, not from acceptance.
    state = submitted("2026-11-02", LEGAL_AID)
    assert (state.promised_due, state.statutory_due) == (D("2026-11-06"), D("2026-11-09"))
    assert state.accept_due == D("2026-11-09")  # the window's own clock is unchanged
    # The acceptance step takes its own share (1 day) of the limit, not the five working days
    # that would outlast the whole limit; queues sort and colour by it.
    assert state.step_due == D("2026-11-03")
    longer = replace(
        LEGAL_AID,
        steps=(replace(LEGAL_AID.steps[0], limit_days=20), *LEGAL_AID.steps[1:]),
        statutory_days=3,
    )
    assert submitted("2026-11-02", longer).step_due == D("2026-11-05")  # never past the law's
    state = run(state, "accept", CLERK, "2026-11-05", defn=LEGAL_AID)
    # Counted from acceptance these would be 11/09 and 11/12: the days of waiting count.
    assert (state.promised_due, state.statutory_due) == (D("2026-11-06"), D("2026-11-09"))
    assert state.step_due == D("2026-11-09")  # the review step's 3 days from acceptance
    state = run(state, "suspend", HANDLER, "2026-11-06", defn=LEGAL_AID, reason="核查经济困难状况",
                kind="site_check")  # fmt: skip
    state = run(state, "resume", HANDLER, "2026-11-09", defn=LEGAL_AID)
    assert state.statutory_due == D("2026-11-12")  # 3 days stood still (第45条 by analogy)


def test_an_item_outside_the_licensing_law_has_no_deemed_acceptance_window():
    aid = replace(LEGAL_AID, deemed_acceptance=False)
    state = submitted("2026-11-02", aid)
    assert state.accept_due is None and state.step_due == D("2026-11-03")
    again = run(state, "recompute", SYSTEM, "2026-11-02", defn=aid)
    assert (again.step_due, again.statutory_due) == (D("2026-11-03"), D("2026-11-09"))
    with pytest.raises(InvalidInput):
        run(state, "deem_accept", SYSTEM, "2026-11-20", defn=aid)


def test_a_supplement_before_acceptance_restarts_limits_counted_from_receipt():
    state = submitted("2026-11-02", LEGAL_AID)
    state = run(state, "request_supplement", CLERK, "2026-11-03", defn=LEGAL_AID,
                materials=["申请书"])  # fmt: skip
    assert state.status == "supplement"
    assert (state.accept_due, state.promised_due, state.statutory_due) == (None, None, None)
    state = run(state, "supply_supplement", APPLICANT_ACTOR, "2026-11-10", defn=LEGAL_AID,
                supplied=ALL_SUPPLIED)  # fmt: skip
    assert state.received_on == D("2026-11-10")
    assert (state.promised_due, state.statutory_due) == (D("2026-11-16"), D("2026-11-17"))
    # Calendar recomputation keeps them counted from receipt.
    again = run(state, "recompute", SYSTEM, "2026-11-11", defn=LEGAL_AID)
    assert (again.promised_due, again.statutory_due) == (D("2026-11-16"), D("2026-11-17"))
    # Deemed accepted from receipt, the limits do not move.
    deemed = run(state, "deem_accept", SYSTEM, "2026-11-18", defn=LEGAL_AID)
    assert deemed.accepted_on == D("2026-11-10") and deemed.statutory_due == D("2026-11-17")


@pytest.mark.parametrize("kind", ["withdraw", "refuse"])
def test_a_case_that_ends_before_acceptance_has_no_running_limits(kind):
    actor = APPLICANT_ACTOR if kind == "withdraw" else CLERK
    state = run(submitted("2026-11-02", LEGAL_AID), kind, actor, "2026-11-03", defn=LEGAL_AID,
                reason="不属于法律援助范围")  # fmt: skip
    assert (state.accept_due, state.step_due, state.promised_due, state.statutory_due) == (
        None, None, None, None
    )  # fmt: skip


# --- Every action's permission rule ---------------------------------------------------------------

ACTION_SETUPS = {
    # action: (state builder, right actor, params)
    "accept": (lambda: submitted(), CLERK, {}),
    "refuse": (lambda: submitted(), CLERK, {}),
    "request_supplement": (lambda: submitted(), CLERK, {"materials": ["申请书"]}),
    "accept_with_gaps": (
        lambda: submitted(),
        CLERK,
        {"materials": ["资产证明"], "due": D("2026-11-02")},
    ),
    "review": (lambda: run(submitted(), "accept", CLERK, "2026-09-28"), HANDLER, {}),
    "suspend": (
        lambda: run(submitted(), "accept", CLERK, "2026-09-28"),
        HANDLER,
        {"kind": "hearing"},
    ),
    "hand_over": (
        lambda: run(
            run(submitted(), "accept", CLERK, "2026-09-28"), "review", HANDLER, "2026-09-29"
        ),
        REVIEWER,
        {},
    ),
    "extend": (
        lambda: run(
            run(run(submitted(), "accept", CLERK, "2026-09-28"), "review", HANDLER, "2026-09-29"),
            "hand_over",
            REVIEWER,
            "2026-09-29",
        ),
        PROVINCE_LEADER,
        {},
    ),
}
WRONG_ROLE = staff(("reviewer", CITY), ("handler", PROVINCE))


@pytest.mark.parametrize("kind", sorted(ACTION_SETUPS))
def test_each_staff_action_needs_the_right_role_at_the_owning_organization(kind):
    build, right, params = ACTION_SETUPS[kind]
    state = build()
    wrong_org = Actor(
        user_id=77, name="他处", roles=frozenset((r, OTHER_CITY) for r, _ in right.roles)
    )
    wrong_role = WRONG_ROLE if right is not REVIEWER else HANDLER
    for actor in (wrong_org, wrong_role, APPLICANT_ACTOR):
        with pytest.raises(Forbidden):
            run(state, kind, actor, "2026-09-30", reason="理由", **params)
    run(state, kind, right, "2026-09-30", reason="理由", **params)


@pytest.mark.parametrize("kind", ["withdraw", "pledge", "supply_supplement"])
def test_applicant_actions_refuse_another_applicant_and_staff(kind):
    defn = replace(LAW_FIRM, pledge_allowed=True)
    state = submitted(defn=defn)
    if kind == "supply_supplement":
        state = run(
            state, "request_supplement", CLERK, "2026-09-28", defn=defn, materials=["申请书"]
        )
    for actor in (STRANGER, CLERK):
        with pytest.raises(Forbidden):
            run(state, kind, actor, "2026-09-29", defn=defn, supplied=ALL_SUPPLIED)
    run(state, kind, APPLICANT_ACTOR, "2026-09-29", defn=defn, supplied=ALL_SUPPLIED)


# --- Random sequences: the invariants hold whatever happens ---------------------------------------

ACTORS = [CLERK, HANDLER, REVIEWER, CITY_LEADER, PROVINCE_LEADER, PROVINCE_CLERK, OTHER_CLERK,
          APPLICANT_ACTOR, STRANGER, SYSTEM]  # fmt: skip
ATTEMPTS = [
    Action("accept"), Action("refuse", "不符合条件"), Action("request_supplement", params={"materials": ["申请书"]}),
    Action("supply_supplement", params={"materials": ["资产证明"]}), Action("withdraw"),
    Action("accept_with_gaps", params={"materials": ["资产证明"], "due": D("2027-06-30")}),
    Action("review"), Action("check"), Action("hand_over"), Action("decide", "理由", {"decision": "approve"}),
    Action("decide", "理由", {"decision": "deny"}), Action("send_back", "理由", {"to_step": "review"}),
    Action("suspend", "理由", {"kind": "expert_review"}), Action("resume"), Action("extend", "理由"),
    Action("conclude"), Action("deliver", params={"method": "online"}), Action("deem_accept"),
    Action("pledge", params={"materials": ["住所证明"]}),
]  # fmt: skip


@pytest.mark.parametrize("counted_from", [engine.FROM_ACCEPTANCE, engine.FROM_RECEIPT])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(min_value=D("2025-01-01"), max_value=D("2026-11-30")),
    steps=st.lists(
        st.tuples(
            st.integers(0, len(ATTEMPTS) - 1), st.integers(0, len(ACTORS) - 1), st.integers(0, 6)
        ),
        max_size=40,
    ),
)
def test_random_sequences_keep_the_invariants(counted_from, start, steps):
    defn = replace(LAW_FIRM, limits_from=counted_from, pledge_materials=frozenset({"住所证明"}))
    state, _ = engine.start(defn, applicant_id=APPLICANT, chain=CHAIN, today=start, calendar=CAL)
    today = start
    paused_by_model = 0
    for attempt, who, wait in steps:
        today = today + dt.timedelta(days=wait)
        action, actor = ATTEMPTS[attempt], ACTORS[who]
        # The action panel asks the rules of every state: never an error, nothing to outsiders.
        for probe in ACTORS:
            offered = engine.available_actions(defn, state, probe, today, CAL)
            if probe in (OTHER_CLERK, STRANGER, SYSTEM):
                assert offered == ()
        try:
            new, events = engine.apply(defn, state, action, actor, today, CAL, ALL_SUPPLIED)
        except DomainError:
            continue
        event = events[0]
        # Only the role the rule names, at the organization that owns the step, ever acts.
        if event.role == "applicant":
            assert APPLICANT in actor.applicant_ids
        elif event.role == "system":
            assert actor.system
        else:
            assert actor.holds(event.role, state.owner_org_id)
        # A certificate is replaced by a pledge with the application only, by its applicant.
        if new.pledged_materials != state.pledged_materials:
            assert event.action == "pledge" and state.status == "submitted"
            assert set(new.pledged_materials) <= defn.pledge_materials
        if state.status == "suspended" and new.status != "suspended":
            paused_by_model += CAL.workdays_between(state.suspended_on, today).workdays
        state = new
        # The clock never counts suspended time: due = its start + limit + extension + pauses,
        # the start being acceptance, or receipt of the complete application.
        assert state.paused_workdays == paused_by_model
        from_receipt = counted_from == engine.FROM_RECEIPT
        running = ("in_progress", "submitted") if from_receipt else ("in_progress",)
        if state.status in running:
            since = state.received_on if from_receipt else state.accepted_on
            counted = CAL.workdays_between(since, state.statutory_due).workdays
            assert counted == 30 + state.extension_days + state.paused_workdays
        else:
            assert state.statutory_due is None and state.promised_due is None
        if state.status == "suspended":
            assert state.statutory_due is None and state.step_due is None


def test_available_actions_follow_the_journey():
    def offered(state, actor, on):
        return set(engine.available_actions(LAW_FIRM, state, actor, D(on), CAL))

    state = submitted()
    assert offered(state, CLERK, "2026-09-28") == {
        "accept", "accept_with_gaps", "request_supplement", "refuse",
    }  # fmt: skip
    assert offered(state, APPLICANT_ACTOR, "2026-09-28") == {"withdraw"}
    assert offered(state, HANDLER, "2026-09-28") == set()
    state = run(state, "accept", CLERK, "2026-09-28")
    assert offered(state, HANDLER, "2026-09-29") == {"review", "suspend"}
    state = run(state, "review", HANDLER, "2026-09-29")
    assert offered(state, REVIEWER, "2026-09-30") == {"hand_over", "send_back", "suspend"}
    assert offered(state, CITY_LEADER, "2026-09-30") == set()  # the province decides
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    assert offered(state, PROVINCE_LEADER, "2026-10-08") == {
        "decide",
        "extend",
        "send_back",
        "suspend",
    }
    state = run(state, "decide", PROVINCE_LEADER, "2026-10-08", decision="approve")
    # The last step: conclude, but no hand-over to a step that does not exist, and no step
    # back from a decision made.
    assert offered(state, PROVINCE_CLERK, "2026-10-09") == {"conclude", "suspend"}
    with pytest.raises(Conflict):
        run(state, "hand_over", PROVINCE_CLERK, "2026-10-09")


# --- What no role may do once a decision stands, or while the clock stands still -----------------


def decided(decision: str = "approve") -> engine.State:
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    state = run(state, "review", HANDLER, "2026-09-29")
    state = run(state, "hand_over", REVIEWER, "2026-09-30")
    return run(state, "decide", PROVINCE_LEADER, "2026-10-08", reason="依法准予", decision=decision)


def test_postal_service_needs_the_date_signed_for():
    state = run(decided(), "conclude", PROVINCE_CLERK, "2026-10-09")
    with pytest.raises(InvalidInput) as refused:
        run(state, "deliver", PROVINCE_CLERK, "2026-10-14", method="post")
    assert refused.value.code == "case.served_on_required" and "签收日期" in refused.value.message
    posted = run(state, "deliver", PROVINCE_CLERK, "2026-10-14", method="post",
                 served_on=D("2026-10-13"))  # fmt: skip
    assert posted.delivered_on == D("2026-10-13")
    online = run(state, "deliver", PROVINCE_CLERK, "2026-10-14", method="online")
    assert online.delivered_on == D("2026-10-14")  # served when it reaches the applicant's box


def test_a_decision_is_not_sent_back_nor_its_deadline_extended():
    state = decided()
    assert engine.STATUS_LABELS[state.status] and state.outcome == "approved"
    with pytest.raises(Conflict) as back:
        run(state, "send_back", PROVINCE_CLERK, "2026-10-09", reason="重审", to_step="review")
    assert back.value.message == "已经作出决定，不能回退"
    with pytest.raises(Conflict):
        run(state, "extend", PROVINCE_LEADER, "2026-10-09", reason="情况复杂")
    offered = engine.available_actions(LAW_FIRM, state, PROVINCE_CLERK, D("2026-10-09"), CAL)
    assert "send_back" not in offered and "conclude" in offered
    offered = engine.available_actions(LAW_FIRM, state, PROVINCE_LEADER, D("2026-10-09"), CAL)
    assert "extend" not in offered


def test_no_extension_while_suspended_but_after_resuming():
    state = run(submitted(), "accept", CLERK, "2026-09-28")
    state = run(state, "review", HANDLER, "2026-09-29")
    state = run(state, "hand_over", REVIEWER, "2026-09-29")
    state = run(
        state, "suspend", PROVINCE_LEADER, "2026-10-12", reason="专家评审", kind="expert_review"
    )
    with pytest.raises(Conflict) as refused:
        run(state, "extend", PROVINCE_LEADER, "2026-10-13", reason="情况复杂")
    assert "特殊环节结束后" in refused.value.message
    assert "extend" not in engine.available_actions(
        LAW_FIRM, state, PROVINCE_LEADER, D("2026-10-13"), CAL
    )
    state = run(state, "resume", PROVINCE_LEADER, "2026-10-14")
    extended = run(state, "extend", PROVINCE_LEADER, "2026-10-14", reason="情况复杂")
    assert extended.statutory_due is not None and extended.extension_days == 10


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("\u200b\u200b", "case.reason_required"),  # zero-width spaces
        (" \u3000\u00a0\u200b\u2060 ", "case.reason_required"),  # full-width, no-break, joiner
        ("不符合\x00条件", "case.text_invalid"),
        ("不符合\ud800条件", "case.text_invalid"),  # a lone surrogate: not a character in UTF-8
        ("理" * 501, "case.text_too_long"),
    ],
)
def test_a_reason_must_be_readable_storable_and_of_letter_length(reason, code):
    with pytest.raises(InvalidInput) as refused:
        run(submitted(), "refuse", CLERK, "2026-09-28", reason=reason)
    assert refused.value.code == code


def test_reasons_and_problem_notes_are_kept_without_invisible_ends():
    state = run(
        submitted(), "refuse", CLERK, "2026-09-28", reason="\u200b 不属于本机关职权范围\u3000"
    )
    assert state.status == "refused"
    _, events = engine.apply(
        LAW_FIRM, submitted(), Action("refuse", "\u200b理由\u3000"), CLERK, D("2026-09-28"), CAL
    )
    assert events[0].reason == "理由"
    state = run(submitted(), "request_supplement", CLERK, "2026-09-28",
                materials=[{"material": "申请书", "problem": "\u200b缺少签字页 "}])  # fmt: skip
    assert state.supplement[0]["problem"] == "缺少签字页"
    with pytest.raises(InvalidInput) as long_note:
        run(submitted(), "request_supplement", CLERK, "2026-09-28",
            materials=[{"material": "申请书", "problem": "缺" * 201}])  # fmt: skip
    assert long_note.value.code == "case.text_too_long" and "申请书" in long_note.value.message


def test_owed_materials_are_due_by_the_statutory_deadline():
    # Accepted 9/28 with 30 working days: the statutory deadline is 11/13 (国庆 not counted).
    state = run(submitted(), "accept_with_gaps", CLERK, "2026-09-28",
                materials=[{"material": "资产证明"}], due=D("2026-11-13"))  # fmt: skip
    assert state.statutory_due == D("2026-11-13")
    with pytest.raises(InvalidInput) as late:
        run(submitted(), "accept_with_gaps", CLERK, "2026-09-28",
            materials=[{"material": "资产证明"}], due=D("2126-12-01"))  # fmt: skip
    assert late.value.code == "case.gap_due" and "2026-11-13" in late.value.message


@pytest.mark.parametrize("unit", ["day", "month"])
def test_a_limit_past_every_date_is_refused_not_a_crash(unit):
    # Stored before the catalogue bounded its limits: refused like a date past the calendar.
    with pytest.raises(InvalidInput) as exc:
        engine.period_end(CAL, D("2026-09-28"), 99_999_999_999, unit)
    assert exc.value.code == "calendar.out_of_range"
