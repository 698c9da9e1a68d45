"""Application forms (申请表) defined as data: parse a definition, bind it, validate answers.

An item version carries its form in ``ItemVersion.form`` (format in docs/catalogue-format.md,
section "申请表 form"). This module is the one place where that definition is checked
(``check_definition``, used by the catalogue importer), turned into objects
(``definition_from_json``, ``form_definition``), filled from a POST (``data_from_post``), checked
against the answers (``validate_form``), bound for the ``catalog/form_fields.html`` partial
(``bind``) and shown read-only (``display_rows`` with ``catalog/form_display.html``).

Answers live in two shapes:

* raw data, as typed: ``{"firm_name": "…", "partners": [{"name": "…", …}, …]}`` with strings
  exactly as entered (so nothing is lost when the answers are sent back with errors);
* cleaned data from ``validate_form``: typed values serialized for JSON (dates as ISO strings,
  decimals as strings, integers as ``int``, booleans as ``bool``, blank optional values ``None``).

Error keys: ``"firm_name"``, ``"partners"`` (row count), ``"partners.1.id_number"`` (0-based row);
messages name the field, e.g. ``合伙人第2行·身份证号码：校验位不正确``.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.identifiers import (
    InvalidIdentifier,
    make_credit_code,
    normalize_credit_code,
    normalize_resident_id,
)
from yiwang.core.names import MAX_LENGTH as NAME_MAX_LENGTH
from yiwang.core.names import InvalidName, normalize_person_name

if TYPE_CHECKING:
    from yiwang.catalog.models import ItemVersion

__all__ = [
    "ADD_ROW",
    "FIELD_TYPES",
    "REMOVE_ROW",
    "BoundField",
    "BoundForm",
    "BoundGroup",
    "DisplayRow",
    "FormDefinition",
    "FormField",
    "FormGroup",
    "bind",
    "check_definition",
    "data_from_post",
    "definition_from_json",
    "display_rows",
    "example_data",
    "form_definition",
    "remove_row",
    "validate_form",
]

#: Field types and what they are called in messages.
FIELD_TYPES: dict[str, str] = {
    "text": "单行文字",
    "textarea": "多行文字",
    "date": "日期",
    "integer": "整数",
    "decimal": "数字",
    "choice": "单选",
    "person_name": "姓名",
    "id_number": "身份证号码",
    "credit_code": "统一社会信用代码",
    "phone": "电话号码",
    "email": "电子邮箱",
    "bool": "勾选项",
}
GROUP = "group"
#: Answers a licence can print as a fact (``on_licence``): no identity or contact details.
LICENCE_FIELD_TYPES = (
    "text", "textarea", "date", "integer", "decimal", "choice", "person_name", "credit_code",
)  # fmt: skip
#: Names of the submit buttons that add and remove group rows (the page view handles them).
ADD_ROW = "add_row"
REMOVE_ROW = "remove_row"

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
MAX_KEY = 40
MAX_LABEL = 60
MAX_HELP = 300
MAX_PATTERN = 300
MAX_CHOICE = 100
MAX_ROWS = 500
MAX_FIELDS = 60
#: Longest answer kept, whatever the definition says; without max_length a single-line answer
#: is limited to DEFAULT_TEXT_LENGTH characters.
MAX_TEXT_LENGTH = 5000
DEFAULT_TEXT_LENGTH = 200
DEFAULT_MAX_ROWS = 50
NUMBER_LIMIT = Decimal(10) ** 15
#: The dates any date answer may take: every birth, decision or expiry a form asks about lies
#: between them, and a mistyped year (1800, 2300) does not. The working-day calendar also ends
#: in 2100.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)

_COMMON_KEYS = ("key", "label", "type", "required", "help", "on_licence")
_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("max_length", "pattern", "pattern_message"),
    "textarea": ("max_length", "pattern", "pattern_message"),
    "integer": ("min", "max"),
    "decimal": ("min", "max"),
    "choice": ("choices",),
    "date": ("past",),
}
_GROUP_KEYS = ("key", "label", "type", "help", "min_rows", "max_rows", "fields")
_ALL_FIELD_KEYS = frozenset(_COMMON_KEYS).union(*_TYPE_KEYS.values(), _GROUP_KEYS)

TRUE_STRINGS = frozenset({"on", "1", "true", "yes", "是"})
FALSE_STRINGS = frozenset({"", "0", "false", "off", "no", "否"})


# ---------------------------------------------------------------------------------------------
# The definition
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str = ""
    choices: tuple[str, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    on_licence: bool = False
    #: A date of something that has happened: not after the day the application is submitted.
    past: bool = False

    is_group = False

    @property
    def length_limit(self) -> int | None:
        """The longest answer accepted, for text answers (also the HTML ``maxlength``)."""
        if self.type == "text":
            return self.max_length or DEFAULT_TEXT_LENGTH
        if self.type == "textarea":
            return self.max_length or MAX_TEXT_LENGTH
        return None

    @functools.cached_property
    def compiled(self) -> re.Pattern[str] | None:
        return _compile(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class FormGroup:
    key: str
    label: str
    help: str = ""
    fields: tuple[FormField, ...] = ()
    min_rows: int = 0
    max_rows: int = DEFAULT_MAX_ROWS

    is_group = True
    type = GROUP


@dataclass(frozen=True)
class FormDefinition:
    entries: tuple[FormField | FormGroup, ...] = ()

    def is_empty(self) -> bool:
        return not self.entries


def _compile(pattern: str) -> re.Pattern[str]:
    # ASCII classes: \d is 0-9 and \w is [A-Za-z0-9_], as in the browser's pattern attribute.
    return re.compile(pattern, re.ASCII)


class _Problems:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(code=code, message=message, field=where))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()):
        number = Decimal(value.strip())
    else:
        return None
    return number if number.is_finite() and abs(number) < NUMBER_LIMIT else None


def _number_json(number: Decimal) -> int | str:
    """Integral bounds stay numbers; others become exact decimal strings (JSON has no Decimal)."""
    if number == number.to_integral_value():
        return int(number)
    return format(number.normalize(), "f")


def _fmt(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _text(
    ck: _Problems, entry: Mapping[str, Any], key: str, where: str, limit: int, required: bool
) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            ck.add(f"{where}.{key}", "必填，不能为空", "required")
        return ""
    if not isinstance(value, str) or not value.strip():
        ck.add(f"{where}.{key}", "必须是非空文字")
        return ""
    value = value.strip()
    if len(value) > limit:
        ck.add(f"{where}.{key}", f"不能超过 {limit} 个字")
    return value


def _check_key(ck: _Problems, entry: Mapping[str, Any], where: str, seen: set[str]) -> str:
    key = entry.get("key")
    if not isinstance(key, str) or not KEY_RE.fullmatch(key) or len(key) > MAX_KEY:
        ck.add(
            f"{where}.key",
            f"字段代码 {key!r} 无效：须以小写字母开头，只含小写字母、数字和下划线（如 firm_name），"
            f"不超过 {MAX_KEY} 个字符",
            "required" if key is None else "invalid",
        )
        return ""
    if key in seen:
        ck.add(f"{where}.key", f"字段代码 {key} 在同一层级重复出现")
    seen.add(key)
    return key


def _check_field(
    ck: _Problems, entry: Mapping[str, Any], where: str, kind: str, key: str, nested: bool
) -> dict[str, Any]:
    allowed = (*_COMMON_KEYS, *_TYPE_KEYS.get(kind, ()))
    for name in sorted(map(str, entry)):
        if name in allowed:
            continue
        if name in _ALL_FIELD_KEYS:
            hint = "分组用 min_rows 表示至少填写几行" if name == "required" else ""
            ck.add(
                f"{where}.{name}", f"{name} 不适用于 {kind} 类型的字段{hint and '（' + hint + '）'}"
            )
        else:
            ck.add(f"{where}.{name}", "未知字段（请检查拼写）", "unknown_field")
    out: dict[str, Any] = {
        "key": key,
        "label": _text(ck, entry, "label", where, MAX_LABEL, True),
        "type": kind,
    }
    required = entry.get("required", False)
    if not isinstance(required, bool):
        ck.add(f"{where}.required", "必须是 true 或 false")
        required = False
    out["required"] = required
    help_text = _text(ck, entry, "help", where, MAX_HELP, False)
    if help_text:
        out["help"] = help_text
    on_licence = entry.get("on_licence", False)
    if not isinstance(on_licence, bool):
        ck.add(f"{where}.on_licence", "必须是 true 或 false")
    elif on_licence and nested:
        ck.add(f"{where}.on_licence", "分组中的字段不印在证照上")
    elif on_licence and kind not in LICENCE_FIELD_TYPES:
        ck.add(
            f"{where}.on_licence",
            f"{FIELD_TYPES[kind]}字段不印在证照上（证照不载明身份证件号码、联系方式等个人信息）",
        )
    elif on_licence:
        out["on_licence"] = True

    if kind in ("text", "textarea"):
        max_length = entry.get("max_length")
        if max_length is not None:
            if (
                isinstance(max_length, bool)
                or not isinstance(max_length, int)
                or not 1 <= max_length <= MAX_TEXT_LENGTH
            ):
                ck.add(f"{where}.max_length", f"必须是 1 至 {MAX_TEXT_LENGTH} 的整数")
            else:
                out["max_length"] = max_length
        pattern = entry.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN:
                ck.add(f"{where}.pattern", f"必须是不超过 {MAX_PATTERN} 个字符的正则表达式")
            else:
                try:
                    _compile(pattern)
                except re.error as exc:
                    position = "" if exc.pos is None else f"第 {exc.pos + 1} 个字符处，"
                    ck.add(f"{where}.pattern", f"正则表达式无效（{position}{exc.msg}）")
                except (OverflowError, RecursionError, ValueError):
                    ck.add(f"{where}.pattern", "正则表达式无效（重复次数过大或嵌套过深）")
                else:
                    out["pattern"] = pattern
        message = _text(ck, entry, "pattern_message", where, MAX_LABEL * 2, False)
        if message and pattern is None:
            ck.add(f"{where}.pattern_message", "pattern_message 只能与 pattern 一起使用")
        elif message:
            out["pattern_message"] = message

    if kind == "choice":
        choices = entry.get("choices")
        if choices is None:
            ck.add(f"{where}.choices", "单选字段必须给出 choices 选项列表（至少两项）", "required")
        elif (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            ck.add(f"{where}.choices", "choices 必须是至少两项非空文字的列表")
        else:
            cleaned = [c.strip() for c in choices]
            twice = sorted({c for c in cleaned if cleaned.count(c) > 1})
            if twice:
                ck.add(f"{where}.choices", f"选项重复：{'、'.join(twice)}")
            elif any(len(c) > MAX_CHOICE for c in cleaned):
                ck.add(f"{where}.choices", f"每个选项不能超过 {MAX_CHOICE} 个字")
            else:
                out["choices"] = cleaned

    if kind == "date":
        past = entry.get("past", False)
        if not isinstance(past, bool):
            ck.add(f"{where}.past", "必须是 true 或 false")
        elif past:
            out["past"] = True

    if kind in ("integer", "decimal"):
        bounds: dict[str, Decimal] = {}
        for name in ("min", "max"):
            if entry.get(name) is None:
                continue
            number = _number(entry[name])
            if number is None:
                ck.add(f"{where}.{name}", f"{name} 必须是数字（绝对值小于 10 的 15 次方）")
            elif kind == "integer" and number != number.to_integral_value():
                ck.add(f"{where}.{name}", f"整数字段的 {name} 必须是整数")
            else:
                bounds[name] = number
                out[name] = _number_json(number)
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            ck.add(
                f"{where}.min", f"min（{_fmt(bounds['min'])}）不能大于 max（{_fmt(bounds['max'])}）"
            )
    return out


def _rows_bound(
    ck: _Problems, entry: Mapping[str, Any], name: str, where: str, default: int
) -> int:
    value = entry.get(name, default)
    lowest = 0 if name == "min_rows" else 1
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= MAX_ROWS:
        ck.add(f"{where}.{name}", f"必须是 {lowest} 至 {MAX_ROWS} 的整数")
        return default
    return value


def _check_group(ck: _Problems, entry: Mapping[str, Any], where: str, key: str) -> dict[str, Any]:
    for name in sorted(map(str, entry)):
        if name in _GROUP_KEYS:
            continue
        if name == "required":
            ck.add(f"{where}.required", "分组没有 required：用 min_rows 表示至少填写几行")
        elif name in _ALL_FIELD_KEYS:
            ck.add(f"{where}.{name}", f"{name} 不适用于分组（group）")
        else:
            ck.add(f"{where}.{name}", "未知字段（请检查拼写）", "unknown_field")
    out: dict[str, Any] = {
        "key": key,
        "label": _text(ck, entry, "label", where, MAX_LABEL, True),
        "type": GROUP,
    }
    help_text = _text(ck, entry, "help", where, MAX_HELP, False)
    if help_text:
        out["help"] = help_text
    min_rows = _rows_bound(ck, entry, "min_rows", where, 0)
    max_rows = _rows_bound(ck, entry, "max_rows", where, DEFAULT_MAX_ROWS)
    if min_rows > max_rows:
        ck.add(f"{where}.min_rows", f"min_rows（{min_rows}）不能大于 max_rows（{max_rows}）")
    out["min_rows"] = min_rows
    out["max_rows"] = max_rows
    raw_fields = entry.get("fields")
    if raw_fields is None or raw_fields == []:
        ck.add(f"{where}.fields", "分组至少需要一个字段", "required")
        out["fields"] = []
    else:
        out["fields"] = _check_entries(ck, raw_fields, f"{where}.fields", nested=True)
    return out


def _check_entries(ck: _Problems, raw: Any, where: str, nested: bool) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        ck.add(where, "必须是字段的列表（每项含 key、label、type）")
        return []
    if len(raw) > MAX_FIELDS:
        ck.add(where, f"同一层级最多 {MAX_FIELDS} 个字段")
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        at = f"{where}[{i + 1}]"
        if not isinstance(entry, Mapping):
            ck.add(at, "每个字段必须是一个映射（key、label、type …）")
            continue
        key = _check_key(ck, entry, at, seen)
        kind = entry.get("type")
        if kind == GROUP:
            if nested:
                ck.add(f"{at}.type", "分组内不能再嵌套分组（group）")
                continue
            entries.append(_check_group(ck, entry, at, key))
        elif isinstance(kind, str) and kind in FIELD_TYPES:
            entries.append(_check_field(ck, entry, at, kind, key, nested))
        else:
            _text(ck, entry, "label", at, MAX_LABEL, True)
            allowed = " / ".join([*FIELD_TYPES, *([] if nested else [GROUP])])
            ck.add(
                f"{at}.type",
                f"类型 {kind!r} 无效，应为 {allowed} 之一",
                "required" if kind is None else "invalid",
            )
    return entries


def check_definition(raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The normalized JSON of a form definition and every problem found in it.

    ``raw`` is the ``form`` value of a catalogue item (or ``None``). Problems carry a path such
    as ``form.fields[3].fields[2].type`` (1-based positions). The normalized JSON always has
    ``key``, ``label``, ``type`` and ``required`` (groups: ``min_rows``, ``max_rows``,
    ``fields``) and the other settings only where given; an empty form is ``{}``. It is a fixed
    point: checking it again gives it back unchanged.
    """
    ck = _Problems()
    if raw is None:
        return {}, []
    if not isinstance(raw, Mapping):
        ck.add("form", "申请表必须是一个映射，形如 fields: [ … ]")
        return {}, ck.problems
    for name in sorted(map(str, raw)):
        if name != "fields":
            ck.add(f"form.{name}", "未知字段（申请表只有 fields）", "unknown_field")
    raw_fields = raw.get("fields")
    if raw_fields is None:
        if raw:
            ck.add("form.fields", "必填：字段列表", "required")
        return {}, ck.problems
    entries = _check_entries(ck, raw_fields, "form.fields", nested=False)
    return ({"fields": entries} if entries else {}), ck.problems


def _build(normalized: Mapping[str, Any]) -> FormDefinition:
    def make_field(d: Mapping[str, Any]) -> FormField:
        return FormField(
            key=d["key"],
            label=d["label"],
            type=d["type"],
            required=d["required"],
            help=d.get("help", ""),
            max_length=d.get("max_length"),
            pattern=d.get("pattern"),
            pattern_message=d.get("pattern_message", ""),
            choices=tuple(d.get("choices", ())),
            min=None if d.get("min") is None else Decimal(str(d["min"])),
            max=None if d.get("max") is None else Decimal(str(d["max"])),
            on_licence=d.get("on_licence", False),
            past=d.get("past", False),
        )

    entries: list[FormField | FormGroup] = []
    for d in normalized.get("fields", []):
        if d["type"] == GROUP:
            entries.append(
                FormGroup(
                    key=d["key"],
                    label=d["label"],
                    help=d.get("help", ""),
                    fields=tuple(make_field(f) for f in d["fields"]),
                    min_rows=d["min_rows"],
                    max_rows=d["max_rows"],
                )
            )
        else:
            entries.append(make_field(d))
    return FormDefinition(tuple(entries))


def definition_from_json(data: Mapping[str, Any]) -> FormDefinition:
    """The definition stored in ``ItemVersion.form``; raises InvalidInput if it is broken."""
    normalized, problems = check_definition(data)
    if problems:
        raise InvalidInput("catalog.invalid_form", f"申请表定义有 {len(problems)} 处问题", problems)
    return _build(normalized)


@functools.lru_cache(maxsize=512)
def _definition_from_text(text: str) -> FormDefinition:
    return definition_from_json(json.loads(text))


def form_definition(version: ItemVersion) -> FormDefinition:
    """The application form of an item version.

    Cached by content, so a published version (which never changes) is parsed once, and an
    edited draft is never served a stale definition.
    """
    return _definition_from_text(json.dumps(version.form or {}, sort_keys=True))


# ---------------------------------------------------------------------------------------------
# Answers: from a POST, and validated
# ---------------------------------------------------------------------------------------------


def _raw_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _is_blank(value: Any) -> bool:
    if value is None or value is False:
        return True
    return isinstance(value, str) and not value.strip()


def _truthy(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in TRUE_STRINGS


def data_from_post(defn: FormDefinition, post: Mapping[str, Any]) -> dict[str, Any]:
    """The raw answers of a submitted form, as typed.

    Top-level fields are named ``<field>``, group rows ``<group>-<i>-<field>``. Rows are taken in
    the order of their indices (which need not be contiguous), and a row left entirely blank is
    dropped. Checkboxes become ``True``/``False``; everything else stays the exact string sent.
    """
    data: dict[str, Any] = {}
    names = [name for name in post.keys() if isinstance(name, str)]
    for entry in defn.entries:
        if isinstance(entry, FormGroup):
            fields = {f.key: f for f in entry.fields}
            name_re = re.compile(rf"{re.escape(entry.key)}-([0-9]{{1,6}})-([a-z][a-z0-9_]*)")
            indices = sorted(
                {
                    int(match.group(1))
                    for name in names
                    if (match := name_re.fullmatch(name)) and match.group(2) in fields
                }
            )
            rows: list[dict[str, Any]] = []
            for index in indices:
                row = {
                    key: _post_value(f, post.get(f"{entry.key}-{index}-{key}"))
                    for key, f in fields.items()
                }
                if not all(_is_blank(v) for v in row.values()):
                    rows.append(row)
            data[entry.key] = rows
        else:
            data[entry.key] = _post_value(entry, post.get(entry.key))
    return data


def _post_value(f: FormField, value: Any) -> str | bool:
    raw = _raw_value(value)
    return _truthy(raw) if f.type == "bool" else raw


_RESIDENT_ID_WHY = {
    "identifier.resident_id.format": "格式不正确：前 17 位须为数字，最后一位为数字或 X",
    "identifier.resident_id.division": "前 6 位不是有效的行政区划代码",
    "identifier.resident_id.birth_date": "其中的出生日期无效",
    "identifier.resident_id.check_digit": "校验位不正确",
}
_CREDIT_CODE_WHY = {
    "identifier.credit_code.charset": "只能由数字和大写字母组成（不含 I、O、Z、S、V）",
    "identifier.credit_code.registration": "第 1 位登记管理部门代码不存在",
    "identifier.credit_code.type": "第 2 位机构类别代码无效",
    "identifier.credit_code.division": "第 3–8 位应为行政区划代码",
    "identifier.credit_code.org_code": "第 9–17 位组织机构代码的校验位不正确",
    "identifier.credit_code.check_char": "校验位不正确",
}
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE = re.compile(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER_RE = re.compile(r"[+-]?[0-9]{1,15}")
_DECIMAL_RE = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,6})?")
_CONTROL_KEPT = {"\n", "\r", "\t"}


def _folded(value: str) -> str:
    """Full-width digits and letters folded to ASCII, blanks trimmed: for codes and numbers."""
    return unicodedata.normalize("NFKC", value).strip()


def _bad_characters(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无效字符"
    if any(unicodedata.category(ch) == "Cc" and ch not in _CONTROL_KEPT for ch in value):
        return "含有不允许的控制字符"
    return ""


def _clean(f: FormField, value: Any, today: datetime.date | None = None) -> tuple[Any, str]:
    """(cleaned value, why it is wrong or ""); ``today`` is the day of submission (``past``)."""
    if f.type == "bool":
        if isinstance(value, bool):
            checked = value
        elif value is None:
            checked = False
        elif isinstance(value, str) and value.strip().lower() in TRUE_STRINGS | FALSE_STRINGS:
            checked = value.strip().lower() in TRUE_STRINGS
        else:
            return False, "格式不正确"
        if f.required and not checked:
            return False, "请勾选"
        return checked, ""

    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | None):
        return None, "格式不正确"
    if isinstance(value, float):
        value = repr(int(value)) if value.is_integer() else repr(value)
    text = "" if value is None else str(value)
    if not text.strip():
        if f.required:
            return None, "请选择" if f.type == "choice" else "必须填写"
        return None, ""
    bad = _bad_characters(text)
    if bad:
        return None, bad

    if f.type in ("text", "textarea"):
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if f.type == "text" and "\n" in text:
            return None, "不能包含换行"
        limit = f.length_limit or MAX_TEXT_LENGTH
        if len(text) > limit:
            return None, f"不能超过 {limit} 个字（现有 {len(text)} 个）"
        if f.compiled is not None and not f.compiled.fullmatch(text):
            return None, f.pattern_message or "格式不正确"
        return text, ""
    if f.type == "choice":
        text = text.strip()
        if text not in f.choices:
            return None, "请从给定选项中选择"
        return text, ""
    if f.type == "date":
        text = _folded(text)
        try:
            if not _DATE_RE.fullmatch(text):
                raise ValueError(text)
            day = datetime.date.fromisoformat(text)
        except ValueError:
            return None, "须为有效日期，格式为 YYYY-MM-DD（如 2026-03-02）"
        if not DATE_MIN <= day <= DATE_MAX:
            return None, f"须在 {DATE_MIN} 至 {DATE_MAX} 之间，请检查年份"
        if f.past:
            last = today or timezone.localdate()
            if day > last:
                return None, f"不能晚于申请之日（{last}）"
        return day.isoformat(), ""
    if f.type in ("integer", "decimal"):
        return _clean_number(f, _folded(text))
    if f.type == "person_name":
        try:
            return normalize_person_name(text), ""
        except InvalidName as exc:
            return None, exc.message
    if f.type == "id_number":
        try:
            return normalize_resident_id(text), ""
        except InvalidIdentifier as exc:
            if exc.code == "identifier.resident_id.length":
                return None, f"应为 18 位，实际为 {len(_folded(text))} 位"
            return None, _RESIDENT_ID_WHY.get(exc.code, exc.message)
    if f.type == "credit_code":
        try:
            return normalize_credit_code(text), ""
        except InvalidIdentifier as exc:
            if exc.code == "identifier.credit_code.length":
                return None, f"应为 18 位，实际为 {len(_folded(text))} 位"
            return None, _CREDIT_CODE_WHY.get(exc.code, exc.message)
    if f.type == "phone":
        number = re.sub(r"\s+", "", _folded(text))
        if _MOBILE_RE.fullmatch(number) or _LANDLINE_RE.fullmatch(number):
            return number, ""
        return None, "应为 11 位手机号码或带区号的固定电话（如 0371-65432100）"
    if f.type == "email":
        address = text.strip()
        try:
            if len(address) > 254:
                raise ValidationError(address)
            validate_email(address)
        except ValidationError:
            return None, "格式不正确（如 name@example.com）"
        return address, ""
    raise AssertionError(f"unhandled field type {f.type}")  # definitions are checked on import


def _clean_number(f: FormField, text: str) -> tuple[Any, str]:
    if f.type == "integer":
        if not _INTEGER_RE.fullmatch(text):
            return None, "须为整数"
        number = Decimal(int(text))
    else:
        if not _DECIMAL_RE.fullmatch(text):
            return None, "须为数字（如 30 或 12.5，最多 6 位小数）"
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, "须为数字"
    if f.min is not None and number < f.min:
        return None, f"不能小于 {_fmt(f.min)}"
    if f.max is not None and number > f.max:
        return None, f"不能大于 {_fmt(f.max)}"
    if f.type == "integer":
        return int(number), ""
    return format(abs(number) if number == 0 else number, "f"), ""


def validate_form(
    defn: FormDefinition, data: Mapping[str, Any], today: datetime.date | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned, errors) for the answers ``data`` (raw or already cleaned; unknown keys ignored).

    ``cleaned`` holds every defined key; use it only when ``errors`` is empty. ``today`` is the
    day of submission (default: today), which a ``past`` date may not be after.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        data = {}
    for entry in defn.entries:
        value = data.get(entry.key)
        if isinstance(entry, FormField):
            cleaned[entry.key], why = _clean(entry, value, today)
            if why:
                errors[entry.key] = f"{entry.label}：{why}"
            continue
        rows: Sequence[Any]
        if value is None or value == "":
            rows = []
        elif isinstance(value, list | tuple):
            rows = value
        else:
            errors[entry.key] = f"{entry.label}：格式不正确"
            cleaned[entry.key] = []
            continue
        if len(rows) < entry.min_rows:
            errors[entry.key] = f"{entry.label}：至少填写 {entry.min_rows} 行"
        elif len(rows) > entry.max_rows:
            errors[entry.key] = (
                f"{entry.label}：最多填写 {entry.max_rows} 行（现有 {len(rows)} 行）"
            )
        cleaned_rows: list[dict[str, Any]] = []
        for i, row in enumerate(rows[: entry.max_rows]):
            where = f"{entry.label}第{i + 1}行"
            if not isinstance(row, Mapping):
                errors[f"{entry.key}.{i}"] = f"{where}：格式不正确"
                continue
            cleaned_row: dict[str, Any] = {}
            for f in entry.fields:
                cleaned_row[f.key], why = _clean(f, row.get(f.key), today)
                if why:
                    errors[f"{entry.key}.{i}.{f.key}"] = f"{where}·{f.label}：{why}"
            cleaned_rows.append(cleaned_row)
        cleaned[entry.key] = cleaned_rows
    return cleaned, errors


def remove_row(data: Mapping[str, Any], token: str) -> dict[str, Any]:
    """A copy of ``data`` without the row named ``<group>-<i>`` (the remove button's value).

    An unknown group or index leaves the data as it was: the button may come from a stale page.
    """
    out = dict(data)
    match = re.fullmatch(r"([a-z][a-z0-9_]*)-([0-9]{1,6})", token.strip()) if token else None
    if match is None:
        return out
    key, index = match.group(1), int(match.group(2))
    rows = out.get(key)
    if isinstance(rows, list) and index < len(rows):
        out[key] = rows[:index] + rows[index + 1 :]
    return out


# ---------------------------------------------------------------------------------------------
# Binding for the HTML partial
# ---------------------------------------------------------------------------------------------

_INPUT_TYPES = {
    "text": "text",
    "textarea": "textarea",
    "date": "date",
    "integer": "number",
    "decimal": "number",
    "choice": "select",
    "person_name": "text",
    "id_number": "text",
    "credit_code": "text",
    "phone": "tel",
    "email": "email",
    "bool": "checkbox",
}
# Client-side patterns for the fixed formats (the browser anchors them as ^(?:…)$).
_HTML_PATTERNS = {
    "id_number": r"[0-9]{17}[0-9Xx]",
    "credit_code": r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}",
    "phone": r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?",
}
_HTML_LENGTHS = {
    "person_name": NAME_MAX_LENGTH, "id_number": 18, "credit_code": 18, "phone": 20, "email": 254,
}  # fmt: skip
_SYNTAX = set("^$\\.*+?()[]{}|/")
_DOUBLE_PUNCTUATORS = {c * 2 for c in "&!#$%*+,.:;<=>?@^`~"}


def _escape(pattern: str, at: int, in_class: bool) -> tuple[int, bool] | None:
    """(length, stands for one character) of the escape at ``at``, if browsers read it alike."""
    nxt = pattern[at + 1 : at + 2]
    if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", pattern[at + 2 : at + 6]):
        return 6, True
    if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", pattern[at + 2 : at + 4]):
        return 4, True
    if nxt and nxt in "dDwWsS":
        return 2, False
    if nxt and nxt in "bB" and not in_class:
        return 2, False
    if nxt and (nxt in "ntrfv" or nxt in _SYNTAX or (in_class and nxt == "-")):
        return 2, True
    return None


def html_pattern(pattern: str) -> str | None:
    """``pattern`` if a browser reads it as Python does, else ``None`` (then only the server checks).

    The browser compiles the attribute with the ``v`` flag, which refuses things Python accepts
    (``(?P<…>``, ``\\A``, a bare ``-`` or ``(`` inside ``[…]``, a lone ``{`` …). A refused pattern
    is ignored and a misread one could block a valid answer, so only a common subset is passed on.
    """
    if "(?" in pattern:
        return None
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            esc = _escape(pattern, i, in_class=False)
            if esc is None:
                return None
            i += esc[0]
        elif ch == "[":
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            atoms: list[str] = []  # "char", "class" (\\d …) or "-"
            while i < n and pattern[i] != "]":
                c = pattern[i]
                if c == "\\":
                    esc = _escape(pattern, i, in_class=True)
                    if esc is None:
                        return None
                    atoms.append("char" if esc[1] else "class")
                    i += esc[0]
                    continue
                if c in "()[{}/|" or pattern[i : i + 2] in _DOUBLE_PUNCTUATORS:
                    return None
                atoms.append("-" if c == "-" else "char")
                i += 1
            if i >= n or not atoms:
                return None
            i += 1
            for k, atom in enumerate(atoms):
                # A dash only makes a range between two characters, and ranges do not chain.
                if atom == "-" and not (
                    0 < k < len(atoms) - 1
                    and atoms[k - 1] == atoms[k + 1] == "char"
                    and (k < 2 or atoms[k - 2] != "-")
                    and (k + 2 >= len(atoms) or atoms[k + 2] != "-")
                ):
                    return None
        elif ch in "]}":
            return None
        elif ch == "{":
            end = pattern.find("}", i)
            if end < 0 or not re.fullmatch(r"[0-9]+(,[0-9]*)?", pattern[i + 1 : end]):
                return None
            i = end + 1
        else:
            i += 1
    return pattern


@dataclass
class BoundField:
    """One input: its definition, HTML name and id, the raw value and its error."""

    field: FormField
    name: str
    id: str
    value: str = ""
    error: str = ""
    checked: bool = False

    is_group = False

    @property
    def input_type(self) -> str:
        return _INPUT_TYPES[self.field.type]

    @property
    def choices(self) -> tuple[str, ...]:
        return self.field.choices

    @property
    def hint(self) -> str:
        f = self.field
        notes = [f.help] if f.help else []
        if f.min is not None and f.max is not None:
            notes.append(f"范围 {_fmt(f.min)} 至 {_fmt(f.max)}")
        elif f.min is not None:
            notes.append(f"不小于 {_fmt(f.min)}")
        elif f.max is not None:
            notes.append(f"不大于 {_fmt(f.max)}")
        if f.type == "person_name":
            notes.append("按身份证件填写")
        elif f.type == "id_number":
            notes.append("18 位，末位可为 X")
        elif f.type == "date":
            notes.append("格式 YYYY-MM-DD" + ("，不晚于申请之日" if f.past else ""))
        return "；".join(notes)

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.error else [])
        return " ".join(ids)

    @property
    def maxlength(self) -> int | None:
        return self.field.length_limit or _HTML_LENGTHS.get(self.field.type)

    @property
    def pattern(self) -> str | None:
        if self.field.type == "text" and self.field.pattern:
            return html_pattern(self.field.pattern)
        return _HTML_PATTERNS.get(self.field.type)

    @property
    def min(self) -> str:
        if self.field.type == "date":
            return DATE_MIN.isoformat()
        return "" if self.field.min is None else _fmt(self.field.min)

    @property
    def max(self) -> str:
        if self.field.type == "date":
            # The browser's date picker then offers no later day; the server checks again.
            return (timezone.localdate() if self.field.past else DATE_MAX).isoformat()
        return "" if self.field.max is None else _fmt(self.field.max)

    @property
    def step(self) -> str:
        return {"integer": "1", "decimal": "any"}.get(self.field.type, "")


@dataclass
class BoundGroup:
    """A repeatable group: rows of bound fields (at least one shown), its row-count error."""

    group: FormGroup
    rows: list[list[BoundField]]
    error: str = ""
    add_name: str = ADD_ROW
    remove_name: str = REMOVE_ROW

    is_group = True

    @property
    def id(self) -> str:
        return f"f-{self.group.key}"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def hint(self) -> str:
        g = self.group
        count = (
            f"至少 {g.min_rows} 行，最多 {g.max_rows} 行" if g.min_rows else f"最多 {g.max_rows} 行"
        )
        return f"{g.help}（{count}）" if g.help else count

    @property
    def describedby(self) -> str:
        return " ".join([self.hint_id] + ([self.error_id] if self.error else []))

    @property
    def can_add(self) -> bool:
        return len(self.rows) < self.group.max_rows

    @property
    def can_remove(self) -> bool:
        return len(self.rows) > 1


@dataclass
class BoundForm:
    definition: FormDefinition
    data: Mapping[str, Any]
    errors: Mapping[str, str]
    entries: list[BoundField | BoundGroup] = field(default_factory=list)

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(element id, message) of every error, in form order, for a summary with links."""
        out: list[tuple[str, str]] = []
        for entry in self.entries:
            if isinstance(entry, BoundGroup):
                if entry.error:
                    out.append((entry.id, entry.error))
                out.extend((bf.id, bf.error) for row in entry.rows for bf in row if bf.error)
            elif entry.error:
                out.append((entry.id, entry.error))
        return out


def _bound_value(f: FormField, value: Any) -> tuple[str, bool]:
    if f.type == "bool":
        return "", value is True or _truthy(value)
    if value is None or isinstance(value, bool):
        return "", False
    return _raw_value(value), False


def bind(
    defn: FormDefinition,
    data: Mapping[str, Any] | None,
    errors: Mapping[str, str] | None = None,
    extra_rows: Mapping[str, int] | None = None,
) -> BoundForm:
    """The form ready for ``catalog/form_fields.html``.

    Each group shows its rows of ``data``, then ``extra_rows[group]`` blank rows (up to
    ``max_rows``), padded with blank rows to ``min_rows`` and to at least one row.
    """
    data = data if isinstance(data, Mapping) else {}
    errors = errors or {}
    extra_rows = extra_rows or {}
    entries: list[BoundField | BoundGroup] = []
    for entry in defn.entries:
        if isinstance(entry, FormField):
            value, checked = _bound_value(entry, data.get(entry.key))
            entries.append(
                BoundField(
                    field=entry,
                    name=entry.key,
                    id=f"f-{entry.key}",
                    value=value,
                    error=errors.get(entry.key, ""),
                    checked=checked,
                )
            )
            continue
        given = data.get(entry.key)
        rows_data: list[Any] = list(given) if isinstance(given, list | tuple) else []
        wanted = len(rows_data) + max(0, int(extra_rows.get(entry.key, 0)))
        wanted = max(min(wanted, entry.max_rows), len(rows_data), entry.min_rows, 1)
        rows: list[list[BoundField]] = []
        for i in range(wanted):
            row = rows_data[i] if i < len(rows_data) and isinstance(rows_data[i], Mapping) else {}
            bound_row: list[BoundField] = []
            for f in entry.fields:
                name = f"{entry.key}-{i}-{f.key}"
                value, checked = _bound_value(f, row.get(f.key))
                bound_row.append(
                    BoundField(
                        field=f,
                        name=name,
                        id=f"f-{name}",
                        value=value,
                        error=errors.get(f"{entry.key}.{i}.{f.key}", "")
                        or errors.get(f"{entry.key}.{i}", ""),
                        checked=checked,
                    )
                )
            rows.append(bound_row)
        entries.append(BoundGroup(group=entry, rows=rows, error=errors.get(entry.key, "")))
    return BoundForm(definition=defn, data=data, errors=errors, entries=entries)


# ---------------------------------------------------------------------------------------------
# Read-only display
# ---------------------------------------------------------------------------------------------

NOT_GIVEN = "未填写"
EMPTY_CELL = "—"


@dataclass
class DisplayRow:
    """One line of the read-only form: a label and a value, or a group as a table."""

    label: str
    value: str = ""
    group_labels: list[str] = field(default_factory=list)
    group_rows: list[list[str]] = field(default_factory=list)
    key: str = ""
    is_group: bool = False


def _display_value(f: FormField, value: Any, blank: str) -> str:
    if f.type == "bool":
        return "是" if value is True or _truthy(value) else "否"
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    if f.type == "date" and _DATE_RE.fullmatch(text):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day.year}年{day.month}月{day.day}日"
    return text


def display_rows(defn: FormDefinition, data: Mapping[str, Any]) -> list[DisplayRow]:
    """The answers as label/value lines for ``catalog/form_display.html``; never raises."""
    data = data if isinstance(data, Mapping) else {}
    out: list[DisplayRow] = []
    for entry in defn.entries:
        value = data.get(entry.key)
        if isinstance(entry, FormField):
            out.append(
                DisplayRow(
                    label=entry.label, value=_display_value(entry, value, NOT_GIVEN), key=entry.key
                )
            )
            continue
        rows = value if isinstance(value, list | tuple) else []
        table: list[list[str]] = []
        for row in rows:
            if isinstance(row, Mapping):
                table.append([_display_value(f, row.get(f.key), EMPTY_CELL) for f in entry.fields])
            else:
                # Answers kept from before the form was defined: show them, never drop them.
                cells = [str(row)] + [EMPTY_CELL] * (len(entry.fields) - 1)
                table.append(cells[: max(1, len(entry.fields))])
        out.append(
            DisplayRow(
                label=entry.label,
                value="" if table else NOT_GIVEN,
                group_labels=[f.label for f in entry.fields],
                group_rows=table,
                key=entry.key,
                is_group=True,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Example answers
# ---------------------------------------------------------------------------------------------

# Plausible single-line answers, chosen by a word of the label (first match wins, then checked).
_EXAMPLE_TEXTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("执业证号",), "14101201100000001"),
    (("通行证",), "H12345678"),
    (("护照",), "E12345678"),
    (("准考证",), "20261234567"),
    (("文号",), "郑政文〔2026〕12号"),
    (("预核准",), "豫律名预〔2026〕第0123号"),
    (("编号", "证书号", "执照号", "许可证号"), "A20214101051234"),
    (("姓名", "负责人", "签署人", "代表人"), "张伟"),
    (("住所", "地址", "场所"), "郑州市金水区花园路 38 号"),
    (("分所",), "北京某某律师事务所郑州分所"),
    (("代表处", "代表机构"), "某某律师事务所驻郑州代表处"),
    (("律师事务所",), "河南嵩岳律师事务所"),
    (("公证",), "郑州市某某公证处"),
    (("司法鉴定",), "河南某某司法鉴定中心"),
    (("法律服务所",), "中牟县城关法律服务所"),
    (("仲裁委员会",), "某某仲裁委员会"),
    (("人民政府",), "某某市人民政府"),
    (("国籍", "国家"), "英国"),
)
_EXAMPLE_BY_TYPE: dict[str, Any] = {
    "textarea": "情况说明（示例）。",
    "date": "2026-01-05",
    "person_name": "张伟",
    "id_number": "11010519491231002X",  # the example number of GB 11643
    "credit_code": make_credit_code("3", "1", "410105", "00000001"),
    "phone": "0371-65432100",
    "email": "contact@example.com",
}
# Before any day the demo or the tests submit on.
_EXAMPLE_PAST_DATE = "2024-07-01"


def _example_from_pattern(pattern: str) -> str | None:
    """A short string the pattern accepts (for the simple patterns forms use), or None."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def walk(items: Any) -> str | None:
        out = []
        for op, arg in items:
            if op is c.LITERAL:
                out.append(chr(arg))
            elif op is c.ANY:
                out.append("某")
            elif op is c.IN:
                first = arg[0]
                if first[0] is c.LITERAL:
                    out.append(chr(first[1]))
                elif first[0] is c.RANGE:
                    out.append(chr(first[1][0]))
                elif first[0] is c.CATEGORY and first[1] is c.CATEGORY_DIGIT:
                    out.append("0")
                else:
                    return None
            elif op is c.CATEGORY and arg is c.CATEGORY_DIGIT:
                out.append("0")
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                low, _, sub = arg
                part = walk(sub)
                if part is None:
                    return None
                out.append(part * max(low, 1 if part else 0))
            elif op is c.SUBPATTERN:
                part = walk(arg[-1])
                if part is None:
                    return None
                out.append(part)
            elif op is c.BRANCH:
                part = walk(arg[1][0])
                if part is None:
                    return None
                out.append(part)
            elif op is c.AT:
                continue
            else:
                return None
        return "".join(out)

    try:
        text = walk(_parser.parse(pattern, re.ASCII))
    except (re.error, RecursionError, ValueError):
        return None
    return text if text is not None and _compile(pattern).fullmatch(text) else None


def _example_value(f: FormField) -> Any:
    if f.type == "bool":
        return f.required  # a declaration must be ticked; an optional box is left unticked
    if f.type == "choice":
        return f.choices[0]
    if f.type in ("integer", "decimal"):
        typical = Decimal(2026 if "年度" in f.label else 200 if "天数" in f.label else 5)
        if f.type == "decimal":
            typical = Decimal(50)
        if f.min is not None and typical < f.min:
            typical = f.min
        if f.max is not None and typical > f.max:
            typical = f.max
        return _clean(f, _fmt(typical))[0]
    if f.type == "date" and f.past:
        return _clean(f, _EXAMPLE_PAST_DATE)[0]
    if f.type != "text":
        return _clean(f, _EXAMPLE_BY_TYPE[f.type])[0]
    candidates = [text for words, text in _EXAMPLE_TEXTS if any(w in f.label for w in words)]
    candidates.append("示例")
    if f.pattern:
        generated = _example_from_pattern(f.pattern)
        if generated:
            candidates.append(generated)
    for text in candidates:
        cleaned, why = _clean(f, text)
        if not why:
            return cleaned
    return ""


def example_data(defn: FormDefinition) -> dict[str, Any]:
    """Answers that pass ``validate_form``: every field filled with a plausible example value.

    For demonstrations and tests. Groups get ``min_rows`` rows (at least one); values are in the
    cleaned shape (integers as ``int``, decimals as strings, booleans as ``bool``).
    """
    data: dict[str, Any] = {}
    for entry in defn.entries:
        if isinstance(entry, FormField):
            data[entry.key] = _example_value(entry)
        else:
            row = {f.key: _example_value(f) for f in entry.fields}
            data[entry.key] = [dict(row) for _ in range(max(entry.min_rows, 1))]
    return data
