"""Reading and checking a catalogue file (format in ``docs/catalogue-format.md``).

``parse_catalogue`` turns YAML or JSON text into checked item dictionaries, or raises one
``InvalidInput`` listing every problem found (item code, field, why), so that an importer can
refuse a bad file whole.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml
from django.db import models

from yiwang.catalog.application_form import check_definition
from yiwang.catalog.models import (
    FILE_TYPES,
    STEP_LEVEL_ORDER,
    VISITS_MAX,
    Category,
    DecideLevel,
    Handling,
    ItemVersion,
    LimitsFrom,
    Material,
    ProcessStep,
    ResultKind,
    ServiceItem,
    StepLevel,
    StepRole,
    TimeUnit,
    limit_error,
    pledge_applies,
    pledge_check_error,
    step_unit,
)
from yiwang.core import yaml_text
from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.text import NESTING_MESSAGE, NUL_MESSAGE, CyclicValue, nul_path

FORMAT = "yiwang-catalogue/1"
CODE_RE = re.compile(r"^SF-[A-Z]{2}-\d{3}$")
BASIC_CODE_RE = re.compile(r"^\d{12}$")

ITEM_FIELDS = {
    "code", "basic_code", "name", "name_en", "category", "handling", "fully_online", "visits",
    "legal_basis", "conditions", "materials", "process", "statutory", "promised",
    "extension_days", "pledge_allowed", "pledge_check_days", "fee", "result", "levels",
    "external_authority", "sources", "notes", "form",
}  # fmt: skip
MATERIAL_FIELDS = {
    "name", "mandatory", "gap_allowed", "pledge_replaceable", "file_types", "sample", "note",
    "is_default", "basis",
}  # fmt: skip
STEP_FIELDS = {"key", "name", "level", "role", "limit_days"}
# Where a version's column is written in the file, when not under its own name.
VERSION_PATHS = {
    "statutory_unit": "statutory.unit", "limits_from": "statutory.from",
    "statutory_basis": "statutory.basis", "promised_source": "promised.source",
    "fee_basis": "fee.basis", "fee_amount": "fee.amount", "result_kind": "result.kind",
    "result_name": "result.name", "approval_letter": "result.approval_letter",
    "denial_letter": "result.denial_letter", "accept_level": "levels.accept",
    "decide_level": "levels.decide",
}  # fmt: skip


def default_promised_days(statutory_days: int, ratio: float) -> int:
    """The documented default policy: a share of the statutory limit, rounded up."""
    return math.ceil(statutory_days * ratio)


def load_text(text: str) -> Any:
    """YAML is a superset of JSON, but JSON errors read better from the JSON parser."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            try:
                return _nul_free(json.loads(text))
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    "catalog.unreadable",
                    f"文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}",
                ) from exc
        try:
            # Dates stay text: an unquoted 2026-02-30 must not end the parse in a ValueError.
            return _nul_free(yaml_text.load(text))
        except yaml.YAMLError as exc:
            where = yaml_text.position(exc) or "未知位置"
            if isinstance(exc, yaml_text.BadValue):
                where += f"，{exc.problem}"
            raise InvalidInput("catalog.unreadable", f"文件不是有效的 YAML：{where}") from exc
    except RecursionError:
        # Both parsers recurse once per level of nesting.
        raise InvalidInput("catalog.unreadable", NESTING_MESSAGE) from None


def _nul_free(data: Any) -> Any:
    try:
        path = nul_path(data)
    except CyclicValue as exc:
        raise InvalidInput("catalog.unreadable", str(exc)) from None
    if path is not None:
        raise InvalidInput("catalog.unreadable", f"文件中 {path or '正文'} 处{NUL_MESSAGE}")
    return data


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, item: str, field: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(code=code, message=message, field=field, item=item))

    def text(
        self, data: dict[str, Any], key: str, item: str, where: str, required: bool = True
    ) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(item, where + key, "必填，不能为空", "required")
            return ""
        if not isinstance(value, str):
            self.add(item, where + key, "必须是文字")
            return ""
        return value.strip()

    def boolean(self, data: dict[str, Any], key: str, item: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(item, where + key, "必须是 true 或 false")
            return default
        return value

    def number(self, data: dict[str, Any], key: str, item: str, where: str) -> int:
        value = data.get(key)
        if value is None:
            self.add(item, where + key, "必须是整数", "required")
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(item, where + key, f"必须是整数，不能是 {value!r}")
            return 0
        if value < 0:
            self.add(item, where + key, "不能为负数")
            return 0
        return value

    def choice(self, data: dict[str, Any], key: str, item: str, where: str, allowed: Any) -> str:
        value = data.get(key)
        values = [c.value for c in allowed]
        if value not in values:
            self.add(item, where + key, f"取值 {value!r} 无效，应为 {' / '.join(values)} 之一")
            return ""
        return str(value)

    def strings(
        self, data: dict[str, Any], key: str, item: str, where: str, required: bool
    ) -> list[str]:
        value = data.get(key)
        if value is None:
            if required:
                self.add(item, where + key, "必填，至少一项", "required")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(item, where + key, "必须是非空文字的列表")
            return []
        if required and not value:
            self.add(item, where + key, "必填，至少一项", "required")
        return [v.strip() for v in value]

    def unknown(self, data: dict[str, Any], allowed: set[str], item: str, where: str) -> None:
        for key in sorted(set(data) - allowed):
            self.add(item, where + str(key), "未知字段（请检查拼写）", "unknown_field")


def _check_lengths(
    model: type[models.Model],
    values: dict[str, Any],
    item: str,
    where: str,
    ck: _Checker,
    paths: dict[str, str] | None = None,
) -> None:
    """Every text against the max_length of the column it is stored in.

    The limits are the models' own, so that they cannot drift apart. SQLite stores a longer
    value silently and PostgreSQL refuses it with an error; the file is refused before either.
    """
    for column in model._meta.concrete_fields:
        limit = getattr(column, "max_length", None)
        value = values.get(column.attname)
        if limit and isinstance(value, str) and len(value) > limit:
            ck.add(
                item,
                where + (paths or {}).get(column.attname, column.attname),
                f"{column.verbose_name}不能超过 {limit} 个字符（现有 {len(value)} 个）",
                "too_long",
            )


def _section(
    raw: dict[str, Any], key: str, item: str, ck: _Checker, hint: str
) -> tuple[dict[str, Any], _Checker]:
    """A nested mapping; when it is missing, one problem is reported, not one per sub-field."""
    value = raw.get(key)
    if isinstance(value, dict):
        return value, ck
    ck.add(item, key, hint, "required")
    return {}, _Checker()


def _check_item(raw: Any, index: int, ck: _Checker) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        ck.add(f"第 {index + 1} 项", "", "每个事项必须是一个映射（键: 值）")
        return None
    code = raw["code"] if isinstance(raw.get("code"), str) else ""
    # A runaway code would be repeated in every message about the item: count it instead.
    fits = len(code) <= (getattr(ServiceItem._meta.get_field("code"), "max_length", 0) or 0)
    item = code if code and fits else f"第 {index + 1} 项"
    ck.unknown(raw, ITEM_FIELDS, item, "")
    if not CODE_RE.match(code):
        ck.add(item, "code", "事项代码必须形如 SF-LS-006")
    basic_code = raw.get("basic_code")
    if not isinstance(basic_code, str) or not BASIC_CODE_RE.match(basic_code):
        ck.add(item, "basic_code", "基本编码必须是 12 位数字（请加引号写成文字）")
        basic_code = ""
    out: dict[str, Any] = {"code": code, "basic_code": basic_code}
    out["name"] = ck.text(raw, "name", item, "")
    out["name_en"] = ck.text(raw, "name_en", item, "", required=False)
    out["category"] = ck.choice(raw, "category", item, "", Category)
    out["handling"] = ck.choice(raw, "handling", item, "", Handling)
    out["fully_online"] = ck.boolean(raw, "fully_online", item, "", True)
    out["visits"] = ck.number({"visits": raw.get("visits", 0)}, "visits", item, "")
    out["legal_basis"] = ck.text(raw, "legal_basis", item, "")
    out["conditions"] = ck.strings(raw, "conditions", item, "", required=True)
    out["extension_days"] = ck.number(
        {"extension_days": raw.get("extension_days", 0)}, "extension_days", item, ""
    )
    out["pledge_allowed"] = ck.boolean(raw, "pledge_allowed", item, "", False)
    out["external_authority"] = ck.text(raw, "external_authority", item, "", required=False)
    out["sources"] = ck.strings(raw, "sources", item, "", required=False)
    out["notes"] = ck.text(raw, "notes", item, "", required=False)

    out["form"] = _check_form(raw.get("form"), item, ck)
    out["materials"] = _check_materials(raw.get("materials"), item, ck)
    out["pledge_check_days"] = _check_pledge_days(raw, out, item, ck)
    out["process"] = _check_process(raw.get("process"), item, ck)

    statutory, sck = _section(raw, "statutory", item, ck, "必填：days、unit、is_default、basis")
    limits_present = sck is ck
    sck.unknown(statutory, {"days", "unit", "from", "is_default", "basis"}, item, "statutory.")
    out["statutory_days"] = sck.number(statutory, "days", item, "statutory.")
    out["statutory_unit"] = sck.choice(statutory, "unit", item, "statutory.", TimeUnit)
    out["limits_from"] = sck.choice(
        {"from": LimitsFrom.ACCEPTANCE.value, **statutory}, "from", item, "statutory.", LimitsFrom
    )
    out["statutory_is_default"] = sck.boolean(statutory, "is_default", item, "statutory.", False)
    out["statutory_basis"] = sck.text(statutory, "basis", item, "statutory.")

    promised, sck = _section(raw, "promised", item, ck, "必填：days、is_default、source")
    limits_present = limits_present and sck is ck
    sck.unknown(promised, {"days", "is_default", "source"}, item, "promised.")
    out["promised_days"] = sck.number(promised, "days", item, "promised.")
    out["promised_is_default"] = sck.boolean(promised, "is_default", item, "promised.", False)
    out["promised_source"] = sck.text(promised, "source", item, "promised.", required=False)

    fee, sck = _section(raw, "fee", item, ck, "必填：charged、basis（不收费也要写明依据）")
    sck.unknown(fee, {"charged", "basis", "amount"}, item, "fee.")
    out["fee_charged"] = sck.boolean(fee, "charged", item, "fee.", False)
    out["fee_basis"] = sck.text(fee, "basis", item, "fee.")
    out["fee_amount"] = sck.text(fee, "amount", item, "fee.", required=out["fee_charged"])

    result, sck = _section(raw, "result", item, ck, "必填：kind、name")
    sck.unknown(result, {"kind", "name", "approval_letter", "denial_letter"}, item, "result.")
    out["result_kind"] = sck.choice(result, "kind", item, "result.", ResultKind)
    out["result_name"] = sck.text(result, "name", item, "result.")
    for letter in ("approval_letter", "denial_letter"):
        out[letter] = sck.text(result, letter, item, "result.", required=False)
    if out["result_kind"] and out["result_kind"] != ResultKind.LICENCE:
        for i, entry in enumerate(out["form"].get("fields", []), start=1):
            if entry.get("on_licence"):
                ck.add(item, f"form.fields[{i}].on_licence", "本事项的办理结果不是电子证照")

    levels, sck = _section(raw, "levels", item, ck, "必填：accept、review、decide")
    sck.unknown(levels, {"accept", "review", "decide"}, item, "levels.")
    out["accept_level"] = sck.choice(levels, "accept", item, "levels.", StepLevel)
    review = levels.get("review", [])
    valid_levels = [c.value for c in StepLevel]
    if not isinstance(review, list) or any(level not in valid_levels for level in review):
        ck.add(item, "levels.review", f"必须是层级列表（{' / '.join(valid_levels)}）")
        review = []
    out["review_levels"] = review
    out["decide_level"] = sck.choice(levels, "decide", item, "levels.", DecideLevel)

    # Cross-field rules only where both sides were given, so one omission is one problem.
    _check_consistency(out, item, ck if limits_present else _Checker(), ck)
    _check_lengths(ItemVersion, out, item, "", ck, VERSION_PATHS)
    return out


def _check_form(raw: Any, item: str, ck: _Checker) -> dict[str, Any]:
    """The application form, normalized; its problems are reported as ``item / form…: why``."""
    form, problems = check_definition(raw)
    for problem in problems:
        ck.add(item, problem.field, problem.message, problem.code)
    return form


def _check_materials(raw: Any, item: str, ck: _Checker) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        ck.add(item, "materials", "至少需要一项申请材料", "required")
        return []
    materials: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"materials[{i + 1}]."
        if not isinstance(entry, dict):
            ck.add(item, where.rstrip("."), "每项材料必须是一个映射")
            continue
        ck.unknown(entry, MATERIAL_FIELDS, item, where)
        name = ck.text(entry, "name", item, where)
        if name in seen:
            ck.add(item, where + "name", f"材料名称“{name}”重复")
        seen.add(name)
        file_types = entry.get("file_types")
        if (
            not isinstance(file_types, list)
            or not file_types
            or any(t not in FILE_TYPES for t in file_types)
        ):
            ck.add(
                item,
                where + "file_types",
                f"文件类型必须是 {' / '.join(FILE_TYPES)} 中的一项或多项",
            )
            file_types = []
        material = {
            "name": name,
            "mandatory": ck.boolean(entry, "mandatory", item, where, True),
            "gap_allowed": ck.boolean(entry, "gap_allowed", item, where, False),
            "pledge_replaceable": ck.boolean(entry, "pledge_replaceable", item, where, False),
            "file_types": file_types,
            "sample": ck.text(entry, "sample", item, where, required=False),
            "note": ck.text(entry, "note", item, where, required=False),
            "is_default": ck.boolean(entry, "is_default", item, where, False),
            "basis": ck.text(entry, "basis", item, where, required=False),
        }
        if material["is_default"] and not material["basis"]:
            ck.add(item, where + "basis", "按规则补充的材料必须写明依据", "required")
        _check_lengths(Material, material, item, where, ck)
        materials.append(material)
    return materials


def _check_pledge_days(
    raw: dict[str, Any], out: dict[str, Any], item: str, ck: _Checker
) -> int | None:
    """The item's own check period of a pledge, if it sets one (else the province's default)."""
    days = raw.get("pledge_check_days")
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int):
        ck.add(item, "pledge_check_days", f"必须是整数（工作日），不能是 {days!r}")
        return None
    message = pledge_check_error(days)
    if message is not None:
        ck.add(item, "pledge_check_days", message)
    replaceable = (m["pledge_replaceable"] for m in out["materials"])
    if not pledge_applies(out["pledge_allowed"], replaceable):
        ck.add(
            item,
            "pledge_check_days",
            "本事项不适用告知承诺（pledge_allowed 为 false，也没有可承诺替代的材料），"
            "不应填写核查期限",
        )
    return days


def _check_process(raw: Any, item: str, ck: _Checker) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) < 2:
        ck.add(item, "process", "办理流程至少包括受理和送达两个环节", "required")
        return []
    steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"process[{i + 1}]."
        if not isinstance(entry, dict):
            ck.add(item, where.rstrip("."), "每个环节必须是一个映射")
            continue
        ck.unknown(entry, STEP_FIELDS, item, where)
        key = ck.text(entry, "key", item, where)
        if key in seen:
            ck.add(item, where + "key", f"环节代码“{key}”重复")
        seen.add(key)
        step = {
            "key": key,
            "name": ck.text(entry, "name", item, where),
            "level": ck.choice(entry, "level", item, where, StepLevel),
            "role": ck.choice(entry, "role", item, where, StepRole),
            "limit_days": ck.number(entry, "limit_days", item, where),
        }
        _check_lengths(ProcessStep, step, item, where, ck)
        steps.append(step)
    return steps


def _check_consistency(out: dict[str, Any], item: str, limits: _Checker, ck: _Checker) -> None:
    steps = out["process"]
    if steps:
        if steps[0]["key"] != "accept" or steps[0]["role"] != StepRole.WINDOW_CLERK:
            ck.add(item, "process[1]", "第一个环节必须是由窗口受理岗办理的受理（accept）")
        if steps[-1]["key"] != "deliver":
            ck.add(item, f"process[{len(steps)}]", "最后一个环节必须是送达（deliver）")
        order = [STEP_LEVEL_ORDER.get(StepLevel(s["level"]), -1) for s in steps if s["level"]]
        if any(later < earlier for earlier, later in zip(order, order[1:], strict=False)):
            ck.add(item, "process", "环节层级只能由下往上（县级 → 市级 → 省级），不能回到下级")
        if steps[0]["level"] and out["accept_level"] and steps[0]["level"] != out["accept_level"]:
            ck.add(item, "levels.accept", "受理层级必须与受理环节的层级一致")
        # The statutory limit covers the steps from its start to the decision's delivery.
        counted = steps[:-1] if out["limits_from"] == LimitsFrom.RECEIPT else steps[1:-1]
        handling = sum(s["limit_days"] for s in counted)
        if out["statutory_unit"] == TimeUnit.WORKDAY and handling > out["statutory_days"]:
            span = "受理" if out["limits_from"] == LimitsFrom.RECEIPT else "受理后"
            limits.add(
                item,
                "process",
                f"{span}至送达前各环节时限之和 {handling} 个工作日超过法定时限 {out['statutory_days']} 个工作日",
            )
    # Bounds in the item's own unit (models.limit_error): one place for import, admin, publish.
    unit = out["statutory_unit"]
    limits_of = [
        ("statutory.days", out["statutory_days"], unit),
        ("promised.days", out["promised_days"], unit),
        ("extension_days", out["extension_days"], unit),
    ] + [
        (f"process[{i}].limit_days", s["limit_days"], step_unit(unit))
        for i, s in enumerate(steps, start=1)
    ]
    for field, value, in_unit in limits_of:
        message = limit_error(value, in_unit)
        if message is not None:
            ck.add(item, field, message)
    if out["visits"] > VISITS_MAX:
        ck.add(item, "visits", f"不能超过 {VISITS_MAX} 次")
    if out["promised_days"] > out["statutory_days"]:
        limits.add(item, "promised.days", "承诺时限不能长于法定时限")
    if out["handling"] == Handling.IMMEDIATE and out["promised_days"] != 0:
        limits.add(item, "promised.days", "即办件的承诺时限必须为 0（当场办结）")
    if out["decide_level"] == DecideLevel.NATIONAL and not out["external_authority"]:
        ck.add(item, "external_authority", "由国家级机关决定的事项必须写明决定机关（如 司法部）")


def parse_catalogue(text: str) -> list[dict[str, Any]]:
    """Checked items of a catalogue file; raises InvalidInput listing every problem."""
    data = load_text(text)
    if not isinstance(data, dict):
        raise InvalidInput("catalog.invalid_file", "事项目录文件必须以 format 和 items 两个键开头")
    ck = _Checker()
    if data.get("format") != FORMAT:
        ck.add("", "format", f"文件格式必须声明为 {FORMAT}")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        ck.add("", "items", "items 必须是至少包含一个事项的列表", "required")
        raw_items = []
    items = [checked for i, raw in enumerate(raw_items) if (checked := _check_item(raw, i, ck))]
    for key, label in (("code", "事项代码"), ("basic_code", "基本编码")):
        seen: set[str] = set()
        for checked in items:
            value = checked[key]
            if value and value in seen:
                ck.add(checked["code"], key, f"{label} {value} 在文件中重复出现")
            seen.add(value)
    if ck.problems:
        raise InvalidInput(
            "catalog.invalid_file",
            f"事项目录文件有 {len(ck.problems)} 处问题，未导入任何内容",
            ck.problems,
        )
    return items
