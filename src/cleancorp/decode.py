"""Bytes to text: BOM, HTML ``<meta charset>``, strict UTF-8, UTF-16 sniffing, charset-normalizer.

>>> decode_bytes("café".encode("cp1252")).encoding
'cp1252'
>>> decode_bytes(b"\\xef\\xbb\\xbfhello").text
'hello'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from .document import Document

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# File signatures of formats that are sometimes saved under a .txt name by scrapers.
BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "gzip data without a .gz name"),
)
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# charset-normalizer names a whole family of single-byte code pages that decode these bytes
# identically; cp1252 is by far the most common one on the web, so it is the name we report.
PREFERRED_EQUIVALENTS = ("cp1252", "latin_1", "utf_8")
# Below this size charset-normalizer has too little evidence to tell cp1252 from its cousins.
SHORT_INPUT_BYTES = 1024


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    fixes: tuple[str, ...] = ()


def decode_bytes(data: bytes, is_html: bool = False) -> Decoded:
    """Decode ``data``, raising :class:`DecodeError` with a one-line reason for binary input."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding, errors="replace"), encoding.replace("-", "_"))
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"binary file: looks like {what}, not text")
    utf16 = _sniff_utf16(data)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16.replace("-", "_"))
    if b"\x00" in data:
        raise DecodeError("binary file: contains NUL bytes, not text")
    try:
        return Decoded(data.decode("utf-8"), "utf_8")
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged:
        return damaged
    if is_html:
        declared = _declared_charset(data)
        if declared:
            try:
                return Decoded(data.decode(declared), codecs.lookup(declared).name.replace("-", "_"))
            except (LookupError, UnicodeDecodeError):
                pass
    return _guess(data)


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 text with a few invalid bytes (a truncated write, one stray byte): keep it as UTF-8
    and mark the bad bytes with U+FFFD, rather than read the whole file in a single-byte code page.

    >>> _damaged_utf8("café crème ".encode() * 20 + b"\\xff end").fixes
    ('invalid_utf8_replaced:1',)
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if bad and multibyte >= 10 * bad and bad <= max(1, len(data) // 1000):
        return Decoded(text, "utf_8", (f"invalid_utf8_replaced:{bad}",))
    return None


def _declared_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii").lower() if match else None


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> Decoded:
    if len(data) <= SHORT_INPUT_BYTES and _plausible_cp1252(data):
        return Decoded(data.decode("cp1252"), "cp1252")
    # By now the data has no NUL byte, which UTF-16/32 text without a BOM almost always has, so a
    # guess of UTF-16/32 (charset-normalizer's usual answer for very short input) is dismissed.
    best = next(
        (
            match
            for match in charset_normalizer.from_bytes(data)
            if not match.encoding.startswith(("utf_16", "utf_32"))
        ),
        None,
    )
    if best is None:
        if _plausible_cp1252(data):
            return Decoded(data.decode("cp1252"), "cp1252")
        raise DecodeError("not text: no encoding decodes these bytes plausibly (invalid UTF-8)")
    name = best.encoding
    for preferred in PREFERRED_EQUIVALENTS:
        if preferred in best.could_be_from_charset:
            name = preferred
            break
    return Decoded(data.decode(name, errors="replace"), name)


def _plausible_cp1252(data: bytes) -> bool:
    """Western text in cp1252: every byte defined, accented letters sparse among ASCII letters.

    Cyrillic or Greek bytes also decode in cp1252, but as runs of accented Latin letters.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    accented = sum(1 for ch in letters if not ch.isascii())
    return accented / len(letters) < 0.4


def decode(doc: Document) -> None:
    """Stage: fill ``doc.text`` and ``doc.encoding`` from ``doc.data``."""
    if doc.failed:
        return
    try:
        decoded = decode_bytes(doc.data, is_html=doc.format == "html")
    except DecodeError as exc:
        doc.fail(str(exc))
        return
    doc.text = decoded.text
    doc.encoding = decoded.encoding
    for fix in decoded.fixes:
        doc.add_fix(fix)
    doc.chars_in = len(decoded.text)
    doc.lines_in = decoded.text.count("\n") + (1 if decoded.text and not decoded.text.endswith("\n") else 0)
    doc.data = b""
