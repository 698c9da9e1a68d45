"""Catalogue files: the shipped 43 items, all-or-nothing import, versions on re-import."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.catalog.catalogue_file import parse_catalogue
from yiwang.catalog.models import ItemVersion, Material, ProcessStep, ServiceItem, VersionStatus
from yiwang.catalog.selectors import current_version
from yiwang.catalog.services import import_catalogue
from yiwang.catalog.tests.conftest import catalogue_text
from yiwang.core.errors import InvalidInput

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "catalogue.yaml"
REFERENCE_CODES = [
    *(f"SF-LS-{i:03d}" for i in range(1, 19)),
    *(f"SF-GZ-{i:03d}" for i in range(1, 9)),
    *(f"SF-JD-{i:03d}" for i in range(1, 9)),
    *(f"SF-JC-{i:03d}" for i in range(1, 4)),
    "SF-FY-001", "SF-FY-002", "SF-ZG-001",
    *(f"SF-ZC-{i:03d}" for i in range(1, 4)),
]  # fmt: skip
DAY = datetime.date(2026, 1, 1)


def shipped_items() -> list[dict]:
    return parse_catalogue(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_catalogue_has_all_43_items_and_each_validates():
    items = shipped_items()
    assert [i["code"] for i in items] == REFERENCE_CODES


@pytest.mark.parametrize("code", REFERENCE_CODES)
def test_every_shipped_item_is_complete(code):
    item = next(i for i in shipped_items() if i["code"] == code)
    assert len(item["basic_code"]) == 12
    assert item["conditions"], "受理条件"
    assert len(item["materials"]) >= 2
    assert item["process"][0]["key"] == "accept" and item["process"][-1]["key"] == "deliver"
    assert item["statutory_days"] > 0 and item["statutory_basis"]
    assert item["promised_days"] <= item["statutory_days"]
    assert item["fee_basis"], "收费或不收费都要写明依据"
    assert item["result_name"]
    for material in item["materials"]:
        assert material["file_types"]
        if material["is_default"]:
            assert material["basis"], material["name"]
    if item["statutory_is_default"]:
        assert "第42条" in item["statutory_basis"] or item["statutory_basis"]


def test_defaults_are_marked_where_no_figure_is_published():
    items = {i["code"]: i for i in shipped_items()}
    # 律师执业证书注销 has no published limit: the 第42条 default, marked as such.
    assert items["SF-LS-003"]["statutory_is_default"]
    assert items["SF-LS-003"]["statutory_days"] == 20
    assert items["SF-LS-003"]["promised_is_default"]
    assert items["SF-LS-003"]["promised_days"] == 10
    # 律师事务所设立许可 has a published promise (4 working days) and statutory 30.
    assert not items["SF-LS-006"]["promised_is_default"]
    assert (items["SF-LS-006"]["promised_days"], items["SF-LS-006"]["statutory_days"]) == (4, 30)
    # 法律援助 counts natural days under its own law, not working days.
    assert items["SF-FY-001"]["statutory_unit"] == "day"
    assert items["SF-FY-001"]["statutory_days"] == 7
    # Most items are free, and say why.
    assert not any(i["fee_charged"] for i in items.values())


def test_import_of_the_shipped_catalogue_then_reimport_changes_nothing(db):
    text = SHIPPED.read_text(encoding="utf-8")
    first = import_catalogue(text, valid_from=DAY)
    assert len(first.created) == 43
    for code in REFERENCE_CODES:
        version = current_version(code, DAY)
        assert version.status == VersionStatus.PUBLISHED
        assert version.materials.count() >= 2
    second = import_catalogue(text, valid_from=DAY + datetime.timedelta(days=30))
    assert len(second.unchanged) == 43 and not second.created and not second.updated
    assert ItemVersion.objects.count() == 43


def test_a_broken_file_is_refused_whole_with_every_problem_listed(db, law_firm, legal_aid):
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    before = list(ItemVersion.objects.values_list("pk", "name", "status", "valid_to"))

    law_firm["name"] = "律师事务所设立许可（改）"  # a valid change that must not land either
    legal_aid["category"] = "行政审批"  # not a category
    legal_aid["promised"]["days"] = 9  # longer than the statutory 7
    legal_aid["materials"][1]["file_types"] = ["exe"]
    del legal_aid["fee"]
    with pytest.raises(InvalidInput) as exc:
        import_catalogue(
            catalogue_text(law_firm, legal_aid), valid_from=DAY + datetime.timedelta(days=1)
        )
    problems = {(p.item, p.field) for p in exc.value.problems}
    assert problems == {
        ("SF-FY-001", "category"),
        ("SF-FY-001", "promised.days"),
        ("SF-FY-001", "materials[2].file_types"),
        ("SF-FY-001", "fee"),
    }
    assert exc.value.code == "catalog.invalid_file"
    assert all(p.message for p in exc.value.problems)
    assert list(ItemVersion.objects.values_list("pk", "name", "status", "valid_to")) == before
    assert not ServiceItem.objects.filter(code="SF-FY-001").exists()


def test_process_rules_are_enforced(law_firm):
    law_firm["process"][0]["role"] = "leader"
    law_firm["process"][1]["limit_days"] = 25  # 25 + 10 > 30 working days
    law_firm["process"].insert(
        3, {"key": "check", "name": "复核", "level": "city", "role": "reviewer", "limit_days": 0}
    )
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    messages = " ".join(p.message for p in exc.value.problems)
    assert "第一个环节" in messages
    assert "超过法定时限" in messages
    assert "由下往上" in messages


def test_a_limit_counted_from_receipt_covers_the_acceptance_step_too(law_firm):
    parse_catalogue(catalogue_text(law_firm))  # review 20 + decide 10 fit 30 working days
    law_firm["statutory"]["from"] = "receipt"  # ... but not with acceptance's 5 before them
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == [
        "SF-LS-006 / process: 受理至送达前各环节时限之和 35 个工作日超过法定时限 30 个工作日"
    ]
    law_firm["statutory"]["from"] = "application"
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert (
        "SF-LS-006 / statutory.from: 取值 'application' 无效，应为 acceptance / receipt 之一"
        in {str(p) for p in exc.value.problems}
    )


def test_limits_are_bounded_in_the_items_own_unit(law_firm, legal_aid):
    law_firm["statutory"]["days"] = 99999999999
    law_firm["extension_days"] = 501
    law_firm["process"][1]["limit_days"] = 501
    law_firm["visits"] = 99999
    legal_aid["statutory"]["days"] = 731  # natural days
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm, legal_aid))
    assert [str(p) for p in exc.value.problems] == [
        "SF-LS-006 / statutory.days: 不能超过 500 个工作日（两年）",
        "SF-LS-006 / extension_days: 不能超过 500 个工作日（两年）",
        "SF-LS-006 / process[2].limit_days: 不能超过 500 个工作日（两年）",
        "SF-LS-006 / visits: 不能超过 10 次",
        "SF-FY-001 / statutory.days: 不能超过 730 日（两年）",
    ]


def test_the_longest_limits_allowed_pass(law_firm, legal_aid):
    law_firm["statutory"]["days"] = 500
    law_firm["extension_days"] = 500
    legal_aid["statutory"]["days"] = 730
    monthly = dict(legal_aid, code="SF-LS-014", basic_code="410112001014")
    monthly["statutory"] = dict(legal_aid["statutory"], unit="month", days=24)
    monthly["promised"] = dict(legal_aid["promised"], days=24)
    items = parse_catalogue(catalogue_text(law_firm, legal_aid, monthly))
    assert [i["statutory_days"] for i in items] == [500, 730, 24]
    monthly["statutory"]["days"] = 25
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(monthly))
    assert "SF-LS-014 / statutory.days: 不能超过 24 个月（两年）" in map(str, exc.value.problems)


def test_a_negative_extension_is_reported_under_its_own_name(law_firm):
    law_firm["extension_days"] = -1
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == ["SF-LS-006 / extension_days: 不能为负数"]


def test_an_items_own_pledge_check_period_is_kept_and_exported(db, law_firm, legal_aid):
    law_firm["pledge_check_days"] = 20  # its 住所证明 may be replaced by a pledge
    legal_aid["materials"][1]["pledge_replaceable"] = False  # no pledge at all
    import_catalogue(catalogue_text(law_firm, legal_aid), valid_from=DAY)
    firm, aid = (current_version(code, DAY) for code in ("SF-LS-006", "SF-FY-001"))
    assert firm.pledge_check_days == 20 and firm.pledge_check_workdays == 20
    assert aid.pledge_check_days is None and aid.pledge_check_workdays is None  # no pledge
    law_firm["pledge_check_days"] = None  # the province's default from now on
    report = import_catalogue(catalogue_text(law_firm), valid_from=DAY + datetime.timedelta(1))
    assert report.updated == ["SF-LS-006"]
    later = current_version("SF-LS-006", DAY + datetime.timedelta(1))
    assert later.pledge_check_days is None and later.pledge_check_workdays == 30


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "至少为 1 个工作日"),
        (-3, "至少为 1 个工作日"),
        (501, "不能超过 500 个工作日（两年）"),
        ("二十", "必须是整数（工作日），不能是 '二十'"),
        (True, "必须是整数（工作日），不能是 True"),
    ],
)
def test_a_pledge_check_period_out_of_bounds_is_told_once(law_firm, value, message):
    law_firm["pledge_check_days"] = value
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == [f"SF-LS-006 / pledge_check_days: {message}"]


def test_a_pledge_check_period_needs_a_pledge(law_firm):
    law_firm["materials"][1]["pledge_replaceable"] = False
    law_firm["pledge_check_days"] = 20
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == [
        "SF-LS-006 / pledge_check_days: 本事项不适用告知承诺（pledge_allowed 为 false，"
        "也没有可承诺替代的材料），不应填写核查期限"
    ]
    law_firm["pledge_allowed"] = True  # the item as a whole
    assert parse_catalogue(catalogue_text(law_firm))[0]["pledge_check_days"] == 20


def test_duplicates_and_unknown_fields_are_reported(law_firm):
    twin = dict(law_firm, basic_code="410112001099")
    law_firm["materials"][1]["name"] = "申请书"
    law_firm["colour"] = "red"
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm, twin))
    fields = {(p.item, p.field, p.code) for p in exc.value.problems}
    assert ("SF-LS-006", "colour", "unknown_field") in fields
    assert ("SF-LS-006", "materials[2].name", "invalid") in fields
    assert ("SF-LS-006", "code", "invalid") in fields


@pytest.mark.parametrize(
    "text, code",
    [
        ("items: [", "catalog.unreadable"),
        ('{"format": ', "catalog.unreadable"),
        ("- just a list", "catalog.invalid_file"),
        ("format: other/1\nitems: []", "catalog.invalid_file"),
    ],
)
def test_unreadable_files_get_a_clear_error(text, code):
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(text)
    assert exc.value.code == code
    assert exc.value.message


@pytest.mark.parametrize(
    "text, message",
    [
        ("format: yiwang-catalogue/1\nitems: &a [*a]\n", "文件含有循环引用的别名（items.0 处"),
        ("items: &a [{name: *a}]\n", "文件含有循环引用的别名（items.0.name 处"),
        ("items: " + "[" * 5000 + "]" * 5000, "文件的列表或映射嵌套层数过多，无法读取"),
        ('{"items": ' + "[" * 50000 + "]" * 50000 + "}", "文件的列表或映射嵌套层数过多，无法读取"),
    ],
)
def test_recursive_aliases_and_runaway_nesting_are_refused(text, message):
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(text)
    assert exc.value.code == "catalog.unreadable"
    assert exc.value.message.startswith(message)


def test_cli_import_of_a_recursive_alias_fails_cleanly(db, tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path))
    assert "文件含有循环引用的别名" in str(exc.value)
    assert not ServiceItem.objects.exists()


def test_an_impossible_date_is_text_where_text_is_expected(law_firm):
    # Unquoted, so that YAML would read it as a date; there is no 30 February.
    law_firm["notes"] = "DATE"
    text = catalogue_text(law_firm).replace("notes: DATE", "notes: 2026-02-30")
    assert "notes: 2026-02-30" in text
    [item] = parse_catalogue(text)
    assert item["notes"] == "2026-02-30"


def test_an_impossible_date_where_a_number_belongs_is_listed_with_its_place(law_firm):
    law_firm["statutory"]["days"] = "DAYS"
    text = catalogue_text(law_firm).replace("days: DAYS", "days: 2026-02-30")
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(text)
    problems = [str(p) for p in exc.value.problems]
    assert "SF-LS-006 / statutory.days: 必须是整数，不能是 '2026-02-30'" in problems


def test_a_value_its_tag_cannot_make_is_refused_with_its_line(law_firm):
    law_firm["notes"] = "DATE"
    text = catalogue_text(law_firm).replace("notes: DATE", "notes: !!timestamp 2026-02-30")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "!!timestamp" in row)
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(text)
    assert exc.value.code == "catalog.unreadable"
    assert exc.value.message.startswith(f"文件不是有效的 YAML：第 {line} 行")
    assert exc.value.message.endswith("值 '2026-02-30' 不是有效的日期")


def test_cli_draft_import_of_an_impossible_date_fails_cleanly(db, tmp_path, capsys, law_firm):
    law_firm["promised"]["days"] = "DAYS"
    path = tmp_path / "bad-date.yaml"
    path.write_text(
        catalogue_text(law_firm).replace("days: DAYS", "days: 2026-02-30"), encoding="utf-8"
    )
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path), "--draft")
    assert "catalog.invalid_file" in str(exc.value)
    assert "SF-LS-006 / promised.days: 必须是整数，不能是 '2026-02-30'" in capsys.readouterr().err
    assert not ServiceItem.objects.exists()


def test_changed_item_gets_a_new_version_and_the_old_one_ends(db, law_firm):
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    law_firm["promised"]["days"] = 3
    later = DAY + datetime.timedelta(days=90)
    report = import_catalogue(catalogue_text(law_firm), valid_from=later)
    assert report.updated == ["SF-LS-006"]
    old, new = ItemVersion.objects.order_by("version")
    assert old.valid_to == later - datetime.timedelta(days=1)
    assert new.valid_from == later and new.valid_to is None
    assert current_version("SF-LS-006", later - datetime.timedelta(days=1)).promised_days == 4
    assert current_version("SF-LS-006", later).promised_days == 3


def test_a_basic_code_cannot_move_to_another_item(db, law_firm, legal_aid):
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    legal_aid["basic_code"] = law_firm["basic_code"]
    with pytest.raises(InvalidInput) as exc:
        import_catalogue(catalogue_text(legal_aid), valid_from=DAY)
    assert exc.value.problems[0].code == "catalog.basic_code_taken"


def test_cli_import_export_round_trip(db, tmp_path, capsys, law_firm, legal_aid):
    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue_text(law_firm, legal_aid), encoding="utf-8")
    call_command("catalog", "import", str(path), "--valid-from", "2026-01-01")
    assert "新增 2" in capsys.readouterr().out

    call_command("catalog", "export", "--format", "json", "--on", "2026-02-01")
    exported = capsys.readouterr().out
    again = tmp_path / "again.json"
    again.write_text(exported, encoding="utf-8")
    call_command("catalog", "import", str(again), "--valid-from", "2026-03-01")
    assert "未变 2" in capsys.readouterr().out

    call_command("catalog", "export", "--format", "yaml", "--on", "2026-02-01")
    assert yaml.safe_load(capsys.readouterr().out)["items"][0]["code"] == "SF-FY-001"


def test_cli_import_of_a_bad_file_lists_problems_and_fails(db, tmp_path, capsys, law_firm):
    law_firm["statutory"]["unit"] = "week"
    path = tmp_path / "bad.yaml"
    path.write_text(catalogue_text(law_firm), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path))
    assert "catalog.invalid_file" in str(exc.value)
    assert "SF-LS-006 / statutory.unit" in capsys.readouterr().err
    assert not ServiceItem.objects.exists()


def test_cli_import_of_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", "/nonexistent/catalogue.yaml")
    assert str(exc.value) == "找不到文件 /nonexistent/catalogue.yaml"
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(tmp_path))
    assert str(exc.value) == f"{tmp_path} 是目录，不是文件"


def test_a_draft_import_then_a_real_import_publishes(db, law_firm):
    first = import_catalogue(catalogue_text(law_firm), valid_from=DAY, as_draft=True)
    assert first.created == ["SF-LS-006"]
    assert ItemVersion.objects.get().status == VersionStatus.DRAFT
    again = import_catalogue(catalogue_text(law_firm), valid_from=DAY, as_draft=True)
    assert again.unchanged == ["SF-LS-006"]
    published = import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    assert published.updated == ["SF-LS-006"]
    version = ItemVersion.objects.get()  # the draft was replaced, not kept beside it
    assert version.status == VersionStatus.PUBLISHED and version.valid_from == DAY


def test_a_change_on_the_same_start_day_is_refused_as_an_overlap(db, law_firm):
    import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    law_firm["promised"]["days"] = 2
    with pytest.raises(Exception) as exc:
        import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    assert getattr(exc.value, "code", "") == "catalog.validity_overlap"
    assert ItemVersion.objects.count() == 1
    assert ItemVersion.objects.get().promised_days == 4


def test_a_nul_character_in_the_file_is_refused_by_its_place(law_firm):
    law_firm["name"] = "律师事务所\x00设立许可"
    with pytest.raises(InvalidInput) as excinfo:
        parse_catalogue(catalogue_text(law_firm))
    assert excinfo.value.code == "catalog.unreadable"
    assert excinfo.value.message == "文件中 items.0.name 处含有空字符（NUL），无法保存"


def _limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _at_length(law_firm, extra: int) -> dict:
    """Every bounded text of the item at its column's limit plus ``extra`` characters."""

    def fill(model, name: str) -> str:
        return "长" * (_limit(model, name) + extra)

    law_firm["name"] = fill(ItemVersion, "name")
    law_firm["name_en"] = fill(ItemVersion, "name_en")
    law_firm["external_authority"] = fill(ItemVersion, "external_authority")
    law_firm["fee"]["amount"] = fill(ItemVersion, "fee_amount")
    law_firm["result"]["name"] = fill(ItemVersion, "result_name")
    law_firm["result"]["denial_letter"] = fill(ItemVersion, "denial_letter")
    law_firm["materials"][1]["name"] = fill(Material, "name")
    law_firm["process"][1]["key"] = "r" * (_limit(ProcessStep, "key") + extra)
    law_firm["process"][2]["name"] = fill(ProcessStep, "name")
    return law_firm


def test_a_text_longer_than_its_column_is_refused_and_nothing_is_stored(
    db, tmp_path, capsys, law_firm, legal_aid
):
    import_catalogue(catalogue_text(legal_aid), valid_from=DAY)
    before = list(ItemVersion.objects.values_list("pk", "name", "status", "valid_to"))
    legal_aid["name"] = "法律援助申请审查（改）"  # a valid change that must not land either
    law_firm = _at_length(law_firm, 1)
    law_firm["name"] = "长" * 100_000
    path = tmp_path / "long.yaml"
    path.write_text(catalogue_text(law_firm, legal_aid), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path), "--valid-from", "2026-02-01")
    assert "事项目录文件有 9 处问题，未导入任何内容（catalog.invalid_file）" in str(exc.value)
    listed = capsys.readouterr().err.splitlines()
    # Each problem once, where it is, with the field's name and its limit.
    assert sorted(line.strip() for line in listed) == sorted([
        "SF-LS-006 / name: 事项名称不能超过 100 个字符（现有 100000 个）",
        "SF-LS-006 / name_en: 英文名称不能超过 200 个字符（现有 201 个）",
        "SF-LS-006 / external_authority: 省外决定机关不能超过 50 个字符（现有 51 个）",
        "SF-LS-006 / fee.amount: 收费标准不能超过 200 个字符（现有 201 个）",
        "SF-LS-006 / result.name: 办理结果名称不能超过 100 个字符（现有 101 个）",
        "SF-LS-006 / result.denial_letter: 不予决定文书名称不能超过 30 个字符（现有 31 个）",
        "SF-LS-006 / materials[2].name: 材料名称不能超过 200 个字符（现有 201 个）",
        "SF-LS-006 / process[2].key: 环节代码不能超过 30 个字符（现有 31 个）",
        "SF-LS-006 / process[3].name: 环节名称不能超过 50 个字符（现有 51 个）",
    ])  # fmt: skip
    assert not ServiceItem.objects.filter(code="SF-LS-006").exists()
    assert list(ItemVersion.objects.values_list("pk", "name", "status", "valid_to")) == before
    # The same file as a draft, and the same check in the service: refused alike.
    with pytest.raises(InvalidInput) as refused:
        import_catalogue(catalogue_text(law_firm), as_draft=True)
    assert {p.code for p in refused.value.problems} == {"too_long"}
    assert ItemVersion.objects.count() == 1


def test_a_text_exactly_as_long_as_its_column_is_imported(db, law_firm):
    law_firm = _at_length(law_firm, 0)
    report = import_catalogue(catalogue_text(law_firm), valid_from=DAY)
    assert report.created == ["SF-LS-006"]
    version = current_version("SF-LS-006", DAY)
    assert len(version.name) == _limit(ItemVersion, "name")
    assert len(version.result_name) == _limit(ItemVersion, "result_name")
    assert len(version.denial_letter) == _limit(ItemVersion, "denial_letter")
    assert len(version.materials.get(position=2).name) == _limit(Material, "name")
    assert len(version.steps.get(position=2).key) == _limit(ProcessStep, "key")
    # Blanks around a value are not stored, so they do not count.
    law_firm["name"] = f"  {law_firm['name']}  "
    assert import_catalogue(catalogue_text(law_firm), valid_from=DAY).unchanged == ["SF-LS-006"]


def test_a_runaway_item_code_is_not_repeated_in_every_message(law_firm):
    law_firm["code"] = "SF-" + "X" * 100_000
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == ["第 1 项 / code: 事项代码必须形如 SF-LS-006"]


def test_the_texts_of_a_form_are_bounded_too(law_firm):
    # Kept in the version's JSON, not in columns: the form's own limits apply.
    law_firm["form"] = {
        "fields": [
            {"key": "firm_name", "label": "名" * 61, "type": "text", "help": "说" * 301},
            {"key": "kind", "label": "组织形式", "type": "choice", "choices": ["个人", "合" * 101]},
        ]
    }
    with pytest.raises(InvalidInput) as exc:
        parse_catalogue(catalogue_text(law_firm))
    assert [str(p) for p in exc.value.problems] == [
        "SF-LS-006 / form.fields[1].label: 不能超过 60 个字",
        "SF-LS-006 / form.fields[1].help: 不能超过 300 个字",
        "SF-LS-006 / form.fields[2].choices: 每个选项不能超过 100 个字",
    ]
