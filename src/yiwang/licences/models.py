"""Electronic licences (电子证照): the signed result of an approved licensing case.

A licence is issued once per case. Every fact it prints is stored in its own columns or in
``content`` and covered by an SM2 signature over a canonical JSON payload of those facts
(``canonical_payload``), so anyone can check that the licence shown is the licence issued. After
issue nothing changes except revocation (valid → revoked, with time, person and reason), and a
licence is never deleted.

``verify_code`` is no fact of the licence but the key to its public page: printed with the QR
code, it lets whoever holds the licence show it, while nobody can read every licence by trying
numbers. It stays outside the signed payload, so licences signed before codes existed were
given one (migration 0002) with their signatures intact.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from yiwang.audit.hashing import canonical_json
from yiwang.core.downloads import pdf_file_name
from yiwang.core.written_once import WrittenOnce


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


# The only fields a published licence may change, and only from valid to revoked.
REVOCATION_FIELDS = frozenset({"status", "revoked_at", "revocation_reason", "revoked_by_id"})


class LicenceQuerySet(models.QuerySet["Licence"]):
    # Bulk updates stay open: the PDF is filled in by one, and the SM2 signature, not the ORM,
    # is what shows a licence's facts unchanged.
    def delete(self) -> NoReturn:
        self.model.refuse(self.model.delete_message)


class Licence(WrittenOnce):
    immutable_code = "licences.immutable"
    overwrite_message = "电子证照一经签发不可修改"
    delete_message = "电子证照一经签发不可删除，只能撤销"

    case = models.OneToOneField(
        "cases.Case",
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="licence",
        help_text="准予许可并颁发本证照的办件；每个办件至多一份证照。",
    )
    number = models.CharField(
        "证照编号",
        max_length=60,
        unique=True,
        help_text="形如“河南省司证〔2026〕第000001号”，按签发机关和年度连续编号。",
    )
    name = models.CharField(
        "证照名称",
        max_length=100,
        help_text="事项版本规定的办理结果名称，如“律师事务所执业许可证”。",
    )
    holder_name = models.CharField(
        "持证人", max_length=100, help_text="证照颁发对象（办件申请人）的姓名或名称。"
    )
    holder_id_number = models.CharField(
        "持证人证件号码",
        max_length=30,
        help_text="自然人的公民身份号码或组织的统一社会信用代码；公开核验时只显示前 6 位和后 4 位。",
    )
    issuer = models.ForeignKey(
        "organizations.Organization",
        verbose_name="发证机关",
        on_delete=models.PROTECT,
        related_name="licences",
        help_text="办结时办件所属、作出准予决定的机构。",
    )
    issuer_name = models.CharField(
        "发证机关名称",
        max_length=100,
        help_text="签发时的机构全称；机构日后更名不影响已签发证照的内容和签名。",
    )
    issued_on = models.DateField("发证日期", help_text="签发证照的日期。")
    valid_from = models.DateField("有效期起", help_text="证照生效的日期。")
    valid_to = models.DateField(
        "有效期至", null=True, blank=True, help_text="证照失效的日期；为空表示长期有效。"
    )
    content = models.JSONField(
        "证照内容",
        help_text="证照载明的其他事实：事项、持证人类别、申请表中的主要信息等，签发时固定。",
    )
    payload_sm3 = models.CharField(
        "签名数据摘要",
        max_length=64,
        help_text="证照事实的规范化 JSON 的 SM3 摘要（64 位十六进制），打印在证照底部。",
    )
    signature = models.CharField(
        "电子签名",
        max_length=128,
        help_text="平台签发密钥对规范化 JSON 的 SM2 签名（r||s，128 位十六进制）。",
    )
    public_key = models.CharField(
        "签名公钥",
        max_length=128,
        help_text="签名所用 SM2 公钥（X||Y，128 位十六进制）；核验时须为平台认可的签发公钥。",
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=LicenceStatus.choices,
        default=LicenceStatus.VALID,
        help_text="有效或已撤销；撤销后不可恢复。",
    )
    revoked_at = models.DateTimeField(
        "撤销时间", null=True, blank=True, help_text="撤销证照的时间；未撤销为空。"
    )
    revocation_reason = models.TextField(
        "撤销理由", blank=True, default="", help_text="撤销证照的理由；撤销时必填。"
    )
    # PROTECT, like the issuer: who revoked a licence is part of the record.
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="撤销证照的工作人员账号。",
    )
    file = models.FileField(
        "证照文件",
        upload_to="licences/%Y/",
        max_length=255,
        help_text="存储中的版式文件（PDF）。",
    )
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        help_text="PDF 文件内容的 SHA-256 摘要；读取时据此校验文件未被篡改。",
    )
    verify_code = models.CharField(
        "核验码",
        max_length=32,
        help_text="随机生成，印在证照二维码下方并含在二维码地址中；公开核验页面凭证照编号和核验码显示证照。"
        "不属于签名内容。",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="办结办件、触发签发的工作人员账号；系统自动签发时为空。",
    )
    created_at = models.DateTimeField("签发时间", help_text="证照编号、签名并存储的时间。")

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="licence_validity_order",
            ),
            models.CheckConstraint(
                condition=(Q(status="valid") & Q(revoked_at__isnull=True))
                | (Q(status="revoked") & Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="licence_revocation_complete",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "issued_on"], name="licence_issuer_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def download_name(self) -> str:
        """What a browser saves the licence as: 电子证照-<its number>.pdf."""
        return pdf_file_name("电子证照", self.number)

    @property
    def verification_path(self) -> str:
        """This site's address of the public check showing this licence, its code included."""
        # reverse() percent-encodes the Chinese number, so the QR code holds plain ASCII.
        path = reverse("licences:verify", args=[self.number])
        return f"{path}?{urlencode({'c': self.verify_code})}" if self.verify_code else path

    def payload(self) -> dict[str, Any]:
        """The facts the signature covers, as stored (dates as ISO text)."""
        return {
            "number": self.number,
            "name": self.name,
            "holder_name": self.holder_name,
            "holder_id_number": self.holder_id_number,
            "issuer": self.issuer_name,
            "issued_on": self.issued_on.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "content": self.content,
        }

    def canonical_payload(self) -> bytes:
        """The signed bytes: compact UTF-8 JSON with sorted keys, the same on every database
        (PostgreSQL's jsonb reorders keys, so order must not matter)."""
        return canonical_json(self.payload()).encode()

    def check_changes(self, stored: dict[str, Any], changed: set[str]) -> None:
        frozen = changed - REVOCATION_FIELDS
        if frozen:
            self.refuse(f"电子证照一经签发不可修改（试图修改：{'、'.join(sorted(frozen))}）")
        if changed and stored.get("status") == LicenceStatus.REVOKED:
            self.refuse("电子证照已撤销，撤销信息不可修改，也不能恢复为有效")
        if changed and self.status != LicenceStatus.REVOKED:
            self.refuse("证照只能由有效变为已撤销")


class LicenceCounter(models.Model):
    """Last licence number used per issuing organization and year; row-locked on use."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="发证机关",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="编号所属的发证机关。",
    )
    year = models.PositiveSmallIntegerField("年度", help_text="证照编号中的年份，每年从 1 起编。")
    last = models.PositiveIntegerField("已用序号", default=0, help_text="该年度已使用的最大序号。")

    class Meta:
        verbose_name = "证照编号计数"
        verbose_name_plural = "证照编号计数"
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="unique_licence_counter")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.last}"
