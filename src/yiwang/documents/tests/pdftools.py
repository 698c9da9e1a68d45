"""Reading back what a rendered document says, without a PDF library in the dependencies.

- ``layout_text``: the text WeasyPrint laid out on the pages (what gets drawn); ``page_text``
  the same for one page.
- ``line_pitch``: the distance between the baselines of the body text, in points.
- ``pdf_text``: the text a reader extracts from the PDF (proves the glyphs map back to Unicode),
  with pypdf when installed, else poppler's ``pdftotext``, else ``None``.
- ``pdf_font_names``: the embedded font names, read from the (compressed) PDF objects.
"""

from __future__ import annotations

import importlib
import io
import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

import weasyprint  # type: ignore[import-untyped]
from weasyprint.formatting_structure import boxes  # type: ignore[import-untyped]

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
FONT_NAME = re.compile(rb"/(?:BaseFont|FontName)\s*/([A-Za-z0-9+_-]+)")


def layout_text(document: weasyprint.Document) -> str:
    return "".join(page_text(page) for page in document.pages)


def page_text(page: Any) -> str:
    return "".join(
        box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)
    )


def line_pitch(document: weasyprint.Document) -> float:
    """Points from one line of the first body paragraph to the next (28.95 at 22 a page)."""
    for box in document.pages[0]._page_box.descendants():
        if isinstance(box, boxes.BlockBox) and "para" in (box.element.get("class") or ""):
            lines = [child for child in box.children if isinstance(child, boxes.LineBox)]
            if len(lines) >= 2:
                return float(lines[1].position_y - lines[0].position_y) * 0.75  # px → pt
    raise AssertionError("no body paragraph of two lines on the first page")


def compact(text: str) -> str:
    """Drop the line breaks and blanks extraction inserts; CJK text has none of its own."""
    return re.sub(r"\s+", "", text)


def _pypdf() -> Any | None:
    # Imported by name: pypdf is optional here, and mypy must not insist on it either way.
    try:
        return importlib.import_module("pypdf")
    except ImportError:
        return None


def pdf_text(pdf: bytes) -> str | None:
    pypdf = _pypdf()
    if pypdf is not None:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return "".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "document.pdf"
            path.write_bytes(pdf)
            result = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(path), "-"],
                check=True,
                capture_output=True,
            )
            return result.stdout.decode("utf-8")
    return None


def can_extract_text() -> bool:
    return _pypdf() is not None or shutil.which("pdftotext") is not None


def pdf_font_names(pdf: bytes) -> set[str]:
    """Font names in the PDF, subset tag dropped: {"Noto-Serif-CJK-SC", …}."""
    chunks = [pdf]
    for match in STREAM.finditer(pdf):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # not a Flate stream (or an image): holds no font dictionary
    names = set()
    for chunk in chunks:
        for raw in FONT_NAME.findall(chunk):
            names.add(raw.decode("ascii").split("+", 1)[-1])
    return names
