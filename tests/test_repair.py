import itertools
import json
import re

import ftfy
import ftfy.bad_codecs
import ftfy.fixes
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import example, given
from hypothesis import strategies as st

from cleancorp.repair import (
    BADNESS_REACH,
    EXTRACTED_CONFIG,
    INVISIBLE_CHARACTERS,
    TEXT_CONFIG,
    TRANSLATING_FIXERS,
    fix_unicode,
    looks_bad,
    normalize_line,
    repair_text,
)

from .conftest import DATA, RAW

CASES = json.loads((DATA / "repair_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_repairs(case):
    text, fixes = repair_text(case["in"])
    assert text == case["out"]
    for fix in case["fixes"]:
        assert fix in fixes


def test_mojibake_copy_of_a_seed_repairs_to_the_original():
    original = (RAW / "004_e21098fcdc1863f3.txt").read_text(encoding="utf-8")
    damaged = original.encode("utf-8").decode("sloppy-windows-1252")
    assert repair_text(damaged)[0] == repair_text(original)[0]


RISKY = "’‘“”–—…&<>;#x0123456789abcdefÂÃâ€™©®éèçÐÑ¿¡\x1b\x85\x92\u200b\ufb01\uff21\r\n\t \xa0"


def plain_ftfy(text, config=TEXT_CONFIG):
    """ftfy.fix_text as ftfy ships it: with its own is_bad and fixers, not the ones cleancorp
    hands it."""
    handed_is_bad, handed_fixers = ftfy.is_bad, dict(ftfy.FIXERS)
    handed_lossy = ftfy.fixes.replace_lossy_sequences
    ftfy.is_bad = is_bad
    ftfy.FIXERS.update({name: ftfy.FIXERS[name].__wrapped__ for name in TRANSLATING_FIXERS})
    ftfy.fixes.replace_lossy_sequences = handed_lossy.__wrapped__
    try:
        return ftfy.fix_text(text, config._replace(explain=False))
    finally:
        ftfy.is_bad = handed_is_bad
        ftfy.FIXERS.update(handed_fixers)
        ftfy.fixes.replace_lossy_sequences = handed_lossy


FIXED_BY_TRANSLATION = sorted(chr(code) for table in TRANSLATING_FIXERS.values() for code in table)


@given(st.text(alphabet=st.sampled_from([*FIXED_BY_TRANSLATION, "a", " ", "é", "\n"])) | st.text())
def test_translating_fixers_skip_only_texts_they_would_leave_alone(text):
    for name in TRANSLATING_FIXERS:
        handed = ftfy.FIXERS[name]
        assert handed is not handed.__wrapped__ and handed(text) == handed.__wrapped__(text)


# Bytes that LOSSY_UTF8_RE's alternatives are made of: lead and continuation bytes, 0x1a and "?".
LOSSY_BYTES = [b"\x1a", b"?", b" ", b"a", b"\x80", b"\xa0", b"\xbf", b"\xc2", b"\xc3", b"\xdf", b"\xe0",
               b"\xe2", b"\xed", b"\xef", b"\xf0", b"\xf4"]  # fmt: skip


@given(st.lists(st.sampled_from(LOSSY_BYTES)).map(b"".join) | st.binary())
@example(b"\xe2\x80\x1a")
@example(b"\xc3?")
def test_lossy_sequences_are_skipped_only_where_ftfy_would_replace_nothing(data):
    handed = ftfy.fixes.replace_lossy_sequences
    assert handed is not handed.__wrapped__ and handed(data) == handed.__wrapped__(data)


def test_ftfy_asks_looks_bad_and_gets_its_own_answers():
    assert ftfy.is_bad is looks_bad
    texts = [line for text in corpus_texts() for line in text.splitlines()]
    assert sum(map(is_bad, texts)) > 100
    assert [line for line in texts if looks_bad(line) != is_bad(line)] == []


PIECES = st.lists(st.sampled_from([*RISKY, "&amp;", "&quot;", "It’s", "Itâ€™s", "cafÃ©", "plain words "]))


@given(st.text() | st.text(alphabet=RISKY) | PIECES.map("".join))
@example("Tom &amp; Jerry\n<p>x</p>\nTom &amp; Jerry\n")  # after markup, fix_text leaves entities alone
def test_fast_path_output_is_exactly_ftfy_fix_text(text):
    """Segments skipped as 'nothing ftfy could change' must be exactly what ftfy would return."""
    assert fix_unicode(text)[0] == plain_ftfy(text)
    assert fix_unicode(text, EXTRACTED_CONFIG)[0] == plain_ftfy(text, EXTRACTED_CONFIG)


def corpus_texts():
    """Every text the tests ship (seeds, article pages, a generated corpus) and mojibake copies."""
    for path in sorted([*RAW.glob("*.txt"), *(DATA / "corpus_small" / "raw").rglob("*.txt")]):
        text = path.read_text(encoding="utf-8")
        yield text
        yield text.encode("utf-8").decode("sloppy-windows-1252")
        yield text.encode("utf-8").decode("latin-1")


def test_fast_path_equals_ftfy_fix_text_on_real_texts():
    texts = list(corpus_texts())
    assert len(texts) > 100
    for text in texts:
        assert fix_unicode(text)[0] == plain_ftfy(text)


@given(st.text())
@example("\xa0×²")  # ftfy fixed "×²" only once the edge space was gone: a second run changed it
@example("\x80\r\x8cß")  # ftfy turns "\x8cß" into "Œß", which it reads as mojibake the next time
def test_repair_is_idempotent(text):
    once = repair_text(text)[0]
    assert repair_text(once)[0] == once


@given(st.text())
def test_normalized_lines_have_no_edge_or_double_spaces(text):
    line = normalize_line(text.replace("\n", " "))
    assert line == line.strip()
    assert "  " not in line


SPACES = " \t\u00a0\u1680\u2000\u2005\u200a\u202f\u205f\u3000"


@given(st.text() | st.text(alphabet=SPACES + "ab\u200b\u2060\ufeff\u180e\u00ad"))
def test_normalize_line_collapses_every_run_of_spaces_as_one_plain_pattern_does(text):
    """Only runs that change are replaced; the result is the plain definition's."""
    plain = re.sub(
        "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+",
        " ",
        text.translate(dict.fromkeys(map(ord, INVISIBLE_CHARACTERS))),
    ).strip()
    assert normalize_line(text) == plain


def _characters(category: str) -> set[str]:
    """The characters of one of ftfy's categories (regex class contents, with ranges)."""
    ranges = re.findall(r"(.)-(.)", category, re.S)
    spans = {chr(c) for a, b in ranges for c in range(ord(a), ord(b) + 1)}
    return spans | set(re.sub(r"(.)-(.)", "", category, flags=re.S))


# Every character ftfy's badness regex names, and the plain ones its patterns mention.
BADNESS_ALPHABET = sorted(
    set().union(*map(_characters, MOJIBAKE_CATEGORIES.values())) | set("aZz .,?!1\n—’ΒΓΞΟВГРСÂÃÎÐØÙà√≈‚Ђ×²€°")
)


def test_looks_bad_agrees_with_ftfy_on_every_pair_of_its_characters():
    pairs = [a + b for a in BADNESS_ALPHABET for b in BADNESS_ALPHABET]
    assert len(pairs) > 100_000
    assert [p for p in pairs if looks_bad(p) != is_bad(p)] == []


def test_badness_reach_covers_the_longest_match_of_ftfys_regex():
    longest = re._parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags).getwidth()[1]
    assert longest - 1 <= BADNESS_REACH


def test_looks_bad_agrees_with_ftfy_on_every_pair_of_its_characters_further_in():
    """The same pairs after a prefix longer than the reach, whose last characters some of ftfy's
    patterns start with (a letter, a space, punctuation): the regex starts there, not at 0."""
    texts = ["Plain words, z " + a + b for a in BADNESS_ALPHABET for b in BADNESS_ALPHABET]
    assert [t for t in texts if looks_bad(t) != is_bad(t)] == []


@given(st.text(alphabet=st.sampled_from(BADNESS_ALPHABET), min_size=8))
def test_looks_bad_agrees_with_ftfy_on_texts_of_its_characters(text):
    assert looks_bad(text) == is_bad(text)


def test_looks_bad_agrees_with_ftfy_on_every_triple_of_representative_characters():
    """Three-character patterns (a capital with an accent between a letter and a sign) too: the
    first, middle and last characters of each of ftfy's categories and the plain ones it names."""
    alphabet = set("aZz .,?!1\n—’ΒΓΞΟВГРСÂÃÎÐØÙà√≈‚Ђ×²€°µŸŠž¡")
    for category in MOJIBAKE_CATEGORIES.values():
        characters = sorted(_characters(category))
        alphabet |= {characters[0], characters[len(characters) // 2], characters[-1]}
    triples = ["".join(triple) for triple in itertools.product(sorted(alphabet), repeat=3)]
    assert len(triples) > 300_000
    assert [t for t in triples if looks_bad.__wrapped__(t) != is_bad(t)] == []


@given(st.text(alphabet=BADNESS_ALPHABET, min_size=3) | st.text())
def test_looks_bad_agrees_with_ftfy(text):
    assert looks_bad(text) == is_bad(text)


def test_looks_bad_agrees_with_ftfy_on_real_lines():
    lines = [line for text in corpus_texts() for line in text.split("\n")]
    assert sum(map(is_bad, lines)) > 100
    assert [line for line in lines if looks_bad(line) != is_bad(line)] == []


def test_a_remembered_segment_is_fixed_and_explained_as_the_first_time():
    from cleancorp import repair

    repair._FIXED_SEGMENTS.clear()
    first = fix_unicode("Itâ€™s here\nItâ€™s here\n")
    assert len(repair._FIXED_SEGMENTS) == 1  # the second line was answered from memory
    assert (
        first
        == fix_unicode("Itâ€™s here\n" * 2)
        == ("It’s here\n" * 2, ["mojibake:utf-8/sloppy-windows-1252"])
    )


def _normalized_line_by_line(line, config):
    """How each line was normalized before the substitutions ran once over the whole text."""
    import unicodedata

    normalized = normalize_line(line)
    if normalized == line or normalized.isascii():
        return normalized
    again, _ = fix_unicode(normalized, config)
    return normalize_line(unicodedata.normalize("NFC", again))


# With mojibake that ftfy repairs into spaces (a thin space, a no-break space) and lines it repairs twice.
SPACY = (
    st.text(alphabet="ab \t\xa0\u2003\u3000\u200b\xad\n×²Ã©")
    | st.lists(
        st.sampled_from(["a", " ", "  ", "\n", "â€‰", "Â\xa0", "Ã‚Â\xa0", "\x8cß", "\u200b", "Ã©"])
    ).map("".join)
    | st.text()
)


@given(SPACY, st.booleans())
@example("Prices rose 5â€‰% in May", False)  # ftfy repairs the mojibake into a thin space
@example("Itâ€™s  here\u00a0now\u200b", False)
def test_lines_normalized_over_the_whole_text_as_line_by_line(text, extracted):
    from cleancorp.repair import _repair

    raw_lines, lines, _ = _repair(text, extracted)
    config = EXTRACTED_CONFIG if extracted else TEXT_CONFIG
    assert lines == [_normalized_line_by_line(line, config) for line in raw_lines]
