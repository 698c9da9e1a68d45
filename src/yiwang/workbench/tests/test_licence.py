"""Staff download the signed licence of a case they can see; others get 403."""

from __future__ import annotations

from django.urls import reverse

from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.models import ItemVersion
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
    assert licence.number in page and reverse("licences:verify", args=[licence.number]) in page
    pdf = client.get(f"/work/cases/{case.number}/licence.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["X-Content-Type-Options"] == "nosniff"


def test_a_clerk_of_another_county_cannot_download_it(client, demo):
    case = _approved(demo)
    client = login(client, demo, "lankao.clerk")
    assert client.get(f"/work/cases/{case.number}/licence.pdf").status_code == 403


def test_no_licence_is_a_404(client, demo):
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    assert client.get(f"/work/cases/{case.number}/licence.pdf").status_code == 404
