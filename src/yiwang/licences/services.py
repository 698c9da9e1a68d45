"""Issuing, verifying and revoking electronic licences.

``issue_for`` runs inside the transaction of the step that concludes an approved case: the
number, the signed row and the stored PDF belong to that step, and a step that fails leaves no
licence (its number returns to the counter). The file itself is written to storage before the
commit and cannot be rolled back with it; such an orphan has no row pointing at it and is never
served, because storage is only read through a licence row; ``yiwang files sweep`` removes it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yiwang.accounts import access
from yiwang.accounts.models import ApplicantKind, Role, User
from yiwang.cases import engine
from yiwang.cases.models import Case, Outcome, Status
from yiwang.cases.record import record_beside_process
from yiwang.catalog.application_form import (
    NOT_GIVEN,
    FormField,
    display_rows,
    form_definition,
)
from yiwang.catalog.models import ItemVersion, ResultKind
from yiwang.core.errors import Conflict, Forbidden, InvalidInput
from yiwang.core.gm import GmError, sm2_sign, sm2_verify, sm3_hex
from yiwang.core.text import trimmed, unstorable
from yiwang.licences import keys
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.licences.numbering import next_number
from yiwang.licences.rendering import render_pdf
from yiwang.licences.selectors import open_pdf
from yiwang.organizations.models import Organization
from yiwang.organizations.seals import image_for

CONTENT_SCHEMA = 1


def _not_applicable(message: str) -> Conflict:
    return Conflict("licence.not_applicable", message)


def _check_applicable(case: Case, version: ItemVersion) -> None:
    if version.result_kind != ResultKind.LICENCE:
        raise _not_applicable(
            f"事项“{version.name}”的办理结果是{version.get_result_kind_display()}，不颁发电子证照"
        )
    if case.outcome != Outcome.APPROVED:
        raise _not_applicable(f"办件 {case.number} 未获准予许可，不颁发电子证照")
    if case.status not in (Status.CONCLUDED, Status.DELIVERED):
        raise _not_applicable(f"办件 {case.number} 尚未办结，不能颁发电子证照")


def _content(case: Case, version: ItemVersion, issuer: Organization) -> dict[str, Any]:
    """The facts printed besides number, name, holder, issuer and dates: the answers the
    item's form marks ``on_licence``, what the licence certifies. Everything else an applicant
    told (telephone, reasons, exam scores …) stays in the case, off the public check page."""
    definition = form_definition(version)
    printed = {
        entry.key
        for entry in definition.entries
        if isinstance(entry, FormField) and entry.on_licence
    }
    facts = [
        {"label": row.label, "value": row.value}
        for row in display_rows(definition, case.form_data)
        if not row.is_group and row.key in printed and row.value != NOT_GIVEN
    ]
    person = case.applicant.kind == ApplicantKind.PERSON
    return {
        "schema": CONTENT_SCHEMA,
        "case_number": case.number,
        "item_code": version.item.code,
        "item_name": version.name,
        "holder_kind": case.applicant.kind,
        "holder_id_label": "公民身份号码" if person else "统一社会信用代码",
        "issuer_credit_code": issuer.credit_code or "",
        # The issuer's seal in use, pressed on the PDF; inside the signed facts, so the
        # signature also says which seal the licence carries.
        "seal": issuer.seal_id,
        "facts": facts,
    }


def _draw(licence: Licence) -> bytes:
    """The PDF pressed with the seal the licence froze; an altered seal image stops it."""
    return render_pdf(licence, image_for(licence.content.get("seal")))


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _file_name(licence: Licence) -> str:
    # ASCII only (case numbers are credit code + digits): safe on every storage backend.
    sequence = licence.number.rsplit("第", 1)[-1].rstrip("号")
    return f"{licence.case.number}-licence-{licence.issued_on.year}-{sequence}.pdf"


def issue_for(
    case: Case, user: User | None, organization: Organization, *, render: bool = True
) -> Licence:
    """Issue the electronic licence of an approved, concluded licensing case, once.

    ``organization`` is the issuer: the organization that owns the case when it is concluded.
    A second call returns the licence already issued. Raises ``licence.not_applicable`` (409)
    for a case whose item yields no licence, that was not approved or is not concluded, and
    ``licence.wrong_issuer`` (403) when ``organization`` does not own the case.
    ``render=False`` signs and stores the licence at once and leaves the PDF to the first
    download (``licence_pdf``): the PDF is drawn from the signed row alone.
    """
    existing = Licence.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    version = case.item_version
    _check_applicable(case, version)
    if organization.pk != case.owner_org_id:
        raise Forbidden(
            "licence.wrong_issuer", f"“{organization.name}”不是办结该办件的机构，不能签发证照"
        )
    # Read the key before a number is taken: a missing key fails the step, not the counter.
    key = keys.signing_key()
    now = timezone.now()
    today = timezone.localdate(now)
    content = _content(case, version, organization)
    # No savepoint of its own inside a caller's transaction: a failure here fails the step.
    with transaction.atomic(savepoint=False):
        licence = Licence(
            case=case,
            number=next_number(organization, today.year),
            name=version.result_name,
            holder_name=case.applicant.name,
            holder_id_number=case.applicant.id_number,
            issuer=organization,
            issuer_name=organization.name,
            issued_on=today,
            valid_from=today,
            # The catalogue states no validity for any item: licences are issued without expiry.
            valid_to=None,
            content=content,
            public_key=key.public_hex,
            # Printed with the QR code, outside the signed payload (see the model).
            verify_code=secrets.token_hex(8),
            issued_by=user,
            created_at=now,
        )
        payload = licence.canonical_payload()
        licence.payload_sm3 = sm3_hex(payload)
        licence.signature = sm2_sign(key.private_hex, key.public_hex, payload)
        if render:
            pdf = _draw(licence)
            licence.file.save(_file_name(licence), ContentFile(pdf), save=False)
            licence.sha256 = _sha256(pdf)
        licence.save()
    return licence


def licence_pdf(licence: Licence) -> bytes:
    """The licence's PDF: the stored file (digest checked), or drawn once and stored.

    No permission check: the portal and the workbench call this behind their own.
    """
    if licence.file.name:
        return open_pdf(licence)
    pdf = _draw(licence)  # before the lock: rendering takes a while
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence.pk)
        if locked.file.name:
            return open_pdf(locked)
        name = locked.file.storage.save(_file_name(locked), ContentFile(pdf))
        # The row refuses changes through save(); the file is filled in exactly once here.
        Licence.objects.filter(pk=locked.pk, file="").update(file=name, sha256=_sha256(pdf))
    licence.file.name, licence.sha256 = name, _sha256(pdf)
    return pdf


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One verification step: what was checked, whether it passed, and what that means."""

    code: str
    label: str
    ok: bool
    detail: str


VERDICT_LABELS = {
    "valid": "真实有效",
    "revoked": "已撤销",
    "expired": "已过期",
    "invalid": "签名校验失败",
}


@dataclass(frozen=True)
class VerifyResult:
    checks: tuple[Check, ...]
    # valid, revoked, expired or invalid (the signed facts do not hold)
    verdict: str

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    @property
    def authentic(self) -> bool:
        """The facts are those the platform signed (whatever the licence's status)."""
        return self.verdict != "invalid"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def check(self, code: str) -> Check:
        return next(c for c in self.checks if c.code == code)


def verify(licence: Licence, today: datetime.date | None = None) -> VerifyResult:
    """Recompute the signed payload from the stored fields and check digest, signature, key,
    status and validity; every check is reported, whether or not an earlier one failed."""
    day = today or timezone.localdate()
    payload = licence.canonical_payload()
    digest_ok = sm3_hex(payload) == licence.payload_sm3
    try:
        signature_ok = sm2_verify(licence.public_key, payload, licence.signature)
    except GmError:
        signature_ok = False  # a stored public key that is no SM2 key at all
    key_ok = licence.public_key.lower() in keys.trusted_public_keys()
    revoked = licence.status != LicenceStatus.VALID
    expired = licence.valid_to is not None and licence.valid_to < day
    checks = (
        Check(
            "digest",
            "数据摘要（SM3）",
            digest_ok,
            "证照内容与签发时的摘要一致"
            if digest_ok
            else "证照内容与签发时的摘要不一致，可能已被篡改",
        ),
        Check(
            "signature",
            "电子签名（SM2）",
            signature_ok,
            "签名与证照内容相符" if signature_ok else "签名与证照内容不符",
        ),
        Check(
            "key",
            "签发密钥",
            key_ok,
            "签名公钥是本平台的证照签发公钥" if key_ok else "签名公钥不是本平台的证照签发公钥",
        ),
        Check(
            "status",
            "证照状态",
            not revoked,
            _status_detail(licence) if revoked else "证照未被撤销",
        ),
        Check(
            "validity",
            "有效期",
            not expired,
            f"已于{licence.valid_to:%Y-%m-%d}届满"
            if expired and licence.valid_to
            else "在有效期内",
        ),
    )
    if not (digest_ok and signature_ok and key_ok):
        verdict = "invalid"
    elif revoked:
        verdict = "revoked"
    elif expired:
        verdict = "expired"
    else:
        verdict = "valid"
    return VerifyResult(checks, verdict)


def _status_detail(licence: Licence) -> str:
    when = timezone.localtime(licence.revoked_at).date() if licence.revoked_at else None
    on = f"于{when.year}年{when.month}月{when.day}日" if when else ""
    return f"证照已{on}撤销，理由：{licence.revocation_reason}"


# --- Revocation -------------------------------------------------------------------------------


def revoke(licence: Licence, user: User, reason: str, *, client_addr: str = "") -> Licence:
    """Revoke a licence (撤销), for good. Only a 审批负责人 of the issuing organization may, and
    only with a reason; the facts and signature stay as issued, so verification still shows
    what was issued and that it was revoked. The revocation is an entry of the case's audit
    chain, written in the same transaction."""
    problem = unstorable(reason or "")  # before trimming, which would drop a NUL at either end
    if problem:
        raise InvalidInput("licence.reason_invalid", f"撤销理由{problem}")
    # Trimmed of invisible characters too: a reason of zero-width spaces reads as none. It is
    # shown on the public check page, so it is held to the engine's limit for reasons.
    text = trimmed(reason or "")
    if not text:
        raise InvalidInput("licence.reason_required", "撤销证照必须说明理由")
    if len(text) > engine.REASON_MAX_CHARS:
        raise InvalidInput(
            "licence.reason_too_long",
            f"撤销理由不能超过 {engine.REASON_MAX_CHARS} 字（现有 {len(text)} 字）",
        )
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("not_authenticated", "请先登录")
    access.require_act(user, Role.LEADER, licence.issuer)
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence.pk)
        if locked.status == LicenceStatus.REVOKED:
            raise Conflict("licence.already_revoked", f"证照 {locked.number} 已被撤销")
        locked.status = LicenceStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revocation_reason = text
        locked.revoked_by = user
        locked.save(update_fields=["status", "revoked_at", "revocation_reason", "revoked_by"])
        record_beside_process(
            locked.case_id,
            engine.Event(
                action="revoke_licence",
                role=Role.LEADER.value,
                organization_id=locked.issuer_id,
                reason=text,
                before={"licence_status": LicenceStatus.VALID.value},
                after={"licence_status": LicenceStatus.REVOKED.value},
                details={"licence": f"《{locked.name}》{locked.number}"},
            ),
            user,
            client_addr=client_addr,
        )
    return locked
