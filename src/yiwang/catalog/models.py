"""The catalogue (事项目录): items, their immutable published versions, and implementations.

``ServiceItem`` is the stable identity of an item (code, 基本编码). Its content lives in
``ItemVersion`` rows: draft → published → retired, each with validity dates. A published version
never changes (only its validity end and retirement may be set), so a case that pins a version
keeps exactly the rules it was submitted under. Editing means a new draft.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from yiwang.accounts.models import Role
from yiwang.organizations.models import Level


class Category(models.TextChoices):
    LICENSING = "行政许可", "行政许可"
    CONFIRMATION = "行政确认", "行政确认"
    BENEFIT = "行政给付", "行政给付"
    PUBLIC_SERVICE = "公共服务", "公共服务"
    OTHER = "其他", "其他"


class Handling(models.TextChoices):
    PROMISED = "promised", "承诺件"
    IMMEDIATE = "immediate", "即办件"


class TimeUnit(models.TextChoices):
    WORKDAY = "workday", "工作日"
    DAY = "day", "自然日"
    MONTH = "month", "月"


class LimitsFrom(models.TextChoices):
    """The day the statutory and promised limits run from."""

    ACCEPTANCE = "acceptance", "受理之日"  # 行政许可法 第42条
    RECEIPT = "receipt", "收到申请之日"  # e.g. 法律援助法 第43条、第49条


class ResultKind(models.TextChoices):
    LICENCE = "licence", "电子证照"
    DECISION = "decision", "决定书"
    FILING = "filing", "备案回执"
    SERVICE = "service", "服务结果"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已废止"


class StepLevel(models.TextChoices):
    COUNTY = Level.COUNTY.value, Level.COUNTY.label
    CITY = Level.CITY.value, Level.CITY.label
    PROVINCE = Level.PROVINCE.value, Level.PROVINCE.label


class DecideLevel(models.TextChoices):
    COUNTY = Level.COUNTY.value, Level.COUNTY.label
    CITY = Level.CITY.value, Level.CITY.label
    PROVINCE = Level.PROVINCE.value, Level.PROVINCE.label
    NATIONAL = "national", "国家级（司法部）"


STEP_LEVEL_ORDER = {StepLevel.COUNTY: 0, StepLevel.CITY: 1, StepLevel.PROVINCE: 2}
HANDLING_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.LEADER)


class StepRole(models.TextChoices):
    WINDOW_CLERK = Role.WINDOW_CLERK.value, Role.WINDOW_CLERK.label
    HANDLER = Role.HANDLER.value, Role.HANDLER.label
    REVIEWER = Role.REVIEWER.value, Role.REVIEWER.label
    LEADER = Role.LEADER.value, Role.LEADER.label


FILE_TYPES = ("pdf", "ofd", "jpg", "png")

# The longest limit (statutory, promised, extension, one step) the catalogue may set, in each
# unit: two years. The shipped catalogue's longest are 40 working days (SF-GZ-004), 9 months
# (SF-LS-014) and a step of 90 working days (SF-LS-017); the laws behind the items set weeks or
# months, never years. Two years is a wide margin that still keeps every deadline a case
# computes inside the working-day calendar (to 2100) and every value inside PostgreSQL's integer.
LIMIT_MAX = {TimeUnit.WORKDAY: 500, TimeUnit.DAY: 730, TimeUnit.MONTH: 24}
#: What any unit allows: the bound of the columns themselves.
LIMIT_CEILING = max(LIMIT_MAX.values())
UNIT_WORDS = {TimeUnit.WORKDAY: "个工作日", TimeUnit.DAY: "日", TimeUnit.MONTH: "个月"}
#: 到现场次数: the reform asks for at most one visit (最多跑一次); the shipped catalogue has 0 or 1.
VISITS_MAX = 10


def step_unit(unit: str) -> TimeUnit:
    """The unit of step limits: working days, except for items counted in natural days."""
    return TimeUnit.DAY if unit == TimeUnit.DAY else TimeUnit.WORKDAY


def pause_unit(unit: str) -> TimeUnit:
    """The unit a suspension is measured in: working days for working-day limits, natural days
    otherwise (a month has no fixed length to pause)."""
    return TimeUnit.WORKDAY if unit == TimeUnit.WORKDAY else TimeUnit.DAY


def days_text(value: int, unit: str) -> str:
    """A number of days as a person reads it: "13 个工作日", "3 日", "2 个月"."""
    return f"{value} {UNIT_WORDS[TimeUnit(unit)]}"


def limit_error(value: int, unit: str) -> str | None:
    """Why ``value`` units of ``unit`` cannot be a limit of the catalogue, or None.

    The one rule for the import, the admin and publication. An unknown unit is held to the
    ceiling (its own problem is reported where the unit is read).
    """
    if value < 0:
        return "不能为负数"
    if unit in LIMIT_MAX:
        top = LIMIT_MAX[TimeUnit(unit)]
        if value > top:
            return f"不能超过 {top} {UNIT_WORDS[TimeUnit(unit)]}（两年）"
    elif value > LIMIT_CEILING:
        return f"不能超过 {LIMIT_CEILING}"
    return None


def pledge_check_error(days: int) -> str | None:
    """Why ``days`` cannot be the check period of a pledge (in working days), or None."""
    if days < 1:
        return "至少为 1 个工作日"
    return limit_error(days, TimeUnit.WORKDAY)


def pledge_applies(pledge_allowed: bool, replaceable: Iterable[bool]) -> bool:
    """Whether 告知承诺 applies to an item: to the item as a whole, or to one of its
    certificates (``pledge_replaceable``, 证明事项告知承诺)."""
    return pledge_allowed or any(replaceable)


def pledge_check_workdays(own: int | None) -> int:
    """The check period of a pledge: the item version's own, else the province's default
    (``YIWANG_PLEDGE_CHECK_WORKDAYS``), in working days."""
    return own or settings.YIWANG_PLEDGE_CHECK_WORKDAYS


# The bounds of columns that have no unit of their own, as MaxValueValidators: Django then
# adds no bound of its own from the database's integer range (PostgreSQL's), which would tell
# the same mistake a second time in terms of 2147483647.
LIMIT_CAP = MaxValueValidator(LIMIT_CEILING, message=f"时限不能超过 {LIMIT_CEILING}")
VISITS_CAP = MaxValueValidator(VISITS_MAX, message=f"到现场次数不能超过 {VISITS_MAX} 次")
# The version's own limits, bounded in its unit by clean().
UNIT_LIMITS = (
    ("statutory_days", "法定时限"),
    ("promised_days", "承诺时限"),
    ("extension_days", "可延长期限"),
)


class ServiceItem(models.Model):
    code = models.CharField(
        "事项代码",
        max_length=20,
        unique=True,
        help_text="本平台的稳定事项代码，形如 SF-LS-006，跨版本不变。",
    )
    basic_code = models.CharField(
        "基本编码",
        max_length=12,
        unique=True,
        help_text="12 位事项基本编码（2 位区划 + 4 位部门 + 3 位主项 + 3 位子项）。",
    )
    created_at = models.DateTimeField(
        "创建时间", auto_now_add=True, help_text="事项首次登记的时间。"
    )

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ItemVersionQuerySet(models.QuerySet["ItemVersion"]):
    def valid_on(self, day: datetime.date) -> ItemVersionQuerySet:
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            status=VersionStatus.PUBLISHED,
            valid_from__lte=day,
        )


# Fields a published version may still change: its validity end and its retirement.
MUTABLE_AFTER_PUBLISH = {"status", "valid_to", "retired_at"}


class ItemVersion(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="versions",
        help_text="该版本所属的事项。",
    )
    version = models.PositiveIntegerField("版本号", help_text="同一事项内从 1 开始递增。")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        help_text="草稿可编辑；发布后内容不可更改，只能设定失效日期或废止。",
    )
    valid_from = models.DateField(
        "生效日期", null=True, blank=True, help_text="版本开始适用的日期（含）；草稿为空。"
    )
    valid_to = models.DateField(
        "失效日期", null=True, blank=True, help_text="版本最后适用的日期（含）；为空表示长期有效。"
    )
    published_at = models.DateTimeField(
        "发布时间", null=True, blank=True, help_text="发布操作的时间。"
    )
    retired_at = models.DateTimeField(
        "废止时间", null=True, blank=True, help_text="废止操作的时间。"
    )

    name = models.CharField("事项名称", max_length=100, help_text="标准化的事项名称。")
    name_en = models.CharField("英文名称", max_length=200, blank=True, help_text="事项的英文名称。")
    category = models.CharField(
        "事项类型",
        max_length=8,
        choices=Category.choices,
        help_text="行政许可、行政确认、行政给付、公共服务或其他。",
    )
    handling = models.CharField(
        "办件类型",
        max_length=10,
        choices=Handling.choices,
        help_text="即办件当场办结；承诺件在承诺时限内办结。",
    )
    fully_online = models.BooleanField(
        "全程网办", default=True, help_text="申请到取得结果是否无需到现场。"
    )
    visits = models.PositiveSmallIntegerField(
        "到现场次数",
        default=0,
        validators=[VISITS_CAP],
        help_text="申请人最多需要到办事现场的次数。",
    )
    legal_basis = models.TextField("设定依据", help_text="设定和实施该事项的法律法规条款。")
    conditions = models.JSONField("受理条件", default=list, help_text="受理条件，每条一项。")
    # Limits are bounded in the version's own unit by clean() (limit_error), not per column.
    statutory_days = models.PositiveIntegerField(
        "法定时限", help_text="自起算之日至作出决定的法定期限数值。"
    )
    statutory_unit = models.CharField(
        "法定时限单位",
        max_length=8,
        choices=TimeUnit.choices,
        help_text="工作日（行政许可法第82条）、自然日或月。",
    )
    limits_from = models.CharField(
        "时限起算",
        max_length=10,
        choices=LimitsFrom.choices,
        default=LimitsFrom.ACCEPTANCE,
        help_text="法定时限和承诺时限的起算日：受理之日（行政许可法第42条），或者法律规定的"
        "收到申请之日（如法律援助法第43条）。受理前补正的，自收到全部补正材料之日起算。",
    )
    statutory_is_default = models.BooleanField(
        "法定时限为默认值",
        default=False,
        help_text="未查到事项专门规定，按一般规则（如行政许可法第42条）填写。",
    )
    statutory_basis = models.TextField("法定时限依据", blank=True, help_text="法定时限的出处。")
    promised_days = models.PositiveIntegerField(
        "承诺时限", help_text="本省承诺的办结期限，不长于法定时限。"
    )
    promised_is_default = models.BooleanField(
        "承诺时限为默认值",
        default=False,
        help_text="未公布承诺时限，按默认政策（法定时限的一半，向上取整）。",
    )
    promised_source = models.TextField(
        "承诺时限来源", blank=True, help_text="承诺时限的出处或默认政策。"
    )
    extension_days = models.PositiveIntegerField(
        "可延长期限", default=0, help_text="经负责人批准可延长的期限，0 表示不可延长。"
    )
    pledge_allowed = models.BooleanField(
        "适用告知承诺", default=False, help_text="申请人承诺符合条件即可审批。"
    )
    pledge_check_days = models.PositiveIntegerField(
        "告知承诺核查期限",
        null=True,
        blank=True,
        help_text="依告知承诺准予后，作出决定的机关核查承诺是否属实的期限（工作日，自办结之次日"
        "起算）；留空按全省默认期限。只适用于适用告知承诺或有可承诺替代材料的事项。",
    )
    fee_charged = models.BooleanField(
        "收费", default=False, help_text="是否收费；绝大多数事项不收费。"
    )
    fee_basis = models.TextField("收费（不收费）依据", help_text="收费或不收费的法律依据。")
    fee_amount = models.CharField(
        "收费标准", max_length=200, blank=True, help_text="收费时的金额和计算方法。"
    )
    result_kind = models.CharField(
        "办理结果类型",
        max_length=10,
        choices=ResultKind.choices,
        help_text="电子证照、决定书、备案回执或服务结果。",
    )
    result_name = models.CharField("办理结果名称", max_length=100, help_text="证照或文书的名称。")
    approval_letter = models.CharField(
        "准予决定文书名称",
        max_length=30,
        blank=True,
        default="",
        help_text="作出准予（给予、同意）决定时出具的文书标题，如“给予法律援助决定书”；留空："
        "行政许可事项为“准予行政许可决定书”，其他事项为“准予决定书”。",
    )
    denial_letter = models.CharField(
        "不予决定文书名称",
        max_length=30,
        blank=True,
        default="",
        help_text="作出不予决定时出具的文书标题，如“不予法律援助决定书”；留空："
        "行政许可事项为“不予行政许可决定书”，其他事项为“不予准予决定书”。",
    )
    accept_level = models.CharField(
        "受理层级", max_length=10, choices=StepLevel.choices, help_text="受理申请的机构层级。"
    )
    review_levels = models.JSONField("审查层级", default=list, help_text="参与审查的层级。")
    decide_level = models.CharField(
        "决定层级", max_length=10, choices=DecideLevel.choices, help_text="作出最终决定的层级。"
    )
    involved_levels = models.CharField(
        "涉及层级",
        max_length=60,
        editable=False,
        help_text="由受理、审查、决定层级派生的检索字段，形如 ,city,province,。",
    )
    external_authority = models.CharField(
        "省外决定机关", max_length=50, blank=True, help_text="由省外机关（如司法部）决定时填写。"
    )
    sources = models.JSONField("资料来源", default=list, help_text="各项取值的出处。")
    notes = models.TextField("备注", blank=True, help_text="补充说明。")
    form = models.JSONField(
        "申请表",
        default=dict,
        blank=True,
        help_text="申请表的字段定义（类型、标签、必填、格式、可重复的分组），见 docs/catalogue-format.md。",
    )

    objects = ItemVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item__code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="unique_item_version"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="draft"),
                name="one_draft_per_item",
                violation_error_message="该事项已有一个草稿版本",
            ),
            # A retired version may end the day before it began: withdrawn before it applied
            # (services.retire bounds how far back).
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from"))
                | Q(status="retired"),
                name="version_validity_order",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(valid_from__isnull=False),
                name="published_version_has_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_from"], name="version_validity_idx")]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版，{self.get_status_display()}）"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> ItemVersion:
        instance = super().from_db(db, field_names, values)
        # Copies, so that a JSON value changed in place still counts as a change.
        instance._stored = copy.deepcopy(dict(zip(field_names, values, strict=True)))
        return instance

    @property
    def is_draft(self) -> bool:
        stored = getattr(self, "_stored", None)
        return stored is None or stored.get("status") == VersionStatus.DRAFT

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored: dict[str, Any] | None = getattr(self, "_stored", None)
        if stored is not None and stored.get("status") != VersionStatus.DRAFT:
            changed = {
                f.attname
                for f in self._meta.concrete_fields
                if f.attname in stored and getattr(self, f.attname) != stored[f.attname]
            }
            frozen = changed - MUTABLE_AFTER_PUBLISH
            if frozen:
                raise ValidationError(
                    f"已发布的版本不可修改（试图修改：{', '.join(sorted(frozen))}），请新建草稿",
                    code="catalog.version_immutable",
                )
        self.involved_levels = "," + ",".join(self.levels_in_order()) + ","
        super().save(*args, **kwargs)
        self._stored = copy.deepcopy(
            {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
        )

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if not self.is_draft:
            raise ValidationError("已发布的版本不可删除", code="catalog.version_immutable")
        return super().delete(*args, **kwargs)

    def _limit_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, label in UNIT_LIMITS:
            value = getattr(self, name)
            message = None if value is None else limit_error(value, self.statutory_unit)
            if message is not None:
                errors[name] = f"{label}{message}"
        check = self.pledge_check_days
        message = None if check is None else pledge_check_error(check)
        if message is not None:
            errors["pledge_check_days"] = f"告知承诺核查期限{message}"
        return errors

    def clean_fields(self, exclude: Any = None) -> None:
        # A limit out of bounds is told once, in its unit, by clean(): not also by Django's
        # bound of the database's integer range.
        flagged = set(self._limit_errors())
        super().clean_fields(exclude=set(exclude or ()) | flagged)

    def clean(self) -> None:
        """The limits in the version's own unit, as publication will check them (the admin)."""
        super().clean()
        errors = self._limit_errors()
        if (
            "promised_days" not in errors
            and self.promised_days is not None
            and self.statutory_days is not None
            and self.promised_days > self.statutory_days
        ):
            errors["promised_days"] = "承诺时限不能长于法定时限"
        if errors:
            raise ValidationError(errors)

    @property
    def pledge_check_workdays(self) -> int | None:
        """The working days within which a pledge of this version is checked (the version's
        own period or the province's default); None when no pledge applies to the item.
        Reads the materials (prefetched by ``selectors.current_version``)."""
        replaceable = (m.pledge_replaceable for m in self.materials.all())
        if not pledge_applies(self.pledge_allowed, replaceable):
            return None
        return pledge_check_workdays(self.pledge_check_days)

    @property
    def licensing(self) -> bool:
        """A 行政许可 item: the 行政许可法 governs it (第32条 deemed acceptance, its citations)."""
        return self.category == Category.LICENSING

    def limit_text(self, value: int) -> str:
        """A limit as a person reads it: 20 个工作日, 7 日, 9 个月."""
        return days_text(value, self.statutory_unit)

    @property
    def statutory_text(self) -> str:
        return self.limit_text(self.statutory_days)

    @property
    def promised_text(self) -> str:
        if self.handling == Handling.IMMEDIATE:
            return "即办"
        return self.limit_text(self.promised_days)

    def levels_in_order(self) -> list[str]:
        levels = {self.accept_level, *self.review_levels, self.decide_level}
        order = ["county", "city", "province", "national"]
        return [level for level in order if level in levels]

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.status == VersionStatus.PUBLISHED
            and self.valid_from is not None
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class DraftOnlyChild(models.Model):
    """Rows that belong to a version and are frozen with it."""

    version: models.ForeignKey[ItemVersion, ItemVersion]
    version_id: int

    class Meta:
        abstract = True

    def _require_draft(self) -> None:
        if not ItemVersion.objects.filter(pk=self.version_id, status=VersionStatus.DRAFT).exists():
            raise ValidationError(
                "已发布的版本不可修改，请新建草稿", code="catalog.version_immutable"
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._require_draft()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._require_draft()
        return super().delete(*args, **kwargs)


class Material(DraftOnlyChild):
    version = models.ForeignKey(
        ItemVersion,
        verbose_name="事项版本",
        on_delete=models.CASCADE,
        related_name="materials",
        help_text="该材料所属的事项版本。",
    )
    position = models.PositiveSmallIntegerField("序号", help_text="在材料清单中的顺序，从 1 开始。")
    name = models.CharField("材料名称", max_length=200, help_text="申请材料的名称。")
    mandatory = models.BooleanField(
        "必须提交", default=True, help_text="否：仅部分申请人需要，见备注。"
    )
    gap_allowed = models.BooleanField(
        "可容缺", default=False, help_text="可在受理后按期补交（容缺受理）。"
    )
    pledge_replaceable = models.BooleanField(
        "可告知承诺替代",
        default=False,
        help_text="证明事项告知承诺：申请人书面承诺后可免于提交，批准后核查；"
        "不论事项本身是否适用告知承诺。",
    )
    file_types = models.JSONField(
        "文件类型", default=list, help_text="接受的文件类型：pdf、ofd、jpg、png。"
    )
    sample = models.TextField("示范样例", blank=True, help_text="如何准备该材料的说明。")
    note = models.TextField("备注", blank=True, help_text="适用对象、份数、原件或复印件等说明。")
    is_default = models.BooleanField(
        "按规则补充", default=False, help_text="未见公布的材料清单，依据所适用的规定补充。"
    )
    basis = models.TextField("依据", blank=True, help_text="补充该材料所依据的规定。")

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="unique_material_position"
            ),
            models.UniqueConstraint(fields=["version", "name"], name="unique_material_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(DraftOnlyChild):
    version = models.ForeignKey(
        ItemVersion,
        verbose_name="事项版本",
        on_delete=models.CASCADE,
        related_name="steps",
        help_text="该环节所属的事项版本。",
    )
    position = models.PositiveSmallIntegerField("序号", help_text="环节顺序，从 1 开始。")
    key = models.CharField(
        "环节代码", max_length=30, help_text="如 accept、review、check、decide、deliver。"
    )
    name = models.CharField(
        "环节名称", max_length=50, help_text="如 受理、初审、审核、审批决定、制证送达。"
    )
    level = models.CharField(
        "层级", max_length=10, choices=StepLevel.choices, help_text="办理该环节的机构层级。"
    )
    role = models.CharField(
        "岗位", max_length=20, choices=StepRole.choices, help_text="办理该环节的岗位角色。"
    )
    limit_days = models.PositiveIntegerField(
        "环节时限", validators=[LIMIT_CAP], help_text="该环节的期限（与法定时限同单位）。"
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="unique_step_position"),
            models.UniqueConstraint(fields=["version", "key"], name="unique_step_key"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ItemImplementation(models.Model):
    """实施清单: an item as one agency carries it out."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="implementations",
        help_text="实施的事项。",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="实施机构",
        on_delete=models.PROTECT,
        related_name="implementations",
        help_text="受理并实施该事项的机构。",
    )
    code = models.CharField(
        "实施编码",
        max_length=31,
        unique=True,
        help_text="31 位实施编码：实施机构统一社会信用代码 + 层级码 + 基本编码。",
    )
    window = models.CharField(
        "办理窗口", max_length=200, blank=True, help_text="受理窗口的名称和位置。"
    )
    office_hours = models.CharField(
        "办理时间",
        max_length=100,
        blank=True,
        help_text="窗口办公时间，如 工作日 9:00-12:00，13:30-17:00。",
    )
    phone = models.CharField("咨询电话", max_length=40, blank=True, help_text="事项咨询电话。")
    promised_days = models.PositiveIntegerField(
        "本机构承诺时限",
        null=True,
        blank=True,
        validators=[LIMIT_CAP],
        help_text="本机构另行承诺的更短时限；为空时采用事项版本的承诺时限。",
    )
    active = models.BooleanField("在办", default=True, help_text="是否正在受理该事项。")

    class Meta:
        verbose_name = "实施清单"
        verbose_name_plural = "实施清单"
        constraints = [
            models.UniqueConstraint(fields=["item", "organization"], name="unique_implementation")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.item}"
