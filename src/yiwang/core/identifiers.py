"""Check characters and validation for Chinese identifiers used on the platform.

Three national standards are implemented here, in pure Python (no Django):

* **GB 11643-1999** 《公民身份号码》: the 18-character resident identity number (公民身份号码).
  Characters 1–6 are the address code (a GB/T 2260 administrative division code), 7–14 the birth
  date ``YYYYMMDD``, 15–17 a sequence number (odd for men, even for women) and 18 a check
  character computed with ISO 7064:1983 MOD 11-2.
* **GB 11714-1997** 《全国组织机构代码编制规则》: the 9-character organization code (组织机构代码),
  an 8-character body (digits and capital letters) plus a MOD 11 check character.
* **GB 32100-2015** 《法人和其他组织统一社会信用代码编码规则》: the 18-character unified social
  credit code (统一社会信用代码): registration authority code, type code, division code,
  the organization code (GB 11714) and a MOD 31 check character.

Every failure raises :class:`InvalidIdentifier` (an :class:`~yiwang.core.errors.InvalidInput`)
with a stable machine-readable code such as ``identifier.resident_id.check_digit`` and a message
in Chinese.

``validate_*`` functions accept lower-case letters (``x`` for ``X``) but nothing else that is not
canonical; ``normalize_*`` functions additionally fold full-width characters and surrounding
blanks, validate, and return the canonical upper-case form, which is what should be stored.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from yiwang.core.errors import InvalidInput, Problem

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_REGISTRATION_AUTHORITIES",
    "CREDIT_CODE_TYPES",
    "PROVINCE_CODES",
    "InvalidIdentifier",
    "credit_code_check_char",
    "is_valid_credit_code",
    "is_valid_org_code",
    "is_valid_resident_id",
    "make_credit_code",
    "normalize_credit_code",
    "normalize_org_code",
    "normalize_resident_id",
    "org_code_check_char",
    "resident_id_birth_date",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_org_code",
    "validate_resident_id",
]


class InvalidIdentifier(InvalidInput):
    """An identifier that breaks its standard; ``code`` says which rule, ``message`` says how.

    ``expected`` holds the correct check character when the only fault is the check character.
    """

    def __init__(
        self,
        code: str,
        message: str,
        problems: list[Problem] | None = None,
        *,
        expected: str = "",
    ) -> None:
        super().__init__(code, message, problems)
        self.expected = expected


def _canonical(value: str) -> str:
    """Fold full-width forms (NFKC), strip blanks and upper-case: the form worth storing."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def _require_str(value: object, code: str, label: str) -> str:
    if not isinstance(value, str):
        raise InvalidIdentifier(code, f"{label}必须是字符串")
    return value


# ---------------------------------------------------------------------------------------------
# GB 11643-1999 公民身份号码
# ---------------------------------------------------------------------------------------------

#: ISO 7064 MOD 11-2 weights for characters 1–17: 2^(17-i) mod 11.
RESIDENT_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: Check character indexed by (weighted sum mod 11).
RESIDENT_ID_CHECK_CHARS = "10X98765432"
RESIDENT_ID_EARLIEST_BIRTH = date(1900, 1, 1)

#: First two digits of GB/T 2260 division codes (provinces, autonomous regions, municipalities,
#: Taiwan 71, Hong Kong 81, Macao 82) plus 91, which some issuers accept.
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "91"]
)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise InvalidIdentifier(
            "identifier.resident_id.format", "身份证号码前 17 位必须是 17 个数字"
        )
    total = sum(int(ch) * weight for ch, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(value: str) -> date:
    """The birth date carried by an 18-character resident ID (characters 7–14, ``YYYYMMDD``)."""
    text = value[6:14]
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise InvalidIdentifier(
            "identifier.resident_id.birth_date", f"身份证号码中的出生日期 {text} 不是有效日期"
        ) from exc


def validate_resident_id(value: str, *, today: date | None = None) -> None:
    """Check an 18-character 公民身份号码 against GB 11643-1999.

    Checks, in order: length, characters (17 digits then a digit or ``X``/``x``), the address code
    (first two digits a real province code), the birth date (a real date from 1900-01-01 to
    ``today``) and the ISO 7064 MOD 11-2 check character. Raises :class:`InvalidIdentifier`.
    """
    value = _require_str(value, "identifier.resident_id.format", "身份证号码")
    if len(value) != 18:
        hint = "（15 位旧号码请换用 18 位号码）" if len(value) == 15 else ""
        raise InvalidIdentifier(
            "identifier.resident_id.length",
            f"身份证号码应为 18 位，实际为 {len(value)} 位{hint}",
        )
    value = value.upper()
    body, check = value[:17], value[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        raise InvalidIdentifier(
            "identifier.resident_id.format",
            "身份证号码格式错误：前 17 位必须是数字，最后一位是数字或 X",
        )
    if value[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier(
            "identifier.resident_id.division",
            f"身份证号码前 6 位 {value[:6]} 不是有效的行政区划代码（省级代码 {value[:2]} 不存在）",
        )
    born = resident_id_birth_date(value)
    limit = today or date.today()
    if not RESIDENT_ID_EARLIEST_BIRTH <= born <= limit:
        raise InvalidIdentifier(
            "identifier.resident_id.birth_date",
            f"身份证号码中的出生日期 {born:%Y%m%d} 超出有效范围（1900-01-01 至今）",
        )
    expected = resident_id_check_char(body)
    if check != expected:
        raise InvalidIdentifier(
            "identifier.resident_id.check_digit",
            f"身份证号码校验位错误，应为 {expected}",
            expected=expected,
        )


def normalize_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate a resident ID and return its canonical form (upper-case ``X``, no blanks)."""
    canonical = _canonical(_require_str(value, "identifier.resident_id.format", "身份证号码"))
    validate_resident_id(canonical, today=today)
    return canonical


def is_valid_resident_id(value: str, *, today: date | None = None) -> bool:
    try:
        validate_resident_id(value, today=today)
    except InvalidIdentifier:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# GB 11714-1997 组织机构代码
# ---------------------------------------------------------------------------------------------

#: GB 11714-1997 weights for body characters 1–8.
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_char_value(ch: str) -> int:
    """GB 11714 character values: digits as themselves, A=10 … Z=35."""
    return _ORG_CODE_BODY_CHARS.index(ch)


def org_code_check_char(first8: str) -> str:
    """The GB 11714-1997 check character for an 8-character organization code body.

    C9 = 11 − (Σ Ci·Wi mod 11), with 10 written ``X`` and 11 written ``0``.
    """
    if len(first8) != 8 or any(ch not in _ORG_CODE_BODY_CHARS for ch in first8):
        raise InvalidIdentifier(
            "identifier.org_code.charset",
            "组织机构代码本体必须是 8 位数字或大写字母",
        )
    total = sum(_org_char_value(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    if c9 == 10:
        return "X"
    if c9 == 11:
        return "0"
    return str(c9)


def validate_org_code(value: str) -> None:
    """Check a 9-character 组织机构代码 (GB 11714-1997); lower-case letters are accepted."""
    value = _require_str(value, "identifier.org_code.charset", "组织机构代码")
    if len(value) != 9:
        raise InvalidIdentifier(
            "identifier.org_code.length", f"组织机构代码应为 9 位，实际为 {len(value)} 位"
        )
    value = value.upper()
    body, check = value[:8], value[8]
    if any(ch not in _ORG_CODE_BODY_CHARS for ch in body) or check not in "0123456789X":
        raise InvalidIdentifier(
            "identifier.org_code.charset",
            "组织机构代码格式错误：前 8 位为数字或大写字母，校验位为数字或 X",
        )
    expected = org_code_check_char(body)
    if check != expected:
        raise InvalidIdentifier(
            "identifier.org_code.check_digit",
            f"组织机构代码校验位错误，应为 {expected}",
            expected=expected,
        )


def normalize_org_code(value: str) -> str:
    """Validate an organization code and return it as 9 upper-case characters.

    The printed form ``XXXXXXXX-X`` (hyphen before the check character) is accepted.
    """
    canonical = _canonical(_require_str(value, "identifier.org_code.charset", "组织机构代码"))
    if len(canonical) == 10 and canonical[8] == "-":
        canonical = canonical[:8] + canonical[9]
    validate_org_code(canonical)
    return canonical


def is_valid_org_code(value: str) -> bool:
    try:
        validate_org_code(value)
    except InvalidIdentifier:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# GB 32100-2015 统一社会信用代码
# ---------------------------------------------------------------------------------------------

#: The 31 characters of GB 32100-2015 (Arabic digits and capital letters without I, O, Z, S, V),
#: in value order 0–30.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights for characters 1–17: 3^(i-1) mod 31.
CREDIT_CODE_WEIGHTS: tuple[int, ...] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
_CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}

#: 登记管理部门代码 (character 1), GB 32100-2015 table 1.
CREDIT_CODE_REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

#: 机构类别代码 (character 2) per registration authority, GB 32100-2015 table 1 (informative:
#: validation only requires the character to be a digit 1–9, as issuers have added types).
CREDIT_CODE_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code.

    C18 = 31 − (Σ Ci·Wi mod 31), with 31 written as ``0``; values map back through
    :data:`CREDIT_CODE_ALPHABET`.
    """
    if len(first17) != 17 or any(ch not in _CREDIT_VALUES for ch in first17):
        raise InvalidIdentifier(
            "identifier.credit_code.charset",
            "统一社会信用代码前 17 位必须取自数字和大写字母（不含 I、O、Z、S、V）",
        )
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Check an 18-character 统一社会信用代码 against GB 32100-2015.

    Checks, in order: length; characters (the 31-character alphabet, so I, O, Z, S, V are
    refused); character 1 a registration authority code of the standard's table; character 2 a
    type code (digit 1–9); characters 3–8 a 6-digit division code; characters 9–17 an
    organization code whose own GB 11714 check character holds; character 18 the MOD 31 check
    character. Lower-case letters are accepted. Raises :class:`InvalidIdentifier`.
    """
    value = _require_str(value, "identifier.credit_code.charset", "统一社会信用代码")
    if len(value) != 18:
        raise InvalidIdentifier(
            "identifier.credit_code.length",
            f"统一社会信用代码应为 18 位，实际为 {len(value)} 位",
        )
    value = value.upper()
    bad = sorted({ch for ch in value if ch not in _CREDIT_VALUES})
    if bad:
        shown = "、".join(bad)
        raise InvalidIdentifier(
            "identifier.credit_code.charset",
            f"统一社会信用代码含有不允许的字符：{shown}（只能使用数字和除 I、O、Z、S、V 外的大写字母）",
        )
    if value[0] not in CREDIT_CODE_REGISTRATION_AUTHORITIES:
        raise InvalidIdentifier(
            "identifier.credit_code.registration",
            f"统一社会信用代码第 1 位登记管理部门代码 {value[0]} 不存在",
        )
    if value[1] not in "123456789":
        raise InvalidIdentifier(
            "identifier.credit_code.type",
            f"统一社会信用代码第 2 位机构类别代码 {value[1]} 无效，应为数字 1–9",
        )
    if not value[2:8].isdigit():
        raise InvalidIdentifier(
            "identifier.credit_code.division",
            f"统一社会信用代码第 3–8 位应为 6 位数字的行政区划代码，实际为 {value[2:8]}",
        )
    org_code = value[8:17]
    if org_code[8] not in "0123456789X" or org_code_check_char(org_code[:8]) != org_code[8]:
        expected_org = org_code[:8] + org_code_check_char(org_code[:8])
        raise InvalidIdentifier(
            "identifier.credit_code.org_code",
            f"统一社会信用代码第 9–17 位组织机构代码 {org_code} 的校验位错误，应为 {expected_org}",
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise InvalidIdentifier(
            "identifier.credit_code.check_char",
            f"统一社会信用代码校验位错误，应为 {expected}",
            expected=expected,
        )


def normalize_credit_code(value: str) -> str:
    """Validate a credit code and return its canonical upper-case form (no blanks)."""
    canonical = _canonical(
        _require_str(value, "identifier.credit_code.charset", "统一社会信用代码")
    )
    validate_credit_code(canonical)
    return canonical


def is_valid_credit_code(value: str) -> bool:
    try:
        validate_credit_code(value)
    except InvalidIdentifier:
        return False
    return True


def make_credit_code(registration: str, type_code: str, division: str, org_body8: str) -> str:
    """Build a valid GB 32100-2015 code from its parts, computing both check characters.

    ``org_body8`` is the 8-character organization code body; its GB 11714 check character is
    appended, then the GB 32100 check character. Raises :class:`InvalidIdentifier` when a part
    cannot appear in a valid code.
    """
    org_body8 = org_body8.upper()
    org_code = org_body8 + org_code_check_char(org_body8)
    code = f"{registration.upper()}{type_code.upper()}{division}{org_code}"
    if len(code) != 17:
        raise InvalidIdentifier(
            "identifier.credit_code.length",
            "登记管理部门代码、机构类别代码各 1 位，行政区划代码 6 位，组织机构代码本体 8 位",
        )
    code += credit_code_check_char(code)
    validate_credit_code(code)
    return code
