"""The audit log's two tables: entries (one per change to a case) and checkpoints (seals).

Both are append-only. Here the ORM refuses updates and deletes (instance and queryset alike);
migration 0002 adds database triggers that refuse them as well (see ``dbguard``). Rows are
written only by ``services.append_entry`` and ``services.seal_checkpoint``, which compute the
hashes (see ``hashing``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from yiwang.audit.errors import AuditImmutable

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """A queryset that reads and inserts but never updates or deletes."""

    def update(self, **kwargs: Any) -> int:
        raise AuditImmutable(str(self.model._meta.verbose_name))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutable(str(self.model._meta.verbose_name))

    # The internal paths behind Model.save() updates, bulk_update() and the deletion collector,
    # refused too so that no route of the ORM reaches an UPDATE or DELETE statement.
    def _update(self, values: Any) -> Any:
        raise AuditImmutable(str(self.model._meta.verbose_name))

    def _raw_delete(self, using: Any) -> int:
        raise AuditImmutable(str(self.model._meta.verbose_name))


class AppendOnlyModel(models.Model):
    """A row that can be inserted once and then only read."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditImmutable(str(self._meta.verbose_name))
        # Always an INSERT, even with a primary key set: never let Django try an UPDATE first.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutable(str(self._meta.verbose_name))


class AuditEntryQuerySet(AppendOnlyQuerySet["AuditEntry"]):
    pass


class AuditCheckpointQuerySet(AppendOnlyQuerySet["AuditCheckpoint"]):
    pass


class AuditEntry(AppendOnlyModel):
    """One change to one case: who, which organization, what, when, why, before and after."""

    id = models.BigAutoField(
        "编号",
        primary_key=True,
        help_text="自增编号，反映写入顺序；封存点按编号区间封存。",
    )
    case_id = models.BigIntegerField(
        "办件编号",
        help_text="所属办件的编号。为普通整数而非外键，审计模块不依赖办件模块，"
        "办件也不能连带删除其审计记录；按办件查询使用（办件编号, 序号）唯一索引。",
    )
    seq = models.PositiveIntegerField(
        "序号", help_text="在该办件审计链中的位置，从 1 开始连续递增。"
    )
    actor_id = models.BigIntegerField(
        "操作人编号", null=True, blank=True, help_text="操作用户的编号；系统自动操作时为空。"
    )
    actor_name = models.CharField(
        "操作人", max_length=150, blank=True, help_text="操作时操作人的姓名或用户名（快照）。"
    )
    organization_id = models.BigIntegerField(
        "机构编号", null=True, blank=True, help_text="操作人所代表机构的编号；无机构时为空。"
    )
    organization_name = models.CharField(
        "机构名称", max_length=200, blank=True, help_text="操作时机构的名称（快照）。"
    )
    role = models.CharField(
        "角色", max_length=64, blank=True, help_text="操作人据以操作的角色，如 窗口受理人员。"
    )
    action = models.CharField(
        "动作", max_length=64, help_text="办件动作的代码，如 accept（受理）、decide（决定）。"
    )
    at = models.DateTimeField("发生时间", help_text="动作发生的时间（带时区，按 UTC 参与哈希）。")
    reason = models.TextField("理由", blank=True, help_text="操作人填写的理由或意见，可为空。")
    client_addr = models.TextField(
        "客户端地址",
        blank=True,
        help_text="发起操作的客户端网络地址（可含代理链）；系统操作时为空。",
    )
    before = models.JSONField(
        "变更前", null=True, blank=True, help_text="动作前办件的相关字段（JSON）；新建时为空。"
    )
    after = models.JSONField(
        "变更后", null=True, blank=True, help_text="动作后办件的相关字段（JSON）。"
    )
    prev_hash = models.CharField(
        "前一条哈希",
        max_length=64,
        blank=True,
        help_text="同一办件上一条审计记录的哈希（SM3，64 位十六进制）；第 1 条为空。",
    )
    hash = models.CharField(
        "哈希",
        max_length=64,
        help_text="本条记录除编号和本字段外全部字段的规范 JSON 的 SM3 哈希（64 位十六进制）。",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        # Managers used internally by Django (related lookups, the deletion collector) are
        # append-only as well.
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["case_id", "seq"], name="audit_entry_case_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_entry_seq_from_1"),
        ]
        # The workbench's done list (已办): the cases one person acted on, newest first.
        indexes = [models.Index(fields=["actor_id", "case_id", "id"], name="audit_actor_case_idx")]

    def __str__(self) -> str:
        return f"办件 {self.case_id} 第 {self.seq} 条：{self.action}"


class AuditCheckpoint(AppendOnlyModel):
    """A seal over every entry written since the previous checkpoint."""

    id = models.BigAutoField("编号", primary_key=True, help_text="自增编号，即封存顺序。")
    first_entry_id = models.BigIntegerField(
        "首条记录编号", help_text="本次封存的编号最小的审计记录。"
    )
    last_entry_id = models.BigIntegerField(
        "末条记录编号",
        help_text="本次封存的编号最大的审计记录；封存范围为（上一封存点的末条记录编号, 本编号]。",
    )
    count = models.PositiveIntegerField("记录数", help_text="封存范围内的审计记录条数。")
    merkle_root = models.CharField(
        "默克尔根",
        max_length=64,
        help_text="封存范围内各记录哈希按编号顺序构成的 SM3 默克尔树的根（64 位十六进制）。",
    )
    prev_hash = models.CharField(
        "前一封存点哈希",
        max_length=64,
        blank=True,
        help_text="上一封存点的哈希；第一个封存点为空。唯一，防止封存链分叉。",
    )
    hash = models.CharField(
        "哈希",
        max_length=64,
        help_text="本封存点除编号和本字段外全部字段的规范 JSON 的 SM3 哈希（64 位十六进制）。",
    )
    created_at = models.DateTimeField("封存时间", help_text="封存点生成的时间。")

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = "审计封存点"
        verbose_name_plural = "审计封存点"
        base_manager_name = "objects"
        constraints = [
            # Two sealers racing from the same predecessor: the second insert fails.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_checkpoint_prev_unique"),
        ]

    def __str__(self) -> str:
        return (
            f"封存点 {self.id}：记录 {self.first_entry_id}–{self.last_entry_id}，共 {self.count} 条"
        )
