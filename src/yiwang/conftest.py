"""Fixtures shared by the tests of every area: a small organization tree and staff in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yiwang.accounts.models import Role, RoleAssignment, User

# Audit rows refuse DELETE (database triggers): empty them before Django flushes after a
# transactional test.
from yiwang.audit.testing import audit_cleanup_after_transactional_tests  # noqa: F401
from yiwang.core.identifiers import make_credit_code
from yiwang.organizations.models import Level, Organization


def _org(
    name: str, level: Level, division: str, parent: Organization | None, seq: int
) -> Organization:
    body = (division[-4:] + str(seq).zfill(4))[:8]
    org = Organization(
        name=name,
        level=level,
        division_code=division,
        credit_code=make_credit_code("1", "1", division, body),
        runs_window=level != Level.TOWNSHIP,
        parent=parent,
    )
    org.full_clean()
    org.save()
    return org


def pytest_report_header() -> str:
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


class Tree:
    """province → city A (county A1, county A2 → township) and city B (county B1)."""

    def __init__(self) -> None:
        self.province = _org("河南省司法厅", Level.PROVINCE, "410000", None, 1)
        self.city_a = _org("郑州市司法局", Level.CITY, "410100", self.province, 2)
        self.county_a1 = _org("郑州市中原区司法局", Level.COUNTY, "410102", self.city_a, 3)
        self.county_a2 = _org("中牟县司法局", Level.COUNTY, "410122", self.city_a, 4)
        self.township = _org("中牟县城关镇司法所", Level.TOWNSHIP, "410122", self.county_a2, 5)
        self.city_b = _org("开封市司法局", Level.CITY, "410200", self.province, 6)
        self.county_b1 = _org("兰考县司法局", Level.COUNTY, "410225", self.city_b, 7)


@pytest.fixture(scope="session", autouse=True)
def media_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files the tests store (demo seals, letters, uploads) never land in the data directory
    of the checkout; tests that look at their files set their own directory on top."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def fresh_process_caches() -> None:
    """A rolled-back test sends no signal, so drop the process-wide caches before each test."""
    from yiwang.workcalendar.services import invalidate

    invalidate()
    # Process caches keyed by row id: safe in production (published versions are never deleted),
    # but a rolled-back test hands the same ids to different rows.
    from yiwang.cases import record, services

    services.definition_for.cache_clear()
    services.published_version.cache_clear()
    record._organization_names.cache_clear()


@pytest.fixture
def tree(db: None) -> Tree:
    return Tree()


@pytest.fixture
def make_staff(db: None):
    def make(username: str, org: Organization, *roles: Role) -> User:
        user = User.objects.create_user(username=username, password="x-test-pass-1")
        for role in roles:
            RoleAssignment.objects.create(user=user, organization=org, role=role)
        return user

    return make


@pytest.fixture(scope="module")
def demo_province(django_db_setup, django_db_blocker):
    """The whole demo (calendar, catalogue, Henan's organizations, staff and applicants), loaded
    once per test module and removed after it. Tests using it must not leave rows of their own
    in a committed state (use ``db``, which rolls back)."""
    import os

    from django.core.management import call_command

    from yiwang.audit.testing import clear_audit_tables

    with django_db_blocker.unblock():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
    yield
    with django_db_blocker.unblock():
        clear_audit_tables()
        call_command("flush", interactive=False, verbosity=0)


# People and places of the demo province that many tests act with.
@pytest.fixture
def zhang(demo_province):
    from yiwang.accounts.models import User

    return User.objects.get(username="zhang.wei")


@pytest.fixture
def firm(demo_province):
    """河南中原正道律师事务所, whose agent zhang.wei is."""
    from yiwang.accounts.models import Applicant

    return Applicant.objects.get(name="河南中原正道律师事务所")


@pytest.fixture
def zhongmou(demo_province):
    """中牟县司法局, a county window."""
    from yiwang.organizations.models import Organization

    return Organization.objects.get(name="中牟县司法局")


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (``YIWANG_CHROMIUM`` overrides the path).

    Playwright's synchronous API runs an event loop in this thread, so Django's guard against
    database calls from async code is lifted while the browser is open (the tests' own calls
    are synchronous)."""
    import os

    from playwright.sync_api import sync_playwright

    executable = os.environ.get("YIWANG_CHROMIUM", "/usr/bin/chromium")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                # No sandbox as root in CI; no background connections on a closed network.
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


#: How long a browser test waits for a page, a load state or an element. Generous: on a busy
#: two-core CI machine, issuing a letter's PDF and the accessibility check of a page take
#: seconds, and these tests check what the pages do, not how fast.
BROWSER_WAIT_MS = 120_000


@pytest.fixture
def browser_context(chromium):
    """Make a fresh browser context (own cookies: one user) in Chinese, with the long waits."""
    made = []

    def make(**options):
        context = chromium.new_context(locale="zh-CN", **options)
        context.set_default_timeout(BROWSER_WAIT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
