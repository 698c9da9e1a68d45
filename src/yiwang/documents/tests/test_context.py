"""What each kind prints: facts from the case, the rest from ``extra``, all checked at once."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest

from yiwang.cases.models import Case
from yiwang.catalog.models import ItemVersion, VersionStatus
from yiwang.catalog.services import import_catalogue
from yiwang.catalog.tests.conftest import LAW_FIRM, catalogue_text
from yiwang.core.errors import InvalidInput
from yiwang.documents.context import (
    ALLOWED_EXTRA,
    EXTRA_ALIASES,
    Extra,
    build_context,
    reconsideration_bodies,
)
from yiwang.documents.models import DocumentKind
from yiwang.documents.tests.conftest import EXTRA, VALID_FROM

ISSUED = datetime.date(2026, 11, 21)


def problems(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in exc.value.problems}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_has_the_common_facts_and_is_plain_json(kind: DocumentKind, case: Case):
    context = build_context(case, kind, EXTRA[kind], number="N", issued_on=ISSUED)

    assert json.loads(json.dumps(context, ensure_ascii=False)) == context
    assert context["schema"] == 1
    assert (context["kind"], context["title"], context["number"]) == (kind.value, kind.label, "N")
    assert context["issued_on"] == "2026-11-21"
    assert context["organization"]["name"] == "郑州市司法局"  # default: the accepting org
    assert context["applicant"]["name"] == "张三"
    facts = context["case"]
    assert facts["number"] == case.number
    assert facts["item_name"] == "律师事务所设立许可"
    assert facts["item_code"] == "SF-LS-006"
    assert facts["licensing"] is True
    assert facts["legal_basis"] == "《律师法》第14-18条"
    assert facts["result_name"] == "律师事务所执业许可证"
    assert facts["received_on"] == "2026-11-10"
    assert facts["accepted_on"] == "2026-11-12"
    assert facts["statutory_limit"] == "30个工作日"
    assert facts["promised_limit"] == "4个工作日"
    assert facts["statutory_due"] == "2026-12-24"


def test_a_persons_id_number_is_masked_an_organizations_is_not(case: Case, firm: Any):
    context = build_context(case, DocumentKind.DENIAL_DECISION, EXTRA[DocumentKind.DENIAL_DECISION])
    assert context["applicant"]["id_label"] == "公民身份号码"
    assert context["applicant"]["id_number"] == "410102********" + case.applicant.id_number[-4:]

    case.applicant = firm
    context = build_context(case, DocumentKind.DENIAL_DECISION, EXTRA[DocumentKind.DENIAL_DECISION])
    assert context["applicant"]["id_label"] == "统一社会信用代码"
    assert context["applicant"]["id_number"] == firm.id_number


def test_reconsideration_goes_to_the_same_level_government_or_the_department_above(tree: Any):
    assert reconsideration_bodies(tree.province) == ["河南省人民政府", "中华人民共和国司法部"]
    assert reconsideration_bodies(tree.city_a) == ["郑州市人民政府", "河南省司法厅"]
    assert reconsideration_bodies(tree.county_a1) == ["郑州市中原区人民政府", "郑州市司法局"]
    # A 司法所 acts for the county bureau that set it up.
    assert reconsideration_bodies(tree.township) == ["中牟县人民政府", "郑州市司法局"]


def test_reconsideration_bodies_can_be_given(case: Case):
    extra = {"reason": "不符合条件", "reconsideration_bodies": ["郑州市人民政府"]}
    context = build_context(case, DocumentKind.REFUSAL_DECISION, extra)
    assert context["reconsideration_bodies"] == ["郑州市人民政府"]


@pytest.mark.parametrize(
    "kind",
    [
        DocumentKind.REFUSAL_DECISION,
        DocumentKind.DENIAL_DECISION,
        DocumentKind.EXTENSION_NOTICE,
        DocumentKind.SPECIAL_PROCEDURE_NOTICE,
    ],
)
def test_reasons_are_required_where_the_law_asks_for_them(kind: DocumentKind, case: Case):
    extra = {k: v for k, v in EXTRA[kind].items() if k != "reason"}
    with pytest.raises(InvalidInput) as exc:
        build_context(case, kind, extra)
    assert ("reason", "documents.extra_invalid") in problems(exc)

    with pytest.raises(InvalidInput):
        build_context(case, kind, {**extra, "reason": "   "})


def test_every_problem_is_reported_at_once(case: Case):
    extra = {"reasn": "typo", "decided_on": "21/11/2026", "remarks": 5}
    with pytest.raises(InvalidInput) as exc:
        build_context(case, DocumentKind.DENIAL_DECISION, extra)
    assert problems(exc) == {
        ("reason", "documents.extra_invalid"),
        ("decided_on", "documents.extra_invalid"),
        ("remarks", "documents.extra_invalid"),
    }
    assert exc.value.code == "documents.invalid_extra"


def test_workflow_parameters_can_be_passed_as_they_are(make_case: Callable[..., Case]):
    # cases.services passes {"reason": event.reason, **action.params} whatever the kind.
    accepted = build_context(
        make_case(), DocumentKind.ACCEPTANCE_NOTICE, {"reason": "", "materials": ["住所证明"]}
    )
    assert "reason" not in accepted and "materials" not in accepted

    suspended = make_case(suspension_kind="")
    context = build_context(
        suspended,
        DocumentKind.SPECIAL_PROCEDURE_NOTICE,
        {"reason": "需要专家论证", "kind": "expert_review", "materials": None},
    )
    assert context["suspension_kind"] == "expert_review"
    assert context["suspension_label"] == "专家评审"


def test_the_extra_keys_of_each_kind_are_all_documented():
    documented = set(Extra.__annotations__)
    assert set().union(*ALLOWED_EXTRA.values()) == documented
    assert set(EXTRA_ALIASES.values()) <= documented


def test_an_unknown_kind_is_refused(case: Case):
    with pytest.raises(InvalidInput) as exc:
        build_context(case, "receipt", {})
    assert exc.value.code == "documents.unknown_kind"


def test_acceptance_needs_an_accepted_case(make_case: Callable[..., Case]):
    with pytest.raises(InvalidInput) as exc:
        build_context(make_case(accepted_on=None), DocumentKind.ACCEPTANCE_NOTICE, {})
    assert ("accepted_on", "documents.extra_invalid") in problems(exc)


def test_acceptance_carries_deemed_acceptance_and_gaps(make_case: Callable[..., Case]):
    case = make_case(deemed_accepted=True, gaps=[{"material": "住所证明", "due": "2026-11-26"}])
    context = build_context(case, DocumentKind.ACCEPTANCE_NOTICE, {})
    assert context["deemed_accepted"] is True
    assert context["gaps"] == [{"material": "住所证明", "due": "2026-11-26"}]


def test_supplement_defaults_to_what_the_case_recorded(make_case: Callable[..., Case]):
    case = make_case(supplement=[{"material": "申请书", "problem": "缺少签名"}, "住所证明"])
    context = build_context(case, DocumentKind.SUPPLEMENT_NOTICE, {})
    assert context["materials"] == [
        {"material": "申请书", "problem": "缺少签名"},
        {"material": "住所证明", "problem": ""},
    ]
    assert context["supplement_due"] is None


def test_supplement_must_list_materials(case: Case):
    with pytest.raises(InvalidInput) as exc:
        build_context(case, DocumentKind.SUPPLEMENT_NOTICE, {})
    assert ("materials", "documents.extra_invalid") in problems(exc)
    with pytest.raises(InvalidInput):
        build_context(case, DocumentKind.SUPPLEMENT_NOTICE, {"materials": [{"problem": "x"}]})


def test_special_procedure_takes_kind_and_start_from_the_case(make_case: Callable[..., Case]):
    case = make_case(suspension_kind="hearing", suspended_on=datetime.date(2026, 11, 19))
    context = build_context(
        case,
        DocumentKind.SPECIAL_PROCEDURE_NOTICE,
        {"reason": "涉及他人重大利益", "expected_end": datetime.date(2026, 12, 10)},
    )
    assert (context["suspension_kind"], context["suspension_label"]) == ("hearing", "听证")
    assert context["started_on"] == "2026-11-19"
    assert context["expected_end"] == "2026-12-10"
    assert context["expected_days"] is None


def test_special_procedure_kind_must_be_known(case: Case):
    with pytest.raises(InvalidInput) as exc:
        build_context(case, DocumentKind.SPECIAL_PROCEDURE_NOTICE, {"reason": "x"})
    assert ("suspension_kind", "documents.extra_invalid") in problems(exc)


def test_extension_defaults_from_the_case(make_case: Callable[..., Case]):
    case = make_case(extension_days=10, statutory_due=datetime.date(2027, 1, 7))
    context = build_context(case, DocumentKind.EXTENSION_NOTICE, {"reason": "需要核实"})
    assert (context["extension_days"], context["new_statutory_due"]) == (10, "2027-01-07")

    case = make_case(extension_days=0, statutory_due=None)
    with pytest.raises(InvalidInput) as exc:
        build_context(case, DocumentKind.EXTENSION_NOTICE, {"reason": "需要核实"})
    assert {"extension_days", "new_statutory_due"} <= {field for field, _ in problems(exc)}


def test_decisions_are_dated_when_decided(make_case: Callable[..., Case]):
    case = make_case(decided_on=datetime.date(2026, 11, 20))
    context = build_context(case, DocumentKind.APPROVAL_DECISION, {}, issued_on=ISSUED)
    assert context["decided_on"] == "2026-11-20"
    context = build_context(make_case(), DocumentKind.APPROVAL_DECISION, {}, issued_on=ISSUED)
    assert context["decided_on"] == "2026-11-21"


def test_a_non_licensing_item_does_not_cite_the_licensing_law(
    make_case: Callable[..., Case], item_version: ItemVersion
):
    legal_aid = copy.deepcopy(LAW_FIRM)
    legal_aid.update(code="SF-FY-001", basic_code="410112005001", name="法律援助申请审查")
    legal_aid.update(category="公共服务", legal_basis="《法律援助法》第41-43条")
    legal_aid["result"] = {"kind": "decision", "name": "给予法律援助决定书"}
    legal_aid["statutory"] = {
        "days": 7, "unit": "day", "from": "receipt", "is_default": False, "basis": "第43条",
    }  # fmt: skip
    import_catalogue(catalogue_text(copy.deepcopy(LAW_FIRM), legal_aid), valid_from=VALID_FROM)
    version = ItemVersion.objects.get(item__code="SF-FY-001", status=VersionStatus.PUBLISHED)

    context = build_context(make_case(item_version=version), DocumentKind.APPROVAL_DECISION, {})
    assert context["case"]["licensing"] is False
    assert context["case"]["statutory_limit"] == "7日"
    assert context["case"]["result_name"] == "给予法律援助决定书"

    from yiwang.documents.rendering import render_html

    html = render_html(DocumentKind.APPROVAL_DECISION, context)
    assert "行政许可法" not in html
    assert "出具《给予法律援助决定书》" in html
    assert "根据《法律援助法》第41-43条的规定" in html

    # 法律援助法 第43条 counts from receipt, and the acceptance notice says so.
    notice = build_context(make_case(item_version=version), DocumentKind.ACCEPTANCE_NOTICE, {})
    assert notice["case"]["limits_from"] == "收到申请"
    assert "本机关承诺自收到申请之日起4日内办结" in render_html(
        DocumentKind.ACCEPTANCE_NOTICE, notice
    )


def test_limits_run_from_acceptance_unless_the_item_says_otherwise(case: Case):
    from yiwang.documents.rendering import render_html

    context = build_context(case, DocumentKind.ACCEPTANCE_NOTICE, {})
    assert context["case"]["limits_from"] == "受理"
    assert "本机关承诺自受理之日起4个工作日内办结" in render_html(
        DocumentKind.ACCEPTANCE_NOTICE, context
    )
    # A letter frozen before the fact existed is drawn as it was: from acceptance.
    del context["case"]["limits_from"]
    assert "本机关承诺自受理之日起4个工作日内办结" in render_html(
        DocumentKind.ACCEPTANCE_NOTICE, context
    )
