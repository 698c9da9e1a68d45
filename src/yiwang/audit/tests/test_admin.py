"""The admin shows the audit log and offers no way to add, change or delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.audit.models import AuditCheckpoint, AuditEntry
from yiwang.audit.services import seal_checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(make_case):
    case = make_case(42)
    case.append("submit", actor_name="王五", organization_name="中牟县司法局")
    case.append("accept", reason="材料齐全")
    seal_checkpoint()
    return case


def test_lists_and_detail_pages_are_read_only(logged, admin_client):
    entry = AuditEntry.objects.get(seq=1)
    checkpoint = AuditCheckpoint.objects.get()
    for model, obj in (("auditentry", entry), ("auditcheckpoint", checkpoint)):
        changelist = admin_client.get(reverse(f"admin:audit_{model}_changelist"))
        assert changelist.status_code == 200
        page = changelist.content.decode()
        assert "delete_selected" not in page and f"/admin/audit/{model}/add/" not in page
        detail = admin_client.get(reverse(f"admin:audit_{model}_change", args=[obj.pk]))
        assert detail.status_code == 200
        assert 'name="_save"' not in detail.content.decode()
        assert admin_client.get(reverse(f"admin:audit_{model}_add")).status_code == 403
        delete = reverse(f"admin:audit_{model}_delete", args=[obj.pk])
        assert admin_client.get(delete).status_code == 403
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert admin_client.post(detail.request["PATH_INFO"], {"reason": "x"}).status_code == 403
    assert AuditEntry.objects.get(seq=1).reason == ""


def test_search(logged, admin_client):
    url = reverse("admin:audit_auditentry_changelist")
    assert "王五" in admin_client.get(url, {"q": "42"}).content.decode()
    assert admin_client.get(url, {"q": "王五"}).status_code == 200
    assert admin_client.get(url, {"q": "中牟"}).status_code == 200
    assert admin_client.get(url, {"action": "accept"}).status_code == 200
