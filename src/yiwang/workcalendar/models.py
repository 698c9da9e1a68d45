"""The working-day calendar as data: which years are published, and their special days.

A year with a :class:`CalendarYear` row is loaded: its days are exact (Mon–Fri work unless a
HOLIDAY, Sat/Sun rest unless a WORKDAY). A year without a row is unknown: only weekends rest,
and answers touching it are provisional. The arithmetic lives in ``workdays.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from yiwang.workcalendar.schedules import NAME_MAX_LENGTH, SOURCE_MAX_LENGTH
from yiwang.workcalendar.workdays import FIRST_DAY, LAST_DAY, DayKind, day_problems


class CalendarYear(models.Model):
    """One year whose State Council holiday schedule (节假日安排) has been loaded."""

    year = models.PositiveSmallIntegerField(
        "年份",
        unique=True,
        validators=[MinValueValidator(FIRST_DAY.year), MaxValueValidator(LAST_DAY.year)],
        help_text=f"公历年份（{FIRST_DAY.year}–{LAST_DAY.year}）。有此记录即表示该年节假日安排已载入。",
    )
    source = models.CharField(
        "来源",
        max_length=SOURCE_MAX_LENGTH,
        help_text="安排的出处，如国务院办公厅通知文号，或“chinese-calendar 1.11.0”。",
    )
    loaded_at = models.DateTimeField(
        "载入时间", default=timezone.now, help_text="该年安排载入（或最近一次替换）的时间。"
    )
    note = models.TextField("说明", blank=True, help_text="补充说明，可留空。")
    updated_at = models.DateTimeField(
        "更新时间",
        auto_now=True,
        help_text="最近一次修改的时间；各进程据此判断缓存的日历是否需要重建。",
    )

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class CalendarDay(models.Model):
    """A special day of a loaded year: a statutory holiday or an adjusted weekend workday."""

    class Kind(models.TextChoices):
        HOLIDAY = DayKind.HOLIDAY.value, "法定节假日"
        WORKDAY = DayKind.WORKDAY.value, "调休上班日"

    year = models.ForeignKey(
        CalendarYear,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name="所属年度",
        help_text="该日期所在的日历年度；删除年度会一并删除其日期。",
    )
    date = models.DateField(
        "日期", unique=True, help_text="公历日期，全表唯一（唯一约束即带索引）。"
    )
    kind = models.CharField(
        "类型",
        max_length=10,
        choices=Kind.choices,
        help_text="法定节假日：当天休息（不论星期几）；调休上班日：当天上班，只能是星期六或星期日。",
    )
    name = models.CharField(
        "名称", max_length=NAME_MAX_LENGTH, help_text="所属节日，如 元旦、春节、国庆节。"
    )
    updated_at = models.DateTimeField(
        "更新时间",
        auto_now=True,
        help_text="最近一次修改的时间；各进程据此判断缓存的日历是否需要重建。",
    )

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        super().clean()
        if self.date is None or not self.kind or self.year_id is None:
            return  # field validation reports what is missing
        wrong = day_problems(self.year.year, self.date, self.kind)
        if wrong:
            raise ValidationError({"date": wrong})
