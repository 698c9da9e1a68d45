"""Issuing a licence at the conclusion of an approved case, verifying it, revoking it."""

from __future__ import annotations

import hashlib
import io
import re
from urllib.parse import quote, unquote, urlsplit

import pytest
import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import resolve
from PIL import Image
from pypdf import PdfReader

from yiwang.audit.models import AuditEntry
from yiwang.audit.services import verify as audit_verify
from yiwang.cases.models import Case, Status
from yiwang.core import printed
from yiwang.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from yiwang.core.gm import generate_sm2_keypair, sm2_sign, sm2_verify, sm3_hex
from yiwang.documents.tests.pdftools import compact, pdf_text
from yiwang.licences import keys, rendering, services
from yiwang.licences.models import Licence, LicenceCounter, LicenceStatus
from yiwang.licences.selectors import licence_by_number, licence_for_case, open_pdf
from yiwang.licences.services import issue_for, revoke, verify
from yiwang.licences.tests.conftest import (
    APPROVE,
    CONCLUDE,
    DENY,
    NAME_APPROVAL,
    NAME_APPROVAL_STEPS,
    run,
    staff,
    submitted,
)
from yiwang.organizations.seals import SealImage, image_for

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^河南省司证〔\d{4}〕第000001号$")


@pytest.fixture
def case(concluded_firm) -> Case:
    return concluded_firm()


@pytest.fixture
def licence(case, province) -> Licence:
    return issue_for(case, staff("henan.clerk"), province)


def _code(excinfo: pytest.ExceptionInfo[DomainError]) -> str:
    return excinfo.value.code


# --- Issuing ----------------------------------------------------------------------------------


def test_an_approved_concluded_case_gets_its_licence(case, licence, province):
    applicant = case.applicant
    assert case.status == Status.CONCLUDED and case.owner_org_id == province.pk
    assert NUMBER.match(licence.number)
    assert licence.case_id == case.pk and licence_for_case(case) == licence
    assert licence.name == "律师事务所执业许可证" == case.item_version.result_name
    assert (licence.holder_name, licence.holder_id_number) == (applicant.name, applicant.id_number)
    assert (licence.issuer, licence.issuer_name) == (province, "河南省司法厅")
    assert licence.issued_on == licence.valid_from and licence.valid_to is None
    assert licence.status == LicenceStatus.VALID and licence.issued_by == staff("henan.clerk")
    assert licence_by_number(licence.number) == licence


def test_the_content_prints_the_answers_the_form_marks_for_the_licence(case, licence):
    content = licence.content
    assert content["item_code"] == "SF-LS-006" and content["item_name"] == "律师事务所设立许可"
    assert content["case_number"] == case.number
    assert content["holder_id_label"] == "统一社会信用代码"
    facts = {fact["label"]: fact["value"] for fact in content["facts"]}
    form = case.form_data
    assert facts["律师事务所名称"] == form["firm_name"]
    assert facts["组织形式"] == form["organization"]
    assert facts["住所"] == form["address"]
    assert facts["负责人"] == form["head_name"]
    # Only what the licence certifies, in the form's order: not the name pre-approval number
    # asked for the review, the telephone, nor the partners' table with their ID numbers.
    assert list(facts) == ["律师事务所名称", "组织形式", "住所", "资产数额（万元）", "负责人"]


def test_the_pdf_is_stored_with_its_digest_and_prints_the_facts(licence):
    content = open_pdf(licence)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == licence.sha256
    assert licence.file.name.startswith("licences/") and licence.file.name.endswith(".pdf")
    text = pdf_text(content)
    assert text is not None
    printed = compact(text)
    for fact in (
        licence.name,
        licence.number,
        licence.holder_name,
        licence.holder_id_number,
        licence.issuer_name,
        licence.payload_sm3,
        f"核验码{licence.verify_code}",  # under the QR code, for typing in where no camera is
        *(fact["value"].replace(" ", "") for fact in licence.content["facts"]),
    ):
        assert fact in printed
    assert len(PdfReader(io.BytesIO(content)).pages) == 1


def test_the_qr_code_holds_the_absolute_address_of_the_verification_page(licence, settings):
    settings.YIWANG_PUBLIC_BASE_URL = "https://yiwang.example.gov.cn"
    url = rendering.verification_url(licence)
    assert url == (
        f"https://yiwang.example.gov.cn/verify/licence/{quote(licence.number)}/"
        f"?c={licence.verify_code}"
    )
    assert url.isascii()
    assert resolve(unquote(urlsplit(url).path)).kwargs == {"number": licence.number}
    seal = image_for(licence.content["seal"])  # the demo issuer's specimen
    context = rendering.render_context(licence, seal)
    assert context["verification_url"] == url
    html = rendering.render_html(licence, seal)
    # The symbol drawn is segno's encoding of exactly that address, and of no other.
    assert str(rendering.qr_svg(url)) in html
    assert printed.qr_code(url).matrix == segno.make(url, error="m").matrix
    assert str(rendering.qr_svg(url.replace("licence", "licenses"))) not in html


def test_the_base_address_comes_from_the_environment_and_is_checked(licence, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from yiwang.settings import public_base_url_from_env

    monkeypatch.delenv("YIWANG_PUBLIC_BASE_URL", raising=False)
    assert public_base_url_from_env() == "http://127.0.0.1:8000"
    monkeypatch.setenv("YIWANG_PUBLIC_BASE_URL", " https://yiwang.example.gov.cn/ ")
    assert public_base_url_from_env() == "https://yiwang.example.gov.cn"
    for bad in ("yiwang.example.gov.cn", "ftp://x.cn", "https://", "https://a b.cn"):
        monkeypatch.setenv("YIWANG_PUBLIC_BASE_URL", bad)
        with pytest.raises(ImproperlyConfigured):
            public_base_url_from_env()
    assert rendering.verification_url(licence).startswith("http://127.0.0.1:8000/verify/licence/")


def test_each_licence_has_its_own_code_outside_the_signed_facts(licence, concluded_firm, province):
    assert re.fullmatch(r"[0-9a-f]{16}", licence.verify_code)
    assert licence.verify_code.encode() not in licence.canonical_payload()
    other = issue_for(concluded_firm(), staff("henan.clerk"), province)
    assert other.verify_code != licence.verify_code
    stored = Licence.objects.get(pk=licence.pk)
    stored.verify_code = "0" * 16
    with pytest.raises(ValidationError):
        stored.save()  # a printed code, like the facts, never changes


def test_the_signature_covers_the_canonical_payload_and_verifies(licence):
    payload = licence.canonical_payload()
    assert payload == Licence.objects.get(pk=licence.pk).canonical_payload()
    assert b": " not in payload and b", " not in payload  # compact
    assert licence.number.encode() in payload  # UTF-8, not \u escapes
    assert sm3_hex(payload) == licence.payload_sm3
    assert licence.public_key == keys.signing_key().public_hex
    assert sm2_verify(licence.public_key, payload, licence.signature)
    result = verify(licence)
    assert result.ok and result.verdict == "valid" and result.label == "真实有效"
    assert all(check.ok for check in result.checks)
    assert [c.code for c in result.checks] == ["digest", "signature", "key", "status", "validity"]


def test_a_second_issue_returns_the_same_licence_and_spends_no_number(
    case, licence, province, concluded_firm
):
    again = issue_for(case, staff("henan.clerk"), province)
    assert again.pk == licence.pk and again.number == licence.number
    assert Licence.objects.filter(case=case).count() == 1
    other = issue_for(concluded_firm(), staff("henan.clerk"), province)
    assert other.number == licence.number.replace("000001", "000002")
    assert other.public_key == licence.public_key  # one issuing key, reused


def test_a_denied_case_gets_no_licence(concluded_firm, province):
    case = concluded_firm(decision=DENY)
    with pytest.raises(Conflict) as excinfo:
        issue_for(case, staff("henan.clerk"), province)
    assert _code(excinfo) == "licence.not_applicable"
    assert "未获准予" in excinfo.value.message
    assert not Licence.objects.exists() and not LicenceCounter.objects.exists()


def test_an_item_whose_result_is_a_decision_gets_no_licence(demo_province, province):
    case = run(submitted(NAME_APPROVAL, "河南省司法厅"), [*NAME_APPROVAL_STEPS, APPROVE, CONCLUDE])
    assert case.outcome == "approved" and case.item_version.result_kind == "decision"
    with pytest.raises(Conflict) as excinfo:
        issue_for(case, staff("henan.clerk"), province)
    assert _code(excinfo) == "licence.not_applicable"
    assert "不颁发电子证照" in excinfo.value.message
    assert not Licence.objects.exists()


def test_a_case_not_yet_concluded_gets_no_licence(concluded_firm, province):
    case = concluded_firm(conclude=False)
    with pytest.raises(Conflict) as excinfo:
        issue_for(case, staff("henan.clerk"), province)
    assert _code(excinfo) == "licence.not_applicable"
    assert "尚未办结" in excinfo.value.message


def test_only_the_organization_owning_the_case_issues(case):
    county = case.accepting_org
    with pytest.raises(Forbidden) as excinfo:
        issue_for(case, staff("henan.clerk"), county)
    assert _code(excinfo) == "licence.wrong_issuer"
    assert not LicenceCounter.objects.exists()


def test_a_failed_step_leaves_no_licence_and_returns_the_number(case, province, monkeypatch):
    with pytest.raises(RuntimeError), transaction.atomic():
        issued = issue_for(case, staff("henan.clerk"), province)
        assert NUMBER.match(issued.number)
        raise RuntimeError("a later part of the step fails")
    assert licence_for_case(case) is None and not LicenceCounter.objects.exists()

    def broken(licence: Licence, seal: SealImage | None) -> bytes:
        raise OSError("renderer unavailable")

    monkeypatch.setattr(services, "render_pdf", broken)
    with pytest.raises(OSError), transaction.atomic():
        issue_for(case, staff("henan.clerk"), province)
    assert licence_for_case(case) is None
    monkeypatch.undo()
    assert NUMBER.match(issue_for(case, staff("henan.clerk"), province).number)


# --- Verification -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"holder_name": "河南冒名律师事务所"},
        {"holder_id_number": "91410100MA00000001"},
        {"name": "律师事务所分所执业许可证"},
        {"issuer_name": "郑州市司法局"},
        {"number": "河南省司证〔2026〕第999999号"},
    ],
)
def test_a_changed_stored_fact_fails_verification(licence, change):
    Licence.objects.filter(pk=licence.pk).update(**change)
    result = verify(Licence.objects.get(pk=licence.pk))
    assert result.verdict == "invalid" and result.label == "签名校验失败"
    assert not result.check("digest").ok and not result.check("signature").ok
    assert result.check("key").ok and result.check("status").ok


def test_a_changed_printed_answer_fails_verification(licence):
    content = dict(licence.content)
    content["facts"] = [
        {**f, "value": "伪造"} if f["label"] == "住所" else f for f in content["facts"]
    ]
    Licence.objects.filter(pk=licence.pk).update(content=content)
    assert verify(Licence.objects.get(pk=licence.pk)).verdict == "invalid"


def test_the_licence_carries_its_issuers_seal_under_the_signature(licence, province):
    assert licence.content["seal"] == province.seal_id is not None
    [image] = [found.image for found in PdfReader(io.BytesIO(open_pdf(licence))).pages[0].images]
    seal = image_for(province.seal_id)
    assert seal is not None
    with Image.open(io.BytesIO(seal.png)) as expected:
        assert image.convert("RGBA").tobytes() == expected.convert("RGBA").tobytes()
    # Which seal it carries is a signed fact: another seal's digest breaks the signature.
    content = {**licence.content, "seal": "0" * 64}
    Licence.objects.filter(pk=licence.pk).update(content=content)
    assert verify(Licence.objects.get(pk=licence.pk)).verdict == "invalid"


def test_a_row_re_signed_with_another_key_is_not_vouched_for(licence):
    forged = Licence.objects.get(pk=licence.pk)
    forged.holder_name = "河南冒名律师事务所"
    private_hex, public_hex = generate_sm2_keypair()
    payload = forged.canonical_payload()
    Licence.objects.filter(pk=licence.pk).update(
        holder_name=forged.holder_name,
        payload_sm3=sm3_hex(payload),
        signature=sm2_sign(private_hex, public_hex, payload),
        public_key=public_hex,
    )
    result = verify(Licence.objects.get(pk=licence.pk))
    assert result.check("digest").ok and result.check("signature").ok
    assert not result.check("key").ok and result.verdict == "invalid"


def test_a_garbled_signature_or_key_fails_without_error(licence):
    Licence.objects.filter(pk=licence.pk).update(signature="zz", public_key="not-a-key")
    result = verify(Licence.objects.get(pk=licence.pk))
    assert not result.check("signature").ok and not result.check("key").ok
    assert result.verdict == "invalid"


# --- Revocation -------------------------------------------------------------------------------


def test_revocation_needs_a_reason_and_the_issuers_leader(licence):
    with pytest.raises(InvalidInput) as excinfo:
        revoke(licence, staff("henan.leader"), "  ")
    assert _code(excinfo) == "licence.reason_required"
    with pytest.raises(InvalidInput) as excinfo:
        revoke(licence, staff("henan.leader"), "理由\x00")
    assert _code(excinfo) == "licence.reason_invalid"
    for username in ("henan.clerk", "zhengzhou.leader"):
        with pytest.raises(Forbidden):
            revoke(licence, staff(username), "以欺骗手段取得许可")
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.VALID


@pytest.mark.parametrize(
    ("reason", "code", "message"),
    [
        ("\u200b", "licence.reason_required", "撤销证照必须说明理由"),
        ("\u3000\u200b\u2060\ufeff", "licence.reason_required", "撤销证照必须说明理由"),
        ("理由\ud800", "licence.reason_invalid", "撤销理由含有无法识别的字符，无法保存"),
        ("欺" * 501, "licence.reason_too_long", "撤销理由不能超过 500 字（现有 501 字）"),
        ("欺" * 200_000, "licence.reason_too_long", "撤销理由不能超过 500 字（现有 200000 字）"),
    ],
)
def test_a_revocation_reason_must_read_as_one_and_fit_the_record(licence, reason, code, message):
    head = Case.objects.get(pk=licence.case_id).audit_head
    with pytest.raises(InvalidInput) as excinfo:
        revoke(licence, staff("henan.leader"), reason)
    assert (_code(excinfo), excinfo.value.message) == (code, message)
    stored = Licence.objects.get(pk=licence.pk)
    assert stored.status == LicenceStatus.VALID and stored.revocation_reason == ""
    assert Case.objects.get(pk=licence.case_id).audit_head == head


def test_a_reason_of_the_engines_length_is_kept_trimmed(licence):
    reason = "\u200b " + "欺" * 500 + "\u3000"
    revoked = revoke(licence, staff("henan.leader"), reason)
    assert Licence.objects.get(pk=revoked.pk).revocation_reason == "欺" * 500


def test_the_api_refuses_a_reason_of_invisible_characters_or_too_long(client, licence):
    from yiwang.accounts.tokens import issue_token

    leader = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(staff('henan.leader'), '测试')}"}
    url = f"/api/v1/cases/{licence.case.number}/licence/revoke"
    for reason, status, code in [
        ("\u200b", 400, "licence.reason_required"),
        ("欺" * 200_000, 400, "licence.reason_too_long"),
        ("理由\ud800", 400, "request.text_invalid"),
    ]:
        answer = client.post(url, {"reason": reason}, content_type="application/json", **leader)
        assert (answer.status_code, answer.json()["code"]) == (status, code), reason
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.VALID
    page = client.get(licence.verification_path).content.decode()
    assert "欺欺欺" not in page


def test_a_revoked_licence_verifies_as_revoked_for_good(licence):
    revoked = revoke(licence, staff("henan.leader"), "以欺骗手段取得许可（行政许可法第69条）")
    assert revoked.status == LicenceStatus.REVOKED and revoked.revoked_at is not None
    assert revoked.revoked_by == staff("henan.leader")
    result = verify(Licence.objects.get(pk=licence.pk))
    assert result.verdict == "revoked" and result.label == "已撤销"
    assert result.authentic and not result.ok
    assert "以欺骗手段取得许可" in result.check("status").detail
    with pytest.raises(Conflict) as excinfo:
        revoke(licence, staff("henan.leader"), "再次撤销")
    assert _code(excinfo) == "licence.already_revoked"
    restored = Licence.objects.get(pk=licence.pk)
    restored.status, restored.revoked_at, restored.revocation_reason = "valid", None, ""
    with pytest.raises(ValidationError):
        restored.save()


def test_a_revocation_is_an_entry_of_the_cases_audit_chain(licence, case):
    before = Case.objects.get(pk=case.pk)
    revoke(licence, staff("henan.leader"), "以欺骗手段取得许可", client_addr="10.1.2.3")
    after = Case.objects.get(pk=case.pk)
    assert after.version == before.version + 1
    assert after.audit_seq == before.audit_seq + 1
    entry = AuditEntry.objects.get(case_id=case.pk, seq=after.audit_seq)
    assert (entry.action, entry.role, entry.reason, entry.client_addr) == (
        "revoke_licence",
        "leader",
        "以欺骗手段取得许可",
        "10.1.2.3",
    )
    assert entry.organization_id == licence.issuer_id and entry.actor_name
    assert entry.prev_hash == before.audit_head and entry.hash == after.audit_head
    assert entry.before == {"licence_status": "valid"}
    assert entry.after == {
        "licence_status": "revoked",
        "details": {"licence": f"《{licence.name}》{licence.number}"},
    }
    assert audit_verify().ok


def test_a_refused_revocation_writes_nothing_to_the_record(licence, case):
    head = Case.objects.get(pk=case.pk).audit_head
    with pytest.raises(Forbidden):
        revoke(licence, staff("henan.clerk"), "以欺骗手段取得许可")
    assert Case.objects.get(pk=case.pk).audit_head == head


def test_a_step_written_meanwhile_makes_the_revocation_fail_whole(licence, case, monkeypatch):
    """Between the revocation's read of the case and its write another writer committed (as
    on PostgreSQL, where nothing locks the case row): the revocation is refused, and neither
    the licence nor the chain changes."""
    from yiwang.cases import record

    real_append = record.append_event

    def append_after_another_writer(*args, **kwargs):
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        return real_append(*args, **kwargs)

    monkeypatch.setattr(record, "append_event", append_after_another_writer)
    head = Case.objects.get(pk=case.pk).audit_head
    with pytest.raises(Conflict) as excinfo:
        revoke(licence, staff("henan.leader"), "以欺骗手段取得许可")
    assert _code(excinfo) == "case.conflict"
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.VALID
    assert Case.objects.get(pk=case.pk).audit_head == head
    assert not AuditEntry.objects.filter(case_id=case.pk, action="revoke_licence").exists()


# --- Immutability and the file ----------------------------------------------------------------


def test_an_issued_licence_never_changes_and_is_never_deleted(licence):
    stored = Licence.objects.get(pk=licence.pk)
    stored.holder_name = "河南冒名律师事务所"
    with pytest.raises(ValidationError):
        stored.save()
    fresh = Licence.objects.get(pk=licence.pk)
    fresh.revocation_reason = "只改理由而不撤销"
    with pytest.raises(ValidationError):
        fresh.save()
    with pytest.raises(ValidationError):
        Licence.objects.get(pk=licence.pk).delete()
    with pytest.raises(ValidationError):
        Licence.objects.filter(pk=licence.pk).delete()
    copy = Licence.objects.get(pk=licence.pk)
    copy._state.adding = False
    del copy._stored
    with pytest.raises(ValidationError):
        copy.save()
    assert Licence.objects.get(pk=licence.pk).holder_name == licence.holder_name


def test_open_pdf_refuses_a_changed_or_lost_file(licence):
    storage, name = licence.file.storage, licence.file.name
    with storage.open(name, "wb") as handle:
        handle.write(b"%PDF-1.7 something else")
    with pytest.raises(Conflict) as excinfo:
        open_pdf(licence)
    assert _code(excinfo) == "licence.tampered"
    storage.delete(name)
    with pytest.raises(Conflict) as excinfo:
        open_pdf(licence)
    assert _code(excinfo) == "licence.file_lost"
