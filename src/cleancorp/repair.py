"""Repair decoded text: mojibake and broken Unicode (ftfy), then whitespace and artifact cleanup.

>>> repair_text("Itâ€™s a cafÃ©\\u200b  test")[0]
'It’s a café test'
>>> repair_text("Mail: [email\\u00a0protected]")
('Mail: [email]', ['email_protected'])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

import ftfy
import ftfy.fixes
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, WIDTH_MAP

from .document import Block, Document
from .memo import Remembered

# uncurl_quotes is off: quotes are content, and the clean copy of a document must come out
# byte-identical to a mojibake-damaged copy of it.
_BASE_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC", explain=True)
TEXT_CONFIG = _BASE_CONFIG._replace(unescape_html="auto")
# trafilatura has already unescaped entities; unescaping again would corrupt a literal "&amp;".
EXTRACTED_CONFIG = _BASE_CONFIG._replace(unescape_html=False)

# Characters with no visible width that scrapers leave behind. ZWJ and ZWNJ are kept: they are
# meaningful in emoji sequences and in Persian and Indic scripts.
INVISIBLE_CHARACTERS = "\u200b\u2060\ufeff\u180e\u00ad"
OTHER_SPACES = re.compile(r"[\t\u1680\u2000-\u200a\u202f\u205f\u3000]")
SPACE_CHARACTERS = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # and " "
# A run of spaces that normalizing changes: two or more, or one that is not " ". Single spaces,
# nearly every match of a plain ``[ ...]+``, are left alone instead of replaced by themselves.
SPACES_TO_COLLAPSE = re.compile(f" [ {SPACE_CHARACTERS}]+|[{SPACE_CHARACTERS}][ {SPACE_CHARACTERS}]*")
# Cloudflare's e-mail obfuscation leaves this text where an address was.
EMAIL_PROTECTED = re.compile(r"\[email(?:\s|\u00a0)*protected\]", re.I)
EMAIL_PLACEHOLDER = "[email]"
# Lines ftfy.fix_text returns unchanged: printable ASCII but "&" (an HTML entity could start there)
# plus the typographic quotes, dashes and ellipsis of English news. Mojibake needs a character
# outside this set (a lead like "Ã", "â" or "Ð"), and so do control characters, C1 controls,
# ligatures, fullwidth forms and text that NFC would change. Most lines of a news corpus are
# like this and skip ftfy's cost entirely; tests/test_repair.py checks the claim on many texts.
MAX_PASSES = 3
CANNOT_CHANGE = re.compile("[\t\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026]*\n?")


def _character_class(codepoints: set[int]) -> str:
    return "".join(re.escape(chr(c)) for c in sorted(codepoints))


# Every character that one of ftfy's fixers other than the mojibake repair and the entity decoder
# could change, taken from ftfy's own tables: C1 controls, ligatures, width forms, line breaks, surrogates,
# terminal escapes and the control characters it deletes. A segment without them that is already
# NFC and that ftfy's badness measure calls clean comes out of fix_and_explain unchanged: its first
# pass changes nothing, so it returns. Most non-ASCII lines (names with accents, other scripts)
# are like this, and ftfy's passes cost ~0.3 ms on each.
FIXER_CHARACTERS = {0x1B, 0x0D, 0x2028, 0x2029, *range(0x80, 0xA0), *range(0xD800, 0xE000)}
FIXER_CHARACTERS |= set(LIGATURES) | set(WIDTH_MAP) | set(CONTROL_CHARS)
MAY_NEED_A_FIXER = re.compile(f"[{_character_class(FIXER_CHARACTERS)}]")


# Every match of ftfy's badness regex (ftfy.badness.BADNESS_RE, ~40 alternatives tried at every
# position: ~100 us on a line) holds one of these characters or pairs, read off its alternatives;
# a segment with none of them is not bad. Accented letters and curly quotes alone, which most
# non-English lines have, are not in the list: a capital with an accent ("Ärzte", "École") only
# where a letter in lowercase comes before it or a sign after it. tests/test_repair.py checks
# every pair of characters and many texts against ftfy.
MAYBE_BAD_PATTERNS = [  # (a character, the one after it: None for any)
    ("{c1}{bad}{currency}{numeric}{law}{box}ŒœÙØ‚Ђ", None),
    ("{end_punctuation}", "{start_punctuation}{lower_accented}"),
    ("{lower_accented}{upper_accented}", "{start_punctuation}{end_punctuation}"),
    ("ВГРСΒΓΞΟ", "{start_punctuation}{end_punctuation}°"),
    ("{lower_accented}{lower_common}{end_punctuation}", "{upper_accented}"),
    ("{upper_accented}", "{start_punctuation}{end_punctuation}{common}° ¡ŠšŸž"),
]


def _maybe_bad(patterns: list[tuple[str, str | None]]) -> re.Pattern[str]:
    """One character class of every first character, then which pattern it starts, looked
    behind: a search for a leading class scans in C for a candidate, where an alternation of
    classes is tried position by position (half the time on news text).

    >>> _maybe_bad([("ab", "c"), ("d", None)]).pattern
    '[abd](?:(?<=[ab])[c]|(?<=[d]))'
    """
    first = "".join(start for start, _ in patterns)
    choices = "|".join(f"(?<=[{start}])" + (f"[{after}]" if after else "") for start, after in patterns)
    return re.compile(f"[{first}](?:{choices})".format(**MOJIBAKE_CATEGORIES))


MAYBE_BAD = _maybe_bad(MAYBE_BAD_PATTERNS)


# The longest match of ftfy's badness regex, less one (a test reads it off the regex): every match
# holds a character or pair of MAYBE_BAD, so it cannot start further than this before the first.
BADNESS_REACH = 6


@lru_cache(maxsize=64)
def looks_bad(segment: str) -> bool:
    """``ftfy.badness.is_bad``, answered without its regex when none of its patterns can match,
    and with it only from just before the first place one can, where ftfy's regex tries its
    alternatives at every position from the start (the lines of a document that get this far:
    67 -> 17 us).

    >>> looks_bad("Zoë wrote “café” in Kraków"), looks_bad("Itâ€™s")
    (False, True)
    """
    candidate = MAYBE_BAD.search(segment)
    return (
        candidate is not None
        and BADNESS_RE.search(segment, max(0, candidate.start() - BADNESS_REACH)) is not None
    )


# fix_and_explain asks is_bad about a segment with mojibake four times: once here before it is
# handed over, then before and after its fix, and again on the verifying pass. The same answers
# from looks_bad (the first remembered, the others mostly without ftfy's regex) save ~40% of the
# repair of such a segment. ftfy's own answers are unchanged: tests/test_repair.py holds looks_bad
# to is_bad on every pair of the characters involved and on many texts.
ftfy.is_bad = looks_bad


def _skipped_without(fixer: Callable[[str], str], table: Mapping[int, object]) -> Callable[[str], str]:
    """An ftfy fixer that is one ``str.translate`` over ``table``, not run on a text holding none
    of the table's characters (it would return the text as it is).

    ``str.translate`` looks every character up in the table, ~30 us on a paragraph; a
    character class finds that none is there in a tenth of that. ftfy runs three such fixers on
    every segment it repairs.

    >>> from ftfy.fixes import fix_latin_ligatures
    >>> skipping = _skipped_without(fix_latin_ligatures, LIGATURES)
    >>> skipping("ﬁnal"), skipping("final")
    ('final', 'final')
    """
    present = re.compile(f"[{_character_class(set(table))}]")

    def fix(text: str) -> str:
        return fixer(text) if present.search(text) else text

    fix.__wrapped__ = fixer  # type: ignore[attr-defined]
    return fix


TRANSLATING_FIXERS = {
    "fix_latin_ligatures": LIGATURES,
    "fix_character_width": WIDTH_MAP,
    "remove_control_chars": CONTROL_CHARS,
}
for _name, _table in TRANSLATING_FIXERS.items():
    ftfy.FIXERS[_name] = _skipped_without(ftfy.FIXERS[_name], _table)


def _lossy_sequences_replaced(encoded: bytes) -> bytes:
    """``ftfy.fixes.replace_lossy_sequences``, not run on bytes that hold neither ``\\x1a`` nor
    ``?``: every alternative of ftfy's ``LOSSY_UTF8_RE`` holds one of them.

    ftfy runs the substitution on a mojibake segment's bytes each time it tries a sloppy
    encoding (~35 us on a line of 600 characters); two byte searches answer for most lines.

    >>> _lossy_sequences_replaced(b"caf\\xc3\\xa9"), _lossy_sequences_replaced(b"\\xe2\\x80\\x1a")
    (b'caf\\xc3\\xa9', b'\\xef\\xbf\\xbd')
    """
    if b"\x1a" not in encoded and b"?" not in encoded:
        return encoded
    return _replace_lossy_sequences(encoded)


_replace_lossy_sequences = ftfy.fixes.replace_lossy_sequences
_lossy_sequences_replaced.__wrapped__ = _replace_lossy_sequences  # type: ignore[attr-defined]
ftfy.fixes.replace_lossy_sequences = _lossy_sequences_replaced


def unchanged_by_ftfy(segment: str, config: ftfy.TextFixerConfig) -> bool:
    """True when ``ftfy.fix_and_explain(segment, config)`` would return ``segment`` with no steps.

    >>> unchanged_by_ftfy("Zoë Kravitz in Kraków: 東京", TEXT_CONFIG)
    True
    >>> unchanged_by_ftfy("AT&T", TEXT_CONFIG), unchanged_by_ftfy("AT&amp;T", TEXT_CONFIG)
    (True, False)
    >>> unchanged_by_ftfy("cafÃ©", TEXT_CONFIG), unchanged_by_ftfy("ﬁne", TEXT_CONFIG)
    (False, False)
    """
    if CANNOT_CHANGE.fullmatch(segment):
        return True
    if MAY_NEED_A_FIXER.search(segment):
        return False
    if "&" in segment and config.unescape_html and HTML_ENTITY_RE.search(segment):
        return False
    if config.normalization and not unicodedata.is_normalized(config.normalization, segment):
        return False
    return not (config.fix_encoding and looks_bad(segment))


def explain_fixes(explanation: list[tuple[str, str]] | None) -> list[str]:
    """Turn ftfy's step list into short names, e.g. ``mojibake:utf-8/sloppy-windows-1252``."""
    names: list[str] = []
    encoded_as: str | None = None
    for action, parameter in explanation or []:
        if action == "encode":
            encoded_as = parameter
        elif action == "decode" and encoded_as is not None:
            names.append(f"mojibake:{parameter}/{encoded_as}")
            encoded_as = None
        elif action in ("apply", "normalize", "transcode"):
            names.append(parameter if action == "apply" else f"{action}:{parameter}")
    return names


def fix_unicode(text: str, config: ftfy.TextFixerConfig = TEXT_CONFIG) -> tuple[str, list[str]]:
    """``ftfy.fix_text`` (same segments, same config), keeping the explanations, and skipping
    the segments ftfy cannot change.

    >>> fix_unicode("plain line\\nItâ€™s\\n")
    ('plain line\\nIt’s\\n', ['mojibake:utf-8/sloppy-windows-1252'])
    """
    fixed: list[str] = []
    fixes: list[str] = []
    position = 0
    while position < len(text):  # the segmentation of ftfy.fix_text: lines, cut at max_decode_length
        end = text.find("\n", position) + 1 or len(text)
        end = min(end, position + config.max_decode_length)
        segment = text[position:end]
        position = end
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)  # as fix_text: markup, so entities are text
        if unchanged_by_ftfy(segment, config):
            fixed.append(segment)
            continue
        text_fixed, names = _fix_segment(segment, config)
        fixed.append(text_fixed)
        for name in names:
            if name not in fixes:
                fixes.append(name)
    return "".join(fixed), fixes


_FIXED_SEGMENTS: Remembered[tuple[str, ftfy.TextFixerConfig], tuple[str, list[str]]] = Remembered(2048)


def _fix_segment(segment: str, config: ftfy.TextFixerConfig) -> tuple[str, list[str]]:
    """ftfy's fix of one segment and its fixes' names, remembered: a damaged boilerplate line or
    a reprinted paragraph comes back (15% of the segments ftfy repairs in a news corpus)."""

    def fix() -> tuple[str, list[str]]:
        result = ftfy.fix_and_explain(segment, config)
        return result.text, explain_fixes(result.explanation)

    return _FIXED_SEGMENTS.get_or((segment, config), fix)


def without_invisible(text: str) -> str:
    """``text`` without :data:`INVISIBLE_CHARACTERS`: a plain search and a replace per character, since
    ``str.translate`` looks every character up in its table (~0.4 ms on a 5 KB text in another
    alphabet than Latin-1, where these take a few microseconds).

    >>> without_invisible("soft\u00adware\u200b")
    'software'
    """
    for character in INVISIBLE_CHARACTERS:
        if character in text:
            text = text.replace(character, "")
    return text


def normalize_line(line: str) -> str:
    """Whitespace as written: no invisible characters, single spaces, no edge spaces."""
    return SPACES_TO_COLLAPSE.sub(" ", without_invisible(line)).strip()


def _repair(text: str, extracted: bool) -> tuple[list[str], list[str], list[str]]:
    """Returns the fixed lines (spacing kept), the same lines normalized, and the fixes."""
    # Exotic spaces become plain ones before ftfy, else "Â\t" survives ftfy, turns into "Â " and is
    # read as mojibake on a second pass. Non-breaking and repeated spaces are kept: tag lists are
    # sometimes separated by nothing else.
    text = OTHER_SPACES.sub(" ", text)
    config = EXTRACTED_CONFIG if extracted else TEXT_CONFIG
    # Lines end before ftfy sees them, so a second run judges the same lines as the first.
    line_endings = "\r" in text
    if line_endings:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    fixed, fixes = fix_unicode(text, config)
    repaired = False
    for _ in range(MAX_PASSES - 1):
        # ftfy can leave text that it would fix on a second look ("\x8cß" -> "Œß" -> "Χ"):
        # repair until nothing changes, so that repairing clean output is a no-op.
        if fixed == text:
            break
        repaired = True
        text = fixed
        fixed, more = fix_unicode(text, config)
        fixes.extend(name for name in more if name not in fixes)
    if "\r" in fixed:  # ftfy turned something into a carriage return
        fixed = fixed.replace("\r\n", "\n").replace("\r", "\n")
        line_endings = True
    if line_endings:
        fixes.append("line_endings")
    invisible = any(character in fixed for character in INVISIBLE_CHARACTERS)
    if invisible:
        fixes.append("invisible_characters")
    if EMAIL_PROTECTED.search(fixed):
        fixed = EMAIL_PROTECTED.sub(EMAIL_PLACEHOLDER, fixed)
        fixes.append("email_protected")
    fixed = unicodedata.normalize("NFC", fixed)
    raw_lines = fixed.split("\n")
    # normalize_line of every line, its substitutions made once over the whole text: neither an
    # invisible character nor a space run reaches across a line break.
    if invisible:  # neither the e-mail placeholder nor NFC adds or removes one
        fixed = without_invisible(fixed)
    # A run to collapse holds two spaces or a space character other than " ". All of those but the
    # no-break space became " " before ftfy, and NFC makes none: two plain searches find any run
    # (a tenth of the substitution's time when there is none), and a text ftfy changed is searched
    # for the others too (half of it).
    if "  " in fixed or "\u00a0" in fixed or (repaired and OTHER_SPACES.search(fixed)):
        fixed = SPACES_TO_COLLAPSE.sub(" ", fixed)
    spaced = fixed.split("\n")
    return (
        raw_lines,
        [_normalized(*pair, config, fixes) for pair in zip(raw_lines, spaced, strict=True)],
        fixes,
    )


def _normalized(line: str, spaced: str, config: ftfy.TextFixerConfig, fixes: list[str]) -> str:
    """The normalized line (``spaced``: the line with its spaces collapsed), fixed again if
    normalizing changed it: ftfy judges a line with its edge spaces ("\xa0×²" stays, "×²" is
    mojibake), and a second run must not find more to fix."""
    normalized = spaced.strip()
    if normalized == line or normalized.isascii():
        return normalized
    again, more = fix_unicode(normalized, config)
    fixes.extend(name for name in more if name not in fixes)
    return normalize_line(unicodedata.normalize("NFC", again))


def repair_text(text: str, extracted: bool = False) -> tuple[str, list[str]]:
    """Fix a whole text; returns the text (lines normalized, blank runs kept) and the fixes."""
    _, lines, fixes = _repair(text, extracted)
    return "\n".join(lines).strip("\n"), fixes


def repair(doc: Document) -> None:
    """Stage: repair ``doc.text`` and split it into blocks (one per non-empty line)."""
    if doc.failed:
        return
    raw_lines, lines, fixes = _repair(doc.text, extracted=doc.format == "html")
    for fix in fixes:
        doc.add_fix(fix)
    pairs = [(line, raw) for line, raw in zip(lines, raw_lines, strict=True) if line]
    doc.blocks = [Block(text=line, raw=raw, position=i) for i, (line, raw) in enumerate(pairs)]
    doc.text = "\n".join(lines).strip("\n")
