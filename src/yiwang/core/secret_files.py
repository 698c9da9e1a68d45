"""Secrets generated once on a development machine and kept beside the data, never in the
repository (production passes them in the environment). Standard library only: settings.py
imports it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, generate: Callable[[], str]) -> tuple[str, bool]:
    """The secret stored at ``path``, or a new one from ``generate`` stored there first.

    Returns (secret, created). The file is created with mode 0600 in one step (never briefly
    readable by others) and exclusively: of two processes starting at once, one writes and the
    other reads its secret.
    """
    try:
        return path.read_text().strip(), False
    except FileNotFoundError:
        pass  # first start on this machine: create it below
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = generate()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip(), False
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    return secret, True
