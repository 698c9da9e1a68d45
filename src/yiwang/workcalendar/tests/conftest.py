"""Fixtures of the working-day calendar tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from yiwang.workcalendar import services
from yiwang.workcalendar.schedules import chinese_calendar_workday_calendar
from yiwang.workcalendar.workdays import WorkdayCalendar

EXAMPLE_2027 = Path(services.__file__).parent / "data" / "example-2027.yaml"


@pytest.fixture(scope="session")
def cc_calendar() -> WorkdayCalendar:
    """The pure calendar from chinese-calendar (2004–2026 loaded), built once per session."""
    return chinese_calendar_workday_calendar()


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    # A rolled-back test transaction sends no signal: drop the process cache around every test.
    services.invalidate()
    yield
    services.invalidate()


@pytest.fixture
def seeded(db: None) -> services.SeedReport:
    """The database seeded from chinese-calendar. The package's tables are parsed once per
    process (lru_cache); each test then only bulk-inserts ~800 rows."""
    return services.seed_from_chinese_calendar()
