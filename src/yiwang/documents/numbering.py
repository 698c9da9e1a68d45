"""Document numbers (发文字号): ``<机关代字>司<种类代字>〔YYYY〕第NNNNNN号``.

Example: the 12th acceptance notice of 郑州市司法局 in 2026 is "郑州市司受〔2026〕第000012号".

- 机关代字 (``organization_prefix``): the organization's name without its trailing
  "司法厅" / "司法局" / "司法所", i.e. the place name: 河南省司法厅 → 河南省, 郑州市司法局 → 郑州市,
  郑州市中原区司法局 → 郑州市中原区, 中牟县城关镇司法所 → 中牟县城关镇. The whole place name is kept
  (not shortened to "豫" or "郑") because it must stay unique across the province without a
  hand-kept table: two bureaus never share a full place name. An organization whose name has
  none of these endings (e.g. a 公共法律服务中心) keeps its full name, so it can never collide
  with the bureau of the same place.
- "司" marks the judicial-administration system, then the series' abbreviation (代字, ``series_of``):
  one per kind (``KIND_ABBREVIATIONS``), except that the decisions of items that are not
  行政许可 (法律援助, 备案, 核准 …) form their own series "决", for "许" would say 许可.
- 〔〕 are the hexagonal brackets GB/T 9704 prescribes around the year; the sequence restarts at 1
  every year for each organization and series, zero-padded to six digits.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from yiwang.documents.models import DocumentCounter, DocumentKind
from yiwang.organizations.models import Organization

KIND_ABBREVIATIONS: dict[DocumentKind, str] = {
    DocumentKind.ACCEPTANCE_NOTICE: "受",
    DocumentKind.REFUSAL_DECISION: "不受",
    DocumentKind.SUPPLEMENT_NOTICE: "补",
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: "特",
    DocumentKind.EXTENSION_NOTICE: "延",
    DocumentKind.APPROVAL_DECISION: "许",
    DocumentKind.DENIAL_DECISION: "不许",
}

DECISION_SERIES = "决"
_DECISIONS = (DocumentKind.APPROVAL_DECISION, DocumentKind.DENIAL_DECISION)


def series_of(kind: str, licensing: bool = True) -> str:
    """The number series (代字) a document of ``kind`` takes; ``licensing``: a 行政许可 item."""
    document_kind = DocumentKind(kind)  # an unknown kind is refused before any counter exists
    if document_kind in _DECISIONS and not licensing:
        return DECISION_SERIES
    return KIND_ABBREVIATIONS[document_kind]


# Longest first, so that no ending is cut off by a shorter one it contains.
AGENCY_SUFFIXES = ("司法厅", "司法局", "司法所")
SEQUENCE_WIDTH = 6


def organization_prefix(organization: Organization) -> str:
    """The place-name part of an organization's document numbers (see the module docstring)."""
    name = organization.name.strip()
    for suffix in AGENCY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def format_number(organization: Organization, series: str, year: int, sequence: int) -> str:
    return (
        f"{organization_prefix(organization)}司{series}"
        f"〔{year}〕第{str(sequence).zfill(SEQUENCE_WIDTH)}号"
    )


def _locked_counter(organization: Organization, series: str, year: int) -> DocumentCounter:
    """The counter row, created if needed, locked until the surrounding transaction ends."""
    for attempt in (1, 2):
        try:
            # A savepoint, so that losing the insert race below leaves the caller's
            # transaction usable (PostgreSQL aborts a transaction on any failed statement).
            with transaction.atomic():
                counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
                    organization=organization, series=series, year=year
                )
            return counter
        except IntegrityError:
            # Another transaction inserted the same (organization, series, year) row between our
            # SELECT and INSERT. It exists now: the second attempt finds and locks it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def next_sequence(organization: Organization, series: str, year: int) -> int:
    """Take the next sequence number; it is only spent if the surrounding transaction commits."""
    # The common case is one statement: increment and read back under the row lock the UPDATE
    # itself takes (RETURNING works on SQLite ≥ 3.35 and PostgreSQL).
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 "
            "WHERE organization_id = %s AND series = %s AND year = %s RETURNING last",
            [organization.pk, series, year],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    with transaction.atomic():
        counter = _locked_counter(organization, series, year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def next_number(organization: Organization, series: str, year: int) -> str:
    """Take the next document number of ``organization`` in ``series`` for ``year``.

    The counter row is locked with ``SELECT … FOR UPDATE`` (on SQLite the IMMEDIATE transaction
    already serializes writers), so concurrent issuers get consecutive, distinct numbers, and a
    rolled-back issue returns its number: numbers have no gaps.
    """
    return format_number(organization, series, year, next_sequence(organization, series, year))
