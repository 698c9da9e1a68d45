"""The public verification page (no login) and the read-only admin register."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.core.tests.disposition import saved_as
from yiwang.licences import rendering
from yiwang.licences.models import Licence
from yiwang.licences.services import issue_for, revoke
from yiwang.licences.tests.conftest import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(concluded_firm, province) -> Licence:
    return issue_for(concluded_firm(), staff("henan.clerk"), province)


def _page(client: Client, number: str):
    return client.get(reverse("licences:verify", args=[number]))


def test_anyone_can_verify_a_valid_licence(client, licence):
    page = _page(client, licence.number)
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
    url = rendering.verification_url(licence.number)
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and licence.number in page.content.decode()


def test_the_page_masks_the_holders_number(client, licence):
    number = licence.holder_id_number
    html = _page(client, licence.number).content.decode()
    assert number not in html
    assert number[:6] + "*" * (len(number) - 10) + number[-4:] in html


def test_the_page_says_when_the_signature_fails(client, licence):
    Licence.objects.filter(pk=licence.pk).update(holder_name="河南冒名律师事务所")
    html = _page(client, licence.number).content.decode()
    assert "签名校验失败" in html and "真实有效" not in html
    assert "未通过" in html and "可能已被篡改" in html


def test_the_page_shows_the_seal_only_while_the_signature_holds(client, licence):
    html = _page(client, licence.number).content.decode()
    assert "河南省司法厅（演示样章）" in html and "data:image/png;base64," in html
    Licence.objects.filter(pk=licence.pk).update(holder_name="河南冒名律师事务所")
    forged = _page(client, licence.number).content.decode()
    assert "签名校验失败" in forged and "data:image/png;base64," not in forged


def test_the_page_says_when_a_licence_was_revoked(client, licence):
    revoke(licence, staff("henan.leader"), "以欺骗手段取得许可")
    html = _page(client, licence.number).content.decode()
    assert "已撤销" in html and "以欺骗手段取得许可" in html
    assert "真实有效" not in html and "签名校验失败" not in html


def test_an_unknown_number_is_a_404_in_chinese(client, licence):
    missing = licence.number.replace("000001", "000999")
    page = _page(client, missing)
    assert page.status_code == 404
    html = page.content.decode()
    assert "未找到该证照" in html and missing in html
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
