"""Shared tables that belong to no one domain area."""

from __future__ import annotations

from django.db import models


class AttemptWindow(models.Model):
    """How many attempts one key (a login name, a client address) made in its current window.

    Kept in the database so that every server process counts against the same limit.
    """

    key = models.CharField(
        "计数键",
        max_length=255,
        unique=True,
        help_text="计什么的次数，如 login:user:<用户名>、progress:address:<客户端地址>",
    )
    window_ends = models.BigIntegerField(
        "窗口结束时间",
        db_index=True,
        help_text="本计数窗口结束的时刻（Unix 秒）；此后第一次尝试从 1 重新计数",
    )
    attempts = models.PositiveIntegerField("尝试次数", help_text="本窗口内已经计入的尝试次数")

    class Meta:
        verbose_name = "尝试次数窗口"
        verbose_name_plural = "尝试次数窗口"

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts}"
