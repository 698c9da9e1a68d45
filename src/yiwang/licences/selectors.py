"""Reading licences: by case, by number, and their PDF (behind the caller's permission check)."""

from __future__ import annotations

import hashlib
import hmac

from yiwang.cases.models import Case
from yiwang.core.errors import Conflict
from yiwang.licences.models import Licence


def licence_for_case(case: Case) -> Licence | None:
    """The licence issued for ``case``, if any."""
    return Licence.objects.filter(case_id=case.pk).first()


def licence_by_number(number: str) -> Licence | None:
    return Licence.objects.filter(number=number.strip()).first()


def licence_to_verify(number: str, code: str) -> Licence | None:
    """The licence numbered ``number`` if ``code`` is the verification code printed on it; the
    same None for an unknown number, a wrong code or none, so that answers tell nothing apart."""
    found = licence_by_number(number) if number.strip() else None
    expected = found.verify_code if found is not None else ""
    given = code.strip().lower()
    # Constant time: how long the comparison takes says nothing about how much of it matched.
    matched = hmac.compare_digest(expected.encode(), given.encode())
    return found if found is not None and expected and matched else None


def open_pdf(licence: Licence) -> bytes:
    """The stored PDF, checked against the digest recorded at issue.

    No permission check here: the portal and the workbench call this after their own (the
    applicant of the case, staff who can see it). Raises ``licence.file_lost`` when the file is
    missing from storage and ``licence.tampered`` when its content changed.
    """
    try:
        with licence.file.storage.open(licence.file.name, "rb") as handle:
            content: bytes = handle.read()
    except FileNotFoundError:
        raise Conflict(
            "licence.file_lost", f"证照 {licence.number} 的文件已丢失，请从备份恢复"
        ) from None
    if hashlib.sha256(content).hexdigest() != licence.sha256:
        raise Conflict(
            "licence.tampered",
            f"证照 {licence.number} 的文件与签发时的摘要不一致，可能已被篡改",
        )
    return content
