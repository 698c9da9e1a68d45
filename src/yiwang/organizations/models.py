"""The organization tree: province → city → county → township → village.

The tree is stored as a materialized path: every node keeps the fixed-width path of its ancestors
plus its own segment. "This node and everything under it" is then one range condition on an
indexed column (``path >= P AND path < next(P)``), which both SQLite and PostgreSQL answer with an
index range scan, whatever the database collation, because the path holds digits only. We chose
it over nested sets (every insert renumbers half the tree) and a closure table (one row per
ancestor pair, a join on every query) because the tree is shallow (five levels), read on every
request, and changes rarely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.identifiers import validate_credit_code
from yiwang.core.written_once import WrittenOnce, WrittenOnceQuerySet

if TYPE_CHECKING:
    from collections.abc import Iterator

SEGMENT_WIDTH = 4  # up to 9,999 children per node
MAX_SEGMENT = 10**SEGMENT_WIDTH - 1


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"


LEVEL_DEPTH = {
    Level.PROVINCE: 1,
    Level.CITY: 2,
    Level.COUNTY: 3,
    Level.TOWNSHIP: 4,
    Level.VILLAGE: 5,
}
# Digit used for the level inside a 31-character implementation code (实施编码).
LEVEL_CODE_DIGIT = {Level.PROVINCE: "2", Level.CITY: "3", Level.COUNTY: "4", Level.TOWNSHIP: "5"}


def validate_credit_code_field(value: str) -> None:
    from yiwang.core.errors import InvalidInput

    try:
        validate_credit_code(value)
    except InvalidInput as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def subtree_upper_bound(path: str) -> str:
    """The smallest path that is not under ``path``: its last segment plus one."""
    head, last = path[:-SEGMENT_WIDTH], int(path[-SEGMENT_WIDTH:])
    return head + str(last + 1).zfill(SEGMENT_WIDTH)


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def subtree_of(self, node: Organization) -> OrganizationQuerySet:
        """The node and every node under it: one indexed range."""
        return self.filter(path__gte=node.path, path__lt=subtree_upper_bound(node.path))

    def subtree_of_any(self, nodes: list[Organization]) -> OrganizationQuerySet:
        condition = models.Q(pk__in=[])
        for node in nodes:
            condition |= models.Q(path__gte=node.path, path__lt=subtree_upper_bound(node.path))
        return self.filter(condition)

    def ancestors_of(self, node: Organization, include_self: bool = False) -> OrganizationQuerySet:
        paths = list(node.ancestor_paths())
        if include_self:
            paths.append(node.path)
        return self.filter(path__in=paths)


class Organization(models.Model):
    name = models.CharField("名称", max_length=100, help_text="机构全称，如“郑州市司法局”。")
    short_name = models.CharField("简称", max_length=40, blank=True, help_text="界面上显示的简称。")
    level = models.CharField(
        "层级",
        max_length=10,
        choices=Level.choices,
        help_text="省级、市级、县级、乡镇（街道）或村（社区）。",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="上一级机构；省级机构没有上级。",
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code_field],
        help_text="18 位统一社会信用代码（GB 32100），校验位必须正确；村级服务点可以没有。",
    )
    division_code = models.CharField(
        "行政区划代码", max_length=6, help_text="机构所在地的 6 位行政区划代码（GB/T 2260）。"
    )
    runs_window = models.BooleanField(
        "设有审批窗口", default=False, help_text="是否设有政务服务（审批）窗口，可以受理申请。"
    )
    address = models.CharField("地址", max_length=200, blank=True, help_text="办公或窗口地址。")
    phone = models.CharField("电话", max_length=40, blank=True, help_text="咨询电话。")
    seal = models.ForeignKey(
        "organizations.Seal",
        verbose_name="在用印章",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="出具文书时加盖的电子印章，由登记印章设置、停用印章清空；为空时文书在印章位置留出虚线圆圈。",
    )
    path = models.CharField(
        "树路径",
        max_length=SEGMENT_WIDTH * 8,
        unique=True,
        editable=False,
        help_text="物化路径：每级 4 位数字，由系统维护，用于一次索引查询取出整棵子树。",
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // SEGMENT_WIDTH

    def ancestor_paths(self) -> Iterator[str]:
        for end in range(SEGMENT_WIDTH, len(self.path), SEGMENT_WIDTH):
            yield self.path[:end]

    def is_within(self, other: Organization) -> bool:
        """True when this node is ``other`` or lies under it."""
        return self.path.startswith(other.path)

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        else:
            self.credit_code = None  # blank means "none", and NULLs never clash on the unique index
        expected_parent = LEVEL_DEPTH[Level(self.level)] - 1
        if self.parent is None and expected_parent != 0:
            raise ValidationError({"parent": "只有省级机构可以没有上级机构"})
        if self.parent is not None:
            parent_depth = LEVEL_DEPTH[Level(self.parent.level)]
            if parent_depth != expected_parent:
                raise ValidationError(
                    {"level": f"{self.get_level_display()}机构的上级必须是下一层级的上一级机构"}
                )
        if len(self.division_code) != 6 or not self.division_code.isdigit():
            raise ValidationError({"division_code": "行政区划代码必须是 6 位数字"})

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.path:
            self.path = self._next_path()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def _next_path(self) -> str:
        prefix = self.parent.path if self.parent else ""
        siblings = Organization.objects.filter(parent=self.parent)
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        number = int(last[-SEGMENT_WIDTH:]) + 1 if last else 1
        if number > MAX_SEGMENT:
            raise ValidationError("同一上级下的机构数量超过上限")
        return prefix + str(number).zfill(SEGMENT_WIDTH)

    def implementation_code(self, basic_code: str) -> str:
        """实施编码: credit code + level digit + 12-character basic code (31 characters)."""
        if not self.credit_code:
            raise ValidationError("没有统一社会信用代码的机构不能实施事项")
        return self.credit_code + LEVEL_CODE_DIGIT[Level(self.level)] + basic_code


class Seal(WrittenOnce):
    """An organization's electronic seal image (电子印章), as registered from the seal system.

    Content-addressed: the primary key is the SHA-256 of the image, which every letter sealed
    with it freezes in its context, so a letter re-rendered years later is pressed with the very
    image it was issued with. Rows are never changed or deleted; a seal taken out of use is
    withdrawn (its organization's ``seal`` cleared) and stays for the letters that carry it.
    """

    immutable_code = "seal.immutable"
    overwrite_message = "印章登记后不可修改"
    delete_message = "印章登记后不可删除"
    # Withdrawal, once. Bulk paths are closed too: letters issued under a seal must always find
    # the image they were issued with.
    set_once_fields = frozenset({"withdrawn_at", "withdrawn_by_id"})

    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        primary_key=True,
        help_text="印章图片内容的 SHA-256 摘要；文书以此引用印章，读取图片时据此校验未被篡改。",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="seals",
        help_text="印章所属的机构；一枚印章只属于一个机构。",
    )
    name = models.CharField(
        "印章名称",
        max_length=60,
        help_text="印章上的名称，如“河南省司法厅行政审批专用章”。",
    )
    # In the database rather than file storage: a few kilobytes per organization, backed up and
    # rolled back with the rows that refer to it, and never an orphan.
    image = models.BinaryField(
        "印章图片",
        help_text="透明背景的 PNG 图片，由电子印章系统导出；其 SHA-256 即本印章的编号。",
    )
    width_mm = models.DecimalField(
        "印面宽度（毫米）",
        max_digits=4,
        decimal_places=1,
        help_text="印面的实际宽度，文书按此尺寸加盖，如机关公章 42 毫米。",
    )
    width_px = models.PositiveIntegerField("图片宽度（像素）", help_text="登记时从图片读出。")
    height_px = models.PositiveIntegerField("图片高度（像素）", help_text="登记时从图片读出。")
    size = models.PositiveIntegerField("大小", help_text="图片文件的字节数。")
    registered_at = models.DateTimeField("登记时间", help_text="印章登记入库的时间。")
    # PROTECT: who registered or withdrew a seal is part of the record.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="登记印章的管理员账号。",
    )
    withdrawn_at = models.DateTimeField(
        "停用时间", null=True, blank=True, help_text="停用后新出具的文书不再加盖此印章。"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="停用人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="停用印章的管理员账号。",
    )

    objects = WrittenOnceQuerySet["Seal"].as_manager()

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = "电子印章"
        ordering = ["organization__path", "-registered_at"]

    def __str__(self) -> str:
        return self.name
