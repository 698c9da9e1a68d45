"""Errors of the audit log, each with a stable code and a message in Chinese."""

from __future__ import annotations

from yiwang.core.errors import Conflict, Forbidden


class AuditImmutable(Forbidden):
    """An attempt to change or remove an audit entry or checkpoint: never allowed, for anyone."""

    def __init__(self, what: str = "审计记录") -> None:
        super().__init__("audit.immutable", f"{what}一经写入不可修改或删除")


class SealBusy(Conflict):
    """Sealing could not be done safely now (older transactions still open, or another seal)."""

    def __init__(self, message: str) -> None:
        super().__init__("audit.seal_busy", message)
