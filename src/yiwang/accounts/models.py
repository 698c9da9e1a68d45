"""People: staff users with roles scoped to an organization, applicants, and their agents."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from yiwang.core.errors import InvalidInput
from yiwang.core.identifiers import (
    normalize_resident_id,
    validate_credit_code,
    validate_resident_id,
)
from yiwang.core.names import InvalidName, normalize_person_name


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理"
    HANDLER = "handler", "承办"
    REVIEWER = "reviewer", "审核"
    LEADER = "leader", "审批负责人"
    SUPERVISOR = "supervisor", "监察"
    CATALOG_ADMIN = "catalog_admin", "事项目录管理员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


class Scope(models.TextChoices):
    NODE = "node", "仅本机构"
    SUBTREE = "subtree", "本机构及下级机构"


# Where a role reaches: handling roles act for their own organization only (a county clerk never
# acts for another county, nor for the counties under a city); oversight roles see the subtree.
ROLE_SCOPE: dict[str, Scope] = {
    Role.WINDOW_CLERK: Scope.NODE,
    Role.HANDLER: Scope.NODE,
    Role.REVIEWER: Scope.NODE,
    Role.LEADER: Scope.NODE,
    Role.SUPERVISOR: Scope.SUBTREE,
    Role.CATALOG_ADMIN: Scope.SUBTREE,
    Role.SYSTEM_ADMIN: Scope.SUBTREE,
}


class User(AbstractUser):
    """A login: a staff member, an applicant, or both are different users."""

    full_name = models.CharField("姓名", max_length=50, blank=True, help_text="真实姓名。")
    phone = models.CharField("手机号码", max_length=20, blank=True, help_text="用于通知。")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="role_assignments",
        help_text="担任该角色的工作人员。",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text="角色所属的机构；角色的作用范围由角色决定（本机构或本机构及下级）。",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, help_text="岗位角色。")
    granted_at = models.DateTimeField("授予时间", auto_now_add=True, help_text="角色授予的时间。")

    class Meta:
        verbose_name = "岗位角色"
        verbose_name_plural = "岗位角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_role_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPE[Role(self.role)]


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANIZATION = "organization", "法人或其他组织"


class Applicant(models.Model):
    """Who applies: a natural person (ID number) or an organization (credit code)."""

    kind = models.CharField(
        "申请人类型",
        max_length=12,
        choices=ApplicantKind.choices,
        help_text="自然人或法人/其他组织。",
    )
    name = models.CharField("名称或姓名", max_length=100, help_text="自然人姓名或组织全称。")
    id_number = models.CharField(
        "证件号码",
        max_length=18,
        unique=True,
        help_text="自然人为 18 位公民身份号码（GB 11643，含校验位）；组织为 18 位统一社会信用代码（GB 32100）。",
    )
    user = models.OneToOneField(
        User,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
        help_text="申请人在门户登录使用的账号；组织申请人由其经办人账号登录。",
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True, help_text="组织的联系人。")
    phone = models.CharField("联系电话", max_length=20, blank=True, help_text="接收通知的电话。")
    address = models.CharField("地址", max_length=200, blank=True, help_text="送达地址。")
    created_at = models.DateTimeField(
        "登记时间", auto_now_add=True, help_text="申请人首次登记的时间。"
    )

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        try:
            if self.kind == ApplicantKind.PERSON:
                self.id_number = normalize_resident_id(self.id_number)
                validate_resident_id(self.id_number)
            else:
                self.id_number = self.id_number.strip().upper()
                validate_credit_code(self.id_number)
        except InvalidInput as exc:
            errors["id_number"] = ValidationError(exc.message, code=exc.code)
        # A person's name follows the same rule as at registration, wherever it is typed.
        names = [("name", "姓名")] if self.kind == ApplicantKind.PERSON else []
        if self.contact_name:
            names.append(("contact_name", "联系人姓名"))
        for field, label in names:
            try:
                setattr(self, field, normalize_person_name(getattr(self, field), label))
            except InvalidName as exc:
                errors[field] = ValidationError(exc.message, code=exc.code)
        if errors:
            raise ValidationError(errors)


class AgentAuthorizationQuerySet(models.QuerySet["AgentAuthorization"]):
    def valid_on(self, day: datetime.date) -> AgentAuthorizationQuerySet:
        return self.filter(valid_from__lte=day, valid_to__gte=day, revoked_at__isnull=True)


class AgentAuthorization(models.Model):
    """帮代办: an agent acts for a principal under a recorded authorization."""

    agent = models.ForeignKey(
        Applicant,
        verbose_name="代办人",
        on_delete=models.PROTECT,
        related_name="authorizations_as_agent",
        help_text="受托代为办理的自然人。",
    )
    principal = models.ForeignKey(
        Applicant,
        verbose_name="委托人",
        on_delete=models.PROTECT,
        related_name="authorizations_as_principal",
        help_text="委托他人办理的申请人。",
    )
    scope = models.CharField("委托事项", max_length=200, help_text="授权委托书载明的委托范围。")
    document = models.CharField(
        "授权委托书", max_length=100, help_text="授权委托书的编号或名称，原件留存备查。"
    )
    valid_from = models.DateField("有效期起", help_text="委托开始的日期（含）。")
    valid_to = models.DateField("有效期止", help_text="委托结束的日期（含）。")
    recorded_by = models.ForeignKey(
        User,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="登记该委托的工作人员或系统。",
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True, help_text="委托登记的时间。")
    revoked_at = models.DateTimeField(
        "撤销时间", null=True, blank=True, help_text="委托被撤销的时间；未撤销为空。"
    )

    objects = AgentAuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = "代办授权"
        verbose_name_plural = "代办授权"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="authorization_period_order"
            ),
            models.CheckConstraint(
                condition=~Q(agent=models.F("principal")), name="authorization_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} 代 {self.principal}：{self.scope}"

    def clean(self) -> None:
        if self.agent_id and self.agent.kind != ApplicantKind.PERSON:
            raise ValidationError({"agent": "代办人必须是自然人"})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "有效期止不能早于有效期起"})


class ApiToken(models.Model):
    """A bearer token for a machine client; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User,
        verbose_name="所属用户",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="令牌代表的用户；令牌的权限与该用户相同。",
    )
    name = models.CharField("用途", max_length=100, help_text="令牌的用途，如“一窗平台对接”。")
    digest = models.CharField(
        "摘要", max_length=64, unique=True, help_text="令牌的 SHA-256 摘要；令牌本身不保存。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True, help_text="签发时间。")
    last_used_at = models.DateTimeField(
        "最近使用", null=True, blank=True, help_text="最近一次使用的时间。"
    )
    revoked_at = models.DateTimeField(
        "吊销时间", null=True, blank=True, help_text="吊销后不能再使用。"
    )

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
