"""Application forms: definitions, answers from a POST, validation, binding, display, HTML."""

from __future__ import annotations

import json
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.catalog.application_form import (
    FIELD_TYPES,
    BoundField,
    BoundGroup,
    FormField,
    FormGroup,
    bind,
    check_definition,
    data_from_post,
    definition_from_json,
    display_rows,
    html_pattern,
    remove_row,
    validate_form,
)
from yiwang.core.errors import InvalidInput
from yiwang.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    PROVINCE_CODES,
    make_credit_code,
    resident_id_check_char,
)
from yiwang.core.names import HINT as NAME_HINT

# The form of SF-LS-006 as the shipped catalogue writes it (trimmed to what the tests need).
LAW_FIRM_FORM = {
    "fields": [
        {
            "key": "firm_name",
            "label": "律师事务所名称",
            "type": "text",
            "required": True,
            "max_length": 100,
            "pattern": ".+律师事务所",
            "pattern_message": "名称须以“律师事务所”结尾",
            "help": "与名称预核准通知书一致",
        },
        {
            "key": "organization",
            "label": "组织形式",
            "type": "choice",
            "required": True,
            "choices": ["普通合伙", "特殊的普通合伙", "个人", "国家出资"],
        },
        {"key": "founded_on", "label": "成立日期", "type": "date", "required": False},
        {
            "key": "capital",
            "label": "资产数额（万元）",
            "type": "decimal",
            "required": True,
            "min": 10,
            "max": 100000,
        },
        {"key": "phone", "label": "联系电话", "type": "phone", "required": True},
        {"key": "email", "label": "电子邮箱", "type": "email", "required": False},
        {
            "key": "credit_code",
            "label": "统一社会信用代码",
            "type": "credit_code",
            "required": False,
        },
        {"key": "notes", "label": "说明", "type": "textarea", "required": False, "max_length": 20},
        {"key": "pledge", "label": "本人承诺所填内容真实", "type": "bool", "required": True},
        {
            "key": "partners",
            "label": "合伙人",
            "type": "group",
            "min_rows": 2,
            "max_rows": 3,
            "fields": [
                {"key": "name", "label": "姓名", "type": "person_name", "required": True},
                {"key": "id_number", "label": "身份证号码", "type": "id_number", "required": True},
                {
                    "key": "licence_no",
                    "label": "律师执业证号",
                    "type": "text",
                    "required": True,
                    "pattern": r"\d{17}",
                    "pattern_message": "律师执业证号为 17 位数字",
                },
                {
                    "key": "years",
                    "label": "执业年限",
                    "type": "integer",
                    "required": True,
                    "min": 3,
                    "max": 70,
                },
                {"key": "is_head", "label": "负责人", "type": "bool", "required": False},
            ],
        },
    ]
}
DEFN = definition_from_json(LAW_FIRM_FORM)
ID_1 = "11010519491231002X"  # the GB 11643 example number
ID_2 = "41010519880315231" + resident_id_check_char("41010519880315231")
WRONG_2 = ID_2[:17] + ("0" if ID_2[17] != "0" else "1")
CREDIT = make_credit_code("3", "1", "410100", "MA3X0001")


def partner(name="张伟", id_number=ID_1, licence_no="14101201100000001", years="12", head=False):
    return {
        "name": name,
        "id_number": id_number,
        "licence_no": licence_no,
        "years": years,
        "is_head": head,
    }


def answers(**changes):
    data = {
        "firm_name": "河南嵩岳律师事务所",
        "organization": "普通合伙",
        "founded_on": "",
        "capital": "50",
        "phone": "0371-65432100",
        "email": "",
        "credit_code": "",
        "notes": "",
        "pledge": True,
        "partners": [partner(), partner("李娜", ID_2, "14101201400000002", "9", True)],
    }
    data.update(changes)
    return data


def errors_of(**changes):
    return validate_form(DEFN, answers(**changes))[1]


# --- the definition ------------------------------------------------------------------------------


def test_definition_objects_carry_every_setting():
    firm_name, organization, *_, capital, _, _, _, _, _, partners = DEFN.entries
    assert isinstance(firm_name, FormField) and firm_name.required
    assert (firm_name.max_length, firm_name.pattern) == (100, ".+律师事务所")
    assert firm_name.help == "与名称预核准通知书一致"
    assert organization.choices == ("普通合伙", "特殊的普通合伙", "个人", "国家出资")
    assert str(capital.min) == "10" and str(capital.max) == "100000"
    assert isinstance(partners, FormGroup)
    assert (partners.min_rows, partners.max_rows) == (2, 3)
    assert [f.key for f in partners.fields] == [
        "name",
        "id_number",
        "licence_no",
        "years",
        "is_head",
    ]
    assert not DEFN.is_empty()
    assert definition_from_json({}).is_empty()


def test_the_normalized_definition_is_a_fixed_point():
    normalized, problems = check_definition(LAW_FIRM_FORM)
    assert problems == []
    again, problems = check_definition(json.loads(json.dumps(normalized)))
    assert again == normalized and problems == []
    # Defaults are written out where they matter, nothing else is invented.
    assert normalized["fields"][2] == {
        "key": "founded_on",
        "label": "成立日期",
        "type": "date",
        "required": False,
    }
    assert normalized["fields"][-1]["min_rows"] == 2


def test_decimal_bounds_keep_their_exact_value():
    normalized, problems = check_definition(
        {"fields": [{"key": "x", "label": "金额", "type": "decimal", "min": 0.1, "max": "12.50"}]}
    )
    assert problems == []
    assert normalized["fields"][0]["min"] == "0.1" and normalized["fields"][0]["max"] == "12.5"


def test_a_broken_definition_is_refused_with_every_problem():
    with pytest.raises(InvalidInput) as exc:
        definition_from_json(
            {
                "fields": [
                    {"key": "Name", "label": "名称", "type": "text"},
                    {"key": "kind", "label": "类别", "type": "choice"},
                    {"key": "kind", "label": "", "type": "idcard"},
                ]
            }
        )
    fields = [p.field for p in exc.value.problems]
    assert fields == [
        "form.fields[1].key",
        "form.fields[2].choices",
        "form.fields[3].key",
        "form.fields[3].label",
        "form.fields[3].type",
    ]
    assert exc.value.code == "catalog.invalid_form"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["fields", "key", "label", "type", "required", "pattern", "min", "max",
                 "min_rows", "max_rows", "choices", "max_length", "help", "x"]
            ) | st.text(max_size=4),
            children,
            max_size=6,
        ),
        max_leaves=25,
    )
)  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_checking_any_junk_never_raises(raw):
    normalized, problems = check_definition(raw)
    assert isinstance(normalized, dict)
    if not problems:
        assert check_definition(normalized) == (normalized, [])


# --- validation: one message shape for every rule ----------------------------------------------


def test_correct_answers_are_cleaned_to_json_types():
    cleaned, errors = validate_form(
        DEFN,
        answers(
            founded_on="２０２６-03-02",
            capital=" 50.50 ",
            credit_code=CREDIT.lower(),
            notes="第一行\r\n第二行",
            phone="138 0013 8000",
            unknown="ignored",
        ),
    )
    assert errors == {}
    assert cleaned == {
        "firm_name": "河南嵩岳律师事务所",
        "organization": "普通合伙",
        "founded_on": "2026-03-02",
        "capital": "50.50",
        "phone": "13800138000",
        "email": None,
        "credit_code": CREDIT,
        "notes": "第一行\n第二行",
        "pledge": True,
        "partners": [
            {
                "name": "张伟",
                "id_number": ID_1,
                "licence_no": "14101201100000001",
                "years": 12,
                "is_head": False,
            },
            {
                "name": "李娜",
                "id_number": ID_2,
                "licence_no": "14101201400000002",
                "years": 9,
                "is_head": True,
            },
        ],
    }
    json.dumps(cleaned)  # storable as it is
    assert validate_form(DEFN, cleaned) == (cleaned, {})  # cleaning is idempotent


@pytest.mark.parametrize(
    "changes, key, message",
    [
        ({"firm_name": "  "}, "firm_name", "律师事务所名称：必须填写"),
        ({"firm_name": "嵩岳律所"}, "firm_name", "律师事务所名称：名称须以“律师事务所”结尾"),
        ({"firm_name": "律" * 97 + "律师事务所"}, "firm_name", "律师事务所名称：不能超过 100 个字（现有 102 个）"),
        ({"firm_name": "嵩岳\n律师事务所"}, "firm_name", "律师事务所名称：不能包含换行"),
        ({"organization": ""}, "organization", "组织形式：请选择"),
        ({"organization": "有限公司"}, "organization", "组织形式：请从给定选项中选择"),
        ({"founded_on": "2026-02-30"}, "founded_on", "成立日期：须为有效日期，格式为 YYYY-MM-DD（如 2026-03-02）"),
        ({"founded_on": "2026/03/02"}, "founded_on", "成立日期：须为有效日期，格式为 YYYY-MM-DD（如 2026-03-02）"),
        ({"founded_on": "1800-01-01"}, "founded_on", "成立日期：须在 1900-01-01 至 2100-12-31 之间，请检查年份"),
        ({"founded_on": "1899-12-31"}, "founded_on", "成立日期：须在 1900-01-01 至 2100-12-31 之间，请检查年份"),
        ({"founded_on": "2101-01-01"}, "founded_on", "成立日期：须在 1900-01-01 至 2100-12-31 之间，请检查年份"),
        ({"capital": "9.99"}, "capital", "资产数额（万元）：不能小于 10"),
        ({"capital": "100000.01"}, "capital", "资产数额（万元）：不能大于 100000"),
        ({"capital": "五十"}, "capital", "资产数额（万元）：须为数字（如 30 或 12.5，最多 6 位小数）"),
        ({"phone": "6543210"}, "phone", "联系电话：应为 11 位手机号码或带区号的固定电话（如 0371-65432100）"),
        ({"email": "someone@"}, "email", "电子邮箱：格式不正确（如 name@example.com）"),
        ({"credit_code": CREDIT[:17] + ("1" if CREDIT[17] != "1" else "2")}, "credit_code", "统一社会信用代码：校验位不正确"),
        ({"credit_code": CREDIT[:17]}, "credit_code", "统一社会信用代码：应为 18 位，实际为 17 位"),
        ({"credit_code": "I" + CREDIT[1:]}, "credit_code", "统一社会信用代码：只能由数字和大写字母组成（不含 I、O、Z、S、V）"),
        ({"notes": "字" * 21}, "notes", "说明：不能超过 20 个字（现有 21 个）"),
        ({"notes": "a\x00b"}, "notes", "说明：含有不允许的控制字符"),
        ({"pledge": False}, "pledge", "本人承诺所填内容真实：请勾选"),
        ({"pledge": "maybe"}, "pledge", "本人承诺所填内容真实：格式不正确"),
        ({"partners": [partner()]}, "partners", "合伙人：至少填写 2 行"),
        ({"partners": [partner()] * 4}, "partners", "合伙人：最多填写 3 行（现有 4 行）"),
        ({"partners": "张伟、李娜"}, "partners", "合伙人：格式不正确"),
        ({"partners": [partner(), "李娜"]}, "partners.1", "合伙人第2行：格式不正确"),
        ({"partners": [partner(), partner(name="")]}, "partners.1.name", "合伙人第2行·姓名：必须填写"),
        ({"partners": [partner(), partner(name="张3")]}, "partners.1.name", f"合伙人第2行·姓名：姓名中不能含有“3”。{NAME_HINT}"),
        ({"partners": [partner(), partner(name="张Wei")]}, "partners.1.name", "合伙人第2行·姓名：姓名不能同时含有汉字和拉丁字母：中文姓名请全部用汉字，外文姓名请全部用拉丁字母"),
        ({"partners": [partner(), partner(name="张")]}, "partners.1.name", "合伙人第2行·姓名：请填写完整的姓名（至少 2 个字）"),
        ({"partners": [partner(), partner(id_number=WRONG_2)]}, "partners.1.id_number", "合伙人第2行·身份证号码：校验位不正确"),
        ({"partners": [partner(), partner(id_number=ID_2[:15])]}, "partners.1.id_number", "合伙人第2行·身份证号码：应为 18 位，实际为 15 位"),
        ({"partners": [partner(), partner(id_number="99" + ID_2[2:])]}, "partners.1.id_number", "合伙人第2行·身份证号码：前 6 位不是有效的行政区划代码"),
        ({"partners": [partner(), partner(id_number=ID_2[:10] + "0230" + ID_2[14:])]}, "partners.1.id_number", "合伙人第2行·身份证号码：其中的出生日期无效"),
        ({"partners": [partner(licence_no="1410120110000000")]}, "partners.0.licence_no", "合伙人第1行·律师执业证号：律师执业证号为 17 位数字"),
        ({"partners": [partner(), partner(years="2")]}, "partners.1.years", "合伙人第2行·执业年限：不能小于 3"),
        ({"partners": [partner(), partner(years="3.5")]}, "partners.1.years", "合伙人第2行·执业年限：须为整数"),
        ({"partners": [partner(), partner(years=True)]}, "partners.1.years", "合伙人第2行·执业年限：格式不正确"),
    ],
)  # fmt: skip
def test_each_rule_has_a_message_naming_the_field(changes, key, message):
    assert errors_of(**changes)[key] == message


def test_names_are_kept_as_the_identity_card_writes_them():
    typed = [partner(name="买买提.艾力"), partner("Ｊｅａｎ  O'Neil", ID_2, "14101201400000002")]
    cleaned, errors = validate_form(DEFN, answers(partners=typed))
    assert errors == {}
    assert [row["name"] for row in cleaned["partners"]] == ["买买提·艾力", "Jean O'Neil"]


def test_every_problem_is_reported_at_once():
    errors = errors_of(
        firm_name="",
        capital="1",
        partners=[partner(name=""), partner(id_number=WRONG_2, years="1")],
    )
    assert set(errors) == {
        "firm_name",
        "capital",
        "partners.0.name",
        "partners.1.id_number",
        "partners.1.years",
    }


def test_numbers_and_codes_from_an_api_client_are_accepted():
    cleaned, errors = validate_form(
        DEFN, answers(capital=50, partners=[partner(years=12), partner(years=9.0)])
    )
    assert errors == {}
    assert cleaned["capital"] == "50" and [p["years"] for p in cleaned["partners"]] == [12, 9]


def test_a_form_with_no_answers_at_all_reports_what_is_required():
    _, errors = validate_form(DEFN, {})
    assert errors == {
        "firm_name": "律师事务所名称：必须填写",
        "organization": "组织形式：请选择",
        "capital": "资产数额（万元）：必须填写",
        "phone": "联系电话：必须填写",
        "pledge": "本人承诺所填内容真实：请勾选",
        "partners": "合伙人：至少填写 2 行",
    }


resident_ids = st.builds(
    lambda province, rest, born, seq: f"{province}{rest}{born:%Y%m%d}{seq}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
).map(lambda body: body + resident_id_check_char(body))


@given(resident_ids, resident_ids)
def test_any_valid_id_number_passes_and_a_wrong_check_character_fails(first, second):
    cleaned, errors = validate_form(
        DEFN, answers(partners=[partner(id_number=first), partner(id_number=second.lower())])
    )
    assert errors == {}
    assert [p["id_number"] for p in cleaned["partners"]] == [first, second]
    wrong = first[:17] + next(c for c in "0123456789X" if c != first[17])
    _, errors = validate_form(DEFN, answers(partners=[partner(), partner(id_number=wrong)]))
    assert errors == {"partners.1.id_number": "合伙人第2行·身份证号码：校验位不正确"}


@given(
    st.sampled_from(["1", "3", "5", "9", "Y"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
)
def test_any_valid_credit_code_passes(registration, division, body):
    code = make_credit_code(registration, "1", division, body)
    cleaned, errors = validate_form(DEFN, answers(credit_code=code))
    assert errors == {} and cleaned["credit_code"] == code


ANY_TYPE_DEFN = definition_from_json(
    {
        "fields": [
            {"key": kind, "label": label, "type": kind, "required": True}
            | ({"choices": ["甲", "乙"]} if kind == "choice" else {})
            | ({"pattern": r"[\u4e00-\u9fa5]{2,4}"} if kind == "text" else {})
            for kind, label in FIELD_TYPES.items()
        ]
        + [
            {
                "key": "rows",
                "label": "行",
                "type": "group",
                "min_rows": 1,
                "max_rows": 2,
                "fields": [{"key": "v", "label": "值", "type": "integer", "min": -5, "max": 5}],
            }
        ]
    }
)
junk = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary().map(str)


@given(st.dictionaries(st.sampled_from([*FIELD_TYPES, "rows", "other"]), junk | st.lists(junk)))
@settings(max_examples=300, deadline=None)
def test_any_answer_gives_errors_never_an_exception(data):
    cleaned, errors = validate_form(ANY_TYPE_DEFN, data)
    json.dumps(cleaned, allow_nan=False)
    assert set(cleaned) == {*FIELD_TYPES, "rows"}
    assert all(message.split("：", 1)[1] for message in errors.values())
    bind(ANY_TYPE_DEFN, data, errors)
    display_rows(ANY_TYPE_DEFN, data)


@given(st.text())
@settings(max_examples=300)
def test_any_string_in_any_field_never_raises(text):
    data = {kind: text for kind in FIELD_TYPES} | {"rows": [{"v": text}]}
    cleaned, errors = validate_form(ANY_TYPE_DEFN, data)
    for kind in FIELD_TYPES:
        rejected = cleaned[kind] is None or cleaned[kind] is False
        assert (kind in errors) == rejected, kind


# --- answers from a POST -------------------------------------------------------------------------


def test_data_from_post_keeps_raw_values_and_row_order():
    post = QueryDict(mutable=True)
    post.update(
        {
            "firm_name": "  河南嵩岳律所 ",
            "capital": "五十",
            "pledge": "on",
            "partners-10-name": "王建国",
            "partners-10-years": "7",
            "partners-2-name": "李娜",
            "partners-2-id_number": "4101051988031523１５",  # full-width, kept as typed
            "partners-2-is_head": "on",
            "partners-0-name": "张伟",
            "partners-5-name": "   ",  # a blank row is dropped
            "partners-5-years": "",
            "partners-x-name": "ignored",
            "other": "ignored",
        }
    )
    data = data_from_post(DEFN, post)
    assert data["firm_name"] == "  河南嵩岳律所 " and data["capital"] == "五十"
    assert data["pledge"] is True and data["organization"] == ""
    assert "other" not in data
    assert [row["name"] for row in data["partners"]] == ["张伟", "李娜", "王建国"]
    assert data["partners"][1] == {
        "name": "李娜",
        "id_number": "4101051988031523１５",
        "licence_no": "",
        "years": "",
        "is_head": True,
    }
    _, errors = validate_form(DEFN, data)
    # Errors point at the rows as they are shown again (renumbered from 0).
    assert errors["partners.2.id_number"] == "合伙人第3行·身份证号码：必须填写"


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.text(min_size=1).filter(str.strip),
                "years": st.text(),
                "is_head": st.booleans(),
            }
        ),
        max_size=5,
    ),
    st.lists(st.integers(0, 999), unique=True, min_size=5, max_size=5),
)
def test_posted_rows_come_back_exactly_in_index_order(rows, indices):
    indices = sorted(indices)
    post = {}
    for index, row in zip(indices, rows, strict=False):
        post[f"partners-{index}-name"] = row["name"]
        post[f"partners-{index}-years"] = row["years"]
        if row["is_head"]:
            post[f"partners-{index}-is_head"] = "on"
    got = data_from_post(DEFN, post)["partners"]
    assert got == [
        {
            "name": r["name"],
            "id_number": "",
            "licence_no": "",
            "years": r["years"],
            "is_head": r["is_head"],
        }
        for r in rows
    ]


def test_remove_row():
    data = answers()
    assert [p["name"] for p in remove_row(data, "partners-0")["partners"]] == ["李娜"]
    assert remove_row(data, "partners-9") == data
    assert remove_row(data, "nonsense") == data
    assert len(data["partners"]) == 2  # the original is left alone


# --- binding and HTML ---------------------------------------------------------------------------


def test_bind_gives_names_ids_values_and_errors():
    data = answers(capital=None, partners=[partner()])
    _, errors = validate_form(DEFN, data)
    form = bind(DEFN, data, errors, extra_rows={"partners": 1})
    firm_name = form.entries[0]
    assert isinstance(firm_name, BoundField)
    assert (firm_name.name, firm_name.id, firm_name.value) == (
        "firm_name",
        "f-firm_name",
        "河南嵩岳律师事务所",
    )
    assert firm_name.input_type == "text" and firm_name.pattern == ".+律师事务所"
    assert form.entries[3].value == "" and form.entries[3].error == "资产数额（万元）：必须填写"
    assert form.entries[3].input_type == "number" and (
        form.entries[3].min,
        form.entries[3].max,
    ) == ("10", "100000")
    assert form.entries[8].input_type == "checkbox" and form.entries[8].checked
    group = form.entries[-1]
    assert isinstance(group, BoundGroup)
    assert group.error == "合伙人：至少填写 2 行"
    assert len(group.rows) == 2  # one answered row + the one asked for
    assert [bf.name for bf in group.rows[1]][:2] == ["partners-1-name", "partners-1-id_number"]
    assert group.rows[0][0].value == "张伟" and group.rows[1][0].value == ""
    assert group.can_add and group.can_remove and group.add_name == "add_row"
    assert [target for target, _ in form.error_summary] == ["f-capital", "f-partners"]


def test_bind_shows_at_least_min_rows_and_never_more_than_max():
    assert len(bind(DEFN, None).entries[-1].rows) == 2
    full = bind(DEFN, answers(partners=[partner()] * 3), extra_rows={"partners": 5})
    assert len(full.entries[-1].rows) == 3 and not full.entries[-1].can_add


class Page(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.texts = {}
        self._open = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open = dict(attrs).get("id")

    def handle_data(self, data):
        if self._open and data.strip():
            self.texts[self._open] = self.texts.get(self._open, "") + data.strip()

    def find(self, tag, **attrs):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def test_rendered_fields_are_tied_to_labels_hints_and_errors():
    data = answers(capital="5", partners=[partner(), partner(id_number=WRONG_2)])
    _, errors = validate_form(DEFN, data)
    html = render_to_string(
        "catalog/form_fields.html", {"form": bind(DEFN, data, errors), "summary": True}
    )
    page = Page(html)
    controls = {a["id"]: a for t, a in page.tags if t in ("input", "select", "textarea")}
    labels = [a["for"] for a in page.find("label")]
    assert sorted(labels) == sorted(controls)  # every control has its label, every label a control
    capital = controls["f-capital"]
    assert capital["aria-invalid"] == "true" and capital["required"] is None
    assert capital["aria-required"] == "true"
    assert capital["aria-describedby"] == "f-capital-hint f-capital-error"
    assert page.texts["f-capital-error"] == "资产数额（万元）：不能小于 10"
    wrong = controls["f-partners-1-id_number"]
    assert wrong["aria-describedby"].split()[-1] == "f-partners-1-id_number-error"
    assert page.texts["f-partners-1-id_number-error"] == "合伙人第2行·身份证号码：校验位不正确"
    assert "aria-invalid" not in controls["f-partners-0-id_number"]
    firm = controls["f-firm_name"]
    assert (firm["maxlength"], firm["pattern"], firm["value"]) == (
        "100",
        ".+律师事务所",
        "河南嵩岳律师事务所",
    )
    assert controls["f-partners-0-licence_no"]["pattern"] == r"\d{17}"
    assert controls["f-phone"]["type"] == "tel" and controls["f-founded_on"]["type"] == "date"
    assert "required" not in controls["f-founded_on"]
    assert [o["value"] for o in page.find("option")] == [
        "",
        "普通合伙",
        "特殊的普通合伙",
        "个人",
        "国家出资",
    ]
    assert page.find("option", value="普通合伙")[0].get("selected", "absent") is None
    assert page.find("input", name="pledge")[0].get("checked", "absent") is None
    assert page.find("button", name="add_row", value="partners")
    assert len(page.find("button", name="remove_row")) == 2
    assert all("formnovalidate" in b for b in page.find("button"))
    assert page.find("fieldset", id="f-partners")[0]["aria-describedby"] == "f-partners-hint"
    assert "第1行" in html and "第2行" in html and "<legend>合伙人</legend>" in html
    assert 'href="#f-capital"' in html  # the summary links to the field


def test_rendered_values_are_escaped():
    html = render_to_string(
        "catalog/form_fields.html",
        {"form": bind(DEFN, {"firm_name": '"><script>alert(1)</script>'})},
    )
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_display_rows_and_their_html():
    cleaned, errors = validate_form(DEFN, answers(founded_on="2026-03-02"))
    assert errors == {}
    rows = display_rows(DEFN, cleaned)
    by_label = {row.label: row for row in rows}
    assert by_label["成立日期"].value == "2026年3月2日"
    assert by_label["电子邮箱"].value == "未填写"
    assert by_label["本人承诺所填内容真实"].value == "是"
    partners = by_label["合伙人"]
    assert partners.is_group
    assert partners.group_labels == ["姓名", "身份证号码", "律师执业证号", "执业年限", "负责人"]
    assert partners.group_rows[1] == ["李娜", ID_2, "14101201400000002", "9", "是"]
    html = render_to_string("catalog/form_display.html", {"rows": rows})
    assert '<dl class="facts">' in html and '<div class="table-wrap">' in html
    assert '<th scope="col">律师执业证号</th>' in html and "<td>李娜</td>" in html


def test_display_never_loses_answers_kept_in_an_older_shape():
    rows = display_rows(DEFN, {"firm_name": "河南嵩岳律师事务所", "partners": ["张伟", "李娜"]})
    assert rows[0].value == "河南嵩岳律师事务所"
    assert [cells[0] for cells in rows[-1].group_rows] == ["张伟", "李娜"]


@pytest.mark.parametrize(
    "pattern, portable",
    [
        (r".+律师事务所", True),
        (r"\d{17}", True),
        (r"[\u4e00-\u9fa5]{2,10}", True),
        (r"[HMhm]\d{8,10}", True),
        (r"[A-Za-z0-9_-]+", False),  # a bare dash in a class is an error with the v flag
        (r"(?P<year>\d{4})", False),
        (r"\A\d+\Z", False),
        (r"a{,5}", False),
        (r"[a-c-e]", False),
    ],
)
def test_only_patterns_a_browser_reads_alike_go_to_the_html(pattern, portable):
    assert (html_pattern(pattern) == pattern) is portable


# --- dates -----------------------------------------------------------------------------------------

PAST_FORM = {
    "fields": [
        {"key": "passed_on", "label": "实习考核合格日期", "type": "date", "required": True, "past": True},
        {"key": "expires_on", "label": "执业证有效期至", "type": "date", "required": True},
        {
            "key": "changes",
            "label": "合伙人变更",
            "type": "group",
            "fields": [{"key": "effective_on", "label": "生效日期", "type": "date", "past": True}],
        },
    ]
}  # fmt: skip
PAST_DEFN = definition_from_json(PAST_FORM)
SUBMITTED = date(2026, 6, 1)


def test_any_date_between_1900_and_2100_is_plausible():
    for day in ("1900-01-01", "2100-12-31"):
        cleaned, errors = validate_form(DEFN, answers(founded_on=day))
        assert errors == {} and cleaned["founded_on"] == day


def test_a_date_of_a_past_event_is_not_after_the_day_of_submission():
    def check(passed_on, expires_on="2030-06-01", effective_on="2026-05-01"):
        data = {"passed_on": passed_on, "expires_on": expires_on,
                "changes": [{"effective_on": effective_on}]}  # fmt: skip
        return validate_form(PAST_DEFN, data, today=SUBMITTED)

    cleaned, errors = check("2026-06-01")  # the day itself; a date to come may be in the future
    assert errors == {} and cleaned["expires_on"] == "2030-06-01"
    _, errors = check("2030-06-01", effective_on="2026-06-02")
    assert errors == {
        "passed_on": "实习考核合格日期：不能晚于申请之日（2026-06-01）",
        "changes.0.effective_on": "合伙人变更第1行·生效日期：不能晚于申请之日（2026-06-01）",
    }
    _, errors = check("1800-01-01", expires_on="2101-01-01")
    assert errors == {
        "passed_on": "实习考核合格日期：须在 1900-01-01 至 2100-12-31 之间，请检查年份",
        "expires_on": "执业证有效期至：须在 1900-01-01 至 2100-12-31 之间，请检查年份",
    }
    # Without a day of submission, today is the day.
    tomorrow = timezone.localdate() + timedelta(days=1)
    _, errors = validate_form(PAST_DEFN, {"passed_on": tomorrow.isoformat(), "expires_on": ""})
    assert errors["passed_on"] == f"实习考核合格日期：不能晚于申请之日（{timezone.localdate()}）"


def test_past_is_a_setting_of_dates_only_and_kept_only_when_true():
    normalized, problems = check_definition(
        {
            "fields": [
                {"key": "a", "label": "甲", "type": "date", "past": False},
                {"key": "b", "label": "乙", "type": "date", "past": "yes"},
                {"key": "c", "label": "丙", "type": "text", "past": True},
                {"key": "d", "label": "丁", "type": "date", "past": True},
            ]
        }
    )
    assert [str(p) for p in problems] == [
        "form.fields[2].past: 必须是 true 或 false",
        "form.fields[3].past: past 不适用于 text 类型的字段",
    ]
    assert "past" not in normalized["fields"][0]
    assert normalized["fields"][3]["past"] is True and "past" not in normalized["fields"][2]
    again, _ = check_definition(PAST_FORM)
    assert check_definition(again) == (again, [])
    assert PAST_DEFN.entries[0].past and not PAST_DEFN.entries[1].past


def test_date_inputs_offer_only_plausible_days():
    html = render_to_string("catalog/form_fields.html", {"form": bind(PAST_DEFN, {})})
    controls = {a["id"]: a for t, a in Page(html).tags if t == "input"}
    today = timezone.localdate().isoformat()
    assert (controls["f-passed_on"]["min"], controls["f-passed_on"]["max"]) == ("1900-01-01", today)
    assert (controls["f-expires_on"]["min"], controls["f-expires_on"]["max"]) == (
        "1900-01-01",
        "2100-12-31",
    )
    assert controls["f-changes-0-effective_on"]["max"] == today
    assert Page(html).texts["f-passed_on-hint"] == "格式 YYYY-MM-DD，不晚于申请之日"
