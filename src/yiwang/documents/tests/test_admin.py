"""The admin lists documents read-only and serves their PDFs."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.core.tests.disposition import saved_as
from yiwang.documents.models import Document, DocumentKind
from yiwang.documents.services import issue


@pytest.fixture
def viewer(db: None, client: Client) -> Client:
    user = User.objects.create_user("records", password="x-test-pass-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="documents", codename__startswith="view")
    )
    client.force_login(user)
    return client


@pytest.fixture
def document(case: Case, tree: Any) -> Document:
    return issue(case, DocumentKind.ACCEPTANCE_NOTICE, organization=tree.city_a, render=False)


def test_the_list_and_the_detail_are_read_only(viewer: Client, document: Document):
    listing = viewer.get("/admin/documents/document/")
    assert listing.status_code == 200
    assert document.number in listing.content.decode()
    found = viewer.get("/admin/documents/document/", {"q": "张三"})
    assert document.number in found.content.decode()
    missed = viewer.get("/admin/documents/document/", {"q": "李四"})
    assert document.number not in missed.content.decode()

    detail = viewer.get(f"/admin/documents/document/{document.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'name="number"' not in html
    assert "/delete/" not in html

    assert viewer.get("/admin/documents/document/add/").status_code == 403
    assert viewer.post(f"/admin/documents/document/{document.pk}/delete/").status_code == 403


def test_the_pdf_is_served_and_rendered_on_first_download(viewer: Client, document: Document):
    response = viewer.get(f"/admin/documents/document/{document.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert saved_as(response) == ("inline", f"受理通知书-{document.number}.pdf")
    assert response.content.startswith(b"%PDF-")
    assert Document.objects.get(pk=document.pk).sha256


def test_the_pdf_needs_the_view_permission(client: Client, document: Document):
    user = User.objects.create_user("someone", password="x-test-pass-1", is_staff=True)
    client.force_login(user)
    assert client.get(f"/admin/documents/document/{document.pk}/pdf/").status_code == 403
