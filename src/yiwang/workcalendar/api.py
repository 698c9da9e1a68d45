"""HTTP/JSON endpoints of the working-day calendar (mounted at ``/api/v1/calendar``).

Query parameters are taken as strings and parsed here, so that a bad date or a negative count is
answered with 400 and a stable ``code`` (``calendar.invalid_date``, ``calendar.invalid_workdays``,
``calendar.negative_workdays``, ``calendar.too_many_workdays``, ``calendar.out_of_range``) rather
than a generic 422.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yiwang.workcalendar import services
from yiwang.workcalendar.workdays import parse_day, parse_workdays

router = Router()

_PROVISIONAL = (
    "是否暂定：为 true 时，计算所涉期间内有年份的节假日安排尚未载入，该年仅按周末和元旦、劳动节、国庆节的法定日期计算，"
    "待国务院公布安排并载入后结果可能改变"
)


class DeadlineOut(Schema):
    deadline: dt.date = Field(
        ..., description="期限届满日：起算日之后第 N 个工作日（起算日当天不计），格式 YYYY-MM-DD"
    )
    provisional: bool = Field(..., description=_PROVISIONAL)


class BetweenOut(Schema):
    workdays: int = Field(
        ...,
        description="区间 (start, end] 内的工作日数：start 当天不计，end 当天计；start 晚于 end 时为负数",
    )
    provisional: bool = Field(..., description=_PROVISIONAL)


class ProblemOut(Schema):
    code: str = Field(..., description="问题代码")
    message: str = Field(..., description="中文说明")
    field: str | None = Field(None, description="出问题的参数")


class ErrorOut(Schema):
    code: str = Field(
        ..., description="稳定的错误代码，如 calendar.invalid_date、calendar.negative_workdays"
    )
    message: str = Field(..., description="中文错误说明")
    details: list[ProblemOut] | None = Field(None, description="逐项问题")


@router.get(
    "/deadline",
    response={200: DeadlineOut, 400: ErrorOut},
    auth=None,
    summary="计算工作日期限",
    description=(
        "按《行政许可法》第八十二条（期限以工作日计算，不含法定节假日，调休上班日计入）和"
        "《民法典》第二百零一条（开始当日不计入）计算：返回起算日之后第 N 个工作日，期限至该日结束。"
        "N 为 0 时返回起算日本身（即办）。"
    ),
)
def deadline(
    request: HttpRequest,
    start: str = Query(..., description="起算日（触发事件当天，如受理日），YYYY-MM-DD"),
    workdays: str = Query(..., description="工作日数 N，非负整数"),
) -> DeadlineOut:
    day = parse_day(start, "start")
    n = parse_workdays(workdays, "workdays")
    result = services.add_workdays(day, n)
    return DeadlineOut(deadline=result.date, provisional=result.provisional)


@router.get(
    "/between",
    response={200: BetweenOut, 400: ErrorOut},
    auth=None,
    summary="计算两日之间的工作日数",
    description="返回区间 (start, end] 内的工作日数：start 当天不计，end 当天计入。",
)
def between(
    request: HttpRequest,
    start: str = Query(..., description="起算日，YYYY-MM-DD（不计入）"),
    end: str = Query(..., description="截止日，YYYY-MM-DD（计入）"),
) -> BetweenOut:
    a = parse_day(start, "start")
    b = parse_day(end, "end")
    count = services.workdays_between(a, b)
    return BetweenOut(workdays=count.workdays, provisional=count.provisional)
