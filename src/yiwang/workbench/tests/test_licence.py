"""Staff download the signed licence of a case they can see; others get 403."""

from __future__ import annotations

from django.urls import reverse

from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.models import ItemVersion
from yiwang.core.tests.disposition import saved_as
from yiwang.licences.selectors import licence_for_case
from yiwang.workbench.tests.conftest import ZHONGMOU, login

ITEM = "SF-LS-006"  # 律师事务所设立许可: county window → city → province, yields a licence


def _approved(demo):
    from django.utils import timezone

    version = ItemVersion.objects.valid_on(timezone.localdate()).get(item__code=ITEM)
    case = demo.submit(item=ITEM, org=ZHONGMOU, form_data=example_data(form_definition(version)))
    case = demo.act(case, "accept", "zhongmou.clerk")
    case = demo.act(case, "review", "zhengzhou.handler")
    case = demo.act(case, "hand_over", "zhengzhou.reviewer")
    case = demo.act(case, "decide", "henan.leader", decision="approve")
    return demo.act(case, "conclude", "henan.clerk")


def test_the_licence_is_on_the_case_page_and_downloads(client, demo):
    case = _approved(demo)
    licence = licence_for_case(case)
    assert licence is not None and licence.issuer.name == "河南省司法厅"
    client = login(client, demo, "henan.clerk")
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    # The check page's link carries the licence's code, shown beside it for reading out.
    assert licence.number in page and f'href="{licence.verification_path}"' in page
    assert f"?c={licence.verify_code}" in licence.verification_path and licence.verify_code in page
    pdf = client.get(f"/work/cases/{case.number}/licence.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert saved_as(pdf) == ("inline", f"电子证照-{licence.number}.pdf")


def test_a_clerk_of_another_county_cannot_download_it(client, demo):
    case = _approved(demo)
    client = login(client, demo, "lankao.clerk")
    assert client.get(f"/work/cases/{case.number}/licence.pdf").status_code == 403


def test_no_licence_is_a_404(client, demo):
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    assert client.get(f"/work/cases/{case.number}/licence.pdf").status_code == 404


def _revoke_form(page: str, number: str) -> bool:
    return reverse("workbench:revoke_licence", args=[number]) in page


def test_the_issuers_leader_revokes_it_from_the_case_page(client, demo):
    case = _approved(demo)
    licence = licence_for_case(case)
    assert licence is not None
    client = login(client, demo, "henan.leader")
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert _revoke_form(page, case.number)
    response = client.post(
        reverse("workbench:revoke_licence", args=[case.number]),
        {"reason": "以欺骗手段取得许可（行政许可法第69条）"},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"证照 {licence.number} 已撤销" in page
    assert "理由：以欺骗手段取得许可（行政许可法第69条）" in page  # the licence section
    assert "撤销证照" in page and "证照状态：有效 → 已撤销" in page  # the case's history
    assert not _revoke_form(page, case.number)
    verify_page = client.get(licence.verification_path).content.decode()
    assert "已撤销" in verify_page


def test_a_revocation_without_a_reason_keeps_the_form_open(client, demo):
    case = _approved(demo)
    client = login(client, demo, "henan.leader")
    response = client.post(
        reverse("workbench:revoke_licence", args=[case.number]), {"reason": "   "}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "撤销证照必须说明理由" in page and _revoke_form(page, case.number)
    licence = licence_for_case(case)
    assert licence is not None and licence.status == "valid"


def test_only_the_issuers_leader_is_offered_and_allowed_revocation(client, demo):
    case = _approved(demo)
    url = reverse("workbench:revoke_licence", args=[case.number])
    # A clerk of the issuer and the city's leader see the case but may not revoke; the county
    # clerk of another county does not see it at all.
    for username, status in (
        ("henan.clerk", 403),
        ("zhengzhou.leader", 403),
        ("lankao.clerk", 403),
    ):
        client.logout()
        staff = login(client, demo, username)
        if username != "lankao.clerk":
            page = staff.get(f"/work/cases/{case.number}/").content.decode()
            assert not _revoke_form(page, case.number), username
        response = staff.post(url, {"reason": "以欺骗手段取得许可"})
        assert response.status_code == status, username
    licence = licence_for_case(case)
    assert licence is not None and licence.status == "valid"


def test_revoking_twice_is_refused_clearly(client, demo):
    case = _approved(demo)
    client = login(client, demo, "henan.leader")
    url = reverse("workbench:revoke_licence", args=[case.number])
    assert client.post(url, {"reason": "以欺骗手段取得许可"}).status_code == 302
    response = client.post(url, {"reason": "再次撤销"})
    assert response.status_code == 409
    assert "已被撤销" in response.content.decode()
