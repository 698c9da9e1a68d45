"""Registering, replacing and withdrawing an organization's electronic seal, and the admin."""

from __future__ import annotations

import hashlib
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, InvalidInput, NotFound
from yiwang.organizations import seals
from yiwang.organizations.models import Organization, Seal
from yiwang.organizations.tests.images import jpeg, ring_png

ADD = "/admin/organizations/seal/add/"
LIST = "/admin/organizations/seal/"


def register(org: Organization, content: bytes | None = None, **kw: Any) -> Seal:
    values: dict[str, Any] = {"name": f"{org.name}行政审批专用章", "by": None, **kw}
    return seals.register(org, content=content or ring_png(), **values)


def test_a_registered_seal_is_the_organizations_seal_in_use(tree):
    png = ring_png()
    seal = register(tree.city_a, png, width_mm="40")
    tree.city_a.refresh_from_db()
    assert tree.city_a.seal_id == seal.pk == hashlib.sha256(png).hexdigest()
    assert (seal.width_px, seal.height_px, seal.size) == (300, 300, len(png))
    assert seal.width_mm == Decimal("40.0")
    image = seals.image_of(seal.pk)
    assert image.png == png and image.width_mm == Decimal("40.0")
    assert image.data_uri().startswith("data:image/png;base64,iVBORw0KGgo")


def test_a_new_seal_withdraws_the_old_one_which_stays_stored(tree):
    first = register(tree.city_a, ring_png(mark=0))
    second = register(tree.city_a, ring_png(mark=5), name="郑州市司法局公章")
    first.refresh_from_db()
    tree.city_a.refresh_from_db()
    assert tree.city_a.seal_id == second.pk
    assert first.withdrawn_at is not None and second.withdrawn_at is None
    assert seals.image_of(first.pk).png == ring_png(mark=0)  # letters sealed with it still print it


def test_withdrawing_leaves_the_organization_without_a_seal(tree):
    seal = register(tree.city_a)
    withdrawn = seals.withdraw(tree.city_a, by=None)
    tree.city_a.refresh_from_db()
    assert withdrawn.pk == seal.pk and tree.city_a.seal_id is None
    with pytest.raises(Conflict) as refused:
        seals.withdraw(tree.city_a, by=None)
    assert refused.value.code == "seal.none"
    with pytest.raises(Conflict) as again:
        register(tree.city_a, ring_png())
    assert again.value.code == "seal.withdrawn"


@pytest.mark.parametrize(
    ("content", "kw", "code"),
    [
        (jpeg(), {}, "seal.not_png"),
        (ring_png()[:400], {}, "seal.not_png"),  # a PNG cut short
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, {}, "seal.not_png"),
        (ring_png(transparent=False), {}, "seal.not_transparent"),
        (ring_png(size=100), {}, "seal.bad_dimensions"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * seals.MAX_BYTES, {}, "seal.too_large"),
        (None, {"width_mm": "100"}, "seal.bad_width"),
        (None, {"width_mm": "四十二"}, "seal.bad_width"),
        (None, {"width_mm": "nan"}, "seal.bad_width"),
        (None, {"width_mm": "-NaN"}, "seal.bad_width"),
        (None, {"width_mm": "sNaN"}, "seal.bad_width"),
        (None, {"width_mm": float("nan")}, "seal.bad_width"),
        (None, {"width_mm": Decimal("NaN")}, "seal.bad_width"),
        (None, {"width_mm": "-inf"}, "seal.bad_width"),
        (None, {"name": "  "}, "seal.name_required"),
        (None, {"name": "章" * 61}, "seal.name_too_long"),
        (None, {"name": "公\x00章"}, "seal.name_invalid"),
    ],
)
def test_bad_input_is_refused_and_the_seal_in_use_stays(tree, content, kw, code):
    kept = register(tree.city_a, ring_png(mark=9))
    with pytest.raises(InvalidInput) as refused:
        register(tree.city_a, content, **kw)
    assert refused.value.code == code
    tree.city_a.refresh_from_db()
    assert tree.city_a.seal_id == kept.pk
    assert Seal.objects.count() == 1 and Seal.objects.get().withdrawn_at is None


@pytest.mark.parametrize("cut", [400, -20, -5])
def test_a_file_cut_short_is_refused_even_where_truncated_images_are_allowed(monkeypatch, cut):
    from PIL import ImageFile

    # WeasyPrint switches this on for the whole process when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(InvalidInput) as refused:
        seals.check_image(ring_png()[:cut])
    assert refused.value.code == "seal.not_png"


def test_a_huge_canvas_is_refused_from_its_header_before_decoding():
    from PIL import Image

    out = io.BytesIO()
    Image.new("LA", (5000, 5000)).save(out, format="PNG")
    with pytest.raises(InvalidInput) as refused:
        seals.check_image(out.getvalue())
    assert refused.value.code == "seal.bad_dimensions" and "5000×5000" in refused.value.message


def test_one_image_is_one_organizations_seal(tree):
    png = ring_png()
    register(tree.city_a, png)
    with pytest.raises(Conflict) as other:
        register(tree.city_b, png)
    assert other.value.code == "seal.other_organization"
    with pytest.raises(Conflict) as same:
        register(tree.city_a, png)
    assert same.value.code == "seal.already_in_use"
    assert Organization.objects.get(pk=tree.city_b.pk).seal_id is None


def test_a_seal_is_never_changed_or_deleted(tree):
    seal = register(tree.city_a)
    seal.name = "改过的名称"
    with pytest.raises(ValidationError):
        seal.save()
    fresh = Seal.objects.get(pk=seal.pk)
    with pytest.raises(ValidationError):
        fresh.delete()
    with pytest.raises(ValidationError):
        Seal.objects.filter(pk=seal.pk).update(name="x")
    with pytest.raises(ValidationError):
        Seal.objects.all().delete()
    seals.withdraw(tree.city_a, by=None)
    withdrawn = Seal.objects.get(pk=seal.pk)
    withdrawn.withdrawn_at = timezone.now()  # withdrawn once, at one time
    with pytest.raises(ValidationError):
        withdrawn.save()
    assert Seal.objects.get(pk=seal.pk).name == f"{tree.city_a.name}行政审批专用章"


def alter(seal: Seal, content: bytes) -> None:
    """Change the stored image behind the application's back, as a database edit would."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Seal._meta.db_table} SET image = %s WHERE sha256 = %s", [content, seal.pk]
        )


def test_an_altered_image_is_never_handed_out(tree):
    seal = register(tree.city_a)
    alter(seal, ring_png(mark=3))
    with pytest.raises(Conflict) as altered:
        seals.image_of(seal.pk)
    assert altered.value.code == "seal.tampered"
    with pytest.raises(NotFound):
        seals.image_of("0" * 64)


# --- Admin ------------------------------------------------------------------------------------


def staff_client(client: Client, *codenames: str) -> Client:
    user = User.objects.create_user("sealkeeper", password="x-test-pass-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="organizations", codename__in=codenames)
    )
    client.force_login(user)
    return client


def upload(content: bytes, name: str = "seal.png") -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def form(org: Organization, content: bytes, **kw: Any) -> dict[str, Any]:
    return {
        "organization": org.pk,
        "name": "郑州市司法局行政审批专用章",
        "width_mm": "42",
        "image": upload(content),
        **kw,
    }


def test_an_administrator_registers_a_seal_in_the_admin(client, tree):
    admin = staff_client(client, "add_seal", "view_seal", "change_seal")
    png = ring_png()
    response = admin.post(ADD, form(tree.city_a, png))
    assert response.status_code == 302
    seal = Seal.objects.get()
    assert seal.pk == hashlib.sha256(png).hexdigest()
    assert seal.registered_by.username == "sealkeeper"
    listing = admin.get(LIST).content.decode()
    assert "郑州市司法局行政审批专用章" in listing
    detail = admin.get(f"{LIST}{seal.pk}/change/").content.decode()
    assert "data:image/png;base64," in detail and 'name="name"' not in detail  # read-only


def test_the_admin_shows_what_is_wrong_with_a_file_and_stores_nothing(client, tree):
    admin = staff_client(client, "add_seal", "view_seal")
    refused = admin.post(ADD, form(tree.city_a, jpeg()))
    assert refused.status_code == 400
    assert "印章图片必须是 PNG 格式" in refused.content.decode()
    opaque = admin.post(ADD, form(tree.city_a, ring_png(transparent=False)))
    assert "透明背景" in opaque.content.decode()
    assert not Seal.objects.exists()


def test_a_nul_character_in_the_name_is_named_as_such_in_the_admin(client, tree):
    admin = staff_client(client, "add_seal", "view_seal")
    refused = admin.post(ADD, form(tree.city_a, ring_png(), name="郑州市\x00印章"))
    assert refused.status_code == 400
    assert refused.context["form"].errors["name"] == ["含有空字符（NUL），无法保存"]
    assert "不允许是用空字符串" not in refused.content.decode()
    assert not Seal.objects.exists()


def test_withdrawing_in_the_admin_needs_the_change_permission(client, tree):
    seal = register(tree.city_a)
    viewer = staff_client(client, "view_seal")
    page = viewer.get(LIST).content.decode()
    assert "停用所选印章" not in page
    viewer.post(LIST, {"action": "withdraw", "_selected_action": [seal.pk]})
    assert Organization.objects.get(pk=tree.city_a.pk).seal_id == seal.pk
    perm = Permission.objects.get(content_type__app_label="organizations", codename="change_seal")
    User.objects.get(username="sealkeeper").user_permissions.add(perm)
    done = viewer.post(LIST, {"action": "withdraw", "_selected_action": [seal.pk]}, follow=True)
    assert "已停用" in done.content.decode()
    assert Organization.objects.get(pk=tree.city_a.pk).seal_id is None


def test_staff_without_the_permission_cannot_register(client, tree):
    viewer = staff_client(client, "view_seal")
    assert viewer.get(ADD).status_code == 403
    assert viewer.post(ADD, form(tree.city_a, ring_png())).status_code == 403
    assert not Seal.objects.exists()


def test_the_seal_in_use_cannot_be_set_on_the_organization_form(client, tree):
    seal = register(tree.city_a)
    register(tree.city_b, ring_png(mark=4))
    admin = staff_client(client, "change_organization", "view_organization")
    page = admin.get(f"/admin/organizations/organization/{tree.city_a.pk}/change/")
    assert page.status_code == 200 and 'name="seal"' not in page.content.decode()
    assert Organization.objects.get(pk=tree.city_a.pk).seal_id == seal.pk


# --- CLI --------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("seals", *args, stdout=out)
    return out.getvalue()


def test_an_operator_registers_lists_and_withdraws_seals_from_the_command_line(tree, tmp_path):
    png = tmp_path / "zhengzhou.png"
    png.write_bytes(ring_png())
    said = run("register", tree.city_a.credit_code.lower(), str(png), "--name", "郑州市司法局印章")
    assert "已登记郑州市司法局的印章“郑州市司法局印章”（300×300 像素，印面宽 42.0 毫米" in said
    listing = run("list")
    assert f"{tree.city_a.credit_code}  郑州市司法局  郑州市司法局印章" in listing
    assert "共 7 个机构，1 个有在用印章。" in listing
    assert "已停用郑州市司法局的印章" in run("withdraw", tree.city_a.credit_code)
    assert Organization.objects.get(pk=tree.city_a.pk).seal_id is None


def test_the_command_line_refuses_in_chinese_and_changes_nothing(tree, tmp_path):
    fake = tmp_path / "seal.png"
    fake.write_bytes(jpeg())
    code = tree.city_a.credit_code
    for args, message in (
        (("register", code, str(fake), "--name", "印章"), "印章图片必须是 PNG 格式"),
        (("register", code, str(tmp_path / "none.png"), "--name", "印章"), "找不到文件"),
        (("register", code, str(tmp_path), "--name", "印章"), f"{tmp_path} 是目录，不是文件"),
        (("register", "123", str(fake), "--name", "印章"), "没有统一社会信用代码为 123 的机构"),
        (
            ("register", code, str(fake), "--name", "印章", "--width-mm", "nan"),
            "印面宽度必须是数字",
        ),
        (("withdraw", code), "没有在用的印章"),
    ):
        with pytest.raises(CommandError) as refused:
            run(*args)
        assert message in str(refused.value)
    assert not Seal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_image_registered_for_two_organizations_at_once_goes_to_one(tree):
    png = ring_png(mark=8)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(org: Organization) -> None:
        try:
            barrier.wait()
            register(org, png)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(org,)) for org in (tree.city_a, tree.city_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["ok", "seal.other_organization"]
    owner = Seal.objects.get().organization_id
    sealed = Organization.objects.exclude(seal=None).values_list("pk", flat=True)
    assert list(sealed) == [owner]
