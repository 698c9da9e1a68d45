"""The demo cases: every state once, through the real services, only once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yiwang.audit.services import verify
from yiwang.cases.models import Case, CaseMaterial, Rating
from yiwang.demo.cases import SCENARIOS, seed_demo_cases


@pytest.mark.django_db
def test_demo_cases_cover_every_state_and_are_created_once(demo_province, settings):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    lines: list[str] = []
    assert seed_demo_cases(report=lines.append) == len(SCENARIOS)
    statuses = sorted(Case.objects.values_list("status", flat=True))
    assert statuses == sorted(
        ["submitted", "submitted", "supplement", "in_progress", "suspended", "in_progress",
         "concluded", "delivered", "refused", "concluded"]
    )  # fmt: skip
    pledged = Case.objects.get(pledged_materials=["住所证明"])
    assert pledged.status == "concluded" and pledged.pledge_check.status == "pending"
    assert pledged.pledge_check.due_on > timezone.localdate()  # a check still to do, in time
    steps = set(Case.objects.filter(status="in_progress").values_list("step_key", flat=True))
    assert steps == {"review", "decide"}
    late = Case.objects.get(status="submitted", applicant__name="李娜")
    assert late.acceptance_due < timezone.localdate()  # the queue shows it overdue
    delivered = Case.objects.get(status="delivered")
    assert delivered.outcome == "approved" and Rating.objects.get().case == delivered
    assert delivered.documents.filter(kind="approval_decision").exists()
    from yiwang.licences.selectors import licence_for_case
    from yiwang.licences.services import verify as verify_licence

    licence = licence_for_case(delivered)  # 律师执业许可 yields a signed licence
    assert licence is not None and verify_licence(licence).ok
    assert CaseMaterial.objects.filter(file_type="pdf").count() >= len(SCENARIOS)
    report = verify()
    assert report.problem_count == 0 and report.entries_checked > len(SCENARIOS)
    assert seed_demo_cases(report=lines.append) == 0 and Case.objects.count() == len(SCENARIOS)
