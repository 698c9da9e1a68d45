"""Demo data: calendar, catalogue, Henan's organization tree, staff, applicants, implementations.

Every step is idempotent: it creates what is missing, brings changed rows in line with the data
files, and leaves everything else alone, so running ``yiwang seed-demo`` twice changes nothing.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.accounts.models import (
    AgentAuthorization,
    Applicant,
    ApplicantKind,
    Role,
    RoleAssignment,
    User,
)
from yiwang.catalog.models import ItemImplementation, ItemVersion, ServiceItem, VersionStatus
from yiwang.catalog.selectors import versions_for_export
from yiwang.catalog.services import import_catalogue
from yiwang.core.secret_files import read_or_create
from yiwang.demo.seals import seed_seals
from yiwang.organizations.models import Organization

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "catalogue.yaml"
# The shipped catalogue applies from this day on a fresh database, so demo cases may start in 2025.
CATALOGUE_EPOCH = datetime.date(2025, 1, 1)
CATALOG_ADMIN_GROUP = "事项目录管理员"

Report = Callable[[str], None]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"


@dataclass
class SeedSummary:
    parts: dict[str, str] = field(default_factory=dict)
    password: str | None = None
    password_note: str = ""


def _sync(obj: Any, values: dict[str, Any], tally: Tally) -> None:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.full_clean()
        obj.save()
        tally.updated += 1
    else:
        tally.unchanged += 1


def seed_organizations(path: Path = DATA_DIR / "organizations.yaml") -> Tally:
    tally = Tally()

    def walk(nodes: list[dict[str, Any]], parent: Organization | None) -> None:
        for node in nodes:
            values = {
                "name": node["name"],
                "short_name": node.get("short_name", ""),
                "level": node["level"],
                "division_code": node["division_code"],
                "credit_code": node.get("credit_code"),
                "runs_window": bool(node.get("runs_window", False)),
                "address": node.get("address", ""),
                "phone": node.get("phone", ""),
                "parent": parent,
            }
            org = (
                Organization.objects.filter(credit_code=values["credit_code"]).first()
                if values["credit_code"]
                else Organization.objects.filter(parent=parent, name=values["name"]).first()
            )
            if org is None:
                org = Organization(**values)
                org.full_clean()
                org.save()
                tally.created += 1
            else:
                _sync(org, values, tally)
            walk(node.get("children", []), org)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")), None)
    return tally


def demo_password() -> tuple[str, str]:
    """The demo users' password: from YIWANG_DEMO_PASSWORD, else generated once and kept locally."""
    from_env = os.environ.get("YIWANG_DEMO_PASSWORD", "")
    if from_env:
        return from_env, "来自环境变量 YIWANG_DEMO_PASSWORD"
    path = Path(settings.DATA_DIR) / "demo_password"
    password, created = read_or_create(path, lambda: "yw-" + secrets.token_urlsafe(9))
    return password, (f"首次生成，保存在 {path}" if created else f"保存在 {path}")


def _catalog_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=CATALOG_ADMIN_GROUP)
    wanted = Permission.objects.filter(content_type__app_label="catalog")
    if set(group.permissions.all()) != set(wanted):
        group.permissions.set(wanted)
    return group


def _user(username: str, full_name: str, password_hash: str, tally: Tally, **extra: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, **extra)
        user.password = password_hash  # only on creation: a changed password survives reseeding
        user.save()
        tally.created += 1
    else:
        _sync(user, {"full_name": full_name, **extra}, tally)
    return user


PEOPLE_LABELS = {"users": "用户", "roles": "岗位角色", "applicants": "申请人", "agents": "代办授权"}


def seed_people(password: str, path: Path = DATA_DIR / "people.yaml") -> dict[str, Tally]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    users, roles, applicants, agents = Tally(), Tally(), Tally(), Tally()
    # Every demo user shares the demo password: hash it once, not once per user (~0.2 s each).
    password_hash = make_password(password)
    orgs = {o.credit_code: o for o in Organization.objects.exclude(credit_code=None)}
    group = _catalog_admin_group()
    for entry in data["staff"]:
        entry_roles = set(entry["roles"])
        user = _user(
            entry["username"],
            entry["full_name"],
            password_hash,
            users,
            phone=str(entry.get("phone", "")),
            email=entry.get("email", ""),
            # Only administrators get into the Django admin; everyone else uses the workbench.
            is_staff=bool(entry_roles & {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN}),
            is_superuser=Role.SYSTEM_ADMIN in entry_roles,
        )
        if Role.CATALOG_ADMIN in entry_roles and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        for role in entry_roles:
            _, created = RoleAssignment.objects.get_or_create(
                user=user, organization=orgs[entry["organization"]], role=role
            )
            if created:
                roles.created += 1
            else:
                roles.unchanged += 1
    by_username: dict[str, Applicant] = {}
    for entry in data["applicants"]:
        user = _user(entry["username"], entry.get("contact_person", entry["name"]), password_hash, users,
                     phone=str(entry.get("phone", "")))  # fmt: skip
        kind = ApplicantKind(entry["kind"])
        number = entry["id_number"] if kind == ApplicantKind.PERSON else entry["credit_code"]
        values = {
            "kind": kind,
            "name": entry["name"],
            "user": user,
            "contact_name": entry.get("contact_person", ""),
            "phone": str(entry.get("phone", "")),
        }
        applicant = Applicant.objects.filter(id_number=number).first()
        if applicant is None:
            applicant = Applicant(id_number=number, **values)
            applicant.full_clean()
            applicant.save()
            applicants.created += 1
        else:
            _sync(applicant, values, applicants)
        by_username[entry["username"]] = applicant
        by_username[number] = applicant
    for entry in data["agents"]:
        agent, principal = by_username[entry["agent"]], by_username[str(entry["principal"])]
        authorization, created = AgentAuthorization.objects.get_or_create(
            agent=agent,
            principal=principal,
            document=entry["document"],
            defaults={
                "scope": entry["scope"],
                "valid_from": entry["valid_from"],
                "valid_to": entry["valid_to"],
            },
        )
        if created:
            authorization.full_clean()
            agents.created += 1
        else:
            _sync(authorization, {"scope": entry["scope"], "valid_from": entry["valid_from"],
                                  "valid_to": entry["valid_to"]}, agents)  # fmt: skip
    return {"users": users, "roles": roles, "applicants": applicants, "agents": agents}


def catalogue_start() -> datetime.date:
    """The day the shipped catalogue applies from: CATALOGUE_EPOCH on a fresh database, else
    today, for the items whose content the file changes (their old version ends the day
    before, and cases filed under it keep it).

    Two versions of an item are never valid on one day, so when a version already starts today
    or later (the file changed twice in a day: another branch, a second edit between two
    ``./dev up``), the new versions start the day after: the seed must not fail on them.
    """
    if not ServiceItem.objects.exists():
        return CATALOGUE_EPOCH
    today = timezone.localdate()
    published = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    latest = published.aggregate(top=Max("valid_from"))["top"]
    return today if latest is None or latest < today else latest + datetime.timedelta(days=1)


def seed_catalogue(path: Path = CATALOGUE_FILE) -> str:
    start = catalogue_start()
    report = import_catalogue(path.read_text(encoding="utf-8"), valid_from=start)
    summary = (
        f"{report.total} 个事项，新增 {len(report.created)}，更新 {len(report.updated)}，"
        f"未变 {len(report.unchanged)}"
    )
    if report.updated and start > timezone.localdate():
        summary += f"；更新的事项自 {start:%Y-%m-%d} 起适用新版本"
    return summary


def seed_implementations() -> Tally:
    """Every window-running agency of an item's accepting level implements that item."""
    tally = Tally()
    existing = set(ItemImplementation.objects.values_list("item_id", "organization_id"))
    windows: dict[str, list[Organization]] = {}
    for org in Organization.objects.filter(runs_window=True).exclude(credit_code=None):
        windows.setdefault(org.level, []).append(org)
    new = []
    for version in versions_for_export():
        for org in windows.get(version.accept_level, []):
            if (version.item_id, org.pk) in existing:
                tally.unchanged += 1
                continue
            new.append(
                ItemImplementation(
                    item_id=version.item_id,
                    organization=org,
                    code=org.implementation_code(version.item.basic_code),
                    window=f"{org.name}政务服务窗口",
                    office_hours="工作日 9:00-12:00，13:30-17:00",
                    phone=org.phone,
                )
            )
    ItemImplementation.objects.bulk_create(new)
    tally.created = len(new)
    return tally


def seed_demo(report: Report = print) -> SeedSummary:
    from yiwang.workcalendar.services import seed_from_chinese_calendar

    summary = SeedSummary()
    report("1/6 工作日历（chinese-calendar 覆盖的各年节假日与调休）……")
    calendar = seed_from_chinese_calendar()
    summary.parts["工作日历"] = (
        f"新增 {len(calendar.years_created)} 年，未变 {len(calendar.years_unchanged)} 年"
    )
    for line in calendar.summary().splitlines():
        report(f"    {line}")
    with transaction.atomic():
        report("2/6 事项目录（43 个事项）……")
        summary.parts["事项目录"] = seed_catalogue()
        report(f"    {summary.parts['事项目录']}")
        report("3/6 组织机构（河南省司法行政机构树）……")
        summary.parts["组织机构"] = str(seed_organizations())
        report(f"    {summary.parts['组织机构']}")
        report("4/6 演示用户、申请人和代办授权……")
        password, note = demo_password()
        summary.password, summary.password_note = password, note
        for name, tally in seed_people(password).items():
            summary.parts[name] = str(tally)
            report(f"    {PEOPLE_LABELS[name]}：{tally}")
        report("5/6 实施清单（各受理机构实施的事项）……")
        summary.parts["实施清单"] = str(seed_implementations())
        report(f"    {summary.parts['实施清单']}")
        report("6/6 演示样章（各机构出具文书时加盖）……")
        registered, unchanged, note = seed_seals()
        summary.parts["演示样章"] = note or f"新增 {registered}，未变 {unchanged}"
        report(f"    {summary.parts['演示样章']}")
    return summary
