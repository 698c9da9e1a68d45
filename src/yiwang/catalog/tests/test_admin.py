"""Catalogue administrators work in the admin: drafts editable, published versions frozen."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.models import ItemVersion, VersionStatus
from yiwang.catalog.selectors import current_version
from yiwang.catalog.tests.conftest import catalogue_text
from yiwang.core.errors import InvalidInput


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


@pytest.mark.parametrize("days_ahead", [0, 3])
def test_a_version_published_today_or_ahead_is_withdrawn_before_it_applies(
    admin_client, law_firm, days_ahead
):
    from django.utils import timezone

    start = timezone.localdate() + datetime.timedelta(days=days_ahead)
    law_firm["name"] = "律师事务所设立许可（误发）"
    services.import_catalogue(catalogue_text(law_firm), valid_from=start)
    wrong = ItemVersion.objects.get(status=VersionStatus.PUBLISHED, valid_from=start)
    response = admin_client.post(
        "/admin/catalog/itemversion/",
        {"action": "retire_versions", "_selected_action": [wrong.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"已废止：SF-LS-006 第 {wrong.version} 版，现行第 1 版" in response.content.decode()
    wrong.refresh_from_db()
    assert wrong.status == VersionStatus.RETIRED
    assert wrong.valid_to == start - datetime.timedelta(days=1)  # it never applied
    # The version its publication had ended applies again, as before the mistake.
    first = ItemVersion.objects.get(version=1)
    assert first.status == VersionStatus.PUBLISHED and first.valid_to is None
    later = start + datetime.timedelta(days=30)
    assert current_version("SF-LS-006", later).pk == first.pk


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


def change_form_data(page) -> dict[str, Any]:
    """What the admin's change form posts back unchanged: the form and its inline rows."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if getattr(field.widget, "input_type", "") == "checkbox":
                if value:
                    data[form.add_prefix(name)] = "on"
            else:  # an empty input is posted as an empty string, as a browser does
                data[form.add_prefix(name)] = "" if value is None else str(value)

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def save_draft(admin_client, draft: ItemVersion, **changes: str):
    url = f"/admin/catalog/itemversion/{draft.pk}/change/"
    data = change_form_data(admin_client.get(url))
    assert all(key in data for key in changes)
    return admin_client.post(url, {**data, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"statutory_days": "99999999999"}, "statutory_days", "法定时限不能超过 500 个工作日（两年）"),
        ({"statutory_unit": "month", "statutory_days": "25", "promised_days": "4"}, "statutory_days", "法定时限不能超过 24 个月（两年）"),
        ({"extension_days": "501"}, "extension_days", "可延长期限不能超过 500 个工作日（两年）"),
        ({"promised_days": "31"}, "promised_days", "承诺时限不能长于法定时限"),
        ({"visits": "99999"}, "visits", "到现场次数不能超过 10 次"),
        ({"pledge_check_days": "0"}, "pledge_check_days", "告知承诺核查期限至少为 1 个工作日"),
        ({"pledge_check_days": "99999999999"}, "pledge_check_days", "告知承诺核查期限不能超过 500 个工作日（两年）"),
    ],
)  # fmt: skip
def test_the_admin_refuses_a_limit_out_of_bounds_and_keeps_the_draft(
    admin_client, changes, field, message
):
    draft = services.new_draft(ItemVersion.objects.get().item)
    response = save_draft(admin_client, draft, **changes)
    assert response.status_code == 200  # the form again, with the reason
    assert response.context["adminform"].form.errors[field] == [message]
    draft.refresh_from_db()
    assert (draft.statutory_days, draft.promised_days, draft.extension_days) == (30, 4, 10)


def test_the_admin_refuses_a_step_limit_out_of_bounds(admin_client):
    draft = services.new_draft(ItemVersion.objects.get().item)
    response = save_draft(admin_client, draft, **{"steps-1-limit_days": "99999999999"})
    assert response.status_code == 200
    [steps] = [
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "steps"
    ]
    assert steps.forms[1].errors["limit_days"] == ["时限不能超过 730"]
    assert draft.steps.get(key="review").limit_days == 20


def test_publishing_refuses_limits_out_of_bounds_and_a_promise_past_the_law(admin_client):
    draft = services.new_draft(ItemVersion.objects.get().item)
    # Written past the admin's form, as a draft stored before the bounds would be.
    ItemVersion.objects.filter(pk=draft.pk).update(statutory_days=99999999999, promised_days=30)
    draft.steps.filter(key="review").update(limit_days=501)
    response = admin_client.post(
        "/admin/catalog/itemversion/",
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    page = response.content.decode()
    assert "第 2 版有 2 处问题，未发布" in page
    assert "SF-LS-006 / statutory.days: 不能超过 500 个工作日（两年）" in page
    assert "SF-LS-006 / process[2].limit_days: 不能超过 500 个工作日（两年）" in page

    ItemVersion.objects.filter(pk=draft.pk).update(statutory_days=7, promised_days=30)
    draft.steps.filter(key="review").update(limit_days=1)
    with pytest.raises(InvalidInput) as exc:
        services.publish(draft, datetime.date(2099, 1, 1))
    assert exc.value.message == "第 2 版有 2 处问题，未发布"
    assert "SF-LS-006 / promised.days: 承诺时限不能长于法定时限" in map(str, exc.value.problems)


def test_the_admin_refuses_a_name_longer_than_its_column_and_keeps_the_draft(admin_client):
    draft = services.new_draft(ItemVersion.objects.get().item)
    limit = ItemVersion._meta.get_field("name").max_length
    response = save_draft(admin_client, draft, name="长" * (limit + 1))
    assert response.status_code == 200  # the form again, with the reason
    [message] = response.context["adminform"].form.errors["name"]
    assert f"{limit}" in message and f"{limit + 1}" in message
    draft.refresh_from_db()
    assert draft.name == "律师事务所设立许可"
    save_draft(admin_client, draft, name="长" * limit)
    draft.refresh_from_db()
    assert draft.name == "长" * limit


def test_publishing_refuses_a_draft_with_a_text_longer_than_its_column(admin_client):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses the over-long value when it is written")
    draft = services.new_draft(ItemVersion.objects.get().item)
    # Written past the admin's form: SQLite keeps a text of any length in a bounded column.
    ItemVersion.objects.filter(pk=draft.pk).update(name="长" * 100_000)
    with pytest.raises(InvalidInput) as exc:
        services.publish(draft, datetime.date(2099, 1, 1))
    assert exc.value.message == "第 2 版有 1 处问题，未发布"
    assert [str(p) for p in exc.value.problems] == [
        "SF-LS-006 / name: 事项名称不能超过 100 个字符（现有 100000 个）"
    ]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
