"""Document numbers: one gapless sequence per organization, series and year."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from yiwang.documents.models import DocumentCounter, DocumentKind
from yiwang.documents.numbering import (
    KIND_ABBREVIATIONS,
    format_number,
    next_number,
    organization_prefix,
    series_of,
)
from yiwang.organizations.models import Level, Organization

ACCEPT = series_of(DocumentKind.ACCEPTANCE_NOTICE)


def test_the_prefix_is_the_place_name(tree: Any):
    assert organization_prefix(tree.province) == "河南省"
    assert organization_prefix(tree.city_a) == "郑州市"
    assert organization_prefix(tree.county_a1) == "郑州市中原区"
    assert organization_prefix(tree.township) == "中牟县城关镇"
    assert (
        organization_prefix(Organization(name="郑州市公共法律服务中心")) == "郑州市公共法律服务中心"
    )
    assert organization_prefix(Organization(name="司法局")) == "司法局"


def test_number_format(tree: Any):
    assert format_number(tree.city_a, ACCEPT, 2026, 12) == "郑州市司受〔2026〕第000012号"
    denial = series_of(DocumentKind.DENIAL_DECISION)
    assert format_number(tree.province, denial, 2027, 1) == "河南省司不许〔2027〕第000001号"


def test_decisions_of_items_that_are_not_licences_are_their_own_series(tree: Any):
    """A 法律援助 decision numbered 司许 would read as a 行政许可; it takes the series 决, whose
    sequence neither shares nor gaps the 许 and 不许 ones."""
    approve, deny = DocumentKind.APPROVAL_DECISION, DocumentKind.DENIAL_DECISION
    assert series_of(approve, licensing=False) == series_of(deny, licensing=False) == "决"
    assert next_number(tree.city_a, series_of(approve), 2026) == "郑州市司许〔2026〕第000001号"
    assert next_number(tree.city_a, series_of(approve, False), 2026) == (
        "郑州市司决〔2026〕第000001号"
    )
    assert next_number(tree.city_a, series_of(deny, False), 2026) == "郑州市司决〔2026〕第000002号"
    assert next_number(tree.city_a, series_of(approve), 2026) == "郑州市司许〔2026〕第000002号"
    assert "决" not in KIND_ABBREVIATIONS.values()


def test_every_kind_has_its_own_abbreviation():
    assert set(KIND_ABBREVIATIONS) == set(DocumentKind)
    assert len(set(KIND_ABBREVIATIONS.values())) == len(DocumentKind)


def test_numbers_run_per_organization_kind_and_year(tree: Any):
    first = next_number(tree.city_a, ACCEPT, 2026)
    second = next_number(tree.city_a, ACCEPT, 2026)
    assert (first, second) == ("郑州市司受〔2026〕第000001号", "郑州市司受〔2026〕第000002号")

    assert next_number(tree.city_a, series_of(DocumentKind.REFUSAL_DECISION), 2026) == (
        "郑州市司不受〔2026〕第000001号"
    )
    assert next_number(tree.city_b, ACCEPT, 2026) == "开封市司受〔2026〕第000001号"
    assert next_number(tree.city_a, ACCEPT, 2027) == "郑州市司受〔2027〕第000001号"
    assert next_number(tree.city_a, ACCEPT, 2026) == "郑州市司受〔2026〕第000003号"
    assert DocumentCounter.objects.get(organization=tree.city_a, series=ACCEPT, year=2026).last == 3


def test_numbers_of_all_organizations_and_kinds_are_distinct(tree: Any):
    orgs = [tree.province, tree.city_a, tree.county_a1, tree.county_a2, tree.township]
    numbers = [
        next_number(org, series_of(kind), 2026)
        for org in orgs
        for kind in DocumentKind
        for _ in range(3)
    ]
    assert len(set(numbers)) == len(numbers)


def test_a_rolled_back_issue_gives_its_number_back(tree: Any):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(tree.city_a, ACCEPT, 2026).endswith("第000001号")
        raise RuntimeError("the issue failed after numbering")
    assert next_number(tree.city_a, ACCEPT, 2026).endswith("第000001号")


def test_an_unknown_kind_creates_no_counter(tree: Any):
    with pytest.raises(ValueError):
        next_number(tree.city_a, series_of("receipt"), 2026)
    assert not DocumentCounter.objects.exists()


def test_losing_the_insert_race_retries_once(tree: Any):
    # Creating a missing counter: the other transaction's row is there by the time we retry.
    from yiwang.documents.numbering import _locked_counter

    DocumentCounter.objects.create(organization=tree.city_a, series=ACCEPT, year=2026, last=4)
    real = QuerySet.get_or_create
    calls: list[int] = []

    def racing(self: QuerySet, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: unique_document_counter")
        return real(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "get_or_create", racing):
        counter = _locked_counter(tree.city_a, ACCEPT, 2026)

    assert len(calls) == 2
    assert counter.last == 4


def test_an_existing_counter_is_incremented_in_one_statement(
    tree: Any, django_assert_num_queries: Any
):
    DocumentCounter.objects.create(organization=tree.city_a, series=ACCEPT, year=2026, last=7)
    with django_assert_num_queries(1):
        number = next_number(tree.city_a, ACCEPT, 2026)
    assert number == "郑州市司受〔2026〕第000008号"


def test_a_second_lost_race_is_an_error(tree: Any):
    with (
        mock.patch.object(QuerySet, "get_or_create", side_effect=IntegrityError("again")),
        pytest.raises(IntegrityError),
    ):
        next_number(tree.city_a, ACCEPT, 2026)


def test_the_transaction_survives_a_lost_race(tree: Any):
    # The savepoint around get_or_create keeps the surrounding transaction usable (PostgreSQL
    # would otherwise refuse every further statement in it).
    DocumentCounter.objects.create(organization=tree.city_a, series=ACCEPT, year=2026)
    real = QuerySet.get_or_create
    raised: list[bool] = []

    def racing(self: QuerySet, *args: Any, **kwargs: Any) -> Any:
        if not raised:
            raised.append(True)
            # A real failing statement inside the savepoint, as a lost race would be.
            DocumentCounter.objects.create(organization=tree.city_a, series=ACCEPT, year=2026)
        return real(self, *args, **kwargs)

    with transaction.atomic(), mock.patch.object(QuerySet, "get_or_create", racing):
        assert next_number(tree.city_a, ACCEPT, 2026).endswith("第000001号")
        assert Organization.objects.filter(level=Level.CITY).count() == 2
