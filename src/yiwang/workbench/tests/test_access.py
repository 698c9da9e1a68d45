"""Who may open the workbench and a case: staff with a role, within their reach."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model

from yiwang.cases import materials
from yiwang.documents.models import Document
from yiwang.workbench.tests.conftest import LANKAO, PDF, login


def _case_with_file_and_letter(demo):
    case = demo.submit()
    upload = io.BytesIO(PDF)
    row = materials.upload(case, "身份证复印件", upload, "身份证.pdf", demo.applicant_user)
    case = demo.act(case, "accept", "zhongmou.clerk")
    document = Document.objects.get(case_id=case.pk)
    return case, row, document


def test_a_clerk_of_another_county_gets_403_everywhere(client, demo):
    case, row, document = _case_with_file_and_letter(demo)
    client = login(client, demo, "lankao.clerk")
    urls = [
        f"/work/cases/{case.number}/",
        f"/work/cases/{case.number}/materials/{row.pk}",
        f"/work/cases/{case.number}/documents/{document.pk}.pdf",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "您无权查看该办件" in response.content.decode()
    refused = client.post(f"/work/cases/{case.number}/act/review", {"version": case.version})
    assert refused.status_code == 403
    assert demo.reload(case).version == case.version


def test_material_and_document_ids_of_another_case_are_not_found(client, demo):
    case, row, document = _case_with_file_and_letter(demo)
    other = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    assert client.get(f"/work/cases/{other.number}/materials/{row.pk}").status_code == 404
    assert client.get(f"/work/cases/{other.number}/documents/{document.pk}.pdf").status_code == 404


def test_unknown_number_is_404(client, demo):
    response = login(client, demo, "zhongmou.clerk").get("/work/cases/NOSUCHCASE/")
    assert response.status_code == 404 and "未找到办件" in response.content.decode()


def test_staff_without_roles_get_403(client, demo):
    user = get_user_model().objects.create_user("no.roles", password="x-test-pass-1")
    client.force_login(user)
    for url in ("/work/", "/work/done/"):
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert "没有任何岗位角色" in html and "返回待办" not in html and "返回首页" in html


def test_anonymous_users_are_sent_to_the_login_page(client, demo):
    case = demo.submit()
    for url in ("/work/", "/work/done/", f"/work/cases/{case.number}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    posted = client.post(f"/work/cases/{case.number}/act/accept", {"version": case.version})
    assert posted.status_code == 302 and demo.reload(case).status == "submitted"


def test_an_applicant_gets_403_even_on_their_own_case(client, demo):
    case = demo.submit()
    client.force_login(demo.applicant_user)
    assert client.get("/work/").status_code == 403
    refused = client.get(f"/work/cases/{case.number}/")
    assert refused.status_code == 403
    # The way out leads to the applicant's own pages, not back to the workbench that refused.
    html = refused.content.decode()
    assert '<a class="button secondary" href="/my/">返回我的办件</a>' in html
    assert "返回待办" not in html and 'href="/work/"' not in html
    posted = client.post(f"/work/cases/{case.number}/act/withdraw", {"version": case.version})
    assert posted.status_code == 403


def test_applicant_actions_are_not_offered_to_staff(client, demo):
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    response = client.post(f"/work/cases/{case.number}/act/withdraw", {"version": case.version})
    assert response.status_code == 404
    assert demo.reload(case).status == "submitted"


def test_reloading_an_action_address_leads_to_the_case_page(client, demo):
    # A refused action's page keeps its address; reloading it asks for the case again.
    case = demo.submit()
    client = login(client, demo, "zhongmou.clerk")
    for address in ("act/accept", "licence/revoke", "pledge-check"):
        answer = client.get(f"/work/cases/{case.number}/{address}")
        assert answer.status_code == 302, address
        assert answer["Location"] == f"/work/cases/{case.number}/"
    assert demo.reload(case).status == "submitted"


def test_other_counties_cases_are_in_reach_of_their_supervisors_only(client, demo):
    case = demo.submit(org=LANKAO)
    assert (
        login(client, demo, "kaifeng.supervisor").get(f"/work/cases/{case.number}/").status_code
        == 200
    )
    assert (
        login(client, demo, "zhengzhou.supervisor").get(f"/work/cases/{case.number}/").status_code
        == 403
    )
