"""What every benchmark does first: a fresh database of its own, Django set up on it, the demo
loaded. Imported by the scripts under bench/ (run from the repository root)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def pg_url_with_db(url: str, dbname: str) -> str:
    """The same server and role, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def django_on_fresh_database(data_dir: Path, database: str, pg_url: str = "") -> float:
    """Point yiwang's settings at ``data_dir`` (SQLite) or ``pg_url`` (PostgreSQL), set Django
    up, migrate and load the demo; returns the seconds migration and seeding took."""
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    # Letters are numbered and stored in the step; their PDF is rendered on first download.
    os.environ["YIWANG_RENDER_DOCUMENTS_INLINE"] = "0"
    # Django's test client calls itself "testserver".
    os.environ["YIWANG_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("YIWANG_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    if database == "postgres":
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from yiwang.demo.seed import seed_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_demo(report=lambda _line: None)
    return time.perf_counter() - started


def machine(*packages: str) -> dict[str, object]:
    """What the figures were measured on: CPU, cores, Python, SQLite, OS and the installed
    versions of ``packages`` (those not installed are left out)."""
    import platform
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()  # no /proc on this system
    info: dict[str, object] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    for package in packages:
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            continue
    return info
