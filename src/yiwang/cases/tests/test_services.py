"""Cases with a real database: submission, permissions, conflicts, deemed acceptance, the record."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from yiwang.accounts.models import (
    AgentAuthorization,
    Applicant,
    ApplicantKind,
    Role,
    RoleAssignment,
    User,
)
from yiwang.audit.models import AuditEntry
from yiwang.audit.services import verify
from yiwang.cases import engine
from yiwang.cases.models import Case, PledgeCheck
from yiwang.cases.pledges import record_finding
from yiwang.cases.services import Submission, deem_overdue_acceptances, perform, submit
from yiwang.catalog.models import ItemImplementation, ServiceItem
from yiwang.catalog.services import import_catalogue
from yiwang.catalog.tests.conftest import LAW_FIRM, catalogue_text
from yiwang.core.errors import Conflict, Forbidden, InvalidInput
from yiwang.workcalendar.services import add_workdays, seed_from_chinese_calendar


def law_firm_item() -> dict:
    import copy

    item = copy.deepcopy(LAW_FIRM)
    item["process"][0]["level"] = "county"  # 收办分离: the county window accepts
    item["process"] = [
        item["process"][0],
        {"key": "review", "name": "初审", "level": "city", "role": "handler", "limit_days": 15},
        {"key": "check", "name": "审核", "level": "city", "role": "reviewer", "limit_days": 5},
        item["process"][2],
        item["process"][3],
    ]
    item["levels"] = {"accept": "county", "review": ["city"], "decide": "province"}
    return item


class World:
    def __init__(self, tree, make_staff):
        seed_from_chinese_calendar()
        import_catalogue(catalogue_text(law_firm_item()), valid_from=dt.date(2025, 1, 1))
        item = ServiceItem.objects.get(code="SF-LS-006")
        for org in (tree.county_a1, tree.county_a2, tree.county_b1):
            ItemImplementation.objects.create(
                item=item, organization=org, code=org.implementation_code(item.basic_code)
            )
        self.tree = tree
        self.clerk = make_staff("a1.clerk", tree.county_a1, Role.WINDOW_CLERK)
        self.other_clerk = make_staff("b1.clerk", tree.county_b1, Role.WINDOW_CLERK)
        self.handler = make_staff("city.handler", tree.city_a, Role.HANDLER)
        self.reviewer = make_staff("city.reviewer", tree.city_a, Role.REVIEWER)
        self.leader = make_staff("prov.leader", tree.province, Role.LEADER)
        self.prov_clerk = make_staff("prov.clerk", tree.province, Role.WINDOW_CLERK)
        self.user = User.objects.create_user("zhang.wei", password="x-test-pass-1")
        self.person = Applicant.objects.create(
            kind=ApplicantKind.PERSON, name="张伟", id_number="11010519491231002X", user=self.user
        )
        self.firm = Applicant.objects.create(
            kind=ApplicantKind.ORGANIZATION, name="正道律师事务所", id_number="91350100M000100Y43"
        )
        AgentAuthorization.objects.create(
            agent=self.person, principal=self.firm, scope="律师事务所设立", document="委托书",
            valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2030, 12, 31),
        )  # fmt: skip
        self.stranger = User.objects.create_user("li.na", password="x-test-pass-1")

    def submit(self, key: str = "k1", applicant: Applicant | None = None, org=None) -> Case:
        case, _ = submit(
            self.user,
            Submission(
                item_code="SF-LS-006",
                organization=org or self.tree.county_a1,
                applicant=applicant or self.firm,
                agent=self.person,
                idempotency_key=key,
                form_data={"partners": ["张伟", "李娜"]},
            ),
        )
        return case

    def approve(self, case: Case) -> Case:
        """Accepted at the county, reviewed at the city, approved and concluded at the province."""
        for kind, user, params in [
            ("accept", self.clerk, {}),
            ("review", self.handler, {}),
            ("hand_over", self.reviewer, {}),
            ("decide", self.leader, {"decision": "approve"}),
            ("conclude", self.prov_clerk, {}),
        ]:
            case = perform(case.pk, engine.Action(kind, params=params), user)
        return case


@pytest.fixture
def world(tree, make_staff) -> World:
    return World(tree, make_staff)


def test_submission_is_idempotent(world):
    first = world.submit("same-key")
    again = world.submit("same-key")
    assert first.pk == again.pk
    assert Case.objects.count() == 1
    assert first.number.startswith(
        world.tree.county_a1.credit_code + timezone.localdate().strftime("%Y%m%d")
    )
    other = world.submit("other-key")
    assert other.number > first.number  # sortable sequence


def _again(world, key="same-key", **changes):
    """The submission ``World.submit`` makes, under ``key``, with ``changes``."""
    values = {
        "item_code": "SF-LS-006",
        "organization": world.tree.county_a1,
        "applicant": world.firm,
        "agent": world.person,
        "idempotency_key": key,
        "form_data": {"partners": ["张伟", "李娜"]},
        **changes,
    }
    return submit(world.user, Submission(**values))


def test_a_retry_that_repeats_the_submission_gets_the_same_case(world):
    first = world.submit("same-key")
    again, created = _again(world, item_code="sf-ls-006")
    assert (again.pk, created) == (first.pk, False)
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"organization": "county_a2"},
        {"channel": "platform"},
    ],
)
def test_the_same_key_with_another_submission_is_a_conflict(world, changes):
    first = world.submit("same-key")
    if changes.get("organization"):
        changes["organization"] = getattr(world.tree, changes["organization"])
    with pytest.raises(Conflict) as info:
        _again(world, **changes)
    assert info.value.code == "case.idempotency_reused"
    assert info.value.message == "该幂等键已用于另一项申请，请为新申请生成新的键"
    assert list(Case.objects.values_list("pk", flat=True)) == [first.pk]
    stored = Case.objects.get()
    assert (stored.accepting_org_id, stored.channel) == (world.tree.county_a1.pk, "online")


def test_nobody_learns_whether_another_applicants_key_is_in_use(world):
    world.submit("their-key")
    for user in (world.other_clerk, world.stranger):
        for key in ("their-key", "unused-key"):
            with pytest.raises(Forbidden) as info:
                submit(
                    user,
                    Submission(
                        item_code="SF-LS-006",
                        organization=world.tree.county_a1,
                        applicant=world.firm,
                        idempotency_key=key,
                        form_data={},
                    ),
                )
            assert info.value.code == "case.forbidden", (user, key)
    assert Case.objects.count() == 1


def test_the_number_and_pinned_version(world):
    case = world.submit()
    assert case.item_version.status == "published"
    assert case.owner_org == world.tree.county_a1
    assert case.chain == [
        ["county", world.tree.county_a1.pk],
        ["city", world.tree.city_a.pk],
        ["province", world.tree.province.pk],
    ]


def test_only_the_applicant_or_their_agent_may_submit(world):
    with pytest.raises(Forbidden):
        submit(
            world.stranger,
            Submission(item_code="SF-LS-006", organization=world.tree.county_a1, applicant=world.firm,
                       idempotency_key="x", form_data={}),
        )  # fmt: skip


def test_clerk_of_another_county_cannot_act(world):
    case = world.submit()
    with pytest.raises(Forbidden):
        perform(case.pk, engine.Action("accept"), world.other_clerk)
    with pytest.raises(Forbidden):
        perform(case.pk, engine.Action("accept"), world.handler)  # wrong role
    with pytest.raises(Forbidden):
        perform(case.pk, engine.Action("accept"), world.user)  # the applicant is no clerk
    accepted = perform(case.pk, engine.Action("accept"), world.clerk)
    # 收办分离: the county window accepts, the city handles.
    assert accepted.owner_org_id == world.tree.city_a.pk and accepted.step_key == "review"


def test_a_whole_case_writes_a_verifiable_chain_and_letters(world):
    case = world.submit()
    steps = [
        ("accept", world.clerk, "", {}),
        ("review", world.handler, "", {}),
        ("hand_over", world.reviewer, "", {}),
        ("decide", world.leader, "", {"decision": "approve"}),
        ("conclude", world.prov_clerk, "", {}),
        ("deliver", world.prov_clerk, "", {"method": "online"}),
    ]
    for kind, user, reason, params in steps:
        case = perform(case.pk, engine.Action(kind, reason, params), user, client_addr="10.0.0.8")
    assert case.status == "delivered" and case.outcome == "approved"
    entries = list(AuditEntry.objects.filter(case_id=case.pk).order_by("seq"))
    assert [e.action for e in entries] == ["submit"] + [s[0] for s in steps]
    assert entries[-1].hash == case.audit_head and case.audit_seq == 7
    assert all(
        later.prev_hash == earlier.hash
        for earlier, later in zip(entries, entries[1:], strict=False)
    )
    accept = entries[1]
    assert (
        accept.actor_id == world.clerk.pk
        and accept.role == "window_clerk"
        and accept.client_addr == "10.0.0.8"
    )
    assert accept.before["status"] == "submitted" and accept.after["status"] == "in_progress"
    kinds = list(case.documents.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["acceptance_notice", "approval_decision"]


def _step_statements(run) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    skip = ("SAVEPOINT", "RELEASE", "BEGIN", "ROLLBACK")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(skip)]


def test_a_step_issues_a_fixed_few_statements_whatever_the_history(world):
    case = world.submit()
    # Per-process caches (definitions, the calendar, organization names) filled by a first case.
    first = world.submit("warm-up")
    for kind, user in (("accept", world.clerk), ("review", world.handler)):
        perform(first.pk, engine.Action(kind), user)

    accept = _step_statements(lambda: perform(case.pk, engine.Action("accept"), world.clerk))
    review = _step_statements(lambda: perform(case.pk, engine.Action("review"), world.handler))
    # One read (case, standing, applicant, organization), the audit entry, the case's
    # compare-and-set; a letter adds its number and its row.
    assert len(review) == 3, review
    assert len(accept) == 5, accept
    for _ in range(3):  # a longer history changes nothing
        perform(
            case.pk, engine.Action("send_back", "补充说明", {"to_step": "review"}), world.reviewer
        )
        assert len(_step_statements(
            lambda: perform(case.pk, engine.Action("review"), world.handler)
        )) == 3  # fmt: skip
    # The acceptance notice is issued by the county that accepted, not the city that now owns it.
    notice = case.documents.get(kind="acceptance_notice")
    assert notice.organization_id == world.tree.county_a1.pk


def test_stale_version_is_a_conflict(world):
    case = world.submit()
    perform(case.pk, engine.Action("accept"), world.clerk, expected_version=case.version)
    with pytest.raises(Conflict) as exc:
        perform(case.pk, engine.Action("refuse", "x"), world.clerk, expected_version=case.version)
    assert exc.value.code == "case.conflict" and exc.value.status == 409


@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_exactly_one_wins(tree, make_staff):
    world = World(tree, make_staff)
    second_clerk = make_staff("a1.clerk2", tree.county_a1, Role.WINDOW_CLERK)
    case = world.submit()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(user: User, kind: str, reason: str) -> None:
        try:
            barrier.wait()
            perform(case.pk, engine.Action(kind, reason), user, expected_version=case.version)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(world.clerk, "accept", "")),
        threading.Thread(target=act, args=(second_clerk, "refuse", "材料不全")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["case.conflict", "ok"]
    final = Case.objects.get(pk=case.pk)
    assert final.version == case.version + 1
    assert AuditEntry.objects.filter(case_id=case.pk).count() == 2  # submit + the winner only


@pytest.mark.django_db(transaction=True)
def test_two_checkers_at_once_exactly_one_finding_stands(tree, make_staff):
    world = World(tree, make_staff)
    first = make_staff("prov.handler", tree.province, Role.HANDLER)
    case = world.submit()
    case = perform(case.pk, engine.Action("pledge", params={"materials": ["住所证明"]}), world.user)
    case = world.approve(case)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def record(user: User, verdict: str) -> None:
        try:
            barrier.wait()
            check = PledgeCheck.objects.select_related("case", "organization").get(case=case)
            record_finding(check, user, verdict=verdict, finding=f"核查：{verdict}")
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(first, "confirmed")),
        threading.Thread(target=record, args=(world.leader, "false")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) in (
        ["ok", "pledge_check.recorded"],
        ["case.conflict", "ok"],
    )
    check = PledgeCheck.objects.get(case_id=case.pk)
    entries = AuditEntry.objects.filter(case_id=case.pk, action="pledge_check")
    assert entries.count() == 1 and entries.get().after["pledge_check"] == check.status
    assert verify(
        heads=list(Case.objects.order_by("pk").values_list("pk", "audit_seq", "audit_head"))
    ).ok


def test_deemed_acceptance_sweep(world):
    case = world.submit()
    late = add_workdays(case.received_on, 6).date
    assert deem_overdue_acceptances(case.accept_due) == []  # the 5th working day: still in time
    assert deem_overdue_acceptances(late) == [case.number]
    case.refresh_from_db()
    assert (
        case.deemed_accepted
        and case.accepted_on == case.received_on
        and case.status == "in_progress"
    )
    entry = AuditEntry.objects.filter(case_id=case.pk).order_by("-seq").first()
    assert entry.action == "deem_accept" and entry.role == "system"


def test_loading_a_new_year_recomputes_provisional_deadlines(
    world, tmp_path, django_capture_on_commit_callbacks
):
    from yiwang.workcalendar.services import load_year_file

    case = world.submit()
    # As if received just before a year whose schedule was not published yet.
    Case.objects.filter(pk=case.pk).update(
        deadline_provisional=True, received_on=dt.date(2026, 12, 28)
    )
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\nsource: 测试\nholidays:\n  - {name: 元旦, dates: [2027-01-01]}\n"
        "  - {name: 国庆节, dates: [2027-10-01]}\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        load_year_file(path)
    case.refresh_from_db()
    assert case.accept_due == dt.date(
        2027, 1, 5
    )  # 12/29, 12/30, 12/31, 1/4, 1/5: 1/1 is now a holiday
    assert not case.deadline_provisional
    assert AuditEntry.objects.filter(case_id=case.pk, action="recompute").exists()


def test_case_numbers_do_not_clash_across_agencies(world):
    a = world.submit("a", org=world.tree.county_a1)
    b = world.submit("b", org=world.tree.county_a2)
    assert a.number[:18] != b.number[:18] and a.number[-6:] == b.number[-6:] == "000001"


def test_roles_at_the_city_do_not_accept_for_a_county(world, make_staff):
    city_clerk = make_staff("city.clerk", world.tree.city_a, Role.WINDOW_CLERK)
    case = world.submit()
    with pytest.raises(Forbidden):
        perform(case.pk, engine.Action("accept"), city_clerk)
    RoleAssignment.objects.create(
        user=city_clerk, organization=world.tree.county_a1, role=Role.WINDOW_CLERK
    )
    perform(case.pk, engine.Action("accept"), User.objects.get(pk=city_clerk.pk))


ROLES_TO_TRY = [
    "clerk",
    "other_clerk",
    "handler",
    "reviewer",
    "leader",
    "prov_clerk",
    "user",
    "stranger",
]
ACTIONS_TO_TRY = [
    engine.Action("accept"),
    engine.Action("request_supplement", params={"materials": ["申请书"]}),
    engine.Action("supply_supplement"),
    engine.Action("refuse", "不符合条件"),
    engine.Action("review"),
    engine.Action("hand_over"),
    engine.Action("suspend", "专家评审", {"kind": "expert_review"}),
    engine.Action("resume"),
    engine.Action("extend", "情况复杂"),
    engine.Action("decide", "依法准予", {"decision": "approve"}),
    engine.Action("decide", "条件不符", {"decision": "deny"}),
    engine.Action("send_back", "补充审查", {"to_step": "review"}),
    engine.Action("conclude"),
    engine.Action("deliver", params={"method": "online"}),
    engine.Action("withdraw"),
]


def test_random_action_sequences_keep_the_chain_verifiable(world):
    """Random actors and actions through the real services: refusals change nothing, every
    accepted change is one chained entry, and the whole record always verifies."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from yiwang.audit.services import verify

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(
            st.tuples(st.sampled_from(ACTIONS_TO_TRY), st.sampled_from(ROLES_TO_TRY)), max_size=25
        )
    )
    def run(sequence):
        case = world.submit(key=f"h-{Case.objects.count()}")
        applied = 1
        for action, who in sequence:
            before = Case.objects.get(pk=case.pk)
            try:
                perform(case.pk, action, getattr(world, who))
                applied += 1
            except (Forbidden, Conflict, Exception) as exc:  # noqa: B014
                from yiwang.core.errors import DomainError

                # A refusal is the engine's answer; a failing letter or audit write is a defect.
                assert isinstance(exc, DomainError), exc
                assert exc.code.startswith("case."), (exc.code, exc.message)
                after = Case.objects.get(pk=case.pk)
                assert after.version == before.version and after.audit_head == before.audit_head
        case.refresh_from_db()
        assert case.audit_seq == applied == AuditEntry.objects.filter(case_id=case.pk).count()
        heads = Case.objects.order_by("pk").values_list("pk", "audit_seq", "audit_head")
        report = verify(heads=list(heads))
        assert report.ok, report.first_problem

    run()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_plans_a_steps_statements_once_per_connection(world):
    for n in range(7):
        case = world.submit(f"k{n}")
        perform(case.pk, engine.Action("accept"), world.clerk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "audit_auditentry"%'],
        )
        prepared = cursor.fetchall()
    assert prepared, "the audit INSERT of every step should be a prepared statement by now"


def test_the_timed_duties_report_progress_and_a_summary(world):
    import io

    from django.core.management import call_command

    overdue, provisional = world.submit("late"), world.submit("provisional")
    Case.objects.filter(pk=overdue.pk).update(accept_due=dt.date(2025, 1, 2))
    Case.objects.filter(pk=provisional.pk).update(deadline_provisional=True)
    out = io.StringIO()
    call_command("cases", "deem-accept", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("视为受理 1/1 件（100%），每秒")
    assert lines[1:] == [f"视为受理：{overdue.number}", "共视为受理 1 件"]
    # Deadlines reaching into a year without a published schedule are provisional too.
    open_provisional = Case.objects.filter(deadline_provisional=True).count()
    assert open_provisional >= 1
    out = io.StringIO()
    call_command("cases", "recompute", stdout=out)
    lines = out.getvalue().splitlines()
    n = open_provisional
    assert lines[0].startswith(f"重算期限 {n}/{n} 件（100%）")
    assert lines[1] == f"已重算 {n} 件的期限"
    assert AuditEntry.objects.filter(case_id=provisional.pk, action="recompute").exists()


def test_a_date_of_a_past_event_is_checked_against_the_day_of_submission(world):
    item = law_firm_item()
    item["form"] = {
        "fields": [
            {"key": "resolved_on", "label": "设立决议日期", "type": "date", "required": True,
             "past": True},
        ]
    }  # fmt: skip
    import_catalogue(catalogue_text(item), valid_from=dt.date(2025, 6, 1))
    day = dt.date(2025, 7, 1)

    def file(resolved_on: str, key: str) -> Case:
        case, _ = submit(
            world.user,
            Submission(item_code="SF-LS-006", organization=world.tree.county_a1,
                       applicant=world.firm, agent=world.person, idempotency_key=key,
                       form_data={"resolved_on": resolved_on}),
            today=day,
        )  # fmt: skip
        return case

    with pytest.raises(InvalidInput) as exc:
        file("2025-07-02", "late")
    assert exc.value.code == "case.form_invalid"
    assert [p.message for p in exc.value.problems] == [
        "设立决议日期：不能晚于申请之日（2025-07-01）"
    ]
    assert file("2025-07-01", "on-the-day").form_data == {"resolved_on": "2025-07-01"}
