"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiwang.accounts import access
from yiwang.accounts.models import Applicant, RoleAssignment


def faces(request: HttpRequest) -> dict[str, Any]:
    """Which faces of the site the user may use, for the navigation: lazy, so that a page
    without navigation costs no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"face_staff": False, "face_applicant": False, "face_watching": False}

    def staff() -> bool:
        return RoleAssignment.objects.filter(user=user).exists()

    def applicant() -> bool:
        return Applicant.objects.filter(user=user).exists()

    def watching() -> bool:
        return access.watches_cases(user)

    return {
        "face_staff": _Lazy(staff),
        "face_applicant": _Lazy(applicant),
        "face_watching": _Lazy(watching),
    }


class _Lazy:
    """A boolean computed on first use in a template and remembered."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = bool(self._compute())
        return self._value
