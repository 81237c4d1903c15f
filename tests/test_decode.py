import codecs

import pytest

from cleancorp.decode import DecodeError, decode_bytes

from .conftest import RAW

TEXT = "Prices rose 5% – the “largest” rise since 2008, said the café’s owner. " * 4


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf_8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf_8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf_16_le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf_16_be"),
        (TEXT.encode("utf-16-le"), "utf_16_le"),  # no BOM
        (TEXT.encode("utf-16-be"), "utf_16_be"),  # no BOM
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decodes_common_encodings(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding


def test_long_cp1252_document_decodes_identically():
    text = (RAW / "004_e21098fcdc1863f3.txt").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert decode_bytes(text.encode("cp1252")).text == text


def test_html_meta_charset_is_used():
    html = '<html><head><meta charset="iso-8859-15"></head><body>Preis: 5 €</body></html>'
    decoded = decode_bytes(html.encode("iso-8859-15"), is_html=True)
    assert "5 €" in decoded.text
    assert decoded.encoding == "iso8859_15"


def test_cyrillic_single_byte_is_not_taken_for_cp1252():
    text = "Президент заявил, что переговоры продолжатся на следующей неделе в Москве. " * 30
    assert decode_bytes(text.encode("cp1251")).text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"some text\x00\x01\x02\x00\xff binary", "NUL bytes"),
    ],
)
def test_binary_input_is_rejected_with_reason(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)
