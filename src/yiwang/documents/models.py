"""Documents (文书) and their per-agency, per-kind, per-year numbering.

A document is an official letter: once issued its number, addressee and every fact it prints
(``context``) are frozen. The PDF may be stored later than the row (``issue(render=False)`` on a
hot path, rendered on first download), so the file, its digest and size may each be set once,
from empty; nothing else ever changes and nothing is ever deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from yiwang.core.downloads import pdf_file_name
from yiwang.core.written_once import WrittenOnce, WrittenOnceQuerySet


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
    REFUSAL_DECISION = "refusal_decision", "不予受理决定书"
    SUPPLEMENT_NOTICE = "supplement_notice", "补正材料通知书"
    SPECIAL_PROCEDURE_NOTICE = "special_procedure_notice", "特殊环节告知书"
    EXTENSION_NOTICE = "extension_notice", "延期告知书"
    APPROVAL_DECISION = "approval_decision", "准予行政许可决定书"
    DENIAL_DECISION = "denial_decision", "不予行政许可决定书"


class Document(WrittenOnce):
    immutable_code = "documents.immutable"
    overwrite_message = "文书一经出具不可修改"
    delete_message = "文书一经出具不可删除"
    # The PDF may follow the row (rendered on first download), never replace an earlier one.
    set_once_fields = frozenset({"file", "sha256", "size"})

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="documents",
        db_index=False,  # document_case_kind_idx (case, kind) serves lookups by case
        help_text="文书所属的办件。",
    )
    kind = models.CharField(
        "文书种类",
        max_length=30,
        choices=DocumentKind.choices,
        help_text="受理通知书、不予受理决定书、补正材料通知书等。",
    )
    number = models.CharField(
        "文书编号",
        max_length=60,
        unique=True,
        help_text="发文字号，形如“郑州市司受〔2026〕第000012号”，按机构、文书种类和年度连续编号。",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="出具机构",
        on_delete=models.PROTECT,
        related_name="documents",
        help_text="以其名义出具文书的机构（发文机关）。",
    )
    context = models.JSONField(
        "文书内容",
        help_text="文书上载明的全部事实（办件、事项、申请人、日期、理由等），出具时固定，不随办件变化。",
    )
    file = models.FileField(
        "文件",
        upload_to="documents/%Y/",
        max_length=255,
        blank=True,
        help_text="存储中的 PDF 文件；延后生成的文书在首次下载时生成并存储。",
    )
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        blank=True,
        help_text="PDF 文件内容的 SHA-256 摘要；读取时据此校验文件未被篡改。",
    )
    size = models.PositiveBigIntegerField(
        "大小", null=True, blank=True, help_text="PDF 文件的字节数；尚未生成时为空。"
    )
    issued_at = models.DateTimeField("出具时间", help_text="编号并固定内容的时间。")
    # PROTECT, not SET_NULL: who issued an official letter is part of the record, and a
    # cascade would rewrite an immutable row. Staff accounts are deactivated, not deleted.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出具人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="出具文书的工作人员账号；系统自动出具时为空。",
    )

    objects = WrittenOnceQuerySet["Document"].as_manager()

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["case", "kind"], name="document_case_kind_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    @property
    def title(self) -> str:
        """The title printed on the letter (a 法律援助 decision is no 行政许可决定书), fixed
        when it was issued; the kind's name for a letter whose facts do not hold it."""
        context = self.context if isinstance(self.context, dict) else {}
        return str(context.get("title") or self.get_kind_display())

    @property
    def download_name(self) -> str:
        """What a browser saves the letter as. Its number (文号) is what people quote; a letter
        never numbered falls back on the case number, which is on every letter too."""
        return pdf_file_name(self.title, self.number or self.case.number)


class DocumentCounter(models.Model):
    """Last number used per issuing organization, number series (代字) and year; row-locked on
    use. See ``yiwang.documents.numbering``."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="出具机构",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="编号所属的发文机关。",
    )
    series = models.CharField(
        "文号代字",
        max_length=10,
        help_text="发文字号中“司”后的代字，如“受”（受理通知书）、“许”（行政许可决定）、"
        "“决”（其他事项的决定）；每个代字单独连续编号。",
    )
    year = models.PositiveSmallIntegerField("年度", help_text="发文字号中的年份，每年从 1 起编。")
    last = models.PositiveIntegerField("已用序号", default=0, help_text="该年度已使用的最大序号。")

    class Meta:
        verbose_name = "文书编号计数"
        verbose_name_plural = "文书编号计数"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "series", "year"], name="unique_document_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.series} {self.year} {self.last}"
