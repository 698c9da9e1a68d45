"""Versioning rules: published versions are frozen, validity periods never overlap."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from yiwang.catalog import services
from yiwang.catalog.models import ItemVersion, Material, ProcessStep, VersionStatus
from yiwang.catalog.selectors import current_version
from yiwang.catalog.tests.conftest import catalogue_text
from yiwang.core.errors import Conflict, InvalidInput

DAY = datetime.date(2026, 1, 1)


@pytest.fixture
def published(db, law_firm) -> ItemVersion:
    services.import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    return ItemVersion.objects.get()


def test_published_version_cannot_be_edited(published):
    published.promised_days = 1
    with pytest.raises(ValidationError) as exc:
        published.save()
    assert exc.value.code == "catalog.version_immutable"
    published.refresh_from_db()
    assert published.promised_days == 4


def test_published_version_cannot_be_deleted_nor_its_materials_or_steps_changed(published):
    with pytest.raises(ValidationError):
        published.delete()
    material = published.materials.first()
    material.name = "改名"
    with pytest.raises(ValidationError):
        material.save()
    with pytest.raises(ValidationError):
        published.steps.first().delete()
    with pytest.raises(ValidationError):
        Material.objects.create(version=published, position=9, name="新材料", file_types=["pdf"])
    assert published.materials.count() == 2 and published.steps.count() == 4


def test_editing_means_a_new_draft_copied_from_the_latest(published):
    draft = services.new_draft(published.item)
    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert [m.name for m in draft.materials.all()] == [m.name for m in published.materials.all()]
    assert [s.key for s in draft.steps.all()] == [s.key for s in published.steps.all()]
    draft.promised_days = 2
    draft.save()
    step = draft.steps.get(key="review")
    step.limit_days = 15
    step.save()
    with pytest.raises(Conflict):
        services.new_draft(published.item)  # one draft at a time


def test_one_draft_per_item_is_also_a_database_constraint(published):
    services.new_draft(published.item)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=published.item, version=9, status=VersionStatus.DRAFT, name="x", category="其他",
            handling="promised", legal_basis="x", statutory_days=1, statutory_unit="workday",
            promised_days=1, fee_basis="x", result_kind="decision", result_name="x",
            accept_level="city", decide_level="city",
        )  # fmt: skip


def test_publishing_a_draft_ends_the_open_predecessor(published):
    draft = services.new_draft(published.item)
    draft.promised_days = 2
    draft.save()
    start = DAY + datetime.timedelta(days=100)
    services.publish(draft, start)
    published.refresh_from_db()
    assert published.valid_to == start - datetime.timedelta(days=1)
    assert current_version("SF-LS-006", start).promised_days == 2
    assert current_version("SF-LS-006", start - datetime.timedelta(days=1)).promised_days == 4


def test_two_versions_may_not_be_valid_on_the_same_day(published):
    draft = services.new_draft(published.item)
    with pytest.raises(Conflict) as exc:
        services.publish(draft, DAY)  # same start as version 1
    assert exc.value.code == "catalog.validity_overlap"
    with pytest.raises(Conflict):
        services.publish(draft, DAY - datetime.timedelta(days=10), DAY + datetime.timedelta(days=5))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_broken_draft_cannot_be_published(published):
    draft = services.new_draft(published.item)
    step = draft.steps.get(key="review")
    step.limit_days = 99
    step.save()
    with pytest.raises(InvalidInput) as exc:
        services.publish(draft, DAY + datetime.timedelta(days=1))
    assert "超过法定时限" in exc.value.problems[0].message
    assert ProcessStep.objects.filter(version=draft, limit_days=99).exists()


def test_retire_withdraws_a_version(published):
    services.retire(published, DAY + datetime.timedelta(days=9))
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED
    with pytest.raises(Exception) as exc:
        current_version("SF-LS-006", DAY + datetime.timedelta(days=10))
    assert getattr(exc.value, "code", "") == "catalog.item_not_found"
    with pytest.raises(Conflict):
        services.retire(published, DAY)
