"""The admin: lists, and uploading a year file through the service."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from yiwang.workcalendar.models import CalendarDay, CalendarYear

from .conftest import EXAMPLE_2027

pytestmark = pytest.mark.django_db

UPLOAD = "admin:workcalendar_calendaryear_upload"


def upload(admin_client, content: bytes, replace: bool = False):
    data = {"file": SimpleUploadedFile("2027.yaml", content, content_type="application/x-yaml")}
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
    bad = EXAMPLE_2027.read_bytes().replace(b"2027-02-20", b"2027-02-22").replace(
        b"2027-06-09", b"2027-06-31"
    )
    response = upload(admin_client, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "节假日文件有误" in page
    assert "调休上班日 2027-02-22 是星期一" in page
    assert "2027-06-31" in page
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
