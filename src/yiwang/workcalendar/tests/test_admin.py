"""The admin: lists, and uploading a year file through the service."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiwang.workcalendar.models import CalendarDay, CalendarYear

from .conftest import EXAMPLE_2027

pytestmark = pytest.mark.django_db

UPLOAD = "admin:workcalendar_calendaryear_upload"


def upload(admin_client, content: bytes, replace: bool = False):
    data: dict[str, object] = {
        "file": SimpleUploadedFile("2027.yaml", content, content_type="application/x-yaml")
    }
    if replace:
        data["replace"] = "on"
    return admin_client.post(reverse(UPLOAD), data)


def test_lists_render(seeded, admin_client):
    response = admin_client.get(reverse("admin:workcalendar_calendaryear_changelist"))
    assert response.status_code == 200
    assert "上传节假日文件" in response.content.decode()
    response = admin_client.get(
        reverse("admin:workcalendar_calendarday_changelist"), {"kind": "workday", "q": "春节"}
    )
    assert response.status_code == 200
    year = CalendarYear.objects.get(year=2026)
    response = admin_client.get(reverse("admin:workcalendar_calendaryear_change", args=[year.pk]))
    assert response.status_code == 200
    assert "2026-02-14" in response.content.decode()


def test_upload_a_good_file(seeded, admin_client):
    response = admin_client.get(reverse(UPLOAD))
    assert response.status_code == 200
    response = upload(admin_client, EXAMPLE_2027.read_bytes())
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).days.count() == 33
    page = admin_client.get(response["Location"]).content.decode()
    assert "2027 年节假日安排已载入" in page


def test_upload_a_bad_file_shows_every_problem_and_changes_nothing(seeded, admin_client):
    count = CalendarDay.objects.count()
    bad = (
        EXAMPLE_2027.read_bytes()
        .replace(b"2027-02-20", b"2027-02-22")
        .replace(b"2027-06-09", b"2027-06-31")
    )
    response = upload(admin_client, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "节假日文件有误" in page
    assert "调休上班日 2027-02-22 是星期一" in page
    assert "2027-06-31" in page
    assert CalendarDay.objects.count() == count
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_upload_of_a_recursive_alias_is_refused_and_changes_nothing(seeded, admin_client):
    count = CalendarDay.objects.count()
    response = upload(admin_client, b"year: 2027\nsource: x\nholidays: &h [*h]\n")
    assert response.status_code == 400
    assert "文件含有循环引用的别名" in response.content.decode()
    assert CalendarDay.objects.count() == count
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_upload_over_a_loaded_year_needs_replace(seeded, admin_client):
    upload(admin_client, EXAMPLE_2027.read_bytes())
    response = upload(admin_client, EXAMPLE_2027.read_bytes())
    assert response.status_code == 400
    assert "已载入" in response.content.decode()
    response = upload(admin_client, EXAMPLE_2027.read_bytes(), replace=True)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).days.count() == 33


def test_upload_needs_permission(db, client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 403


def test_adding_a_year_with_days_checks_every_day(db, admin_client):
    url = reverse("admin:workcalendar_calendaryear_add")
    data = {
        "year": "2030",
        "source": "测试",
        "loaded_at_0": "2026-11-21",
        "loaded_at_1": "10:00:00",
        "note": "",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2030-01-28",  # a Monday
        "days-0-kind": "workday",
        "days-0-name": "春节",
        "days-1-date": "2031-01-01",  # another year
        "days-1-kind": "holiday",
        "days-1-name": "元旦",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with errors
    page = response.content.decode()
    assert "调休上班日只能是星期六或星期日" in page
    assert "不在 2030 年内" in page
    assert not CalendarYear.objects.filter(year=2030).exists()

    # 2030's 1/1, 5/1, 5/2, 10/1, 10/2 and 10/3 are weekdays the law makes holidays.
    assert "缺少 2030-05-01（星期三）" in page
    assert "缺少 2030-10-03（星期四）" in page

    data.update({"days-0-date": "2030-01-26", "days-1-date": "2030-01-01"})
    for n, date in enumerate(
        ["2030-05-01", "2030-05-02", "2030-10-01", "2030-10-02", "2030-10-03"], start=2
    ):
        data.update({f"days-{n}-date": date, f"days-{n}-kind": "holiday", f"days-{n}-name": "节日"})
    data["days-TOTAL_FORMS"] = "7"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2030).days.count() == 7


def test_a_holiday_the_law_dates_cannot_be_removed_from_a_year(seeded, admin_client):
    year = CalendarYear.objects.get(year=2026)
    national_day = year.days.get(date="2026-10-01")  # a Thursday
    spring = year.days.get(date="2026-02-16")  # 春节, a Monday: the schedule's own choice

    # Not on its own page ...
    delete = "admin:workcalendar_calendarday_delete"
    assert admin_client.get(reverse(delete, args=[national_day.pk])).status_code == 403
    change = admin_client.get(reverse("admin:workcalendar_calendarday_change", args=[spring.pk]))
    assert 'name="date"' in change.content.decode()
    change = admin_client.get(
        reverse("admin:workcalendar_calendarday_change", args=[national_day.pk])
    )
    assert 'name="date"' not in change.content.decode()
    assert 'name="name"' in change.content.decode()
    response = admin_client.post(
        reverse("admin:workcalendar_calendarday_changelist"),
        {"action": "delete_selected", "_selected_action": [national_day.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert admin_client.post(reverse(delete, args=[spring.pk]), {"post": "yes"}).status_code == 302

    # ... nor in its year's list of days.
    days = list(year.days.order_by("date"))
    data = {
        "year": "2026",
        "source": year.source,
        "loaded_at_0": "2026-11-21",
        "loaded_at_1": "10:00:00",
        "note": year.note,
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": str(len(days)),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for n, day in enumerate(days):
        data.update(
            {
                f"days-{n}-id": str(day.pk),
                f"days-{n}-year": str(year.pk),
                f"days-{n}-date": day.date.isoformat(),
                f"days-{n}-kind": day.kind,
                f"days-{n}-name": day.name,
            }
        )
        if day.pk == national_day.pk:
            data[f"days-{n}-DELETE"] = "on"
    url = reverse("admin:workcalendar_calendaryear_change", args=[year.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "缺少 2026-10-01（星期四）" in response.content.decode()
    assert year.days.filter(pk=national_day.pk).exists()
