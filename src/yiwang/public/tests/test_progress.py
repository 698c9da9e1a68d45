"""The progress query without login: case number plus query code."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache

from yiwang.accounts.models import Applicant, RoleAssignment, User
from yiwang.cases import engine
from yiwang.cases.models import Case
from yiwang.cases.services import Submission, perform, submit
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.selectors import current_version
from yiwang.organizations.models import Organization
from yiwang.public.selectors import mask_name
from yiwang.public.views import PROGRESS_LIMIT
from yiwang.workcalendar.services import current_calendar

URL = "/progress/"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()  # the attempt counter lives in the default cache


@pytest.fixture
def case(demo_province: None, db: None) -> Case:
    user = User.objects.get(username="zhang.wei")
    applicant = Applicant.objects.get(user=user)
    created, _ = submit(
        user,
        Submission(
            item_code="SF-LS-006",
            organization=Organization.objects.get(name="中牟县司法局"),
            applicant=applicant,
            idempotency_key=uuid.uuid4().hex,
            form_data=example_data(form_definition(current_version("SF-LS-006"))),
        ),
    )
    assert len(created.query_code) == 6
    return created


def ask(client, number: str, code: str):
    return client.post(URL, {"number": number, "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_names_are_masked() -> None:
    assert mask_name("张伟", "person") == "张*"
    assert mask_name("欧阳娜娜", "person") == "欧***"
    assert mask_name("某某公司", "organization") == "某***"
    assert mask_name("河南中原正道律师事务所", "organization") == "河南****律师事务所"


@pytest.mark.django_db
def test_form_is_posted_with_csrf(demo_province: None, client) -> None:
    html = client.get(URL).content.decode()
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert '<label for="id_number"' in html and '<label for="id_code"' in html


@pytest.mark.django_db
def test_right_code_shows_progress_and_nothing_private(
    client, case: Case, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        response = ask(client, case.number, case.query_code)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "律师事务所设立许可" in html
    assert "中牟县司法局" in html
    assert engine.STATUS_LABELS["submitted"] in html
    assert "提交申请" in html  # the timeline
    assert "县级窗口受理" in html  # the current step
    assert "张*" in html
    applicant = case.applicant
    assert applicant.id_number not in html
    assert applicant.name not in html
    assert "办件编号或查询码不正确" not in html


@pytest.mark.django_db
def test_timeline_names_organizations_not_people(client, case: Case) -> None:
    clerk = (
        RoleAssignment.objects.select_related("user")
        .get(organization=case.accepting_org, role="window_clerk")
        .user
    )
    perform(case.pk, engine.Action("accept", "材料齐全的内部意见"), clerk)
    html = ask(client, case.number, case.query_code).content.decode()
    assert engine.STATUS_LABELS["in_progress"] in html
    assert "<time" in html and "受理" in html
    assert "中牟县司法局" in html
    assert clerk.full_name not in html and clerk.username not in html
    assert "材料齐全的内部意见" not in html  # reasons are private
    assert "承诺办结期限" in html


@pytest.mark.django_db
def test_legal_aid_limits_run_from_receipt_and_restart_after_a_supplement(
    client, demo_province: None
) -> None:
    user = User.objects.get(username="zhang.wei")
    legal_aid, _ = submit(
        user,
        Submission(
            item_code="SF-FY-001",
            organization=Organization.objects.get(name="中牟县司法局"),
            applicant=Applicant.objects.get(user=user),
            idempotency_key=uuid.uuid4().hex,
            form_data=example_data(form_definition(current_version("SF-FY-001"))),
        ),
    )
    # 法律援助法 第43条: 7 日 from receipt, running before anyone accepts the application.
    assert (
        legal_aid.statutory_due
        == engine.period_end(current_calendar(), legal_aid.received_on, 7, "day")[0]
    )
    html = ask(client, legal_aid.number, legal_aid.query_code).content.decode()
    assert f"{legal_aid.statutory_due:%Y年%-m月%-d日}" in html
    clerk = User.objects.get(username="zhongmou.clerk")
    action = engine.Action("request_supplement", params={"materials": ["法律援助申请"]})
    perform(legal_aid.pk, action, clerk)
    html = ask(client, legal_aid.number, legal_aid.query_code).content.decode()
    assert html.count("收到全部补正材料后重新计算") == 2 and "受理后开始计算" not in html


@pytest.mark.django_db
def test_wrong_code_and_unknown_number_get_the_same_answer(client, case: Case) -> None:
    bad_code = ask(client, case.number, wrong(case.query_code))
    unknown = ask(client, case.number[:-6] + "999999", case.query_code)
    for response in (bad_code, unknown):
        assert response.status_code == 200
        html = response.content.decode()
        assert "办件编号或查询码不正确" in html
        assert "律师事务所设立许可" not in html
        assert "当前状态" not in html
    # The form keeps what was typed.
    assert f'value="{case.number}"' in bad_code.content.decode()


@pytest.mark.django_db
def test_malformed_code_is_a_field_error(client, case: Case) -> None:
    html = ask(client, case.number, "12ab").content.decode()
    assert "查询码是 6 位数字" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_a_nul_character_is_named_as_such(client, case: Case) -> None:
    html = ask(client, case.number + "\x00", case.query_code).content.decode()
    assert "办件编号不能含有空字符（NUL）" in html  # the form's own words for its field
    assert "不允许是用空字符串" not in html and "当前状态" not in html


@pytest.mark.django_db
def test_attempts_are_limited_per_client(client, case: Case) -> None:
    for _ in range(PROGRESS_LIMIT):
        assert (
            "办件编号或查询码不正确"
            in ask(client, case.number, wrong(case.query_code)).content.decode()
        )
    blocked = ask(client, case.number, case.query_code)
    assert blocked.status_code == 429
    html = blocked.content.decode()
    assert "输入错误次数过多" in html and "请 10 分钟后再试" in html
    assert "当前状态" not in html  # not even the right code gets through
    # And the page says so, before and after: no promise that right queries pass.
    for page in (html, client.get(URL).content.decode()):
        assert "正确查询不受影响" not in page
        assert f"输错 {PROGRESS_LIMIT} 次" in page and "暂停查询（最长 10 分钟）" in page
        assert "即使输入正确也不予查询" in page
    other = client.post(
        URL, {"number": case.number, "code": case.query_code}, REMOTE_ADDR="10.0.0.9"
    )
    assert "当前状态" in other.content.decode()


@pytest.mark.django_db
def test_right_queries_are_not_counted_against_the_limit(client, case: Case) -> None:
    # The sequence that was refused: three right, seven wrong, then a right one.
    for _ in range(3):
        assert "当前状态" in ask(client, case.number, case.query_code).content.decode()
    for _ in range(PROGRESS_LIMIT - 3):
        ask(client, case.number, wrong(case.query_code))
    for _ in range(5):
        answer = ask(client, case.number, case.query_code)
        assert answer.status_code == 200 and "当前状态" in answer.content.decode()
    # The wrong ones still count: three more reach the limit, and the last says for how long.
    for _ in range(2):
        ask(client, case.number, wrong(case.query_code))
    last = ask(client, case.number, wrong(case.query_code)).content.decode()
    assert "办件编号或查询码不正确" in last and "请 10 分钟后再试" in last
    assert ask(client, case.number, case.query_code).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("A" * 41, "123456", "办件编号不超过 40 位（您输入了 41 位）"),
        ("1141012201224001X9202611\x0005000001", "123456", "办件编号不能含有空字符（NUL）"),
        ("1141-0122", "123456", "办件编号只由字母和数字组成"),
        ("1141012201224001X920261105000001", "12\x00456", "查询码不能含有空字符（NUL）"),
    ],
)
def test_each_malformed_field_gets_one_clear_message(
    client, demo_province: None, number: str, code: str, message: str
) -> None:
    html = ask(client, number, code).content.decode()
    assert html.count(message) == 1, html
    assert "确保该变量" not in html and "不允许是用空字符串" not in html


@pytest.mark.django_db
def test_a_code_too_long_is_reported_once(client, demo_province: None) -> None:
    html = ask(client, "1141012201224001X920261105000001", "1234567").content.decode()
    assert html.count("查询码是 6 位数字") == 1


@pytest.mark.django_db
def test_full_width_characters_are_read_as_plain_ones(client, case: Case) -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in case.query_code)
    assert "当前状态" in ask(client, case.number.lower(), full_width).content.decode()
