"""Catalogue administrators work in the admin: drafts editable, published versions frozen."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.models import ItemVersion, VersionStatus
from yiwang.catalog.tests.conftest import catalogue_text


@pytest.fixture
def admin_client(db, client, law_firm):
    services.import_catalogue(catalogue_text(law_firm), valid_from=datetime.date(2025, 1, 1))
    user = User.objects.create_user("catalog.admin", password="x-test-pass-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    client.force_login(user)
    return client


def test_published_version_page_is_read_only(admin_client):
    version = ItemVersion.objects.get()
    page = admin_client.get(f"/admin/catalog/itemversion/{version.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="name"' not in html  # no editable input for a frozen field
    assert "律师事务所设立许可" in html
    response = admin_client.post(f"/admin/catalog/itemversion/{version.pk}/change/", {"name": "改"})
    version.refresh_from_db()
    assert version.name == "律师事务所设立许可"
    assert response.status_code in (200, 302, 403)


def test_new_draft_then_publish_through_admin_actions(admin_client):
    published = ItemVersion.objects.get()
    admin_client.post(
        "/admin/catalog/itemversion/",
        {"action": "start_drafts", "_selected_action": [published.pk]},
    )
    draft = ItemVersion.objects.get(status=VersionStatus.DRAFT)
    edit_page = admin_client.get(f"/admin/catalog/itemversion/{draft.pk}/change/")
    assert 'name="name"' in edit_page.content.decode()

    response = admin_client.post(
        "/admin/catalog/itemversion/",
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert "已发布" in response.content.decode()
    published.refresh_from_db()
    assert published.valid_to == draft.valid_from - datetime.timedelta(days=1)


def test_publishing_an_overlapping_draft_shows_the_reason_and_changes_nothing(admin_client):
    published = ItemVersion.objects.get()
    draft = services.new_draft(published.item)
    services.publish(draft, datetime.date(2099, 1, 1))
    second = services.new_draft(published.item)
    response = admin_client.post(
        "/admin/catalog/itemversion/",
        {"action": "publish_drafts", "_selected_action": [second.pk]},
        follow=True,
    )
    second.refresh_from_db()
    # Today falls inside version 1's validity, which now ends on 2098-12-31: no room for another.
    assert second.status == VersionStatus.DRAFT
    assert "重叠" in response.content.decode()


def test_staff_without_catalogue_permissions_cannot_open_it(db, client):
    user = User.objects.create_user("plain.staff", password="x-test-pass-1", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/catalog/itemversion/").status_code == 403
