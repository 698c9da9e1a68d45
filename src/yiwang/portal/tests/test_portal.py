"""The applicant portal through Django's test client on the demo province: apply, answer a
supplement, withdraw, download, rate; and every refusal to reach someone else's case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import Applicant, User
from yiwang.cases import drafts, engine
from yiwang.cases.materials import upload as upload_material
from yiwang.cases.models import Case, CaseMaterial, Draft, Rating, Status
from yiwang.cases.services import perform
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.core.tests.disposition import saved_as
from yiwang.portal.tests.conftest import pdf

pytestmark = pytest.mark.django_db

ITEM = "SF-LS-006"  # 律师事务所设立许可: county window → city review → province decision


def _post_form(version, **overrides):
    """The example form of the item as the browser posts it (flat names)."""
    data = example_data(form_definition(version))
    post: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            for i, row in enumerate(value):
                for field, cell in row.items():
                    post[f"{key}-{i}-{field}"] = str(cell)
        elif isinstance(value, bool):
            if value:
                post[key] = "on"
        else:
            post[key] = str(value)
    post.update(overrides)
    return post


def _ready_draft(zhang, firm, zhongmou) -> Draft:
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    drafts.save(draft, zhang, example_data(form_definition(version)))
    for material in version.materials.filter(mandatory=True):
        drafts.upload(draft, material.name, pdf(), f"{material.name}.pdf", zhang)
    return draft


def _submitted(zhang, firm, zhongmou) -> Case:
    return drafts.submit_draft(_ready_draft(zhang, firm, zhongmou), zhang)


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def _to_delivery(case: Case) -> Case:
    """Accept at the county, review and check at the city, decide at the province, conclude and
    deliver: the whole process of the item, through the services."""
    steps = [
        ("zhongmou.clerk", engine.Action("accept")),
        ("zhengzhou.handler", engine.Action("review")),
        ("zhengzhou.reviewer", engine.Action("hand_over")),
        ("henan.leader", engine.Action("decide", params={"decision": "approve"})),
        ("henan.clerk", engine.Action("conclude")),
        ("henan.clerk", engine.Action("deliver", params={"method": "online"})),
    ]
    for username, action in steps:
        case = perform(case.pk, action, _staff(username))
    return case


# --- Applying ---------------------------------------------------------------------------------


def test_apply_opens_a_draft_for_the_chosen_window_and_applicant(client_for, firm, zhongmou):
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:apply", args=[ITEM]))
    assert page.status_code == 200 and "中牟县司法局" in page.content.decode()
    answer = client.post(
        reverse("portal:apply", args=[ITEM]),
        {"organization": zhongmou.pk, "applicant": firm.pk},
    )
    draft = Draft.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "portal:draft", args=[draft.pk]
    )
    assert (draft.applicant, draft.organization, draft.item.code) == (firm, zhongmou, ITEM)


def test_the_draft_page_tells_the_items_own_acceptance_window(client_for, zhang, firm, zhongmou):
    client = client_for("zhang.wei")
    licence = client.get(
        reverse("portal:draft", args=[drafts.start(zhang, ITEM, zhongmou, firm).pk])
    )
    assert "受理机构应在收件后 5 个工作日内作出受理" in licence.content.decode()
    aid = drafts.start(zhang, "SF-FY-001", zhongmou, Applicant.objects.get(user=zhang))
    page = client.get(reverse("portal:draft", args=[aid.pk])).content.decode()
    assert "受理机构应在收件后 1 日内作出受理" in page and "5 个工作日内" not in page


def test_a_half_filled_form_is_kept_on_a_validation_error(client_for, zhang, firm, zhongmou):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    post = _post_form(version)
    first_text = next(k for k, v in post.items() if v and "-" not in k)
    typed = {**post, "partners-0-id_number": "110105194912310021", "submit": "1"}
    page = client_for("zhang.wei").post(reverse("portal:draft", args=[draft.pk]), typed)
    assert page.status_code == 422
    html = page.content.decode()
    assert "110105194912310021" in html and post[first_text] in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html
    # Every problem at once: the faulty field and the files still to upload.
    assert "校验位" in html and "请上传“申请书”" in html
    draft.refresh_from_db()
    assert draft.form_data["partners"][0]["id_number"] == "110105194912310021"
    assert draft.case_id is None


def test_text_the_database_cannot_store_is_refused_and_the_saved_draft_stays(
    client_for, zhang, firm, zhongmou
):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    post = _post_form(version)
    client_for("zhang.wei").post(reverse("portal:draft", args=[draft.pk]), post)
    draft.refresh_from_db()
    saved = dict(draft.form_data)
    first_text = next(k for k, v in post.items() if v and "-" not in k)
    page = client_for("zhang.wei").post(
        reverse("portal:draft", args=[draft.pk]), {**post, first_text: "名\x00称"}
    )
    assert page.status_code == 400 and "申请表内容无法保存" in page.content.decode()
    draft.refresh_from_db()
    assert draft.form_data == saved


def test_the_form_is_saved_as_typed_and_never_submitted_so(client_for, zhang, firm, zhongmou):
    draft = _ready_draft(zhang, firm, zhongmou)
    version = drafts.current_version(ITEM)
    url = reverse("portal:draft_autosave", args=[draft.pk])
    client = client_for("zhang.wei")
    # Half typed, with the submit button the browser last touched: kept as typed, not filed.
    typed = {"firm_name": "河南嵩岳律", "partners-0-id_number": "1101", "submit": "1"}
    answer = client.post(url, typed, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "已保存" in answer.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["firm_name"] == "河南嵩岳律" and draft.case_id is None
    assert draft.form_data["partners"][0]["id_number"] == "1101"
    # What the database cannot store is refused, and the saved draft stays.
    refused = client.post(url, {**typed, "firm_name": "名\x00称"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "申请表内容无法保存" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["firm_name"] == "河南嵩岳律"
    # Submitted meanwhile in another tab: nothing changes, and the page is told why.
    client.post(reverse("portal:draft", args=[draft.pk]), {**_post_form(version), "submit": "1"})
    late = client.post(url, typed, HTTP_HX_REQUEST="true")
    assert late.status_code == 409 and "该申请已经提交" in late.content.decode()
    assert Case.objects.get().form_data["firm_name"] != "河南嵩岳律"


def test_add_row_renders_one_more_partner_row(client_for, zhang, firm, zhongmou):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    post = _post_form(version)
    rows = len({k.split("-")[1] for k in post if k.startswith("partners-")})
    page = client_for("zhang.wei").post(
        reverse("portal:draft", args=[draft.pk]), {**post, "add_row": "partners"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="partners-{rows}-' in html and f'name="partners-{rows + 1}-' not in html


def test_upload_checks_the_content_and_answers_htmx_with_the_row(client_for, zhang, firm, zhongmou):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    client = client_for("zhang.wei")
    url = reverse("portal:draft_material", args=[draft.pk, 1])
    fake = client.post(url, {"file": pdf("伪装.pdf", b"")}, HTTP_HX_REQUEST="true")
    assert fake.status_code == 200  # a real PDF header: accepted
    draft.refresh_from_db()
    assert draft.materials["申请书"]["file_type"] == "pdf"
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("申请书.pdf", b"just text, not a PDF", content_type="application/pdf")
    refused = client.post(url, {"file": text}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "按内容识别为：无法识别的格式" in refused.content.decode()
    assert "HX-Retarget" not in refused  # a fragment: htmx swaps it into the card
    draft.refresh_from_db()
    assert draft.materials["申请书"]["file_type"] == "pdf"  # the earlier file is kept


def test_submitting_gives_the_receipt_at_once_and_attaches_the_files(
    client_for, zhang, firm, zhongmou
):
    draft = _ready_draft(zhang, firm, zhongmou)
    version = drafts.current_version(ITEM)
    client = client_for("zhang.wei")
    answer = client.post(
        reverse("portal:draft", args=[draft.pk]), {**_post_form(version), "submit": "1"}
    )
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "portal:case", args=[case.number]
    )
    page = client.get(answer["Location"])
    html = page.content.decode()
    assert case.number in html and case.query_code in html and len(case.query_code) == 6
    assert case.status == Status.SUBMITTED and case.applicant == firm
    assert case.agent == Applicant.objects.get(user=zhang)
    assert (
        CaseMaterial.objects.filter(case=case, version=1).count()
        == version.materials.filter(mandatory=True).count()
    )
    # A second click gives the same case, not a second one.
    again = client.post(
        reverse("portal:draft", args=[draft.pk]), {**_post_form(version), "submit": "1"}
    )
    assert again.status_code == 302 and Case.objects.count() == 1


def test_submitting_without_a_mandatory_material_names_it(zhang, firm, zhongmou):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    drafts.save(draft, zhang, example_data(form_definition(drafts.current_version(ITEM))))
    from yiwang.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        drafts.submit_draft(draft, zhang)
    assert caught.value.code == "draft.materials_missing" and "申请书" in caught.value.message
    assert not Case.objects.exists()


def test_a_material_of_an_earlier_case_is_offered_and_reused_without_upload(
    client_for, zhang, firm, zhongmou
):
    earlier = _submitted(zhang, firm, zhongmou)
    source = CaseMaterial.objects.get(case=earlier, material__name="申请书")
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:draft", args=[draft.pk]))
    assert f'value="{source.pk}"' in page.content.decode()
    client.post(reverse("portal:draft_material", args=[draft.pk, 1]), {"reuse": source.pk})
    draft.refresh_from_db()
    assert draft.materials["申请书"]["reuse"] == source.pk


# --- One case ---------------------------------------------------------------------------------


def test_answering_a_supplement_request_in_place(client_for, zhang, firm, zhongmou):
    case = _submitted(zhang, firm, zhongmou)
    perform(
        case.pk,
        engine.Action("request_supplement", "材料不清晰",
                      {"materials": [{"material": "资产证明", "problem": "验资报告缺少签章页"}]}),
        _staff("zhongmou.clerk"),
    )  # fmt: skip
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "验资报告缺少签章页" in page and "提交补正材料" in page
    position = case.item_version.materials.get(name="资产证明").position
    client.post(
        reverse("portal:case_material", args=[case.number, position]), {"file": pdf(body=b"2")}
    )
    assert CaseMaterial.objects.filter(case=case, material__name="资产证明").count() == 2
    case.refresh_from_db()
    client.post(
        reverse("portal:case_act", args=[case.number, "supply_supplement"]),
        {"version": case.version},
    )
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.supplement == []


def test_the_receipt_date_restarts_with_a_supplement_and_is_named_so(
    client_for, zhang, firm, zhongmou
):
    case = _submitted(zhang, firm, zhongmou)
    submitted_on = timezone.localdate(case.created_at)
    perform(
        case.pk,
        engine.Action("request_supplement", "材料不清晰",
                      {"materials": [{"material": "资产证明", "problem": "缺少签章页"}]}),
        _staff("zhongmou.clerk"),
    )  # fmt: skip
    upload_material(case, "资产证明", pdf(body=b"2"), "资产证明.pdf", zhang)
    later = submitted_on + dt.timedelta(days=9)
    case = perform(case.pk, engine.Action("supply_supplement"), zhang, today=later)
    assert case.received_on == later  # 收件 restarts on the day the supplement is given
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert f"<dt>收件日期</dt><dd>{later:%Y-%m-%d}</dd>" in page
    assert f"<dt>提交日期</dt><dd>{submitted_on:%Y-%m-%d}</dd>" in page
    listed = client.get(reverse("portal:my_cases")).content.decode()
    assert f'<td data-label="收件日期">{later:%Y-%m-%d}</td>' in listed
    assert "提交日期" not in listed


def test_withdraw_before_acceptance_only(client_for, zhang, firm, zhongmou):
    case = _submitted(zhang, firm, zhongmou)
    client = client_for("zhang.wei")
    assert "撤回申请" in client.get(reverse("portal:case", args=[case.number])).content.decode()
    client.post(
        reverse("portal:case_act", args=[case.number, "withdraw"]),
        {"version": case.version, "confirm": "yes"},
    )
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    other = _submitted(zhang, firm, zhongmou)
    perform(other.pk, engine.Action("accept"), _staff("zhongmou.clerk"))
    page = client.get(reverse("portal:case", args=[other.number])).content.decode()
    assert "撤回申请" not in page


def test_withdrawing_takes_a_confirmation_that_says_what_it_means(
    client_for, zhang, firm, zhongmou
):
    case = _submitted(zhang, firm, zhongmou)
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    confirm_url = reverse("portal:withdraw", args=[case.number])
    assert f'href="{confirm_url}"' in page
    # The case page's button, or any post without the confirmation, withdraws nothing.
    act = reverse("portal:case_act", args=[case.number, "withdraw"])
    answer = client.post(act, {"version": case.version})
    assert answer.status_code == 302 and answer["Location"] == confirm_url
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    # The confirmation page explains, and works as a plain form.
    confirmation = client.get(confirm_url).content.decode()
    assert "撤回不能取消" in confirmation and "须重新提交申请" in confirmation
    assert f'action="{act}"' in confirmation and 'name="confirm" value="yes"' in confirmation
    assert "不撤回，返回办件" in confirmation
    done = client.post(act, {"version": case.version, "confirm": "yes"}, follow=True)
    assert "申请已撤回。" in done.content.decode()
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    # Once it cannot be withdrawn, the confirmation page sends the applicant back with a word.
    back = client.get(confirm_url, follow=True)
    assert "该办件当前状态为“已撤回”，不能撤回" in back.content.decode()


def test_stale_version_is_a_clear_message_and_changes_nothing(client_for, zhang, firm, zhongmou):
    case = _submitted(zhang, firm, zhongmou)
    stale = case.version
    perform(case.pk, engine.Action("accept"), _staff("zhongmou.clerk"))
    client = client_for("zhang.wei")
    answer = client.post(
        reverse("portal:case_act", args=[case.number, "withdraw"]),
        {"version": stale, "confirm": "yes"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert "该办件刚刚已有新的办理操作，本页面已过期" in answer.content.decode()


def test_acting_twice_from_two_tabs_blames_nobody_else(client_for, zhang, firm, zhongmou):
    case = _submitted(zhang, firm, zhongmou)
    client = client_for("zhang.wei")
    url = reverse("portal:case_act", args=[case.number, "withdraw"])
    first = {"version": case.version, "confirm": "yes"}
    client.post(url, first)  # the first tab
    again = client.post(url, first, follow=True).content.decode()  # the second, as it was
    assert "该办件刚刚已有新的办理操作，本页面已过期：请刷新查看最新状态后再操作" in again
    assert "他人" not in again


def test_a_tampered_letter_is_refused_with_a_message_not_served(
    client_for, zhang, firm, zhongmou, settings
):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = True
    case = _submitted(zhang, firm, zhongmou)
    perform(case.pk, engine.Action("accept"), _staff("zhongmou.clerk"))
    notice = case.documents.get(kind="acceptance_notice")
    with notice.file.storage.open(notice.file.name, "ab") as handle:
        handle.write(b"% appended")
    answer = client_for("zhang.wei").get(reverse("portal:document", args=[case.number, notice.pk]))
    assert answer.status_code == 409
    assert "可能已被篡改" in answer.content.decode()
    assert not answer.content.startswith(b"%PDF")


def test_download_the_decision_letter_and_rate_once(client_for, zhang, firm, zhongmou, settings):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    case = _to_delivery(_submitted(zhang, firm, zhongmou))
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    decision = case.documents.get(kind="approval_decision")
    assert decision.number in page and "提交评价" in page
    letter = client.get(reverse("portal:document", args=[case.number, decision.pk]))
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert saved_as(letter) == ("attachment", f"准予行政许可决定书-{decision.number}.pdf")
    # 律师事务所设立许可 yields a signed licence, drawn on its first download.
    from yiwang.licences.selectors import licence_for_case
    from yiwang.licences.services import verify

    licence = licence_for_case(case)
    assert licence is not None and licence.number in page and verify(licence).ok
    assert licence.issuer_id == case.owner_org_id and licence.holder_name == firm.name
    pdf = client.get(reverse("portal:licence", args=[case.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert saved_as(pdf) == ("attachment", f"电子证照-{licence.number}.pdf")
    assert f'href="{licence.verification_path}"' in page and licence.verify_code in page
    public = client.get(licence.verification_path).content.decode()
    assert "真实有效" in public
    bad = client.post(reverse("portal:rate", args=[case.number]), {"level": 2}, follow=True)
    assert "请写明原因" in bad.content.decode() and not Rating.objects.exists()
    client.post(reverse("portal:rate", args=[case.number]), {"level": 5, "comment": "很快"})
    again = client.post(
        reverse("portal:rate", args=[case.number]), {"level": 1, "comment": "x"}, follow=True
    )
    rating = Rating.objects.get()
    assert (rating.level, rating.comment, rating.organization_id) == (5, "很快", zhongmou.pk)
    assert "只能评价一次" in again.content.decode()


def test_the_applicant_sees_that_their_licence_was_revoked_and_why(
    client_for, zhang, firm, zhongmou, settings
):
    from yiwang.licences.selectors import licence_for_case
    from yiwang.licences.services import revoke

    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    case = _to_delivery(_submitted(zhang, firm, zhongmou))
    licence = licence_for_case(case)
    assert licence is not None
    client = client_for("zhang.wei")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "已撤销" not in page
    revoke(licence, _staff("henan.leader"), "以欺骗手段取得许可")
    page = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "被发证机关撤销，理由：以欺骗手段取得许可" in page
    assert "撤销证照" in page  # the case's progress lists it


def test_the_applicant_reads_an_extension_in_the_items_unit(
    client_for, zhang, firm, zhongmou, settings
):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    case = _submitted(zhang, firm, zhongmou)
    for username, action in [
        ("zhongmou.clerk", engine.Action("accept")),
        ("zhengzhou.handler", engine.Action("review")),
        ("zhengzhou.reviewer", engine.Action("hand_over")),
        ("henan.leader", engine.Action("extend", "需要征求律师协会意见")),  # the deciding agency
    ]:
        case = perform(case.pk, action, _staff(username))
    page = client_for("zhang.wei").get(reverse("portal:case", args=[case.number]))
    assert "已依法延长 10 个工作日" in page.content.decode()


def test_rating_is_refused_before_the_case_ends(zhang, firm, zhongmou):
    from yiwang.cases.ratings import rate
    from yiwang.core.errors import Conflict

    case = _submitted(zhang, firm, zhongmou)
    with pytest.raises(Conflict):
        rate(case, zhang, 5)


# --- Refusals ---------------------------------------------------------------------------------


def test_another_applicant_cannot_reach_the_case_by_url_guessing(
    client_for, zhang, firm, zhongmou, settings
):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    case = _to_delivery(_submitted(zhang, firm, zhongmou))
    document = case.documents.first()
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    li = client_for("li.na")
    gets = [
        reverse("portal:case", args=[case.number]),
        reverse("portal:receipt", args=[case.number]),
        reverse("portal:withdraw", args=[case.number]),
        reverse("portal:document", args=[case.number, document.pk]),
        reverse("portal:draft", args=[draft.pk]),
        reverse("portal:licence", args=[case.number]),
    ]
    for url in gets:
        answer = li.get(url)
        assert answer.status_code == 403, url
        assert case.query_code not in answer.content.decode()
    posts = [
        (reverse("portal:case_act", args=[case.number, "withdraw"]), {}),
        (reverse("portal:case_material", args=[case.number, 1]), {"file": pdf()}),
        (reverse("portal:rate", args=[case.number]), {"level": 1, "comment": "x"}),
        (reverse("portal:draft", args=[draft.pk]), {"submit": "1"}),
        (reverse("portal:draft_material", args=[draft.pk, 1]), {"file": pdf()}),
    ]
    for url, data in posts:
        assert li.post(url, data).status_code == 403, url
    assert not Rating.objects.exists() and CaseMaterial.objects.filter(case=case).count() == 5
    assert Draft.objects.get(pk=draft.pk).materials == {}


def test_staff_and_anonymous_are_kept_out_of_applicant_pages(
    client, client_for, zhang, firm, zhongmou
):
    case = _submitted(zhang, firm, zhongmou)
    url = reverse("portal:case", args=[case.number])
    assert client.get(url).status_code == 302  # to the login page
    assert client_for("zhongmou.clerk").get(url).status_code == 403  # staff use the workbench


def test_an_unknown_case_number_is_404(client_for, demo_province):
    assert client_for("zhang.wei").get(reverse("portal:case", args=["NOPE"])).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def test_my_cases_and_case_page_queries_do_not_grow_with_rows(
    client_for, zhang, firm, zhongmou, django_assert_max_num_queries, settings
):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    client = client_for("zhang.wei")
    case = _to_delivery(_submitted(zhang, firm, zhongmou))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("portal:my_cases"))
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("portal:case", args=[case.number]))
    for _ in range(4):
        _to_delivery(_submitted(zhang, firm, zhongmou))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("portal:my_cases"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("portal:case", args=[case.number]))


def test_receipt_shows_the_query_code(client_for, zhang, firm, zhongmou):
    case = _submitted(zhang, firm, zhongmou)
    page = (
        client_for("zhang.wei").get(reverse("portal:receipt", args=[case.number])).content.decode()
    )
    assert case.number in page and case.query_code in page


def test_drafts_are_listed_until_submitted(client_for, zhang, firm, zhongmou):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    client = client_for("zhang.wei")
    assert (
        reverse("portal:draft", args=[draft.pk])
        in client.get(reverse("portal:my_cases")).content.decode()
    )


# --- The API answers as the pages do ----------------------------------------------------------


def _bearer(user: User) -> dict[str, str]:
    from yiwang.accounts.tokens import issue_token

    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, '测试')}"}


def test_the_api_checks_the_application_form_like_the_pages(client, zhang, firm, zhongmou):
    version = drafts.current_version(ITEM)
    good = example_data(form_definition(version))
    body = {
        "item_code": ITEM,
        "organization": zhongmou.credit_code,
        "applicant_id": firm.pk,
        "idempotency_key": "api-1",
        "form_data": {
            **good,
            "firm_name": "",
            "partners": [{**good["partners"][0], "id_number": "1"}],
        },
    }
    refused = client.post("/api/v1/cases", body, content_type="application/json", **_bearer(zhang))
    assert refused.status_code == 400 and refused.json()["code"] == "case.form_invalid"
    fields = {d["field"] for d in refused.json()["details"]}
    assert fields == {"firm_name", "partners.0.id_number"}
    assert not Case.objects.exists()
    body["form_data"] = good
    accepted = client.post("/api/v1/cases", body, content_type="application/json", **_bearer(zhang))
    assert accepted.status_code == 201
    assert Case.objects.get().form_data["firm_name"] == good["firm_name"]


def test_rating_through_the_api_once(client, zhang, firm, zhongmou, settings):
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = False
    case = _submitted(zhang, firm, zhongmou)
    url = f"/api/v1/cases/{case.number}/rating"
    early = client.post(url, {"level": 5}, content_type="application/json", **_bearer(zhang))
    assert early.status_code == 409 and early.json()["code"] == "rating.too_early"
    _to_delivery(case)
    stranger = client.post(
        url,
        {"level": 1, "comment": "x"},
        content_type="application/json",
        **_bearer(_staff("li.na")),
    )
    assert stranger.status_code == 403
    nul = client.post(
        url, {"level": 2, "comment": "慢\u0000"}, content_type="application/json", **_bearer(zhang)
    )
    assert nul.status_code == 400 and nul.json()["code"] == "rating.comment"
    assert "空字符" in nul.json()["message"] and not Rating.objects.filter(case=case).exists()
    first = client.post(url, {"level": 4}, content_type="application/json", **_bearer(zhang))
    assert first.status_code == 201 and first.json()["level_label"] == "满意"
    again = client.post(url, {"level": 5}, content_type="application/json", **_bearer(zhang))
    assert again.status_code == 409 and again.json()["code"] == "rating.exists"


def test_a_malformed_reuse_choice_is_a_clear_message_and_keeps_the_draft(
    client_for, zhang, firm, zhongmou
):
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    drafts.upload(draft, "申请书", pdf(), "申请书.pdf", zhang)
    answer = client_for("zhang.wei").post(
        reverse("portal:draft_material", args=[draft.pk, 1]), {"reuse": "x"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 422 and "请从列表中选择要复用的材料" in answer.content.decode()
    draft.refresh_from_db()
    assert draft.materials["申请书"]["original_name"] == "申请书.pdf"


def test_a_replaced_draft_upload_is_swept_and_the_submitted_files_are_kept(
    zhang, firm, zhongmou, settings, tmp_path
):
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from yiwang.cases.models import CaseMaterial
    from yiwang.core.stored_files import sweep

    settings.MEDIA_ROOT = tmp_path / "media"
    draft = _ready_draft(zhang, firm, zhongmou)
    name = next(iter(draft.materials))
    replaced = draft.materials[name]["file"]
    drafts.upload(draft, name, pdf(), "重新上传.pdf", zhang)
    assert draft.materials[name]["file"] != replaced
    case = drafts.submit_draft(draft, zhang)
    kept = list(CaseMaterial.objects.filter(case=case).values_list("file", flat=True))
    assert kept and all(default_storage.exists(n) for n in kept)

    report = sweep(now=timezone.now() + dt.timedelta(hours=2), delete=True)
    assert [orphan for orphan, _ in report.orphans] == [replaced]
    assert not default_storage.exists(replaced)
    assert all(default_storage.exists(n) for n in kept)


def test_a_certificate_is_replaced_by_a_pledge_from_its_row(client_for, zhang, firm, zhongmou):
    # SF-LS-006 admits no pledge as a whole, but its 住所证明 may be replaced by one.
    client = client_for("zhang.wei")
    draft = drafts.start(zhang, ITEM, zhongmou, firm)
    version = drafts.current_version(ITEM)
    html = client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert 'name="pledged"' not in html  # no pledge for the item as a whole
    assert html.count('<span class="badge badge-ok">可承诺</span>') == 1
    row = version.materials.get(name="住所证明").position
    url = reverse("portal:draft_material", args=[draft.pk, row])
    answer = client.post(url, {"pledge": "1"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "已选择以告知承诺代替提交" in answer.content.decode()
    assert "改为上传文件（上传后承诺即撤回）" in answer.content.decode()
    assert Draft.objects.get(pk=draft.pk).pledged_materials == ["住所证明"]
    other = version.materials.get(name="申请书").position
    refused = client.post(
        reverse("portal:draft_material", args=[draft.pk, other]),
        {"pledge": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422 and "不能以告知承诺代替" in refused.content.decode()
    taken_back = client.post(url, {"remove": "1"}, HTTP_HX_REQUEST="true")
    assert "以告知承诺代替提交</button>" in taken_back.content.decode()
    assert Draft.objects.get(pk=draft.pk).pledged_materials == []


def test_the_applicant_follows_the_check_of_their_pledge(client_for, zhang, firm, zhongmou):
    draft = _ready_draft(zhang, firm, zhongmou)
    drafts.pledge_material(draft, "住所证明", zhang)
    case = drafts.submit_draft(draft, zhang)
    client = client_for("zhang.wei")
    html = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "以承诺代替提交：住所证明" in html and "已以书面承诺代替提交" in html
    case = _to_delivery(case)
    html = client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "待核查：河南省司法厅将于" in html


def test_my_drafts_are_listed_by_the_items_name(client_for, zhang, firm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("zhang.wei")
    counts = []
    for code in ("SF-LS-006", "SF-LS-009"):
        drafts.start(zhang, code, drafts.accepting_organizations(code).first(), firm)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("portal:my_cases")).content.decode()
        counts.append(len(queries))
    for code in ("SF-LS-006", "SF-LS-009"):
        assert f'<td data-label="事项">{drafts.current_version(code).name}</td>' in html
        assert code not in html
    assert counts[0] == counts[1]  # the names cost the same for two drafts as for one
