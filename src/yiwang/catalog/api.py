"""Read-only catalogue API: ``GET /api/v1/items`` and ``GET /api/v1/items/{code}``."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.catalog.models import Category, ItemVersion, StepLevel
from yiwang.catalog.selectors import current_version, current_versions
from yiwang.core.errors import InvalidInput

router = Router()


class TimeLimitOut(Schema):
    days: int = Field(description="期限数值")
    unit: str = Field(description="单位：workday 工作日 / day 自然日 / month 月")
    counted_from: str = Field(
        description="起算日：acceptance 自受理之日 / receipt 自收到申请之日（如法律援助）"
    )
    is_default: bool = Field(description="未查到专门规定、按一般规则或默认政策填写时为 true")
    basis: str = Field(description="出处或默认政策")


class ItemSummaryOut(Schema):
    code: str = Field(description="事项代码，如 SF-LS-006")
    basic_code: str = Field(description="12 位基本编码")
    version: int = Field(description="当前有效的版本号")
    name: str = Field(description="事项名称")
    category: str = Field(description="事项类型")
    handling: str = Field(description="promised 承诺件 / immediate 即办件")
    fully_online: bool = Field(description="是否全程网办")
    levels: list[str] = Field(description="涉及的层级，由下到上")
    statutory: TimeLimitOut = Field(description="法定时限")
    promised: TimeLimitOut = Field(description="承诺时限")
    fee_charged: bool = Field(description="是否收费")
    result_name: str = Field(description="办理结果名称")


class MaterialOut(Schema):
    position: int = Field(description="序号")
    name: str = Field(description="材料名称")
    mandatory: bool = Field(description="是否必须提交")
    gap_allowed: bool = Field(description="是否可容缺（受理后补交）")
    pledge_replaceable: bool = Field(description="是否可以告知承诺替代")
    file_types: list[str] = Field(description="接受的文件类型")
    sample: str = Field(description="示范样例说明")
    note: str = Field(description="备注")
    is_default: bool = Field(description="是否按规则补充")
    basis: str = Field(description="补充依据")


class StepOut(Schema):
    position: int = Field(description="序号")
    key: str = Field(description="环节代码")
    name: str = Field(description="环节名称")
    level: str = Field(description="办理层级")
    role: str = Field(description="办理岗位")
    limit_days: int = Field(description="环节时限（与法定时限同单位）")


class FeeOut(Schema):
    charged: bool = Field(description="是否收费")
    basis: str = Field(description="收费或不收费的依据")
    amount: str = Field(description="收费标准")


class ItemDetailOut(ItemSummaryOut):
    name_en: str = Field(description="英文名称")
    valid_from: datetime.date = Field(description="本版本生效日期")
    valid_to: datetime.date | None = Field(description="本版本失效日期，空为长期")
    legal_basis: str = Field(description="设定依据")
    conditions: list[str] = Field(description="受理条件")
    form: dict[str, Any] = Field(
        description="申请表定义：fields 列表（key、label、type、required 等，分组 type 为 group），"
        "格式见 docs/catalogue-format.md；提交办件时 form_data 按此填写"
    )
    visits: int = Field(description="到现场次数")
    extension_days: int = Field(description="可延长期限")
    pledge_allowed: bool = Field(description="是否适用告知承诺")
    pledge_check_workdays: int | None = Field(
        description="告知承诺核查期限：准予后多少个工作日内核查承诺是否属实（事项未规定的按全省"
        "默认期限）；事项既不适用告知承诺、也没有可承诺替代的材料时为空"
    )
    fee: FeeOut = Field(description="收费")
    result_kind: str = Field(description="办理结果类型")
    accept_level: str = Field(description="受理层级")
    review_levels: list[str] = Field(description="审查层级")
    decide_level: str = Field(description="决定层级")
    external_authority: str = Field(description="省外决定机关")
    materials: list[MaterialOut] = Field(description="申请材料")
    steps: list[StepOut] = Field(description="办理流程")
    sources: list[str] = Field(description="资料来源")
    notes: str = Field(description="备注")


MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000


class ItemsPagination(LimitOffsetPagination):
    """Ninja's limit and offset with upper bounds (422 past them): unbounded, a caller could ask
    for any number of rows, and an offset past the database's 64-bit integer fails as a 500."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每页条数，最多 {MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class ItemFilter(Schema):
    level: str = Field("", description="层级：county / city / province")
    category: str = Field("", description="事项类型，如 行政许可")
    keyword: str = Field("", description="关键词，匹配名称、代码、依据或结果名称")
    on: str = Field("", description="查询该日期有效的版本（YYYY-MM-DD），默认今天")


def _parse_on(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("invalid_date", f"日期 {value!r} 无效，应为 YYYY-MM-DD") from exc


def _summary(v: ItemVersion) -> dict[str, object]:
    return {
        "code": v.item.code,
        "basic_code": v.item.basic_code,
        "version": v.version,
        "name": v.name,
        "category": v.category,
        "handling": v.handling,
        "fully_online": v.fully_online,
        "levels": v.levels_in_order(),
        "statutory": {
            "days": v.statutory_days,
            "unit": v.statutory_unit,
            "counted_from": v.limits_from,
            "is_default": v.statutory_is_default,
            "basis": v.statutory_basis,
        },
        "promised": {
            "days": v.promised_days,
            "unit": v.statutory_unit,
            "counted_from": v.limits_from,
            "is_default": v.promised_is_default,
            "basis": v.promised_source,
        },
        "fee_charged": v.fee_charged,
        "result_name": v.result_name,
    }


@router.get("", response=list[ItemSummaryOut], summary="查询事项目录", auth=None)
@paginate(ItemsPagination)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> list[dict[str, object]]:
    """当前有效的已发布事项，可按层级、类型和关键词筛选。"""
    levels = [c.value for c in StepLevel]
    if filters.level and filters.level not in levels:
        raise InvalidInput(
            "invalid_level", f"层级 {filters.level!r} 无效，应为 {' / '.join(levels)} 之一"
        )
    categories = [c.value for c in Category]
    if filters.category and filters.category not in categories:
        raise InvalidInput(
            "invalid_category",
            f"事项类型 {filters.category!r} 无效，应为 {' / '.join(categories)} 之一",
        )
    versions = current_versions(
        on=_parse_on(filters.on),
        level=filters.level,
        category=filters.category,
        keyword=filters.keyword,
    )
    return [_summary(v) for v in versions]


@router.get("/{code}", response=ItemDetailOut, summary="事项详情（当前有效版本）", auth=None)
def get_item(request: HttpRequest, code: str, on: str = "") -> dict[str, object]:
    """事项当前有效的已发布版本，含申请材料和办理流程。"""
    v = current_version(code, _parse_on(on))
    return {
        **_summary(v),
        "name_en": v.name_en,
        "valid_from": v.valid_from,
        "valid_to": v.valid_to,
        "legal_basis": v.legal_basis,
        "conditions": v.conditions,
        "form": v.form or {},
        "visits": v.visits,
        "extension_days": v.extension_days,
        "pledge_allowed": v.pledge_allowed,
        "pledge_check_workdays": v.pledge_check_workdays,
        "fee": {"charged": v.fee_charged, "basis": v.fee_basis, "amount": v.fee_amount},
        "result_kind": v.result_kind,
        "accept_level": v.accept_level,
        "review_levels": v.review_levels,
        "decide_level": v.decide_level,
        "external_authority": v.external_authority,
        "materials": list(v.materials.all()),
        "steps": list(v.steps.all()),
        "sources": v.sources,
        "notes": v.notes,
    }
