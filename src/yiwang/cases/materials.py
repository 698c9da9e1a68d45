"""Uploaded materials: checked by content, stored through Django's storage, never overwritten.

A file's type is what its bytes say (magic numbers, and for OFD the package's OFD.xml), not
what its name says. Each upload of a material is a new version with its SHA-256 and SM3
digests; a material of the applicant's earlier case can be reused by reference (只提交一次).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Max

from yiwang.accounts.models import User
from yiwang.cases import engine
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.selectors import applicant_ids_for
from yiwang.cases.services import state_of
from yiwang.catalog.models import Material
from yiwang.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from yiwang.core.gm import sha256_and_sm3
from yiwang.core.text import size_text, size_unit

TYPE_LABELS = {"pdf": "PDF", "ofd": "OFD", "jpg": "JPEG 图片", "png": "PNG 图片"}
CHUNK = 64 * 1024


def sniff(stream: IO[bytes]) -> str | None:
    """The file type by content: pdf, png, jpg, ofd, or None when it is none of them."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as package:
                names = {name.lower() for name in package.namelist()}
        except zipfile.BadZipFile:
            return None
        finally:
            stream.seek(0)
        return "ofd" if "ofd.xml" in names else None
    return None


def _material(case: Case, name: str) -> Material:
    material = Material.objects.filter(version_id=case.item_version_id, name=name).first()
    if material is None:
        raise NotFound("material.unknown", f"本事项没有名为“{name}”的申请材料")
    return material


def _require_uploader(case: Case, user: User, material_name: str) -> None:
    if case.applicant_id not in applicant_ids_for(user):
        raise Forbidden("case.forbidden", "只有申请人本人或其授权代办人可以上传材料")
    refusal = engine.upload_refusal(state_of(case), material_name)
    if refusal:
        raise Conflict("case.materials_locked", refusal)


@dataclass(frozen=True)
class CheckedFile:
    """A file whose content was checked against a material's rules, with its digests."""

    kind: str
    size: int
    sha256: str
    sm3: str


def check_file(material: Material, stream: IO[bytes]) -> CheckedFile:
    """Check one file for one material by its content and size; the stream is left at 0."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    limit = settings.YIWANG_MAX_UPLOAD_BYTES
    if size == 0:
        raise InvalidInput("material.empty", "文件是空的")
    if size > limit:
        unit = size_unit(limit)
        raise InvalidInput(
            "material.too_large",
            f"文件大小 {size_text(size, unit, round_up=True)}，超过上限 {size_text(limit, unit)}",
        )
    kind = sniff(stream)
    if kind is None or kind not in material.file_types:
        accepted = "、".join(TYPE_LABELS[t] for t in material.file_types)
        found = TYPE_LABELS.get(kind or "", "无法识别的格式")
        raise InvalidInput(
            "material.file_type",
            f"“{material.name}”只接受 {accepted}；所传文件按内容识别为：{found}",
        )
    sha256, sm3 = sha256_and_sm3(iter(lambda: stream.read(CHUNK), b""))
    stream.seek(0)
    return CheckedFile(kind=kind, size=size, sha256=sha256, sm3=sm3)


def upload(
    case: Case, material_name: str, upload: IO[bytes], original_name: str, user: User
) -> CaseMaterial:
    """Store one file for one material of the case, as its next version."""
    _require_uploader(case, user, material_name)
    material = _material(case, material_name)
    checked = check_file(material, upload)
    with _one_version_at_a_time(), transaction.atomic():
        version = _next_version(case, material)
        row = CaseMaterial(
            case=case,
            material=material,
            version=version,
            original_name=original_name[:255],
            file_type=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            sm3=checked.sm3,
            uploaded_by=user,
        )
        # The stored name carries the case and version; the storage never overwrites a file.
        row.file.save(
            f"{case.number}-{material.position}-v{version}.{checked.kind}",
            File(upload),
            save=False,
        )
        row.save()
    return row


def reuse(case: Case, material_name: str, source_id: int, user: User) -> CaseMaterial:
    """Attach a material already given in an earlier case of the same applicant, by reference."""
    _require_uploader(case, user, material_name)
    material = _material(case, material_name)
    source = CaseMaterial.objects.select_related("case").filter(pk=source_id).first()
    if source is None or source.case.applicant_id != case.applicant_id:
        raise Forbidden("material.not_yours", "只能复用同一申请人以前提交过的材料")
    if source.file_type not in material.file_types:
        raise InvalidInput("material.file_type", f"“{material.name}”不接受该文件类型")
    with _one_version_at_a_time(), transaction.atomic():
        return CaseMaterial.objects.create(
            case=case,
            material=material,
            version=_next_version(case, material),
            file=source.file.name,
            original_name=source.original_name,
            file_type=source.file_type,
            size=source.size,
            sha256=source.sha256,
            sm3=source.sm3,
            reused_from=source.reused_from or source,
            uploaded_by=user,
        )


@contextmanager
def _one_version_at_a_time() -> Iterator[None]:
    """Two uploads of one material at once: the unique (case, material, version) index lets one
    win; the other gets a clear conflict instead of a server error, and nothing is overwritten."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict("material.conflict", "该材料正在被同时上传，请刷新后重试") from exc


def _next_version(case: Case, material: Material) -> int:
    top = CaseMaterial.objects.filter(case=case, material=material).aggregate(top=Max("version"))[
        "top"
    ]
    return (top or 0) + 1
