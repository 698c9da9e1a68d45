"""seed-demo: a realistic province, every role, and idempotence."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from yiwang.accounts.models import AgentAuthorization, Applicant, Role, RoleAssignment, User
from yiwang.catalog.models import ItemImplementation, ItemVersion
from yiwang.organizations.models import Level, Organization, Seal
from yiwang.workcalendar.models import CalendarDay


@pytest.fixture
def seeded(db, monkeypatch, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("YIWANG_DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))
    return tmp_path


def _snapshot() -> dict[str, int]:
    return {
        "orgs": Organization.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "applicants": Applicant.objects.count(),
        "agents": AgentAuthorization.objects.count(),
        "versions": ItemVersion.objects.count(),
        "implementations": ItemImplementation.objects.count(),
        "days": CalendarDay.objects.count(),
        "seals": Seal.objects.count(),
    }


def test_seed_demo_twice_changes_nothing(seeded, capsys):
    before = _snapshot()
    stamps = list(Organization.objects.order_by("pk").values_list("pk", "path", "credit_code"))
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert _snapshot() == before
    assert (
        list(Organization.objects.order_by("pk").values_list("pk", "path", "credit_code")) == stamps
    )
    assert "新增 0" in out and "更新 0" in out
    assert "43 个事项，新增 0，更新 0，未变 43" in out
    assert "用户 新增 0，更新 0，未变 52" in out and "users" not in out
    assert "6/6 演示样章" in out


def test_every_agency_seals_its_letters_with_a_specimen(seeded):
    from yiwang.organizations.seals import image_of

    agencies = Organization.objects.exclude(credit_code=None)
    assert agencies.count() > 60
    assert not agencies.filter(seal=None).exists()
    province = agencies.get(level=Level.PROVINCE)
    seal = Seal.objects.get(pk=province.seal_id)
    assert seal.name == "河南省司法厅（演示样章）" and seal.withdrawn_at is None
    assert image_of(seal.pk).png.startswith(b"\x89PNG")
    assert Seal.objects.values("organization").distinct().count() == agencies.count()


def test_demo_province_has_real_cities_and_full_counties(seeded):
    province = Organization.objects.get(level=Level.PROVINCE)
    assert province.name == "河南省司法厅"
    cities = Organization.objects.filter(level=Level.CITY)
    assert cities.count() >= 17
    for city, counties in (("郑州市司法局", 12), ("开封市司法局", 9), ("洛阳市司法局", 14)):
        node = Organization.objects.get(name=city)
        assert Organization.objects.subtree_of(node).filter(level=Level.COUNTY).count() == counties
    for county in ("中牟县司法局", "兰考县司法局"):
        node = Organization.objects.get(name=county)
        assert Organization.objects.subtree_of(node).filter(level=Level.TOWNSHIP).count() >= 4


def test_a_named_user_for_every_role_at_every_level_used(seeded):
    province = Organization.objects.get(level=Level.PROVINCE)
    held = set(RoleAssignment.objects.filter(organization=province).values_list("role", flat=True))
    assert held == set(Role.values)
    handling = {Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.LEADER, Role.SUPERVISOR}
    for level in (Level.CITY, Level.COUNTY):
        orgs = Organization.objects.filter(level=level, role_assignments__isnull=False).distinct()
        assert orgs.count() >= 3
        for org in orgs:
            assert set(org.role_assignments.values_list("role", flat=True)) >= handling, org
    assert all(u.full_name for u in User.objects.filter(role_assignments__isnull=False))


def test_demo_users_can_log_in_with_the_demo_password(seeded, client):
    assert client.login(username="henan.catalog", password="demo-pass-for-tests")
    assert client.get("/admin/catalog/itemversion/").status_code == 200
    client.logout()
    assert client.login(username="zhengzhou.clerk", password="demo-pass-for-tests")
    # A window clerk is no administrator.
    assert client.get("/admin/catalog/itemversion/").status_code == 302


def test_implementations_carry_31_character_codes(seeded):
    implementation = ItemImplementation.objects.select_related("organization", "item").first()
    assert len(implementation.code) == 31
    assert implementation.code.startswith(implementation.organization.credit_code)
    assert implementation.code.endswith(implementation.item.basic_code)


def test_home_page_lists_the_catalogue(seeded, client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "律师事务所设立许可" in text and "当前有效的事项共 <strong>43</strong> 项" in text
    assert "9 个月" in text  # 外国律所驻华代表机构: 3 + 6 months
    assert "即办" in text  # 律师执业证书补发、换发


def test_the_specimens_are_counted_not_logged_one_by_one(db, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))
    assert "seal registered" not in caplog.text
    assert "演示样章 新增" in (tmp_path / "out.txt").read_text()


def test_a_changed_shipped_catalogue_gives_a_seeded_database_new_versions(db, tmp_path):
    """`./dev up` on an existing var/: the items the shipped file changes get a new version,
    published from today (tomorrow if one started today already); cases keep theirs."""
    import datetime

    from django.utils import timezone

    from yiwang.catalog.selectors import current_version
    from yiwang.demo.seed import CATALOGUE_EPOCH, CATALOGUE_FILE, seed_catalogue

    shipped = CATALOGUE_FILE.read_text(encoding="utf-8")
    condition = "具有中华人民共和国国籍的香港（澳门）特别行政区永久性居民"
    older = tmp_path / "older.yaml"  # as the file read before the condition was corrected
    older.write_text(shipped.replace(condition, condition + "（derived）", 1), encoding="utf-8")
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    assert seed_catalogue(older) == "43 个事项，新增 43，更新 0，未变 0"
    assert current_version("SF-GZ-008", CATALOGUE_EPOCH).conditions[0].endswith("（derived）")

    assert seed_catalogue() == "43 个事项，新增 0，更新 1，未变 42"
    new = current_version("SF-GZ-008", today)
    assert new.conditions[0] == condition and new.valid_from == today
    old = current_version("SF-GZ-008", today - day)
    assert old.conditions[0].endswith("（derived）") and old.valid_to == today - day
    assert seed_catalogue() == "43 个事项，新增 0，更新 0，未变 43"

    # The file changes again the same day (another branch): no second version for today.
    assert seed_catalogue(older) == (
        f"43 个事项，新增 0，更新 1，未变 42；更新的事项自 {today + day:%Y-%m-%d} 起适用新版本"
    )
    assert current_version("SF-GZ-008", today).conditions[0] == condition
    assert current_version("SF-GZ-008", today + day).conditions[0].endswith("（derived）")
    assert seed_catalogue(older) == "43 个事项，新增 0，更新 0，未变 43"
