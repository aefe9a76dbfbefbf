"""Small real files for document tests: a PDF that opens, a PNG, and bytes of a refused type."""

from __future__ import annotations

import io
from typing import Final

from PIL import Image
from pypdf import PdfWriter

# A Windows executable's first bytes (the "MZ" DOS header): refused whatever it is called.
EXECUTABLE: Final = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PDF_MEDIA_TYPE: Final = "application/pdf"


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def a_png(size: tuple[int, int] = (20, 10)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()
