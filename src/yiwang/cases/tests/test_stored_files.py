"""Files a failed step left in storage are found and removed by the sweep; files that rows
refer to, and files too new to judge, are kept."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from yiwang.cases import engine
from yiwang.cases.services import perform
from yiwang.cases.tests.test_services import World
from yiwang.core.errors import Conflict
from yiwang.core.stored_files import sweep
from yiwang.documents import services as document_services
from yiwang.documents.models import Document


@pytest.fixture
def world(tree, make_staff, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_RENDER_DOCUMENTS_INLINE = True  # the letter's file is written in the step
    return World(tree, make_staff)


def _failed_acceptance(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Accept a case whose letter row then cannot be written: the step rolls back whole, the
    rendered file stays in storage. Returns the names of the files it left."""
    case = world.submit("fails")

    def clash(*args: object, **kwargs: object) -> int:
        raise IntegrityError("UNIQUE constraint failed: documents_document.number")

    monkeypatch.setattr(document_services, "insert_row", clash)
    with pytest.raises(Conflict):
        perform(case.pk, engine.Action("accept"), world.clerk)
    monkeypatch.undo()
    assert not Document.objects.filter(case_id=case.pk).exists()
    left = []
    for year in default_storage.listdir("documents")[0]:
        for name in default_storage.listdir(f"documents/{year}")[1]:
            left.append(f"documents/{year}/{name}")
    kept = {d.file.name for d in Document.objects.all()}
    return sorted(set(left) - kept)


def test_the_sweep_finds_what_a_failed_step_left_and_keeps_what_rows_refer_to(world, monkeypatch):
    good = world.submit("good")
    perform(good.pk, engine.Action("accept"), world.clerk)
    letter = Document.objects.get(case_id=good.pk)
    assert letter.file.name and default_storage.exists(letter.file.name)
    orphans = _failed_acceptance(world, monkeypatch)
    assert len(orphans) == 1

    # Too new to judge: its transaction might still be open.
    recent = sweep()
    assert recent.orphans == [] and recent.recent == 1 and recent.referenced == 1

    later = timezone.now() + dt.timedelta(hours=2)
    listed = sweep(now=later)
    assert [name for name, _ in listed.orphans] == orphans and listed.deleted == 0
    assert default_storage.exists(orphans[0])  # a report only

    removed = sweep(now=later, delete=True)
    assert removed.deleted == 1
    assert not default_storage.exists(orphans[0])
    assert default_storage.exists(letter.file.name)
    assert sweep(now=later).orphans == []


def test_the_command_reports_and_deletes_with_a_summary(world, monkeypatch):
    orphans = _failed_acceptance(world, monkeypatch)
    out = StringIO()
    call_command("files", "sweep", "--grace-minutes", "1", stdout=out)
    # Written a moment ago: younger than one minute, so left alone.
    assert "孤立 0 个" in out.getvalue() and "1 分钟内新写入 1 个" in out.getvalue()
    old = (timezone.now() - dt.timedelta(minutes=5)).timestamp()
    os.utime(default_storage.path(orphans[0]), (old, old))
    out = StringIO()
    call_command("files", "sweep", "--grace-minutes", "1", stdout=out)
    assert (
        f"孤立文件：{orphans[0]}" in out.getvalue()
        and "未删除（加 --delete 删除）" in out.getvalue()
    )
    assert default_storage.exists(orphans[0])
    out = StringIO()
    call_command("files", "sweep", "--grace-minutes", "1", "--delete", stdout=out)
    assert "孤立 1 个" in out.getvalue() and "已删除 1 个" in out.getvalue()
    assert not default_storage.exists(orphans[0])


def test_a_grace_period_out_of_range_is_refused(world):
    with pytest.raises(CommandError, match="至少为 1 分钟"):
        call_command("files", "sweep", "--grace-minutes", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="至多为 5270400 分钟（十年）"):
        call_command("files", "sweep", "--grace-minutes", "99999999999999", stdout=StringIO())


def test_everything_works_on_a_storage_other_than_local_files(world, settings, tmp_path):
    # An object store stands behind the same Django storage API; the in-memory backend plays
    # it here, so that a single local-path assumption would fail this test.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from io import BytesIO

    from yiwang.cases import materials
    from yiwang.cases.tests.test_api import PDF

    case = world.submit("elsewhere")
    upload = BytesIO(PDF)
    upload.name = "申请书.pdf"
    material = materials.upload(case, "申请书", upload, "申请书.pdf", world.user)
    perform(case.pk, engine.Action("accept"), world.clerk)
    letter = Document.objects.get(case_id=case.pk)
    assert document_services.open_document(letter).startswith(b"%PDF")
    with material.file.storage.open(material.file.name, "rb") as handle:
        assert handle.read() == PDF
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert sweep(now=timezone.now() + dt.timedelta(hours=2)).referenced == 2
    local = settings.MEDIA_ROOT
    assert not os.path.exists(local) or not any(files for _, _, files in os.walk(local))
