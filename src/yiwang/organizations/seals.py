"""Electronic seals (电子印章): registering an organization's seal image, withdrawing it, and
reading it back to press it on a letter.

Acceptance and refusal notices, like every decision, are sealed writings (行政许可法 第32条,
第38条). The seal image comes from the seal system (电子印章系统) as a PNG with a transparent
background, so the issuer's name and date printed under it stay legible. An administrator
registers it for the organization; from then on every letter the organization issues freezes the
image's SHA-256 in its context (``documents.context``), and rendering presses that image, read
back and checked against the digest. A seal replaced by a new one, or withdrawn, stays stored:
the letters issued under it keep printing it.

The image is checked by content, not by name: a PNG that decodes, with transparency, within
size limits that keep a letter small and a decompression bomb out.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.errors import Conflict, DomainError, InvalidInput, NotFound
from yiwang.core.text import NUL_MESSAGE, nul_path
from yiwang.organizations.models import Organization, Seal

logger = logging.getLogger("yiwang.security")
# Who registered or withdrew a seal is any Django user: the organization tree sits below the
# accounts app, which refers to it, and does not import it back.

#: An exported seal is a few tens of kilobytes; every letter PDF embeds it once.
MAX_BYTES = 1024 * 1024
#: Enough pixels for a crisp 42 mm print (about 300 dpi needs 500), few enough to decode safely.
MIN_PIXELS, MAX_PIXELS = 150, 4000
#: Printed width: official seals run from about 30 mm (special-purpose) to 60 mm.
MIN_WIDTH_MM, MAX_WIDTH_MM = Decimal("20"), Decimal("60")
DEFAULT_WIDTH_MM = Decimal("42")
NAME_MAX = 60
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class SealImage:
    """What rendering needs to press a seal: the PNG and its printed width."""

    sha256: str
    name: str
    png: bytes
    width_mm: Decimal

    def data_uri(self) -> str:
        """The image inline, as letters and the verification page embed it."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def check_image(content: bytes) -> tuple[int, int]:
    """The image's (width, height) in pixels; ``InvalidInput`` when it is not a usable seal."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("seal.too_large", f"印章图片不能超过 {MAX_BYTES // 1024} KB")
    if not content.startswith(PNG_SIGNATURE):
        raise InvalidInput("seal.not_png", "印章图片必须是 PNG 格式（按文件内容判断，不看扩展名）")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            # The header first: refuse a huge canvas before decoding a single pixel.
            width, height = image.size
            if not (MIN_PIXELS <= width <= MAX_PIXELS and MIN_PIXELS <= height <= MAX_PIXELS):
                raise InvalidInput(
                    "seal.bad_dimensions",
                    f"印章图片的宽和高须在 {MIN_PIXELS}–{MAX_PIXELS} 像素之间"
                    f"（该图片为 {width}×{height}）",
                )
            if not 0.5 <= width / height <= 2:
                raise InvalidInput("seal.bad_dimensions", "印章图片的宽高比须在 1:2 到 2:1 之间")
            # Every chunk present with its checksum: a file cut short or altered fails here,
            # whatever ImageFile.LOAD_TRUNCATED_IMAGES says (WeasyPrint sets it on import).
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # decodes every pixel
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            if transparent and image.mode in ("RGBA", "LA"):
                extrema = cast(tuple[int, int], image.getchannel("A").getextrema())
                transparent = extrema[0] < 255
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput("seal.not_png", "印章图片无法解码，请重新从电子印章系统导出") from None
    if not transparent:
        raise InvalidInput(
            "seal.not_transparent", "印章图片须为透明背景，否则会遮住印章下的机关名称和日期"
        )
    return width, height


def _width(value: Decimal | str | float | int) -> Decimal:
    try:
        width = Decimal(str(value).strip())
        # NaN and infinity parse, but measure nothing (and NaN cannot even be compared).
        if not width.is_finite():
            raise ValueError(value)
        width = width.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("seal.bad_width", "印面宽度必须是数字（毫米）") from None
    if not MIN_WIDTH_MM <= width <= MAX_WIDTH_MM:
        raise InvalidInput("seal.bad_width", f"印面宽度须在 {MIN_WIDTH_MM}–{MAX_WIDTH_MM} 毫米之间")
    return width


def register(
    organization: Organization,
    *,
    name: str,
    content: bytes,
    width_mm: Decimal | str | float | int = DEFAULT_WIDTH_MM,
    by: AbstractBaseUser | None,
) -> Seal:
    """Register ``content`` as the organization's seal in use; the seal it replaces is withdrawn.

    Raises ``InvalidInput`` for a bad name, width or image, ``Conflict`` when the image is
    already another organization's seal, was withdrawn, or is the one in use.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("seal.name_required", "请填写印章名称")
    if len(name) > NAME_MAX:
        raise InvalidInput("seal.name_too_long", f"印章名称不能超过 {NAME_MAX} 个字")
    if nul_path(name) is not None:
        raise InvalidInput("seal.name_invalid", f"印章名称{NUL_MESSAGE}")
    width = _width(width_mm)
    width_px, height_px = check_image(content)
    digest = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        # One registration at a time per organization: the row lock orders them.
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        existing = Seal.objects.filter(pk=digest).first()
        if existing is not None:
            if existing.organization_id != org.pk:
                raise Conflict("seal.other_organization", "该印章图片已登记为其他机构的印章")
            if existing.withdrawn_at is not None:
                raise Conflict("seal.withdrawn", "该印章已停用，不能再次启用；请登记新的印章图片")
            raise Conflict("seal.already_in_use", "该印章已登记并在使用中")
        if org.seal_id is not None:
            _withdraw(Seal.objects.get(pk=org.seal_id), by, now)
        seal = Seal(
            sha256=digest,
            organization=org,
            name=name,
            width_mm=width,
            width_px=width_px,
            height_px=height_px,
            size=len(content),
            registered_at=now,
            registered_by_id=by.pk if by is not None else None,
            image=content,
        )
        try:
            seal.save()
        except IntegrityError:
            # The same image registered for another organization meanwhile (its own row lock
            # did not order the two); the primary key let one of them in.
            raise Conflict("seal.other_organization", "该印章图片已登记为其他机构的印章") from None
        org.seal = seal
        org.save(update_fields=["seal"])
    organization.seal = seal
    logger.info(
        "seal registered: %s %s (%s) by %s",
        org.name,
        digest,
        name,
        by.get_username() if by else "-",
    )
    return seal


def withdraw(organization: Organization, *, by: AbstractBaseUser | None) -> Seal:
    """Take the organization's seal out of use: letters issued from now on carry none."""
    now = timezone.now()
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        if org.seal_id is None:
            raise Conflict("seal.none", f"{org.name}没有在用的印章")
        seal = _withdraw(Seal.objects.get(pk=org.seal_id), by, now)
        org.seal = None
        org.save(update_fields=["seal"])
    organization.seal = None
    logger.info(
        "seal withdrawn: %s %s by %s", org.name, seal.sha256, by.get_username() if by else "-"
    )
    return seal


def _withdraw(seal: Seal, by: AbstractBaseUser | None, now: dt.datetime) -> Seal:
    seal.withdrawn_at = now
    seal.withdrawn_by_id = by.pk if by is not None else None
    seal.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return seal


def image_of(sha256: str) -> SealImage:
    """The registered seal ``sha256`` as stored, its digest checked.

    Raises ``NotFound`` for an unknown seal and ``Conflict`` when the stored image is no
    longer the registered one: a letter is then not drawn rather than pressed with something
    else.
    """
    seal = Seal.objects.filter(pk=sha256).first()
    if seal is None:
        raise NotFound("seal.not_found", "未找到该印章")
    content = bytes(seal.image)  # PostgreSQL hands back a memoryview
    if hashlib.sha256(content).hexdigest() != seal.sha256:
        raise Conflict(
            "seal.tampered", f"印章“{seal.name}”的图片与登记时的摘要不一致，可能已被篡改"
        )
    return SealImage(sha256=seal.sha256, name=seal.name, png=content, width_mm=seal.width_mm)


def image_for(sha256: str | None) -> SealImage | None:
    """The image a letter or licence froze (``image_of``), None when it froze none."""
    return image_of(sha256) if sha256 else None


def shown_on_page(sha256: str | None) -> dict[str, str]:
    """What a public check page shows of the seal a letter or licence froze (template
    ``organizations/seal_shown.html``): its name and image, why it cannot be shown, or nothing
    for one issued without a seal."""
    if not sha256:
        return {}
    try:
        seal = image_of(sha256)
    except DomainError as error:
        return {"seal_unavailable": error.message}
    return {"seal_uri": seal.data_uri(), "seal_name": seal.name}


def template_values(frozen: str | None, seal: SealImage | None, what: str) -> dict[str, Any]:
    """The template values that press ``seal`` on ``what`` (a letter, a licence), which froze
    the digest ``frozen``: ``seal_uri`` and ``seal_width_mm``, none when unsealed."""
    given = seal.sha256 if seal is not None else None
    if frozen != given:
        # Never pressed with another seal, nor drawn without the one it was issued under.
        raise ValueError(f"{what} is sealed with {frozen}, not {given}")
    if seal is None:
        return {}
    return {"seal_uri": seal.data_uri(), "seal_width_mm": seal.width_mm}
