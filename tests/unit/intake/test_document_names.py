"""Names intake shows and sends for documents: the download header and a refused file's name."""

from __future__ import annotations

from shared.documents.downloads import content_disposition
from shared.documents.names import refused_name


def test_the_download_is_an_attachment_with_an_ascii_fallback_and_the_utf8_name() -> None:
    header = content_disposition("Llythyr terfynol \u2013 Gwyneth.pdf")
    assert header.startswith('attachment; filename="Llythyr terfynol _ Gwyneth.pdf"; ')
    assert header.endswith("filename*=UTF-8''Llythyr%20terfynol%20%E2%80%93%20Gwyneth.pdf")


def test_no_quote_or_line_break_reaches_the_header() -> None:
    header = content_disposition('a";\r\nSet-Cookie: x=1.pdf')
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback
    assert "\r" not in header
    assert "\n" not in header


def test_a_refused_file_keeps_a_clean_name_without_a_made_up_extension() -> None:
    assert refused_name("C:\\Users\\jo\\run\u202eexe.pdf") == "runexe.pdf"
    assert refused_name(None) == "document"
    assert refused_name("...") == "document"
