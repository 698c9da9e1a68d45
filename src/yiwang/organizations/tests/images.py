"""Seal-like images for tests, drawn with Pillow: a red ring on a transparent ground."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def ring_png(size: int = 300, *, width: int = 12, transparent: bool = True, mark: int = 0) -> bytes:
    """A red ring; ``mark`` moves a dot so that images differ byte for byte."""
    mode, ground = ("RGBA", (0, 0, 0, 0)) if transparent else ("RGB", (255, 255, 255))
    image = Image.new(mode, (size, size), ground)
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, size - 4, size - 4), outline=(230, 0, 18), width=width)
    draw.ellipse(
        (size // 2 - 10 + mark, size // 2 - 10, size // 2 + 10 + mark, size // 2 + 10),
        fill=(230, 0, 18),
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(size: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (230, 0, 18)).save(out, format="JPEG")
    return out.getvalue()
