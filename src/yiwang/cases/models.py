"""Cases (办件) and their materials.

A case pins the item version it was submitted under: its process, limits and materials never
change under it. Its workflow state lives in plain columns (status, current step, owner,
clocks) so that queues and supervision are indexed queries, and every change goes through the
engine (``yiwang.cases.engine``) in one transaction guarded by ``version`` (optimistic locking).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.cases import engine
from yiwang.catalog.models import days_text, pause_unit


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口申请"
    PLATFORM = "platform", "一窗平台推送"


class Status(models.TextChoices):
    # Codes and labels are the engine's, which must not import Django.
    SUBMITTED = engine.SUBMITTED, engine.STATUS_LABELS[engine.SUBMITTED]
    SUPPLEMENT = engine.SUPPLEMENT, engine.STATUS_LABELS[engine.SUPPLEMENT]
    IN_PROGRESS = engine.IN_PROGRESS, engine.STATUS_LABELS[engine.IN_PROGRESS]
    SUSPENDED = engine.SUSPENDED, engine.STATUS_LABELS[engine.SUSPENDED]
    CONCLUDED = engine.CONCLUDED, engine.STATUS_LABELS[engine.CONCLUDED]
    DELIVERED = engine.DELIVERED, engine.STATUS_LABELS[engine.DELIVERED]
    REFUSED = engine.REFUSED, engine.STATUS_LABELS[engine.REFUSED]
    WITHDRAWN = engine.WITHDRAWN, engine.STATUS_LABELS[engine.WITHDRAWN]


OPEN_STATUSES = (Status.SUBMITTED, Status.SUPPLEMENT, Status.IN_PROGRESS, Status.SUSPENDED)


class Outcome(models.TextChoices):
    NONE = "", "未决"
    APPROVED = "approved", "准予"
    DENIED = "denied", "不予准予"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "撤回"


class SuspensionKind(models.TextChoices):
    SUPPLEMENT = "supplement", "补正材料"
    SITE_CHECK = "site_check", "现场核查"
    EXPERT_REVIEW = "expert_review", "专家评审"
    HEARING = "hearing", "听证"
    TESTING = "testing", "检验、检测、鉴定"


class DeliveryMethod(models.TextChoices):
    ONLINE = "online", "电子送达"
    POST = "post", "邮寄送达"
    WINDOW = "window", "窗口领取"


class Case(models.Model):
    number = models.CharField(
        "办件编号",
        max_length=40,
        unique=True,
        help_text="受理机构统一社会信用代码 + 日期 + 6 位序号，按时间可排序，全省唯一。",
    )
    item_version = models.ForeignKey(
        "catalog.ItemVersion",
        verbose_name="事项版本",
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="申请时有效的事项版本；办件始终按该版本的流程和时限办理。",
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="申请人。",
    )
    agent = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="代办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
        help_text="经授权代为办理的自然人；本人办理为空。",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="提交申请的登录账号（申请人、代办人或窗口人员）。",
    )
    idempotency_key = models.CharField(
        "幂等键",
        max_length=64,
        help_text="客户端为一次提交生成的唯一键；重复提交同一键返回同一办件。",
    )
    channel = models.CharField(
        "申请渠道", max_length=10, choices=Channel.choices, help_text="网上、窗口或一窗平台。"
    )
    accepting_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="受理机构",
        on_delete=models.PROTECT,
        related_name="accepted_cases",
        help_text="受理申请的机构。",
    )
    chain = models.JSONField(
        "层级链",
        default=list,
        help_text="受理机构及其上级机构的 [层级, 机构ID] 列表，由下到上；移送按此进行。",
    )
    owner_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="当前办理机构",
        on_delete=models.PROTECT,
        related_name="owned_cases",
        # The queue index (owner_org, status, …) serves every lookup by owner: a second index
        # would only cost each step another page write.
        db_index=False,
        help_text="当前环节所属的机构。",
    )
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, help_text="办件当前所处的阶段。"
    )
    outcome = models.CharField(
        "办理结果",
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        default="",
        help_text="准予、不予准予、不予受理或撤回。",
    )
    step_index = models.PositiveSmallIntegerField(
        "当前环节序号", help_text="当前环节在事项流程中的位置，从 0 开始。"
    )
    step_key = models.CharField("当前环节", max_length=30, help_text="当前环节代码，如 review。")
    form_data = models.JSONField("申请表", default=dict, help_text="申请表填写的内容。")
    pledged = models.BooleanField(
        "告知承诺", default=False, help_text="申请人是否承诺符合申请条件（事项的告知承诺）。"
    )
    pledged_materials = models.JSONField(
        "以承诺代替的材料",
        default=list,
        help_text="申请人以书面承诺代替提交的证明材料名称（证明事项告知承诺），批准后核查。",
    )
    gaps = models.JSONField(
        "容缺材料",
        default=list,
        help_text="容缺受理时尚欠的材料名称；due 为补交期限。",
    )
    supplement = models.JSONField(
        "补正事项", default=list, help_text="最近一次补正告知列出的材料及问题。"
    )

    # --- Clocks. Dates are the end of that day in the agencies' time zone. ---------------------
    received_on = models.DateField("收件日期", help_text="收到申请材料的日期。")
    accept_due = models.DateField(
        "受理期限",
        null=True,
        blank=True,
        help_text="收件后 5 个工作日内须作出受理决定（行政许可法第32条）；行政许可事项逾期视为受理。",
    )
    accepted_on = models.DateField("受理日期", null=True, blank=True, help_text="受理的日期。")
    deemed_accepted = models.BooleanField(
        "视为受理",
        default=False,
        help_text="行政许可事项未在 5 个工作日内作出决定，依法自收到材料之日起视为受理。",
    )
    step_started_on = models.DateField(
        "环节开始日期", null=True, blank=True, help_text="当前环节开始的日期。"
    )
    step_due = models.DateField(
        "环节期限",
        null=True,
        blank=True,
        help_text="当前环节的截止日期；暂停时为空。",
    )
    promised_due = models.DateField(
        "承诺期限",
        null=True,
        blank=True,
        help_text="承诺办结的截止日期；暂停时为空。",
    )
    statutory_due = models.DateField(
        "法定期限",
        null=True,
        blank=True,
        help_text="法定办结的截止日期；暂停时为空。",
    )
    deadline_provisional = models.BooleanField(
        "期限暂定",
        default=False,
        help_text="期限涉及尚未载入节假日安排的年度，载入后重新计算。",
    )
    paused_workdays = models.PositiveIntegerField(
        "已扣除天数", default=0, help_text="特殊环节累计不计入时限的天数（行政许可法第45条）。"
    )
    step_paused_workdays = models.PositiveIntegerField(
        "本环节已扣除天数", default=0, help_text="当前环节内累计不计入的天数。"
    )
    suspended_on = models.DateField(
        "暂停日期", null=True, blank=True, help_text="进入特殊环节的日期；未暂停为空。"
    )
    suspension_kind = models.CharField(
        "特殊环节",
        max_length=16,
        choices=SuspensionKind.choices,
        blank=True,
        default="",
        help_text="补正、现场核查、专家评审、听证或检验检测鉴定。",
    )
    extension_days = models.PositiveIntegerField(
        "延长天数", default=0, help_text="经负责人批准延长的期限。"
    )
    decided_on = models.DateField("决定日期", null=True, blank=True, help_text="作出决定的日期。")
    decision_reason = models.TextField(
        "决定理由", blank=True, default="", help_text="审批决定的理由；不予准予时必填，写入决定书。"
    )
    delivered_on = models.DateField("送达日期", null=True, blank=True, help_text="送达的日期。")
    delivery_method = models.CharField(
        "送达方式",
        max_length=10,
        choices=DeliveryMethod.choices,
        blank=True,
        default="",
        help_text="电子送达、邮寄或窗口领取。",
    )

    # --- Concurrency and record. ---------------------------------------------------------------
    query_code = models.CharField(
        "查询码",
        max_length=8,
        blank=True,
        help_text="打印在回执上的验证码；凭办件编号和查询码可不登录查询进度（自助查询）。",
    )
    version = models.PositiveIntegerField(
        "版本", default=1, help_text="每次变更加 1；并发修改时只有一方成功。"
    )
    audit_seq = models.PositiveIntegerField(
        "审计序号", default=0, help_text="本办件最后一条审计记录的序号。"
    )
    audit_head = models.CharField(
        "审计链头", max_length=64, blank=True, default="", help_text="最后一条审计记录的 SM3 值。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, help_text="办件创建的时间。")
    updated_at = models.DateTimeField("更新时间", auto_now=True, help_text="最后一次变更的时间。")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="unique_submission_key"
            ),
        ]
        # No plain index on the three due dates: supervision asks for open cases only, which the
        # partial indexes below hold; the queue index orders by step_due within an organization.
        indexes = [
            # A person's queue: their organizations, the steps their roles own, by deadline; its
            # (owner, status) prefix serves every per-organization list as well.
            models.Index(
                fields=["owner_org", "status", "step_key", "step_due"], name="case_step_queue_idx"
            ),
            models.Index(
                fields=["statutory_due"],
                name="case_open_statutory_idx",
                condition=Q(status__in=["submitted", "supplement", "in_progress"]),
            ),
            models.Index(
                fields=["promised_due"],
                name="case_open_promised_idx",
                condition=Q(status__in=["submitted", "supplement", "in_progress"]),
            ),
            models.Index(
                fields=["accept_due"],
                name="case_accept_due_idx",
                condition=Q(status__in=["submitted", "supplement"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def extension_text(self) -> str:
        """The extension granted, in the item's unit: "10 个工作日", "" when none."""
        if not self.extension_days:
            return ""
        return self.item_version.limit_text(self.extension_days)

    @property
    def acceptance_due(self) -> datetime.date | None:
        """The day by which the window must accept, refuse or ask for a supplement: the step's
        deadline while the application waits (within a limit counted from receipt, it may come
        before the 第32条 window ``accept_due`` that deeming keeps counting)."""
        return self.step_due if self.status == Status.SUBMITTED else None

    @property
    def paused_text(self) -> str:
        """The suspended time not counted (第45条), in its unit: "13 个工作日", "3 日"."""
        return days_text(self.paused_workdays, pause_unit(self.item_version.statutory_unit))


class CaseMaterial(models.Model):
    """One uploaded file for one required material; a re-upload is a new version."""

    case = models.ForeignKey(
        Case,
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="materials",
        help_text="材料所属的办件。",
    )
    material = models.ForeignKey(
        "catalog.Material",
        verbose_name="申请材料",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="事项版本中要求的材料。",
    )
    version = models.PositiveIntegerField("版本", help_text="同一材料的第几次上传，从 1 开始。")
    file = models.FileField(
        "文件", upload_to="materials/%Y/%m/", max_length=255, help_text="存储中的文件。"
    )
    original_name = models.CharField("原文件名", max_length=255, help_text="上传时的文件名。")
    file_type = models.CharField(
        "文件类型", max_length=8, help_text="按文件内容识别的类型：pdf、ofd、jpg、png。"
    )
    size = models.PositiveBigIntegerField("大小", help_text="字节数。")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="文件内容的 SHA-256 摘要。")
    sm3 = models.CharField("SM3", max_length=64, help_text="文件内容的 SM3 摘要（GB/T 32905）。")
    reused_from = models.ForeignKey(
        "self",
        verbose_name="复用自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reuses",
        help_text="引用同一申请人以前办件中的材料（只提交一次），不重复上传。",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="上传或引用材料的账号。",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True, help_text="上传的时间。")

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "material", "version"], name="unique_material_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material} v{self.version}"


class CaseSequence(models.Model):
    """Per agency and day counter for case numbers (row-locked on use)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="受理机构",
        on_delete=models.CASCADE,
        help_text="编号所属的受理机构。",
    )
    day = models.DateField("日期", help_text="编号的日期部分。")
    last = models.PositiveIntegerField("已用序号", default=0, help_text="当日已使用的最大序号。")

    class Meta:
        verbose_name = "办件编号计数"
        verbose_name_plural = "办件编号计数"
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="unique_case_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.last}"


class Draft(models.Model):
    """An application being filled in (草稿): form data and materials kept until it is submitted.

    Files uploaded to a draft are stored at once (checked and digested as for a case); on
    submission they become the case's first material versions, by reference, without copying.
    """

    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="drafts",
        help_text="以其名义申请的申请人。",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="申请的事项；提交时按当日有效的版本办理。",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="受理机构",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="向哪个机构申请。",
    )
    form_data = models.JSONField(
        "申请表", default=dict, help_text="已填写的内容（含未通过校验的）。"
    )
    materials = models.JSONField(
        "材料",
        default=dict,
        help_text="材料名称 → 已上传文件（存储名、原文件名、类型、大小、摘要）或复用的材料编号。",
    )
    pledged = models.BooleanField("告知承诺", default=False, help_text="是否勾选告知承诺。")
    pledged_materials = models.JSONField(
        "以承诺代替的材料",
        default=list,
        help_text="选择以书面承诺代替提交的证明材料名称（证明事项告知承诺）。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="创建草稿的账号（本人或代办人）。",
    )
    case = models.OneToOneField(
        Case,
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
        help_text="提交后生成的办件；为空表示尚未提交。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, help_text="草稿创建的时间。")
    updated_at = models.DateTimeField("保存时间", auto_now=True, help_text="最后一次保存的时间。")

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        indexes = [models.Index(fields=["applicant", "-updated_at"], name="draft_applicant_idx")]

    def __str__(self) -> str:
        return f"草稿 {self.pk}"


class PledgeCheckStatus(models.TextChoices):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "承诺属实"
    FALSE = "false", "承诺不实"


class PledgeCheck(models.Model):
    """The later check of a pledge (告知承诺核查): opened when a case approved on a pledge is
    concluded, owned by the organization that decided it, closed once with a finding."""

    case = models.OneToOneField(
        Case,
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="pledge_check",
        help_text="依告知承诺批准的办件。",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="核查机关",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="作出批准决定、负责核查承诺的机关。",
    )
    subjects = models.JSONField(
        "核查内容",
        default=list,
        help_text="要核查的承诺：“申请条件”（事项的告知承诺）和以承诺代替的证明材料名称。",
    )
    opened_on = models.DateField("开始日期", help_text="办结之日，核查期限从次日起算。")
    due_on = models.DateField("核查期限", help_text="应完成核查的最后一日。")
    status = models.CharField(
        "核查结果",
        max_length=10,
        choices=PledgeCheckStatus.choices,
        default=PledgeCheckStatus.PENDING,
        help_text="待核查、承诺属实或承诺不实；结果只能登记一次。",
    )
    finding = models.TextField("核查情况", blank=True, help_text="核查的方式和发现的情况。")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="登记核查结果的工作人员。",
    )
    checked_at = models.DateTimeField(
        "登记时间", null=True, blank=True, help_text="登记核查结果的时间。"
    )

    class Meta:
        verbose_name = "告知承诺核查"
        verbose_name_plural = "告知承诺核查"
        indexes = [
            models.Index(fields=["organization", "status", "due_on"], name="pledge_check_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    NEUTRAL = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class Rating(models.Model):
    """The applicant's rating of a concluded case (好差评): once per case, never edited."""

    case = models.OneToOneField(
        Case,
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="rating",
        help_text="被评价的办件。",
    )
    level = models.PositiveSmallIntegerField(
        "评价等级", choices=RatingLevel.choices, help_text="五级评价：5 非常满意 … 1 非常不满意。"
    )
    comment = models.TextField("评价内容", blank=True, max_length=500, help_text="申请人的意见。")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="被评价机构",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="受理该办件的机构（评价计入其效能）。",
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="作出评价的账号。",
    )
    rated_at = models.DateTimeField("评价时间", auto_now_add=True, help_text="作出评价的时间。")

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"
