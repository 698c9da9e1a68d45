"""Specimen seals (演示样章) for the demo organizations.

A real seal image comes from the seal system; the demo has none, so it draws a specimen that
cannot be mistaken for one: the organization's name along the rim as on a real seal, but
"样章" where the star would be and "演示·不具法律效力" across the bottom. It is registered
through the same service an administrator uses, so demo letters are sealed the way real ones
are.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import subprocess
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from yiwang.organizations import seals
from yiwang.organizations.models import Organization

if TYPE_CHECKING:
    from PIL import ImageFont

SIZE = 600  # pixels: 42 mm at about 360 dpi
RED = (230, 0, 18, 255)
FONT_PATTERN = "Noto Sans CJK SC:style=Bold"
SPECIMEN_NAME = "{name}（演示样章）"


@lru_cache(maxsize=1)
def _font_file() -> tuple[str, int] | None:
    """The bold CJK face's file and index in its collection, as fontconfig finds it."""
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{file}:%{index}", FONT_PATTERN],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    path, _, index = found.rpartition(":")
    if not path or "CJK" not in path:
        return None
    return path, int(index or 0)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    font_file = _font_file()
    assert font_file is not None  # checked by the caller
    return ImageFont.truetype(font_file[0], size, index=font_file[1])


def specimen_png(organization_name: str) -> bytes | None:
    """A specimen seal for ``organization_name`` as a transparent PNG; None without CJK fonts."""
    font_file = _font_file()
    if font_file is None:
        return None
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = SIZE / 2
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), outline=RED, width=16)

    # The name along the upper rim, each character turned to face the centre.
    rim_font = _font(64)
    span = min(240.0, 22.0 * len(organization_name))  # degrees the name covers
    radius = centre - 80
    for i, char in enumerate(organization_name):
        angle = -span / 2 + span * (i + 0.5) / len(organization_name)
        glyph = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((40, 40), char, font=rim_font, fill=RED, anchor="mm")
        turned = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(math.radians(angle))
        y = centre - radius * math.cos(math.radians(angle))
        image.alpha_composite(turned, (round(x - 40), round(y - 40)))

    # Above the centre where a star would be, and along the bottom rim: the issuer's name and
    # the date printed under the seal (a little below its centre) stay legible.
    draw.text((centre, centre - 95), "样章", font=_font(96), fill=RED, anchor="mm")
    draw.text((centre, centre + 205), "演示·不具法律效力", font=_font(34), fill=RED, anchor="mm")

    out = io.BytesIO()
    # 16 colours (red at a few opacities for the smooth edges) keep the file, and every letter
    # that embeds it, a few kilobytes smaller.
    small = image.quantize(colors=16, method=Image.Quantize.FASTOCTREE)
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def seed_seals() -> tuple[int, int, str]:
    """Register a specimen seal for every organization with a credit code that has none yet:
    (registered, unchanged, note)."""
    # A real registration is a security event worth a log line; the demo's sixty-odd specimens
    # are counted in the seeding's summary instead.
    security = logging.getLogger("yiwang.security")
    level = security.level
    security.setLevel(logging.WARNING)
    try:
        return _register_specimens()
    finally:
        security.setLevel(level)


def _register_specimens() -> tuple[int, int, str]:
    registered = unchanged = 0
    for org in Organization.objects.exclude(credit_code=None).order_by("path"):
        if org.seal_id is not None:
            unchanged += 1
            continue
        png = specimen_png(org.name)
        if png is None:
            return registered, unchanged, "未找到中文字体（fonts-noto-cjk），演示文书不加盖样章"
        seals.register(
            org,
            name=SPECIMEN_NAME.format(name=org.name),
            content=png,
            width_mm=Decimal("42"),
            by=None,
        )
        registered += 1
    return registered, unchanged, ""
