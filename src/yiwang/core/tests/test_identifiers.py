"""Tests for yiwang.core.identifiers (GB 11643-1999, GB 11714-1997, GB 32100-2015). No database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.errors import InvalidInput
from yiwang.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_REGISTRATION_AUTHORITIES,
    PROVINCE_CODES,
    InvalidIdentifier,
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_resident_id,
    make_credit_code,
    normalize_credit_code,
    normalize_org_code,
    normalize_resident_id,
    org_code_check_char,
    resident_id_check_char,
    validate_credit_code,
    validate_org_code,
    validate_resident_id,
)

TODAY = date(2026, 3, 1)


def error_of(func, *args, **kwargs) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        func(*args, **kwargs)
    return info.value


# --- GB 11643-1999 resident ID ------------------------------------------------------------------

PUBLISHED_ID = "11010519491231002X"  # the example printed in GB 11643-1999


def test_published_example_is_valid():
    validate_resident_id(PUBLISHED_ID, today=TODAY)
    assert resident_id_check_char(PUBLISHED_ID[:17]) == "X"


def test_invalid_identifier_is_an_invalid_input():
    err = error_of(validate_resident_id, "110105194912310021", today=TODAY)
    assert isinstance(err, InvalidInput)
    assert err.status == 400
    assert err.as_dict()["code"] == "identifier.resident_id.check_digit"


def test_lowercase_x_is_accepted_and_normalised():
    validate_resident_id(PUBLISHED_ID.lower(), today=TODAY)
    assert normalize_resident_id(" 11010519491231002x ", today=TODAY) == PUBLISHED_ID
    # full-width digits, as typed with a Chinese input method
    assert (
        normalize_resident_id("１１０１０５１９４９１２３１００２ｘ", today=TODAY) == PUBLISHED_ID
    )


def test_changed_digit_fails_with_check_digit_code():
    changed = PUBLISHED_ID[:16] + "3" + PUBLISHED_ID[17]  # sequence 002 -> 003
    err = error_of(validate_resident_id, changed, today=TODAY)
    assert err.code == "identifier.resident_id.check_digit"
    expected = resident_id_check_char(changed[:17])
    assert err.expected == expected
    assert err.message == f"身份证号码校验位错误，应为 {expected}"


def test_wrong_check_char_names_the_expected_one():
    err = error_of(validate_resident_id, PUBLISHED_ID[:17] + "1", today=TODAY)
    assert err.code == "identifier.resident_id.check_digit"
    assert err.message == "身份证号码校验位错误，应为 X"


@pytest.mark.parametrize(
    "value",
    ["", "11010519491231002", "11010519491231002X0", "110105491231002"],
)
def test_wrong_length(value):
    assert error_of(validate_resident_id, value, today=TODAY).code == (
        "identifier.resident_id.length"
    )


def test_fifteen_digit_old_number_gets_a_hint():
    err = error_of(validate_resident_id, "110105491231002", today=TODAY)
    assert "15 位" in err.message


@pytest.mark.parametrize(
    "value",
    ["1101051949123100XX", "11010519491231002Y", "1101051949A231002X", "11010519491231002 "],
)
def test_bad_characters(value):
    assert error_of(validate_resident_id, value, today=TODAY).code == (
        "identifier.resident_id.format"
    )


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    "birth",
    [
        "19490230",  # 30 February
        "19491301",  # month 13
        "19490000",  # month 0
        "20230229",  # not a leap year
        "18991231",  # before 1900
        "20260302",  # after "today"
        "00000000",
    ],
)
def test_bad_birth_dates(birth):
    value = with_check(f"410105{birth}123")
    assert error_of(validate_resident_id, value, today=TODAY).code == (
        "identifier.resident_id.birth_date"
    )


def test_boundary_birth_dates_are_accepted():
    validate_resident_id(with_check("41010519000101123"), today=TODAY)
    validate_resident_id(with_check("410105" + TODAY.strftime("%Y%m%d") + "123"), today=TODAY)
    validate_resident_id(with_check("41010520000229123"), today=TODAY)  # leap day


@pytest.mark.parametrize("prefix", ["000000", "100000", "160101", "470101", "720101", "990101"])
def test_division_code_must_start_with_a_province(prefix):
    value = with_check(f"{prefix}19800101123")
    assert error_of(validate_resident_id, value, today=TODAY).code == (
        "identifier.resident_id.division"
    )


def test_non_string_is_refused():
    assert not is_valid_resident_id(11010519491231002, today=TODAY)


# --- GB 11714-1997 organization code ------------------------------------------------------------


def test_org_code_examples():
    validate_org_code("M000100Y4")  # inside the GB 32100 example
    assert org_code_check_char("M000100Y") == "4"
    assert normalize_org_code("m000100y-4") == "M000100Y4"


def test_org_code_ten_and_eleven():
    # Find bodies whose raw check value is 10 and 11 and check their written forms.
    seen = {org_code_check_char(f"{n:08d}") for n in range(200)}
    assert "X" in seen and "0" in seen


def test_org_code_errors():
    assert error_of(validate_org_code, "M000100Y").code == "identifier.org_code.length"
    assert error_of(validate_org_code, "M000100Y!").code == "identifier.org_code.charset"
    err = error_of(validate_org_code, "M000100Y5")
    assert err.code == "identifier.org_code.check_digit"
    assert err.message == "组织机构代码校验位错误，应为 4"


# --- GB 32100-2015 unified social credit code ---------------------------------------------------

STANDARD_EXAMPLE = "91350100M000100Y43"  # the example in GB 32100-2015

# Widely published codes of large enterprises; they pass both check characters (GB 11714 and
# GB 32100), which a wrongly remembered code would do with probability about 1/341.
PUBLISHED_CODES = [
    "914403001922038216",
    "91330100716105852F",
    "9144030071526726XG",
    "91110108551385082Q",
]


@pytest.mark.parametrize("code", [STANDARD_EXAMPLE, *PUBLISHED_CODES])
def test_published_credit_codes_are_valid(code):
    validate_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


def test_standard_example_check_chars():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert org_code_check_char("M000100Y") == "4"


def test_credit_code_lowercase_and_normalise():
    validate_credit_code(STANDARD_EXAMPLE.lower())
    assert normalize_credit_code(f" {STANDARD_EXAMPLE.lower()}\n") == STANDARD_EXAMPLE


def test_credit_code_weights_are_powers_of_three():
    from yiwang.core.identifiers import CREDIT_CODE_WEIGHTS

    assert CREDIT_CODE_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y430"])
def test_credit_code_wrong_length(value):
    assert error_of(validate_credit_code, value).code == "identifier.credit_code.length"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_credit_code_refuses_excluded_letters(letter):
    value = "91350100M000100" + letter + "43"
    err = error_of(validate_credit_code, value)
    assert err.code == "identifier.credit_code.charset"
    assert letter in err.message


def test_credit_code_refuses_punctuation():
    assert error_of(validate_credit_code, "91350100-M000100Y4").code == (
        "identifier.credit_code.charset"
    )


def test_credit_code_wrong_check_char_names_expected():
    err = error_of(validate_credit_code, "91350100M000100Y44")
    assert err.code == "identifier.credit_code.check_char"
    assert err.expected == "3"
    assert err.message == "统一社会信用代码校验位错误，应为 3"


def test_credit_code_with_broken_org_code():
    body = "91350100M000100Y5"  # GB 11714 check should be 4
    value = body + credit_code_check_char(body)
    err = error_of(validate_credit_code, value)
    assert err.code == "identifier.credit_code.org_code"
    assert "M000100Y4" in err.message


def test_credit_code_registration_type_and_division():
    body = "B1350100M000100Y4"
    assert error_of(validate_credit_code, body + credit_code_check_char(body)).code == (
        "identifier.credit_code.registration"
    )
    body = "90350100M000100Y4"
    assert error_of(validate_credit_code, body + credit_code_check_char(body)).code == (
        "identifier.credit_code.type"
    )
    body = "913501A0M000100Y4"
    assert error_of(validate_credit_code, body + credit_code_check_char(body)).code == (
        "identifier.credit_code.division"
    )


def test_make_credit_code_reproduces_the_example():
    assert make_credit_code("9", "1", "350100", "M000100Y") == STANDARD_EXAMPLE


def test_make_credit_code_refuses_bad_parts():
    assert error_of(make_credit_code, "1", "1", "4101", "00000001").code == (
        "identifier.credit_code.length"
    )
    # I is a GB 11714 letter but not a GB 32100 one
    assert error_of(make_credit_code, "1", "1", "410100", "0000000I").code == (
        "identifier.credit_code.charset"
    )
    assert error_of(make_credit_code, "B", "1", "410100", "00000001").code == (
        "identifier.credit_code.registration"
    )


# --- property tests -----------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(digits)
def test_mod_11_2_identity(first17):
    """ISO 7064 MOD 11-2: Σ a_i · 2^(18-i) ≡ 1 (mod 11) over all 18 characters, X = 10."""
    full = first17 + resident_id_check_char(first17)
    values = [10 if ch == "X" else int(ch) for ch in full]
    assert sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


resident_bodies = st.builds(
    lambda province, rest, born, seq: f"{province}{rest}{born:%Y%m%d}{seq}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@given(resident_bodies)
def test_any_body_with_its_check_char_validates(first17):
    value = first17 + resident_id_check_char(first17)
    validate_resident_id(value, today=TODAY)
    for other in "0123456789X":
        if other != value[17]:
            err = error_of(validate_resident_id, first17 + other, today=TODAY)
            assert err.code == "identifier.resident_id.check_digit"
            assert err.expected == value[17]


@given(resident_bodies, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(first17, position, delta):
    value = first17 + resident_id_check_char(first17)
    digit = (int(value[position]) + delta) % 10
    changed = value[:position] + str(digit) + value[position + 1 :]
    assert not is_valid_resident_id(changed, today=TODAY)


org_body = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8)
credit_parts = st.tuples(
    st.sampled_from(sorted(CREDIT_CODE_REGISTRATION_AUTHORITIES)),
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    org_body,
)


@given(credit_parts)
def test_made_credit_codes_validate_and_every_other_check_char_fails(parts):
    code = make_credit_code(*parts)
    validate_credit_code(code)
    assert code[:8] == "".join(parts[:3])
    assert code[8:16] == parts[3]
    validate_org_code(code[8:17])
    for other in CREDIT_CODE_ALPHABET:
        if other != code[17]:
            err = error_of(validate_credit_code, code[:17] + other)
            assert err.code == "identifier.credit_code.check_char"
            assert err.expected == code[17]


@given(credit_parts, st.integers(min_value=0, max_value=17), st.integers(1, 30))
def test_any_single_character_substitution_is_detected(parts, position, delta):
    code = make_credit_code(*parts)
    ch = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(code[position]) + delta) % 31]
    changed = code[:position] + ch + code[position + 1 :]
    assert not is_valid_credit_code(changed)


def test_far_future_today_still_refuses_pre_1900():
    value = with_check("41010518991231123")
    assert not is_valid_resident_id(value, today=TODAY + timedelta(days=3650))
