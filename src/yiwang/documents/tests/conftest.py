"""A case with the least it needs to print letters: organizations, an applicant, an item."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from yiwang.accounts.models import Applicant, ApplicantKind
from yiwang.cases.models import Case, Channel, Status
from yiwang.catalog.models import ItemVersion, VersionStatus
from yiwang.catalog.services import import_catalogue
from yiwang.catalog.tests.conftest import LAW_FIRM, catalogue_text
from yiwang.core.identifiers import make_credit_code, resident_id_check_char
from yiwang.documents.models import DocumentKind

VALID_FROM = datetime.date(2026, 1, 1)
RECEIVED = datetime.date(2026, 11, 10)
ACCEPTED = datetime.date(2026, 11, 12)

# Facts each kind needs beyond the case (see yiwang.documents.context).
EXTRA: dict[DocumentKind, dict[str, Any]] = {
    DocumentKind.ACCEPTANCE_NOTICE: {},
    DocumentKind.REFUSAL_DECISION: {
        "reason": "申请人申请设立的律师事务所名称与本省已设立的律师事务所名称相同",
    },
    DocumentKind.SUPPLEMENT_NOTICE: {
        "materials": [
            {"material": "申请书", "problem": "缺少设立人签名"},
            {"material": "住所证明", "problem": "租赁合同已过期，请提交有效期内的租赁合同"},
        ],
        "supplement_due": "2026-11-30",
    },
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: {
        "suspension_kind": "site_check",
        "reason": "需要核实律师事务所住所的实际使用情况",
        "started_on": "2026-11-20",
        "expected_days": 5,
    },
    DocumentKind.EXTENSION_NOTICE: {
        "reason": "申请涉及的合伙人执业经历需向外省司法行政机关核实",
        "extension_days": 10,
        "new_statutory_due": "2027-01-07",
        "previous_statutory_due": "2026-12-24",
    },
    DocumentKind.APPROVAL_DECISION: {
        "licence_number": "34101202611210001",
        "validity": "长期",
    },
    DocumentKind.DENIAL_DECISION: {
        "reason": "设立人之一的执业年限不满三年，不符合《律师法》第十四条第（四）项的规定",
    },
}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Stored PDFs go to a directory of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def item_version(db: None) -> ItemVersion:
    import_catalogue(catalogue_text(copy.deepcopy(LAW_FIRM)), valid_from=VALID_FROM)
    return ItemVersion.objects.get(item__code=LAW_FIRM["code"], status=VersionStatus.PUBLISHED)


@pytest.fixture
def person(db: None) -> Applicant:
    applicant = Applicant(
        kind=ApplicantKind.PERSON, name="张三", id_number=resident_id("41010219900101123")
    )
    applicant.full_clean()
    applicant.save()
    return applicant


@pytest.fixture
def firm(db: None) -> Applicant:
    applicant = Applicant(
        kind=ApplicantKind.ORGANIZATION,
        name="河南中原律师事务所（筹）",
        id_number=make_credit_code("3", "1", "410100", "MA123456"),
    )
    applicant.full_clean()
    applicant.save()
    return applicant


@pytest.fixture
def make_case(tree: Any, item_version: ItemVersion, person: Applicant) -> Callable[..., Case]:
    counter = iter(range(1, 1000))

    def make(**fields: Any) -> Case:
        serial = next(counter)
        org = fields.pop("accepting_org", tree.city_a)
        values: dict[str, Any] = {
            "number": f"{org.credit_code}20261110{serial:06d}",
            "item_version": item_version,
            "applicant": person,
            "idempotency_key": f"key-{serial}",
            "channel": Channel.ONLINE,
            "accepting_org": org,
            "owner_org": org,
            "status": Status.IN_PROGRESS,
            "step_index": 1,
            "step_key": "review",
            "received_on": RECEIVED,
            "accepted_on": ACCEPTED,
            "promised_due": datetime.date(2026, 11, 18),
            "statutory_due": datetime.date(2026, 12, 24),
            **fields,
        }
        return Case.objects.create(**values)

    return make


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()
