from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

LAW_FIRM: dict[str, Any] = {
    "code": "SF-LS-006",
    "basic_code": "410112001006",
    "name": "律师事务所设立许可",
    "name_en": "Law firm establishment licence",
    "category": "行政许可",
    "handling": "promised",
    "fully_online": True,
    "visits": 0,
    "legal_basis": "《律师法》第14-18条",
    "conditions": ["有自己的名称、住所和章程", "有符合规定的律师"],
    "materials": [
        {
            "name": "申请书",
            "mandatory": True,
            "gap_allowed": False,
            "pledge_replaceable": False,
            "file_types": ["pdf"],
            "sample": "写明名称和设立人",
            "note": "",
            "is_default": False,
            "basis": "",
        },
        {
            "name": "住所证明",
            "mandatory": True,
            "gap_allowed": True,
            "pledge_replaceable": True,
            "file_types": ["pdf", "jpg"],
            "sample": "",
            "note": "",
            "is_default": False,
            "basis": "",
        },
    ],
    "process": [
        {"key": "accept", "name": "受理", "level": "city", "role": "window_clerk", "limit_days": 5},
        {"key": "review", "name": "初审", "level": "city", "role": "handler", "limit_days": 20},
        {
            "key": "decide",
            "name": "审批决定",
            "level": "province",
            "role": "leader",
            "limit_days": 10,
        },
        {
            "key": "deliver",
            "name": "制证送达",
            "level": "province",
            "role": "window_clerk",
            "limit_days": 10,
        },
    ],
    "statutory": {"days": 30, "unit": "workday", "is_default": False, "basis": "《律师法》第18条"},
    "promised": {"days": 4, "is_default": False, "source": "天津市"},
    "extension_days": 10,
    "pledge_allowed": False,
    "fee": {"charged": False, "basis": "《行政许可法》第58条", "amount": ""},
    "result": {"kind": "licence", "name": "律师事务所执业许可证"},
    "levels": {"accept": "city", "review": ["city"], "decide": "province"},
    "external_authority": "",
    "sources": ["LAW 律师法"],
    "notes": "",
}


def catalogue_text(*items: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {"format": "yiwang-catalogue/1", "items": list(items)}, allow_unicode=True
    )


@pytest.fixture
def law_firm() -> dict[str, Any]:
    return copy.deepcopy(LAW_FIRM)


@pytest.fixture
def legal_aid(law_firm: dict[str, Any]) -> dict[str, Any]:
    item = copy.deepcopy(law_firm)
    item.update(
        code="SF-FY-001", basic_code="410112005001", name="法律援助申请审查", category="公共服务"
    )
    item["process"] = [
        {
            "key": "accept",
            "name": "受理",
            "level": "county",
            "role": "window_clerk",
            "limit_days": 1,
        },
        {"key": "decide", "name": "审查决定", "level": "county", "role": "leader", "limit_days": 7},
        {
            "key": "deliver",
            "name": "送达",
            "level": "county",
            "role": "window_clerk",
            "limit_days": 3,
        },
    ]
    item["statutory"] = {
        "days": 7,
        "unit": "day",
        "from": "receipt",
        "is_default": False,
        "basis": "《法律援助法》第43条",
    }
    item["promised"] = {"days": 4, "is_default": True, "source": "默认政策"}
    item["levels"] = {"accept": "county", "review": [], "decide": "county"}
    item["legal_basis"] = "《法律援助法》第41-43条"
    item["result"] = {"kind": "decision", "name": "给予法律援助决定书"}
    item["fee"] = {"charged": False, "basis": "《法律援助法》第2条：无偿提供法律服务", "amount": ""}
    return item
