"""Application forms in the catalogue: the shipped forms, import checks, export round trip."""

from __future__ import annotations

import copy
import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from yiwang.catalog.application_form import (
    FormGroup,
    definition_from_json,
    example_data,
    form_definition,
    validate_form,
)
from yiwang.catalog.catalogue_file import parse_catalogue
from yiwang.catalog.models import ItemVersion
from yiwang.catalog.selectors import current_version
from yiwang.catalog.services import import_catalogue, new_draft, publish
from yiwang.catalog.tests.conftest import catalogue_text
from yiwang.catalog.tests.test_import import REFERENCE_CODES
from yiwang.core.errors import InvalidInput

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "catalogue.yaml"
DAY = datetime.date(2026, 1, 1)

FORM = {
    "fields": [
        {
            "key": "firm_name",
            "label": "律师事务所名称",
            "type": "text",
            "required": True,
            "pattern": ".+律师事务所",
            "pattern_message": "名称须以“律师事务所”结尾",
        },
        {
            "key": "partners",
            "label": "合伙人",
            "type": "group",
            "min_rows": 1,
            "max_rows": 30,
            "fields": [
                {"key": "name", "label": "姓名", "type": "text", "required": True},
                {"key": "years", "label": "执业年限", "type": "integer", "min": 3},
            ],
        },
    ]
}


@pytest.fixture(scope="module")
def shipped():
    return {item["code"]: item for item in parse_catalogue(SHIPPED.read_text(encoding="utf-8"))}


# --- the shipped forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", REFERENCE_CODES)
def test_every_shipped_item_has_a_short_valid_form(shipped, code):
    defn = definition_from_json(shipped[code]["form"])
    assert not defn.is_empty()
    assert 3 <= len(defn.entries) <= 10, "3–10 fields keep a form quick to fill in"
    labels = [entry.label for entry in defn.entries]
    assert len(set(labels)) == len(labels), "two fields with the same label confuse applicants"
    example = example_data(defn)
    assert validate_form(defn, example) == (example, {}), "example answers pass the form"


def test_dates_of_past_events_cannot_lie_ahead_and_no_date_is_absurd(shipped):
    defn = definition_from_json(shipped["SF-LS-001"]["form"])
    example = example_data(defn)
    day = datetime.date(2026, 6, 1)
    for passed_on, why in [
        ("2030-06-01", "不能晚于申请之日（2026-06-01）"),
        ("1800-01-01", "须在 1900-01-01 至 2100-12-31 之间，请检查年份"),
    ]:
        _, errors = validate_form(defn, {**example, "internship_passed_on": passed_on}, day)
        assert errors == {"internship_passed_on": f"实习考核合格日期：{why}"}
    # Marked in the items where the date records what has happened; a validity runs on.
    dates = {
        (code, f.key): f.past
        for code, item in shipped.items()
        for entry in definition_from_json(item["form"]).entries
        for f in (entry.fields if isinstance(entry, FormGroup) else (entry,))
        if f.type == "date"
    }
    assert dates[("SF-ZG-001", "graduated_on")] and dates[("SF-FY-002", "received_on")]
    assert not dates[("SF-JD-003", "expires_on")] and not dates[("SF-JD-007", "expires_on")]
    assert sum(dates.values()) == 18


def test_the_law_firm_form_asks_for_the_partners(shipped):
    defn = definition_from_json(shipped["SF-LS-006"]["form"])
    keys = [entry.key for entry in defn.entries]
    assert keys[:3] == ["firm_name", "name_approval_no", "organization"]
    organization = next(e for e in defn.entries if e.key == "organization")
    assert organization.choices == ("普通合伙", "特殊的普通合伙", "个人", "国家出资")
    partners = next(e for e in defn.entries if e.key == "partners")
    assert isinstance(partners, FormGroup) and partners.min_rows == 1
    assert [f.type for f in partners.fields] == ["person_name", "id_number", "text", "integer"]
    licence = partners.fields[2]
    assert licence.pattern == r"\d{17}" and str(partners.fields[3].min) == "3"

    _, errors = validate_form(
        defn,
        {
            "firm_name": "河南嵩岳律所",
            "organization": "普通合伙",
            "partners": [
                {
                    "name": "张伟",
                    "id_number": "11010519491231002X",
                    "licence_no": "1410",
                    "years_of_practice": "2",
                }
            ],
        },
    )
    assert errors["firm_name"] == "律师事务所名称：名称须以“律师事务所”结尾"
    assert (
        errors["partners.0.licence_no"]
        == "设立人（合伙人）第1行·律师执业证号：律师执业证号为 17 位数字"
    )
    assert errors["partners.0.years_of_practice"] == "设立人（合伙人）第1行·执业年限：不能小于 3"
    assert errors["name_approval_no"] == "名称预核准通知书编号：必须填写"


def test_several_items_have_a_repeatable_group(shipped):
    with_groups = sorted(
        code
        for code, item in shipped.items()
        if any(entry["type"] == "group" for entry in item["form"]["fields"])
    )
    assert len(with_groups) >= 5
    assert {"SF-LS-006", "SF-GZ-001", "SF-JD-001", "SF-ZC-001"} <= set(with_groups)
    members = next(e for e in shipped["SF-ZC-001"]["form"]["fields"] if e["key"] == "members")
    assert (members["min_rows"], members["max_rows"]) == (10, 16)  # 仲裁法 第12条


def test_samples_show_what_a_correct_copy_contains(shipped):
    for material in shipped["SF-LS-006"]["materials"]:
        assert len(material["sample"]) >= 80, material["name"]
        assert "河南嵩岳律师事务所" in material["sample"] or "张伟" in material["sample"]
    detailed = [
        code
        for code, item in shipped.items()
        if code != "SF-LS-006" and any("2026 年" in m["sample"] for m in item["materials"])
    ]
    assert len(detailed) >= 8


# --- import, storage, export ---------------------------------------------------------------------


def test_the_form_is_stored_normalized_and_used_from_the_version(db, law_firm):
    law_firm["form"] = FORM
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    version = current_version("SF-LS-006", DAY)
    assert version.form["fields"][0] == FORM["fields"][0]
    assert version.form["fields"][1]["fields"][1] == {
        "key": "years",
        "label": "执业年限",
        "type": "integer",
        "required": False,
        "min": 3,
    }
    defn = form_definition(version)
    assert [e.key for e in defn.entries] == ["firm_name", "partners"]
    assert form_definition(version) is defn  # a published version is parsed once


def test_an_item_without_a_form_imports_with_an_empty_one(db, law_firm):
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    version = ItemVersion.objects.get()
    assert version.form == {} and form_definition(version).is_empty()


def test_a_published_form_never_changes(db, law_firm):
    law_firm["form"] = FORM
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    version = ItemVersion.objects.get()
    version.form["fields"][0]["required"] = False
    with pytest.raises(ValidationError):
        version.save()


def test_a_changed_form_is_a_new_version(db, law_firm):
    law_firm["form"] = FORM
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    changed = copy.deepcopy(law_firm)
    changed["form"]["fields"][1]["min_rows"] = 2
    later = DAY + datetime.timedelta(days=30)
    assert import_catalogue(catalogue_text(changed), valid_from=later).updated == ["SF-LS-006"]
    assert current_version("SF-LS-006", DAY).form["fields"][1]["min_rows"] == 1
    assert current_version("SF-LS-006", later).form["fields"][1]["min_rows"] == 2


def test_a_new_draft_copies_the_form_and_publishes_it(db, law_firm):
    law_firm["form"] = FORM
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    draft = new_draft(ItemVersion.objects.get().item)
    assert draft.form == ItemVersion.objects.get(version=1).form
    draft.form["fields"][0]["pattern"] = "[abc"  # an admin edit that breaks the form
    draft.save()
    with pytest.raises(InvalidInput) as exc:
        publish(draft, DAY + datetime.timedelta(days=10))
    assert str(exc.value.problems[0]).startswith(
        "SF-LS-006 / form.fields[1].pattern: 正则表达式无效"
    )


def test_shipped_catalogue_round_trips_through_export(db, tmp_path, capsys):
    text = SHIPPED.read_text(encoding="utf-8")
    import_catalogue(text, valid_from=DAY)
    for fmt in ("yaml", "json"):
        call_command("catalog", "export", "--format", fmt, "--on", "2026-02-01")
        exported = capsys.readouterr().out
        by_code = {item["code"]: item for item in parse_catalogue(exported)}
        assert by_code == {item["code"]: item for item in parse_catalogue(text)}
        path = tmp_path / f"again.{fmt}"
        path.write_text(exported, encoding="utf-8")
        call_command("catalog", "import", str(path), "--valid-from", "2026-03-01")
        assert "未变 43" in capsys.readouterr().out
    assert ItemVersion.objects.count() == 43
    document = json.loads(exported)  # the last export, in JSON
    law_firm = next(i for i in document["items"] if i["code"] == "SF-LS-006")
    assert law_firm["form"]["fields"][-1]["key"] == "partners"


def test_the_api_publishes_the_form(client, db, law_firm):
    law_firm["form"] = FORM
    import_catalogue(catalogue_text(law_firm), valid_from=datetime.date(2025, 1, 1))
    item = client.get("/api/v1/items/SF-LS-006").json()
    assert item["form"]["fields"][1]["key"] == "partners"


# --- malformed definitions -----------------------------------------------------------------------

TEXT = {"key": "firm_name", "label": "名称", "type": "text"}


def group(*fields, **settings):
    return {
        "key": "partners",
        "label": "合伙人",
        "type": "group",
        "fields": list(fields),
        **settings,
    }


@pytest.mark.parametrize(
    "form, field, message",
    [
        ([1, 2], "form", "申请表必须是一个映射"),
        ({"fields": [TEXT], "title": "申请表"}, "form.title", "未知字段"),
        ({"fields": {"firm_name": TEXT}}, "form.fields", "必须是字段的列表"),
        ({"fields": ["firm_name"]}, "form.fields[1]", "每个字段必须是一个映射"),
        ({"fields": [{**TEXT, "type": "idcard"}]}, "form.fields[1].type", "类型 'idcard' 无效，应为 text / textarea"),
        ({"fields": [{**TEXT, "type": None}]}, "form.fields[1].type", "类型 None 无效"),
        ({"fields": [{**TEXT, "key": "FirmName"}]}, "form.fields[1].key", "字段代码 'FirmName' 无效"),
        ({"fields": [{**TEXT, "key": "firm-name"}]}, "form.fields[1].key", "只含小写字母、数字和下划线"),
        ({"fields": [TEXT, {**TEXT, "label": "又一个"}]}, "form.fields[2].key", "字段代码 firm_name 在同一层级重复出现"),
        ({"fields": [{**TEXT, "label": ""}]}, "form.fields[1].label", "必填，不能为空"),
        ({"fields": [{**TEXT, "required": "yes"}]}, "form.fields[1].required", "必须是 true 或 false"),
        ({"fields": [{**TEXT, "requried": True}]}, "form.fields[1].requried", "未知字段（请检查拼写）"),
        ({"fields": [{**TEXT, "pattern": "[abc"}]}, "form.fields[1].pattern", "正则表达式无效（第 1 个字符处，unterminated character set）"),
        ({"fields": [{**TEXT, "pattern": "a{99999999999}"}]}, "form.fields[1].pattern", "正则表达式无效"),
        ({"fields": [{**TEXT, "pattern_message": "不对"}]}, "form.fields[1].pattern_message", "只能与 pattern 一起使用"),
        ({"fields": [{**TEXT, "max_length": 0}]}, "form.fields[1].max_length", "必须是 1 至 5000 的整数"),
        ({"fields": [{**TEXT, "choices": ["甲", "乙"]}]}, "form.fields[1].choices", "choices 不适用于 text 类型的字段"),
        ({"fields": [{**TEXT, "type": "choice"}]}, "form.fields[1].choices", "单选字段必须给出 choices 选项列表"),
        ({"fields": [{**TEXT, "type": "choice", "choices": ["甲"]}]}, "form.fields[1].choices", "至少两项"),
        ({"fields": [{**TEXT, "type": "choice", "choices": ["甲", "甲"]}]}, "form.fields[1].choices", "选项重复：甲"),
        ({"fields": [{**TEXT, "type": "integer", "pattern": r"\d+"}]}, "form.fields[1].pattern", "pattern 不适用于 integer 类型的字段"),
        ({"fields": [{**TEXT, "type": "integer", "min": 1.5}]}, "form.fields[1].min", "整数字段的 min 必须是整数"),
        ({"fields": [{**TEXT, "type": "decimal", "max": "many"}]}, "form.fields[1].max", "max 必须是数字"),
        ({"fields": [{**TEXT, "type": "decimal", "min": 5, "max": 1}]}, "form.fields[1].min", "min（5）不能大于 max（1）"),
        ({"fields": [group(TEXT, min_rows=5, max_rows=2)]}, "form.fields[1].min_rows", "min_rows（5）不能大于 max_rows（2）"),
        ({"fields": [group(TEXT, max_rows=0)]}, "form.fields[1].max_rows", "必须是 1 至 500 的整数"),
        ({"fields": [group(TEXT, required=True)]}, "form.fields[1].required", "用 min_rows 表示至少填写几行"),
        ({"fields": [group()]}, "form.fields[1].fields", "分组至少需要一个字段"),
        ({"fields": [group(group(TEXT))]}, "form.fields[1].fields[1].type", "分组内不能再嵌套分组（group）"),
        ({"fields": [group(TEXT, {**TEXT, "type": "date"})]}, "form.fields[1].fields[2].key", "字段代码 firm_name 在同一层级重复出现"),
        ({"fields": [group({**TEXT, "type": "group"})]}, "form.fields[1].fields[1].type", "不能再嵌套"),
        ({"fields": [{**TEXT, "on_licence": "是"}]}, "form.fields[1].on_licence", "必须是 true 或 false"),
        ({"fields": [{**TEXT, "type": "phone", "on_licence": True}]}, "form.fields[1].on_licence", "电话号码字段不印在证照上"),
        ({"fields": [{**TEXT, "type": "id_number", "on_licence": True}]}, "form.fields[1].on_licence", "身份证号码字段不印在证照上"),
        ({"fields": [group({**TEXT, "on_licence": True})]}, "form.fields[1].fields[1].on_licence", "分组中的字段不印在证照上"),
        ({"fields": [group(TEXT, on_licence=True)]}, "form.fields[1].on_licence", "on_licence 不适用于分组"),
    ],
)  # fmt: skip
def test_import_refuses_each_malformed_form_with_where_and_why(db, law_firm, form, field, message):
    law_firm["form"] = form
    with pytest.raises(InvalidInput) as exc:
        import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    problems = {str(p) for p in exc.value.problems}
    assert any(p.startswith(f"SF-LS-006 / {field}: ") and message in p for p in problems), problems
    assert exc.value.code == "catalog.invalid_file"
    assert not ItemVersion.objects.exists()


def test_only_a_licence_prints_answers(db, legal_aid):
    legal_aid["form"] = {"fields": [{**TEXT, "on_licence": True}]}
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(legal_aid))
    assert [str(p) for p in exc.value.problems] == [
        "SF-FY-001 / form.fields[1].on_licence: 本事项的办理结果不是电子证照"
    ]


def test_every_shipped_licence_prints_what_it_certifies_and_nothing_personal(shipped):
    for code, item in shipped.items():
        printed = [f for f in item["form"].get("fields", []) if f.get("on_licence")]
        if item["result_kind"] != "licence":
            assert not printed, code
            continue
        assert printed, f"{code}: a licence certifies something besides its holder"
        for field in printed:
            assert not re.search("电话|邮箱|理由|成绩|准考证", field["label"]), (code, field)


def test_shipped_forms_check_peoples_names(shipped):
    def fields(entries):
        for entry in entries:
            yield from fields(entry["fields"]) if entry["type"] == "group" else (entry,)

    for code, item in shipped.items():
        for field in fields(item["form"].get("fields", [])):
            if re.search(r"(姓名|负责人）?)$", field["label"]):
                assert field["type"] == "person_name", (code, field["label"])


def test_a_group_key_may_repeat_a_top_level_key_inside_the_group(law_firm):
    law_firm["form"] = {"fields": [TEXT, group(TEXT)]}
    [item] = parse_catalogue(catalogue_text(law_firm))
    assert item["form"]["fields"][1]["fields"][0]["key"] == "firm_name"


def test_every_form_problem_of_every_item_is_listed_together(law_firm, legal_aid):
    law_firm["form"] = {"fields": [{**TEXT, "type": "idcard"}, group(TEXT, min_rows=9, max_rows=3)]}
    legal_aid["form"] = {"fields": [{**TEXT, "key": "1st"}]}
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm, legal_aid))
    assert [(p.item, p.field) for p in exc.value.problems] == [
        ("SF-LS-006", "form.fields[1].type"),
        ("SF-LS-006", "form.fields[2].min_rows"),
        ("SF-FY-001", "form.fields[1].key"),
    ]
