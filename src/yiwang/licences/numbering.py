"""Licence numbers (证照编号): ``<机关代字>司证〔YYYY〕第NNNNNN号``.

Example: the first licence 河南省司法厅 issues in 2026 is "河南省司证〔2026〕第000001号". The
机关代字 is the place name, exactly as in letter numbers (``documents.numbering``), so it stays
unique across the province; "证" marks a licence and is no letter kind's abbreviation. The
sequence restarts at 1 every year for each issuing organization.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from yiwang.documents.numbering import SEQUENCE_WIDTH, organization_prefix
from yiwang.licences.models import LicenceCounter
from yiwang.organizations.models import Organization


def format_number(organization: Organization, year: int, sequence: int) -> str:
    return f"{organization_prefix(organization)}司证〔{year}〕第{str(sequence).zfill(SEQUENCE_WIDTH)}号"


def next_sequence(organization: Organization, year: int) -> int:
    """Take the next sequence number; it is spent only if the surrounding transaction commits.

    The UPDATE locks the counter row until the transaction ends (on SQLite the IMMEDIATE
    transaction already serializes writers), so concurrent issuers get consecutive numbers and
    a rolled-back issue returns its number.
    """
    counters = LicenceCounter.objects.filter(organization=organization, year=year)
    if not counters.update(last=F("last") + 1):
        try:
            # A savepoint, so that losing the insert race leaves the caller's transaction usable
            # (PostgreSQL aborts a transaction on any failed statement).
            with transaction.atomic():
                LicenceCounter.objects.create(organization=organization, year=year, last=1)
            return 1
        except IntegrityError:
            # Another transaction created the row meanwhile: it exists now, take the next one.
            counters.update(last=F("last") + 1)
    return int(counters.values_list("last", flat=True).get())


def next_number(organization: Organization, year: int) -> str:
    return format_number(organization, year, next_sequence(organization, year))
