"""The public verification page (no login, shown with the licence's code) and the read-only
admin register."""

from __future__ import annotations

import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.core.tests.disposition import saved_as
from yiwang.licences import rendering
from yiwang.licences.models import Licence
from yiwang.licences.services import issue_for, revoke, verify
from yiwang.licences.tests.conftest import staff
from yiwang.licences.views import NO_MATCH, VERIFY_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(concluded_firm, province) -> Licence:
    return issue_for(concluded_firm(), staff("henan.clerk"), province)


FORM = "/verify/licence/"


def _page(client: Client, licence: Licence, **extra):
    """The page the licence's QR code opens."""
    return client.get(licence.verification_path, **extra)


def _bare(client: Client, number: str, **query):
    return client.get(reverse("licences:verify", args=[number]), query)


def _without_token(html: str) -> str:
    # The CSRF token is masked afresh on every page (form field and htmx header alike).
    return re.sub(r'"csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)


def _shows_the_licence(html: str, licence: Licence) -> bool:
    # Facts of a few characters ("50") could turn up anywhere in a page, a static file's hash
    # included: only the distinctive ones tell.
    facts = [f["value"] for f in licence.content["facts"] if len(f["value"]) >= 4]
    return licence.holder_name in html or any(value in html for value in facts)


def test_anyone_with_the_code_can_verify_a_valid_licence(client, licence):
    assert re.fullmatch(r"[0-9a-f]{16}", licence.verify_code)
    page = _page(client, licence)
    html = page.content.decode()
    assert page.status_code == 200
    assert "真实有效" in html and "签名校验失败" not in html
    for fact in (licence.number, licence.name, licence.holder_name, "河南省司法厅"):
        assert fact in html
    assert all(f["value"] in html for f in licence.content["facts"])
    assert "数据摘要（SM3）" in html and "电子签名（SM2）" in html and licence.payload_sm3 in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert 'name="robots" content="noindex"' in html


def test_the_address_in_the_qr_code_opens_the_page(client, licence):
    url = rendering.verification_url(licence)
    assert f"?c={licence.verify_code}" in url
    parts = urlsplit(url)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and "真实有效" in page.content.decode()


def test_without_the_code_the_page_asks_for_it_and_shows_nothing(client, licence):
    page = _bare(client, licence.number)
    html = page.content.decode()
    assert page.status_code == 200
    assert "核验码" in html and 'name="code"' in html and f'value="{licence.number}"' in html
    assert not _shows_the_licence(html, licence) and "真实有效" not in html
    # An unknown number gets the very same form: nothing tells which numbers were issued.
    missing = licence.number.replace("000001", "000999")
    other = _bare(client, missing)
    assert other.status_code == 200
    # (The number appears as typed and, in the sign-in link, percent-encoded.)
    assert _without_token(other.content.decode().replace("000999", "000001")) == (
        _without_token(html)
    )


def test_a_wrong_code_is_refused_as_an_unknown_number_is(client, licence):
    wrong = _bare(client, licence.number, c=licence.verify_code[::-1])
    html = wrong.content.decode()
    assert wrong.status_code == 404
    assert NO_MATCH in html and not _shows_the_licence(html, licence)
    missing = licence.number.replace("000001", "000999")
    unknown = _bare(client, missing, c=licence.verify_code)
    assert unknown.status_code == 404 and NO_MATCH in unknown.content.decode()


def test_the_form_shows_the_licence_for_its_number_and_code(client, licence):
    shown = client.post(FORM, {"number": licence.number, "code": licence.verify_code.upper()})
    assert shown.status_code == 200 and _shows_the_licence(shown.content.decode(), licence)
    wrong = client.post(FORM, {"number": licence.number, "code": "0" * 16})
    assert wrong.status_code == 404 and NO_MATCH in wrong.content.decode()
    empty = client.post(FORM, {"number": " ", "code": ""})
    html = empty.content.decode()
    assert empty.status_code == 400
    assert "请填写证照编号" in html and "请填写核验码" in html and 'aria-invalid="true"' in html
    assert client.get(FORM).status_code == 200


def test_wrong_codes_are_limited_per_client_address(client, licence):
    for _ in range(VERIFY_LIMIT):
        assert _bare(client, licence.number, c="0" * 16).status_code == 404
    blocked = _page(client, licence)  # not even the right code gets through now
    html = blocked.content.decode()
    assert blocked.status_code == 429 and "请 10 分钟后再试" in html
    assert not _shows_the_licence(html, licence)
    assert client.post(FORM, {"number": licence.number, "code": "1" * 16}).status_code == 429
    elsewhere = _page(client, licence, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200 and _shows_the_licence(elsewhere.content.decode(), licence)


def test_a_licence_issued_before_codes_gets_one_and_keeps_its_signature(client, licence):
    stored_pdf = licence.sha256
    # As the row stood before codes existed: the migration's column default.
    Licence.objects.filter(pk=licence.pk).update(verify_code="")
    old = Licence.objects.get(pk=licence.pk)
    assert old.verification_path == reverse("licences:verify", args=[old.number])
    assert _bare(client, old.number).status_code == 200  # its printed QR code: the form
    migration = importlib.import_module("yiwang.licences.migrations.0002_licence_verify_code")
    migration.give_codes(apps, None)

    given = Licence.objects.get(pk=licence.pk)
    assert re.fullmatch(r"[0-9a-f]{16}", given.verify_code)
    assert given.canonical_payload() == licence.canonical_payload()
    assert verify(given).ok  # the SM2 signature still holds
    assert given.sha256 == stored_pdf  # the PDF already handed out is kept as issued
    assert _shows_the_licence(_page(client, given).content.decode(), given)


def test_the_page_masks_the_holders_number(client, licence):
    number = licence.holder_id_number
    html = _page(client, licence).content.decode()
    assert number not in html
    assert number[:6] + "*" * (len(number) - 10) + number[-4:] in html


def test_the_page_says_when_the_signature_fails(client, licence):
    Licence.objects.filter(pk=licence.pk).update(holder_name="河南冒名律师事务所")
    html = _page(client, licence).content.decode()
    assert "签名校验失败" in html and "真实有效" not in html
    assert "未通过" in html and "可能已被篡改" in html


def test_the_page_shows_the_seal_only_while_the_signature_holds(client, licence):
    html = _page(client, licence).content.decode()
    assert "河南省司法厅（演示样章）" in html and "data:image/png;base64," in html
    Licence.objects.filter(pk=licence.pk).update(holder_name="河南冒名律师事务所")
    forged = _page(client, licence).content.decode()
    assert "签名校验失败" in forged and "data:image/png;base64," not in forged


def test_the_page_says_when_a_licence_was_revoked(client, licence):
    revoke(licence, staff("henan.leader"), "以欺骗手段取得许可")
    html = _page(client, licence).content.decode()
    assert "已撤销" in html and "以欺骗手段取得许可" in html
    assert "真实有效" not in html and "签名校验失败" not in html


def test_the_qr_address_takes_no_post(client, licence):
    assert client.post(reverse("licences:verify", args=[licence.number])).status_code == 405


def test_the_admin_lists_licences_read_only_and_serves_the_pdf(client, licence):
    admin = User.objects.create_superuser("licence.admin", password="x-test-pass-1")
    client.force_login(admin)
    listing = client.get("/admin/licences/licence/")
    assert listing.status_code == 200 and licence.number in listing.content.decode()
    detail = client.get(f"/admin/licences/licence/{licence.pk}/change/")
    assert detail.status_code == 200 and "真实有效" in detail.content.decode()
    assert client.get("/admin/licences/licence/add/").status_code == 403
    assert client.post(f"/admin/licences/licence/{licence.pk}/delete/").status_code == 403
    pdf = client.get(f"/admin/licences/licence/{licence.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert saved_as(pdf) == ("inline", f"电子证照-{licence.number}.pdf")


def test_the_admin_draws_a_licence_signed_without_its_pdf_on_first_download(
    client, concluded_firm, province
):
    unrendered = issue_for(concluded_firm(), staff("henan.clerk"), province, render=False)
    assert not unrendered.file.name
    admin = User.objects.create_superuser("licence.admin", password="x-test-pass-1")
    client.force_login(admin)
    pdf = client.get(f"/admin/licences/licence/{unrendered.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    unrendered.refresh_from_db()
    assert unrendered.file.name and unrendered.sha256
