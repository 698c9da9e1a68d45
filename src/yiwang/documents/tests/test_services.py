"""Issuing, storing and reading documents; a document never changes and is never deleted."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.core.errors import Conflict, InvalidInput
from yiwang.documents import services
from yiwang.documents.models import Document, DocumentCounter, DocumentKind
from yiwang.documents.rendering import render_pdf
from yiwang.documents.services import issue, open_document, render_stored
from yiwang.documents.tests.conftest import EXTRA

ACCEPT = DocumentKind.ACCEPTANCE_NOTICE
YEAR = timezone.localdate().year


def test_issue_numbers_renders_stores_and_freezes(case: Case, tree: Any, make_staff: Any):
    clerk = make_staff("clerk", tree.city_a)
    document = issue(case, ACCEPT, organization=tree.city_a, user=clerk)

    document = Document.objects.get(pk=document.pk)
    assert document.number == f"郑州市司受〔{YEAR}〕第000001号"
    assert document.kind == ACCEPT
    assert (document.case, document.organization, document.issued_by) == (case, tree.city_a, clerk)
    assert document.context["number"] == document.number
    assert document.context["issued_on"] == timezone.localdate(document.issued_at).isoformat()
    assert document.file.name.startswith(f"documents/{YEAR}/{case.number}-acceptance_notice-")
    content = document.file.storage.open(document.file.name).read()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert list(case.documents.all()) == [document]
    assert open_document(document) == content


def test_numbers_follow_each_other(make_case: Callable[..., Case], tree: Any):
    first = issue(make_case(), ACCEPT, organization=tree.city_a, render=False)
    second = issue(make_case(), ACCEPT, organization=tree.city_a, render=False)
    other_kind = issue(
        make_case(),
        DocumentKind.REFUSAL_DECISION,
        organization=tree.city_a,
        extra=EXTRA[DocumentKind.REFUSAL_DECISION],
        render=False,
    )
    other_org = issue(
        make_case(accepting_org=tree.city_b), ACCEPT, organization=tree.city_b, render=False
    )
    assert first.number.endswith("第000001号") and second.number.endswith("第000002号")
    assert other_kind.number == f"郑州市司不受〔{YEAR}〕第000001号"
    assert other_org.number == f"开封市司受〔{YEAR}〕第000001号"


def test_a_refused_issue_spends_no_number(case: Case, tree: Any):
    with pytest.raises(InvalidInput):
        issue(case, DocumentKind.DENIAL_DECISION, organization=tree.city_a, extra={})
    with pytest.raises(InvalidInput):
        issue(case, "receipt", organization=tree.city_a)
    assert not DocumentCounter.objects.exists()
    assert not Document.objects.exists()


def test_a_rolled_back_issue_leaves_nothing_and_returns_the_number(case: Case, tree: Any):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(case, ACCEPT, organization=tree.city_a, render=False)
        raise RuntimeError("the caller's action failed")
    assert not Document.objects.exists()
    assert issue(case, ACCEPT, organization=tree.city_a, render=False).number.endswith("第000001号")


def test_two_organizations_with_the_same_prefix_are_refused_clearly(
    make_case: Callable[..., Case], tree: Any
):
    tree.township.name = "郑州市司法所"  # reduces to the same "郑州市" as 郑州市司法局
    tree.township.save()
    issue(make_case(), ACCEPT, organization=tree.city_a, render=False)
    with pytest.raises(Conflict) as exc:
        issue(make_case(), ACCEPT, organization=tree.township, render=False)
    assert exc.value.code == "documents.number_taken"


def test_the_context_is_frozen_at_issue(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    case.applicant.name = "李四"
    case.applicant.save()
    tree.city_a.name = "郑州市司法局（新）"
    tree.city_a.save()

    stored = Document.objects.get(pk=document.pk)
    assert stored.context["applicant"]["name"] == "张三"
    assert stored.context["organization"]["name"] == "郑州市司法局"
    assert open_document(stored) == render_pdf(ACCEPT, document.context)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "郑州市司受〔2026〕第999999号"),
        ("kind", DocumentKind.APPROVAL_DECISION),
        ("context", {"tampered": True}),
        ("issued_at", timezone.now()),
    ],
)
def test_content_fields_cannot_be_changed(case: Case, tree: Any, field: str, value: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    for instance in (document, Document.objects.get(pk=document.pk)):
        setattr(instance, field, value)
        with pytest.raises(ValidationError) as exc:
            instance.save()
        assert exc.value.code == "documents.immutable"


def test_a_stored_file_cannot_be_replaced(case: Case, tree: Any):
    document = Document.objects.get(pk=issue(case, ACCEPT, organization=tree.city_a).pk)
    document.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        document.save()
    document = Document.objects.get(pk=document.pk)
    document.file = "documents/other.pdf"
    with pytest.raises(ValidationError):
        document.save()


def test_documents_cannot_be_deleted_or_bulk_changed(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    with pytest.raises(ValidationError):
        document.delete()
    with pytest.raises(ValidationError):
        Document.objects.filter(pk=document.pk).delete()
    with pytest.raises(ValidationError):
        Document.objects.filter(pk=document.pk).update(number="x")
    with pytest.raises(ProtectedError):
        case.delete()
    assert Document.objects.filter(pk=document.pk).exists()


def test_an_instance_built_over_an_existing_row_cannot_overwrite_it(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    forged = Document(
        pk=document.pk,
        case=case,
        kind=ACCEPT,
        number="forged",
        organization=tree.city_a,
        context={},
        issued_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()  # an INSERT, never an UPDATE: the pk is taken
    assert Document.objects.get(pk=document.pk).number == document.number


def test_render_later_renders_and_stores_on_first_open_only(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    assert (document.file.name, document.sha256, document.size) == ("", "", None)

    with mock.patch.object(services, "render_pdf", wraps=render_pdf) as renderer:
        content = open_document(document)
        assert open_document(document) == content
        fresh = Document.objects.get(pk=document.pk)
        assert open_document(fresh) == content
    assert renderer.call_count == 1

    assert content.startswith(b"%PDF-")
    assert fresh.sha256 == hashlib.sha256(content).hexdigest() == document.sha256
    assert fresh.size == len(content)
    assert fresh.file.storage.open(fresh.file.name).read() == content
    assert content == render_pdf(ACCEPT, fresh.context)


def test_a_concurrent_first_open_keeps_the_file_stored_first(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a, render=False)
    stale = Document.objects.get(pk=document.pk)
    first = open_document(document)
    # ``stale`` still believes no file exists: it renders, then finds the stored one and uses it.
    assert render_stored(stale) == first
    assert stale.file.name == document.file.name


def test_a_tampered_file_is_detected(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a)
    storage = document.file.storage
    path = storage.path(document.file.name)
    with open(path, "ab") as handle:
        handle.write(b"% appended")
    with pytest.raises(Conflict) as exc:
        open_document(Document.objects.get(pk=document.pk))
    assert exc.value.code == "documents.tampered"


def test_a_lost_file_is_rendered_again_identically(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a)
    original = open_document(document)
    document.file.storage.delete(document.file.name)

    restored = open_document(Document.objects.get(pk=document.pk))
    assert restored == original
    assert document.file.storage.open(document.file.name).read() == original


def test_a_lost_file_that_renders_differently_is_not_replaced(case: Case, tree: Any):
    document = issue(case, ACCEPT, organization=tree.city_a)
    document.file.storage.delete(document.file.name)
    with (
        mock.patch.object(services, "render_pdf", return_value=b"%PDF-1.7 other fonts"),
        pytest.raises(Conflict) as exc,
    ):
        open_document(Document.objects.get(pk=document.pk))
    assert exc.value.code == "documents.file_lost"
    assert not document.file.storage.exists(document.file.name)
