"""Errors raised by services: a stable machine-readable code plus a message in Chinese.

Every entry point (API, CLI, admin, pages) turns a ``DomainError`` into its own form of answer;
services never know which one called them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    """One thing wrong with an input: where it is and why, for people and for machines."""

    code: str
    message: str
    field: str = ""
    item: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.item:
            data["item"] = self.item
        return data

    def __str__(self) -> str:
        where = " / ".join(part for part in (self.item, self.field) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class DomainError(Exception):
    code: str
    message: str
    problems: list[Problem] = field(default_factory=list)
    status: int = 400

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems:
            data["details"] = [problem.as_dict() for problem in self.problems]
        return data


class InvalidInput(DomainError):
    def __init__(self, code: str, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(code, message, problems or [], 400)


class NotFound(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, [], 404)


class Forbidden(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, [], 403)


class Conflict(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, [], 409)
