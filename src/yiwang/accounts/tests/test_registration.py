"""An applicant opens an account with their real identity; bad input is reported field by field."""

from __future__ import annotations

import re

import pytest

from yiwang.accounts.models import Applicant, ApplicantKind, User
from yiwang.accounts.services import register_applicant
from yiwang.core.errors import InvalidInput

GOOD = {
    "username": "wang.fang",
    "password": "Huanghe-2026!",
    "full_name": "王芳",
    "id_number": "11010519491231002X",  # the GB 11643 example
    "phone": "13812345678",
}


@pytest.mark.django_db
def test_registration_creates_the_user_and_their_applicant_record():
    user = register_applicant(**GOOD)
    assert user.check_password(GOOD["password"])
    applicant = Applicant.objects.get(user=user)
    assert (applicant.kind, applicant.name, applicant.id_number) == (
        ApplicantKind.PERSON,
        "王芳",
        "11010519491231002X",
    )


@pytest.mark.django_db
def test_every_problem_is_reported_at_once_with_its_field_and_nothing_is_stored():
    with pytest.raises(InvalidInput) as caught:
        register_applicant(
            username="x",
            password="123",
            full_name="王",
            id_number="110105194912310021",
            phone="123",
        )
    fields = {p.field: p.message for p in caught.value.problems}
    assert set(fields) == {"username", "full_name", "id_number", "phone", "password"}
    assert "校验位" in fields["id_number"]
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
def test_a_taken_username_or_identity_is_refused():
    register_applicant(**GOOD)
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "username": "WANG.FANG", "id_number": "110105198001010016"})
    assert [p.code for p in caught.value.problems] == ["account.username_taken"]
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "username": "wang.fang2"})
    assert [p.code for p in caught.value.problems] == ["account.id_number_taken"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["王芳", "李娜"])
def test_a_record_made_at_a_window_is_not_taken_over_by_typing_its_id_number(name):
    # Whoever knows a person's ID number (and name) must not reach that person's cases.
    known = Applicant.objects.create(
        kind=ApplicantKind.PERSON, name="王芳", id_number="11010519491231002X", phone="13900000000"
    )
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "full_name": name})
    [problem] = caught.value.problems
    assert problem.code == "account.id_number_on_record" and "办事窗口核验身份" in problem.message
    known.refresh_from_db()
    assert (known.user_id, known.name, known.phone) == (None, "王芳", "13900000000")
    assert not User.objects.filter(username=GOOD["username"]).exists()


LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["a1", "12345678901", "wang.fang.1949", "password"])
def test_every_password_rule_explains_itself_in_chinese(password):
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "password": password})
    [problem] = caught.value.problems
    assert problem.field == "password"
    assert not LATIN_WORD.search(problem.message), problem.message


@pytest.mark.django_db
@pytest.mark.parametrize("password", [" " * 8, "\u3000" * 8, " \t" * 6])
def test_a_password_of_spaces_alone_is_refused(client, password):
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "password": password})
    [problem] = caught.value.problems
    assert problem.field == "password" and "密码不能只由空格组成" in problem.message
    page = client.post("/my/register/", {**GOOD, "password": password})
    assert page.status_code == 422 and "密码不能只由空格组成" in page.content.decode()
    assert not User.objects.exists()
    # Spaces within a password are the applicant's choice.
    assert register_applicant(**{**GOOD, "password": " Huanghe 2026 "}).check_password(
        " Huanghe 2026 "
    )


@pytest.mark.django_db
def test_pages_speak_chinese_to_a_browser_that_asks_for_english(client):
    english = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    short = client.post(
        "/my/register/",
        {**GOOD, "password": "a1", "password2": "a1"},
        **english,
    )
    assert "密码太短，至少需要 8 个字符。" in short.content.decode()
    admin = client.get("/admin/login/", **english).content.decode()
    assert "登录" in admin and "Log in" not in admin


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(GOOD))
def test_a_nul_character_in_any_field_is_refused_and_nothing_is_stored(field):
    value = GOOD[field]
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, field: value[:3] + "\x00" + value[3:]})
    [problem] = caught.value.problems
    assert problem.field == field and "空字符" in problem.message
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
def test_the_registration_page_explains_a_nul_in_the_password(client):
    page = client.post("/my/register/", {**GOOD, "password": "Huanghe\x00-2026!"})
    assert page.status_code == 422
    assert "密码含有空字符（NUL），无法保存" in page.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "full_name", ["😀😀", "<script>alert(1)</script>", "Robert'); DROP TABLE users;--"]
)
def test_a_name_no_person_has_is_refused(client, full_name):
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "full_name": full_name})
    [problem] = caught.value.problems
    assert (problem.code, problem.field) == ("account.full_name", "full_name")
    assert "姓名中不能含有" in problem.message
    page = client.post("/my/register/", {**GOOD, "full_name": full_name})
    assert page.status_code == 422 and "姓名中不能含有" in page.content.decode()
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"), [("买买提•艾力", "买买提·艾力"), ("Jean-Luc O'Neil", "Jean-Luc O'Neil")]
)
def test_minority_and_foreign_names_are_accepted_as_the_card_writes_them(typed, stored):
    user = register_applicant(**{**GOOD, "full_name": typed})
    assert user.full_name == stored and Applicant.objects.get(user=user).name == stored


@pytest.mark.django_db
def test_an_applicant_record_typed_in_the_admin_follows_the_same_rule():
    from django.core.exceptions import ValidationError

    person = Applicant(kind=ApplicantKind.PERSON, name="😀😀", id_number=GOOD["id_number"])
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "姓名中不能含有“😀”" in caught.value.message_dict["name"][0]
    firm = Applicant(
        kind=ApplicantKind.ORGANIZATION,
        name="河南中原正道律师事务所",
        id_number="91410100MA44FGLT3T",
        contact_name="<b>x</b>",
    )
    with pytest.raises(ValidationError) as caught:
        firm.full_clean()
    assert set(caught.value.message_dict) >= {"contact_name"}
    assert "联系人姓名中不能含有" in caught.value.message_dict["contact_name"][0]


@pytest.mark.django_db
def test_several_password_rules_read_as_one_sentence():
    with pytest.raises(InvalidInput) as caught:
        register_applicant(**{**GOOD, "password": "1234567"})
    [problem] = caught.value.problems
    assert problem.message == ("密码太短，至少需要 8 个字符；这个密码太常见了；密码只包含数字。"), (
        problem.message
    )
