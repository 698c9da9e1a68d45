"""Cases run to conclusion through the real services on the demo province, and a private key
and media directory for every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from yiwang.accounts.models import Applicant, User
from yiwang.cases import drafts, engine
from yiwang.cases.models import Case
from yiwang.cases.services import perform
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.licences import keys
from yiwang.organizations.models import Organization
from yiwang.portal.tests.conftest import pdf

LAW_FIRM = "SF-LS-006"  # 律师事务所设立许可: county window → city review → province decision
NAME_APPROVAL = "SF-LS-011"  # 律师事务所名称预核准: a decision (通知书), no licence

# SF-LS-006 from acceptance to conclusion, as the demo staff do it.
LAW_FIRM_STEPS: list[tuple[str, engine.Action]] = [
    ("zhongmou.clerk", engine.Action("accept")),
    ("zhengzhou.handler", engine.Action("review")),
    ("zhengzhou.reviewer", engine.Action("hand_over")),
]
NAME_APPROVAL_STEPS: list[tuple[str, engine.Action]] = [
    ("henan.clerk", engine.Action("accept")),
    ("henan.handler", engine.Action("review")),
]
APPROVE = ("henan.leader", engine.Action("decide", params={"decision": "approve"}))
DENY = (
    "henan.leader",
    engine.Action("decide", params={"decision": "deny"}, reason="住所证明与实际使用情况不符"),
)
CONCLUDE = ("henan.clerk", engine.Action("conclude"))


@pytest.fixture(autouse=True)
def private_storage(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Media, data directory and issuing key of this test only; letters numbered, not rendered."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    monkeypatch.delenv(keys.PRIVATE_KEY_VARIABLE, raising=False)
    monkeypatch.delenv(keys.PREVIOUS_KEYS_VARIABLE, raising=False)
    settings.YIWANG_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    keys.signing_key.cache_clear()
    keys.trusted_public_keys.cache_clear()
    # These tests call issue_for themselves on a concluded case, so the step that concludes it
    # must not issue first; the portal's and the workbench's tests cover that hook.
    from yiwang.cases import services as case_services

    monkeypatch.setattr(case_services, "_issue_licence", lambda case, user, issuer: None)
    yield
    keys.signing_key.cache_clear()
    keys.trusted_public_keys.cache_clear()


def staff(username: str) -> User:
    return User.objects.get(username=username)


def submitted(item: str, organization: str) -> Case:
    """An application of the demo law firm, filed by its agent zhang.wei with example answers."""
    zhang = User.objects.get(username="zhang.wei")
    firm = Applicant.objects.get(name="河南中原正道律师事务所")
    draft = drafts.start(zhang, item, Organization.objects.get(name=organization), firm)
    version = drafts.current_version(item)
    drafts.save(draft, zhang, example_data(form_definition(version)))
    for material in version.materials.filter(mandatory=True):
        drafts.upload(draft, material.name, pdf(), f"{material.name}.pdf", zhang)
    return drafts.submit_draft(draft, zhang)


def run(case: Case, steps: list[tuple[str, engine.Action]]) -> Case:
    for username, action in steps:
        case = perform(case.pk, action, staff(username))
    return case


@pytest.fixture
def concluded_firm(demo_province: None, db: None) -> Callable[..., Case]:
    """A 律师事务所设立许可 case decided (approved unless told otherwise) and concluded."""

    def make(decision: tuple[str, engine.Action] = APPROVE, conclude: bool = True) -> Case:
        steps = [*LAW_FIRM_STEPS, decision, *([CONCLUDE] if conclude else [])]
        return run(submitted(LAW_FIRM, "中牟县司法局"), steps)

    return make


@pytest.fixture
def province(demo_province: None, db: None) -> Organization:
    return Organization.objects.get(name="河南省司法厅")
