"""Safe input: files judged by their content, refused with the right status, images stripped of
their metadata, names made safe, and the clamd hook."""

from __future__ import annotations

import asyncio
import io
import socket
import struct
import zipfile
from collections.abc import AsyncIterator, Callable

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

from shared.documents.checks import CheckedDocument, DocumentLimits, check_document
from shared.documents.refusals import (
    DamagedFileError,
    InfectedFileError,
    RefusedDocumentError,
    ScanUnavailableError,
    TooLargeError,
    UnacceptedTypeError,
)
from shared.documents.scanning import ClamdScanner

LIMITS = DocumentLimits(max_file_bytes=2 * 1024 * 1024, max_case_bytes=3 * 1024 * 1024)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


async def _check(content: bytes, name: str | None = "file", case_bytes: int = 0) -> CheckedDocument:
    return await check_document(content, name=name, case_bytes=case_bytes, limits=LIMITS)


def _pdf(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _image(fmt: str, size: tuple[int, int] = (20, 10), exif: Image.Exif | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    image.save(output, format=fmt, **({"exif": exif} if exif is not None else {}))
    return output.getvalue()


def _zip(entries: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return output.getvalue()


def _docx(main: str = "wordprocessingml.document.main+xml", extra: str = "") -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.{main}"/>{extra}</Types>'
    )
    return _zip(
        [
            ("[Content_Types].xml", types.encode()),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document>a complaint about my care</w:document>"),
        ]
    )


def _odt() -> bytes:
    return _zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ],
        stored_first=True,
    )


EMAIL = (
    b"From: Alex <alex@example.org>\r\nTo: complaints@example.gov.uk\r\n"
    b"Subject: My complaint\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe council did not reply.\r\n"
)

ACCEPTED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("pdf", _pdf, "application/pdf", "pdf"),
    ("png", lambda: _image("PNG"), "image/png", "image"),
    ("jpeg", lambda: _image("JPEG"), "image/jpeg", "image"),
    ("gif", lambda: _image("GIF"), "image/gif", "image"),
    ("webp", lambda: _image("WEBP"), "image/webp", "image"),
    (
        "docx",
        _docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word_processing",
    ),
    ("odt", _odt, "application/vnd.oasis.opendocument.text", "word_processing"),
    ("text", lambda: "Timeline: 3 März — called twice\n".encode(), "text/plain", "text"),
    ("email", lambda: EMAIL, "message/rfc822", "email"),
]


@pytest.mark.parametrize(
    ("label", "make", "media_type", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
async def test_each_accepted_type_passes_whatever_its_name(
    label: str, make: Callable[[], bytes], media_type: str, kind: str
) -> None:
    checked = await _check(make(), name="upload.bin")
    assert (checked.media_type, checked.kind) == (media_type, kind)
    assert checked.name.startswith("upload.bin.")


REFUSED: list[tuple[str, bytes, type[RefusedDocumentError], int]] = [
    ("windows executable", b"MZ\x90\x00" + bytes(200), UnacceptedTypeError, 415),
    ("elf executable", b"\x7fELF\x02\x01\x01" + bytes(200), UnacceptedTypeError, 415),
    ("html", b"  <!DOCTYPE html><html><script>alert(1)</script></html>", UnacceptedTypeError, 415),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', UnacceptedTypeError, 415),
    ("plain zip", _zip([("notes.txt", b"hello")]), UnacceptedTypeError, 415),
    (
        "macro docx",
        _docx("wordprocessingml.document.main+xml", "macroEnabled"),
        UnacceptedTypeError,
        415,
    ),
    ("spreadsheet", _docx("spreadsheetml.sheet.main+xml"), UnacceptedTypeError, 415),
    ("latin-1 text", "café".encode("latin-1"), UnacceptedTypeError, 415),
    ("terminal escapes", b"hello \x1b[2J world", UnacceptedTypeError, 415),
    ("broken pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", DamagedFileError, 422),
    ("password pdf", _pdf(password="secret"), DamagedFileError, 422),
    ("truncated png", _image("PNG", size=(300, 300))[:120], DamagedFileError, 422),
    ("empty", b"", DamagedFileError, 422),
    ("oversize", b"a" * (LIMITS.max_file_bytes + 1), TooLargeError, 413),
    # 20 MiB of zeros deflates to about 20 KiB: a ratio of about 1000, refused before expanding.
    (
        "zip bomb",
        _zip([("[Content_Types].xml", b"x"), ("word/document.xml", bytes(20 * 1024 * 1024))]),
        TooLargeError,
        413,
    ),
]


@pytest.mark.parametrize(
    ("label", "content", "error", "status"), REFUSED, ids=[r[0] for r in REFUSED]
)
async def test_refused_files_answer_the_right_status_without_echoing_content(
    label: str, content: bytes, error: type[RefusedDocumentError], status: int
) -> None:
    with pytest.raises(error) as refused:
        await _check(content, name="evidence.pdf")
    assert refused.value.status == status
    assert refused.value.reason
    if content:
        assert content[:12].decode("latin-1") not in refused.value.message


async def test_the_per_case_limit_counts_what_the_case_already_holds() -> None:
    content = b"a short note"
    await _check(content, case_bytes=LIMITS.max_case_bytes - len(content))
    with pytest.raises(TooLargeError) as refused:
        await _check(content, case_bytes=LIMITS.max_case_bytes - len(content) + 1)
    assert refused.value.reason == "case_too_large"


async def test_exif_and_gps_are_removed_from_a_jpeg_and_its_orientation_applied() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored sideways: shown rotated 90 degrees
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    original = _image("JPEG", size=(40, 20), exif=exif)
    assert b"PhoneMaker" in original

    checked = await _check(original, name="IMG_0001.JPG")
    assert b"PhoneMaker" not in checked.content
    assert b"Exif" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as kept:
        assert len(kept.getexif()) == 0
        assert kept.size == (20, 40)
    assert checked.name == "IMG_0001.jpg"  # the extension of the type found


async def test_text_chunks_are_removed_from_a_png() -> None:
    info = PngInfo()
    info.add_text("Author", "Alex Complainant")
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, format="PNG", pnginfo=info)
    checked = await _check(output.getvalue())
    assert b"Alex Complainant" not in checked.content


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\alex\\Desktop\\letter.PDF", "letter.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("a\x00b\x1fc.pdf", "abc.pdf"),
        ("...", "document.pdf"),
        (None, "document.pdf"),
        ('what?*:<>".pdf', "what______.pdf"),
    ],
)
async def test_file_names_are_made_safe_for_display(raw: str | None, shown: str) -> None:
    checked = await _check(_pdf(), name=raw)
    assert checked.name == shown


async def test_a_long_file_name_is_cut_keeping_the_type_extension() -> None:
    checked = await _check(_pdf(), name="ж" * 500 + ".pdf")
    assert len(checked.name) <= 120
    assert checked.name.endswith("ж.pdf")


async def _clamd(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A local stand-in for clamd speaking INSTREAM: the EICAR test string is 'found'."""
    assert await reader.readexactly(10) == b"zINSTREAM\0"
    received = b""
    while length := struct.unpack(">I", await reader.readexactly(4))[0]:
        received += await reader.readexactly(length)
    found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in received
    writer.write(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")
    await writer.drain()
    writer.close()


@pytest.fixture
async def clamd() -> AsyncIterator[ClamdScanner]:
    server = await asyncio.start_server(_clamd, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield ClamdScanner("127.0.0.1", port, timeout_seconds=5)
    server.close()
    await server.wait_closed()


async def test_the_scan_hook_refuses_what_clamd_finds_and_keeps_the_rest(
    clamd: ClamdScanner,
) -> None:
    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with pytest.raises(InfectedFileError) as refused:
        await check_document(eicar, name="a.txt", case_bytes=0, limits=LIMITS, scanner=clamd)
    assert refused.value.status == 422
    clean = b"nothing to see\n" * 10_000  # several INSTREAM chunks
    checked = await check_document(clean, name="a.txt", case_bytes=0, limits=LIMITS, scanner=clamd)
    assert checked.content == clean


async def test_an_unreachable_scanner_refuses_the_file_for_now() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scanner = ClamdScanner.from_address(f"127.0.0.1:{port}", timeout_seconds=5)
    with pytest.raises(ScanUnavailableError) as refused:
        await check_document(b"text\n", name=None, case_bytes=0, limits=LIMITS, scanner=scanner)
    assert refused.value.status == 503


async def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    output = io.BytesIO()
    Image.new("1", (9000, 9000)).save(output, format="PNG")  # 81 million pixels in a few KiB
    assert len(output.getvalue()) < LIMITS.max_file_bytes
    with pytest.raises(TooLargeError) as refused:
        await _check(output.getvalue())
    assert refused.value.reason == "too_many_pixels"
