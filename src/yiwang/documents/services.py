"""Issuing documents and reading them back.

``issue`` numbers a document, freezes its context and (unless told not to) renders and stores
the PDF, all inside the caller's transaction: if the caller rolls back, the number is returned
to the counter and the row disappears. The file itself is written to storage before the commit
and cannot be rolled back with it; such an orphan file has no row pointing at it and is never
served (storage is only read through a document row); ``yiwang files sweep`` removes it.

``render=False`` skips the rendering (a few hundred milliseconds, and on SQLite the write lock
is held meanwhile): the row is numbered and frozen at once, and ``open_document`` renders the
PDF from the frozen context on first download and stores it. Because rendering is a pure
function of the context, that PDF is the document that was issued.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.core.errors import Conflict, InvalidInput
from yiwang.core.fastsql import insert_row
from yiwang.documents.context import build_context
from yiwang.documents.models import Document, DocumentKind
from yiwang.documents.numbering import format_number, next_sequence, series_of
from yiwang.documents.rendering import render_pdf
from yiwang.organizations.models import Organization
from yiwang.organizations.seals import image_for

NUMBER_PARTS = re.compile(r"〔(?P<year>\d{4})〕第(?P<sequence>\d+)号$")


def issue(
    case: Case,
    kind: str,
    *,
    organization: Organization,
    user: User | None = None,
    extra: Mapping[str, Any] | None = None,
    render: bool = True,
) -> Document:
    """Number, freeze and (when ``render``) render and store a document of ``kind`` for ``case``.

    ``organization`` is the issuing organization (发文机关) whose counter numbers the document;
    ``extra`` carries the facts the case does not hold (see ``yiwang.documents.context``).
    Raises ``InvalidInput`` (unknown kind, missing or malformed facts) before a number is spent.
    """
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        raise InvalidInput("documents.unknown_kind", f"未知的文书种类：{kind}") from None
    issued_at = timezone.now()
    issued_on = timezone.localdate(issued_at)
    # Check every fact first: a refused document must not take (even briefly) a number.
    context = build_context(
        case, document_kind, extra, organization=organization, issued_on=issued_on
    )
    # No savepoint of its own inside a caller's transaction: a failure here fails the step.
    with transaction.atomic(savepoint=False):
        series = series_of(document_kind, case.item_version.licensing)
        sequence = next_sequence(organization, series, issued_on.year)
        number = format_number(organization, series, issued_on.year, sequence)
        context["number"] = number
        # Printed on the letter (with a QR code): whoever holds it can check it online, while
        # nobody can list other people's letters by trying numbers.
        context["verify_code"] = secrets.token_hex(8)
        document = Document(
            case=case,
            kind=document_kind,
            number=number,
            organization=organization,
            context=context,
            issued_at=issued_at,
            issued_by=user,
        )
        if render:
            _attach(document, pdf_of(document_kind, context))
        # One prepared INSERT (a case step issues letters on its hot path).
        values = {
            f.attname: getattr(document, f.attname)
            for f in Document._meta.concrete_fields
            if not f.primary_key
        }
        try:
            document.pk = insert_row(Document, values)
        except IntegrityError:
            # The number is the row's only unique value: two organizations whose names reduce
            # to the same prefix (see numbering). Refuse clearly; the caller's step fails whole.
            raise Conflict(
                "documents.number_taken",
                f"文书编号 {number} 已被其他机构使用，请检查机构名称",
            ) from None
        document._state.adding = False
    return document


def document_to_verify(number: str, code: str) -> Document | None:
    """The document numbered ``number`` if ``code`` is the verification code printed on it."""
    found = Document.objects.select_related("case", "organization").filter(number=number).first()
    if found is None or not isinstance(found.context, dict):
        return None
    expected = str(found.context.get("verify_code") or "")
    if not expected or not hmac.compare_digest(expected.encode(), code.strip().lower().encode()):
        return None
    return found


def open_document(document: Document) -> bytes:
    """The PDF of ``document``: read from storage (digest checked), or rendered and stored once."""
    content = _read(document)
    if content is not None:
        return content
    return render_stored(document)


def render_stored(document: Document) -> bytes:
    """Render ``document`` from its frozen context and store the PDF if it is still missing.

    Rendering happens before the row is locked, so no lock is held for its duration; if another
    request stored the file meanwhile, that file wins and this rendering is dropped. A file that
    was stored once and has since been lost is written back under its recorded name only if
    the new rendering has the recorded digest (same software and fonts); otherwise the document
    must be restored from backup, never silently replaced.
    """
    content = pdf_of(document.kind, document.context)
    with transaction.atomic():
        stored = Document.objects.select_for_update().get(pk=document.pk)
        existing = _read(stored)
        if existing is not None:
            content = existing
        elif stored.sha256:
            if _sha256(content) != stored.sha256:
                raise Conflict(
                    "documents.file_lost",
                    f"文书 {stored.number} 的文件已丢失，重新生成的内容与原文件摘要不一致，请从备份恢复",
                )
            saved = stored.file.storage.save(stored.file.name, ContentFile(content))
            if saved != stored.file.name:
                stored.file.storage.delete(saved)
                raise Conflict("documents.file_lost", f"文书 {stored.number} 的文件无法按原名恢复")
        else:
            _attach(stored, content)
            stored.save(update_fields=["file", "sha256", "size"])
    # Let the caller's instance reflect what is stored, so that it can be saved or read again.
    document.file = stored.file.name
    document.sha256, document.size = stored.sha256, stored.size
    document._stored = dict(stored._stored)
    return content


def pdf_of(kind: str, context: dict[str, Any]) -> bytes:
    """The letter drawn from its frozen context, pressed with the seal the context names.

    A seal image altered since it was registered stops the drawing (``Conflict``): a letter
    is never drawn with another seal, or none, in place of its own."""
    return render_pdf(kind, context, image_for(context.get("seal")))


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _file_name(document: Document) -> str:
    parts = NUMBER_PARTS.search(document.number)
    suffix = (
        f"{parts['year']}-{parts['sequence']}" if parts else _sha256(document.number.encode())[:12]
    )
    # ASCII only (case numbers are credit code + digits): safe on every storage backend.
    return f"{document.case.number}-{document.kind}-{suffix}.pdf"


def _attach(document: Document, content: bytes) -> None:
    document.file.save(_file_name(document), ContentFile(content), save=False)
    document.sha256 = _sha256(content)
    document.size = len(content)


def _read(document: Document) -> bytes | None:
    """The stored bytes, or None when no file was stored or it is missing from storage."""
    name = document.file.name
    if not name:
        return None
    try:
        with document.file.storage.open(name, "rb") as handle:
            content: bytes = handle.read()
    except FileNotFoundError:
        return None
    if document.sha256 and _sha256(content) != document.sha256:
        raise Conflict(
            "documents.tampered",
            f"文书 {document.number} 的文件与出具时的摘要不一致，可能已被篡改",
        )
    return content
