"""A case's record (审计记录) in words: what each entry changed, for people rather than machines.

The entries keep engine field names and raw values (``before`` / ``after``); this module only
labels them. Organization names come from the services' in-memory table, so a long history
costs no query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yiwang.audit.models import AuditEntry
from yiwang.cases import engine
from yiwang.cases.models import DeliveryMethod, Outcome, PledgeCheckStatus, SuspensionKind
from yiwang.cases.record import organization_name
from yiwang.catalog.models import days_text, pause_unit
from yiwang.licences.models import LicenceStatus

ROLE_NAMES = {**engine.ROLE_LABELS, "applicant": "申请人", "system": "系统"}

FIELD_LABELS = {
    "status": "状态",
    "outcome": "办理结果",
    "step_index": "当前环节",
    "owner_org_id": "当前办理机构",
    "accept_due": "受理期限",
    "accepted_on": "受理日期",
    "deemed_accepted": "视为受理",
    "step_started_on": "环节开始日期",
    "step_due": "环节期限",
    "promised_due": "承诺期限",
    "statutory_due": "法定期限",
    "deadline_provisional": "期限暂定",
    "paused_workdays": "已扣除天数",
    "step_paused_workdays": "本环节已扣除天数",
    "suspended_on": "暂停日期",
    "suspension_kind": "特殊环节",
    "extension_days": "延长天数",
    "decided_on": "决定日期",
    "decision_reason": "决定理由",
    "delivered_on": "送达日期",
    "delivery_method": "送达方式",
    "pledged": "告知承诺",
    "pledged_materials": "以承诺代替的材料",
    "gaps": "容缺材料",
    "supplement": "补正事项",
    "received_on": "收件日期",
    "licence_status": "证照状态",
    "pledge_check": "承诺核查",
}
# Shown first, in this order; the rest follow in the record's order.
FIELD_ORDER = ("status", "outcome", "step_index", "owner_org_id")
# What an action was given (the engine's parameters), in words.
DETAIL_LABELS = {
    "materials": "材料",
    "due": "补交期限",
    "kind": "特殊环节",
    "decision": "决定",
    "to_step": "回退至",
    "method": "送达方式",
    "served_on": "送达日期",
    "licence": "证照",
    "subjects": "核查内容",
}
DECISIONS = {"approve": "准予", "deny": "不予准予"}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: dt.datetime
    action: str
    action_label: str
    organization: str
    role_label: str
    actor: str
    reason: str
    changes: tuple[Change, ...]
    details: tuple[tuple[str, str], ...]

    @property
    def summary(self) -> str:
        parts = [f"{c.label}：{c.before} → {c.after}" for c in self.changes]
        parts += [f"{label}：{value}" for label, value in self.details]
        return "；".join(parts)


def history_rows(entries: Iterable[AuditEntry], defn: engine.Definition) -> list[HistoryRow]:
    return [history_row(entry, defn) for entry in entries]


def history_row(entry: AuditEntry, defn: engine.Definition) -> HistoryRow:
    before: Mapping[str, Any] = entry.before or {}
    after: Mapping[str, Any] = dict(entry.after or {})
    details: Mapping[str, Any] = after.get("details") or {}
    names = [n for n in FIELD_ORDER if n in after or n in before]
    names += [n for n in (*before, *after) if n not in names and n in FIELD_LABELS]
    changes = tuple(
        Change(
            FIELD_LABELS[name],
            _value(name, before.get(name), defn),
            _value(name, after.get(name), defn),
        )
        for name in dict.fromkeys(names)
    )
    shown = {change.label for change in changes}
    return HistoryRow(
        seq=entry.seq,
        at=entry.at,
        action=entry.action,
        action_label=engine.ACTION_LABELS.get(entry.action, entry.action),
        organization=entry.organization_name,
        role_label=ROLE_NAMES.get(entry.role, entry.role),
        actor=entry.actor_name or "系统",
        reason=entry.reason,
        changes=changes,
        details=tuple(
            (DETAIL_LABELS[k], _detail(k, v, defn))
            for k, v in details.items()
            # An input the change already shows (特殊环节 → 现场核查, the pledged
            # materials) is not repeated.
            if k in DETAIL_LABELS
            and DETAIL_LABELS[k] not in shown
            and not (k == "materials" and "pledged_materials" in after)
        ),
    )


def _materials(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return "无"
    parts = []
    for entry in value:
        if isinstance(entry, Mapping):
            text = str(entry.get("material", ""))
            if entry.get("problem"):
                text += f"（{entry['problem']}）"
            elif entry.get("due"):
                text += f"（{entry['due']} 前补交）"
        else:
            text = str(entry)
        parts.append(text)
    return "、".join(parts)


def _step_name(defn: engine.Definition, value: Any) -> str:
    if isinstance(value, int) and 0 <= value < len(defn.steps):
        return defn.steps[value].name
    for step in defn.steps:
        if step.key == value:
            return step.name
    return str(value)


def _value(name: str, value: Any, defn: engine.Definition) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return engine.STATUS_LABELS.get(value, str(value))
    if name == "outcome":
        return dict(Outcome.choices).get(value, str(value))
    if name == "step_index":
        return _step_name(defn, value)
    if name == "owner_org_id":
        return organization_name(value) or str(value)
    if name == "suspension_kind":
        return dict(SuspensionKind.choices).get(value, str(value))
    if name == "delivery_method":
        return dict(DeliveryMethod.choices).get(value, str(value))
    if name == "licence_status":
        return dict(LicenceStatus.choices).get(value, str(value))
    if name == "pledge_check":
        return dict(PledgeCheckStatus.choices).get(value, str(value))
    if name in ("gaps", "supplement", "pledged_materials"):
        return _materials(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "paused_workdays":
        return days_text(value, pause_unit(defn.unit))
    if name == "step_paused_workdays":
        return days_text(value, defn.step_unit)
    if name == "extension_days":
        return days_text(value, defn.unit)
    return str(value)


def _detail(name: str, value: Any, defn: engine.Definition) -> str:
    if name in ("materials", "subjects"):
        return _materials(value)
    if name == "decision":
        return DECISIONS.get(value, str(value))
    if name == "to_step":
        return _step_name(defn, value)
    if name == "kind":
        return dict(SuspensionKind.choices).get(value, str(value))
    if name == "method":
        return dict(DeliveryMethod.choices).get(value, str(value))
    return str(value)
