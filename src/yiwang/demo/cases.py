"""Demo cases: a handful of applications in every state, so that a fresh system shows a living
queue, case pages, letters and ratings. Everything goes through the real services (submit,
perform, uploads, ratings) on past working days, so the clocks, letters and audit chains are
those the rules produce. Loaded once: nothing is added when demo cases already exist.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from yiwang.accounts.models import Applicant, RoleAssignment, User
from yiwang.cases import engine, materials
from yiwang.cases.models import Case
from yiwang.cases.ratings import rate
from yiwang.cases.services import (
    Submission,
    actor_for_case,
    definition_for,
    perform,
    state_of,
    submit,
)
from yiwang.catalog.application_form import example_data, form_definition
from yiwang.catalog.models import ItemVersion
from yiwang.organizations.models import Organization
from yiwang.workcalendar.services import current_calendar

Report = Callable[[str], None]
KEY_PREFIX = "demo-seed-"
WINDOWS = {"county": "中牟县司法局", "city": "郑州市司法局", "province": "河南省司法厅"}
# The next step a handling office would naturally take, in order of preference.
FORWARD = ("accept", "review", "check", "hand_over", "decide", "conclude", "deliver")


@dataclass(frozen=True)
class Scenario:
    label: str
    username: str
    principal: str  # the organization the user acts for as agent, or "" for themselves
    item: str  # the item code; it is filed at the demo window of its accepting level
    age: int  # working days since submission
    stop: str  # how far it goes: "submitted", "supplement", a step key, "suspended", "concluded", "delivered", "refused"
    pledge: tuple[str, ...] = ()  # certificates replaced by a pledge (证明事项告知承诺)


SCENARIOS = (
    Scenario("待受理（今日提交）", "zhang.wei", "河南中原正道律师事务所", "SF-LS-006", 0, "submitted"),
    Scenario("受理逾期", "li.na", "", "SF-FY-001", 7, "submitted"),
    Scenario("等待申请人补正", "wang.jianguo", "", "SF-ZG-001", 4, "supplement"),
    Scenario("市级审查中", "zhang.wei", "河南中原正道律师事务所", "SF-LS-006", 12, "review"),
    Scenario("现场核查（暂停计时）", "li.na", "", "SF-JC-003", 15, "suspended"),
    Scenario("待省级决定", "wang.jianguo", "", "SF-GZ-005", 18, "decide"),
    Scenario("已办结待送达", "zhang.wei", "", "SF-LS-004", 20, "concluded"),
    Scenario("已送达并评价", "li.na", "", "SF-LS-001", 30, "delivered"),
    Scenario("不予受理", "wang.jianguo", "", "SF-FY-002", 10, "refused"),
    Scenario("依告知承诺批准，待核查", "zhang.wei", "河南中原正道律师事务所", "SF-LS-006", 25,
             "concluded", pledge=("住所证明",)),
)  # fmt: skip


def material_pdf(title: str, name: str) -> bytes:
    import weasyprint  # type: ignore[import-untyped]  # no stubs or py.typed

    html = (
        "<html><body style='font-family: \"Noto Serif CJK SC\"; padding: 3cm'>"
        f"<h1 style='font-size: 20pt'>{name}</h1><p>演示材料 · {title}</p>"
        "<p style='color: #a00'>本文件由演示数据生成，仅供演示。</p></body></html>"
    )
    return bytes(weasyprint.HTML(string=html).write_pdf())


def _portrait_png(width: int = 120, height: int = 160) -> bytes:
    """A plain grey picture standing in for a photo (materials that accept images only)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes([0xD8, 0xDC, 0xE2]) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _staff_for(case: Case, day: dt.date) -> list[tuple[User, engine.Actor]]:
    users = (
        RoleAssignment.objects.filter(organization_id=case.owner_org_id)
        .select_related("user")
        .order_by("role")
    )
    return [
        (a.user, actor_for_case(a.user, case.owner_org_id, case.applicant_id, day)) for a in users
    ]


def _forward(case: Case, day: dt.date) -> Case:
    """Take the next natural step, by whoever the rules allow at the owning organization."""
    defn = definition_for(case.item_version_id)
    for user, actor in _staff_for(case, day):
        offered = engine.available_actions(defn, state_of(case), actor, day, current_calendar())
        for kind in FORWARD:
            if kind in offered:
                params: dict[str, object] = {}
                if kind == "decide":
                    params = {"decision": "approve"}
                if kind == "deliver":
                    params = {"method": "online", "served_on": day}
                return perform(case.pk, engine.Action(kind, "", params), user, today=day)
    raise RuntimeError(f"{case.number}: 没有可推进的操作")


def _by_role(case: Case, role: str) -> User:
    assignment = (
        RoleAssignment.objects.filter(organization_id=case.owner_org_id, role=role)
        .select_related("user")
        .first()
    )
    if assignment is None:
        raise RuntimeError(f"{case.number}: 办理机构没有 {role}")
    return assignment.user


def seed_demo_cases(report: Report = print) -> int:
    """Create the demo cases unless there are some already; returns how many were created."""
    if Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        report("演示办件已存在，未重复创建。")
        return 0
    calendar = current_calendar()
    today = timezone.localdate()
    pdfs: dict[str, bytes] = {}
    created = 0
    for number, scenario in enumerate(SCENARIOS, start=1):
        version = (
            ItemVersion.objects.valid_on(today).select_related("item").get(item__code=scenario.item)
        )
        window = Organization.objects.get(name=WINDOWS[definition_for(version.pk).steps[0].level])
        user = User.objects.get(username=scenario.username)
        own = Applicant.objects.get(user=user)
        applicant = Applicant.objects.get(name=scenario.principal) if scenario.principal else own
        day = calendar.subtract_workdays(today, scenario.age).date if scenario.age else today
        case, _ = submit(
            user,
            Submission(
                item_code=version.item.code,
                organization=window,
                applicant=applicant,
                agent=own if applicant != own else None,
                idempotency_key=f"{KEY_PREFIX}{number}",
                form_data=example_data(form_definition(version)),
            ),
            today=day,
        )
        mandatory = version.materials.filter(mandatory=True).exclude(name__in=scenario.pledge)
        for material in mandatory.order_by("position"):
            if "pdf" in material.file_types:
                if material.name not in pdfs:
                    pdfs[material.name] = material_pdf(version.name, material.name)
                content, name = pdfs[material.name], f"{material.name}.pdf"
            else:
                content, name = _portrait_png(), f"{material.name}.png"
            materials.upload(case, material.name, io.BytesIO(content), name, user)
        if scenario.pledge:
            pledge = engine.Action("pledge", params={"materials": list(scenario.pledge)})
            case = perform(case.pk, pledge, user, today=day)
        case = _play(case, scenario, day, today, user)
        created += 1
        report(f"  {number}/{len(SCENARIOS)} {scenario.label:<12} {case.number} {version.name}")
    return created


def _play(case: Case, scenario: Scenario, day: dt.date, today: dt.date, user: User) -> Case:
    """Move the case along working days until it reaches the scenario's state."""
    calendar = current_calendar()

    def next_day(current: dt.date) -> dt.date:
        following = calendar.add_workdays(current, 1).date
        return min(following, today)

    stop = scenario.stop
    if stop == "submitted":
        return case
    day = next_day(day)
    if stop == "refused":
        clerk = _by_role(case, "window_clerk")
        reason = "申请事项依法不属于本机关职权范围，请向有权机关申请"
        return perform(case.pk, engine.Action("refuse", reason), clerk, today=day)
    if stop == "supplement":
        clerk = _by_role(case, "window_clerk")
        first = case.item_version.materials.order_by("position").first()
        assert first is not None
        problem = [{"material": first.name, "problem": "扫描件不清晰，请重新上传清晰完整的文件"}]
        action = engine.Action("request_supplement", "材料不清晰", {"materials": problem})
        return perform(case.pk, action, clerk, today=day)
    while True:
        step = definition_for(case.item_version_id).steps[case.step_index]
        if case.status == "in_progress" and step.key == stop:
            return case
        if stop == "suspended" and case.status == "in_progress" and case.step_index >= 1:
            handler = _by_role(case, step.role)
            action = engine.Action("suspend", "需实地核查办公场所", {"kind": "site_check"})
            return perform(case.pk, action, handler, today=day)
        if case.status == stop:
            break
        case = _forward(case, day)
        day = next_day(day)
    if stop == "delivered":
        rate(case, user, 5, "网上申请、电子送达，全程没有跑腿，很方便")
    return case
