"""Properties of the whole per-document pipeline on arbitrary text."""

import sys
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleancorp import clean_text
from cleancorp.language import WORD, comparison_key, stoplist_for, words_of
from cleancorp.repair import repair_text

from .conftest import every_character_in_runs

SENTENCES = st.sampled_from(
    [
        "The council voted on Monday to approve the plan for the new bridge across the river.",
        "Officials said the work would begin in the spring and take about two years to finish.",
        "Leave a Reply",
        "Advertisement",
        "Share this story on Facebook and Twitter, and forward it to your friends.",
        "By Maria Okafor | 2020-03-04",
        "Tags: city, bridge, council",
        "Menu",
        "Residents who live near the site told reporters that they welcome the project.",
        "*",
        "Related Articles",
        "Copyright 2020 Coastal Herald. All rights reserved.",
    ]
)
DOCUMENTS = st.one_of(
    st.lists(SENTENCES, min_size=1, max_size=25).map("\n\n".join),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_nothing_is_lost(text):
    """Every block of the repaired input is either in the body or listed as removed."""
    doc = clean_text(text)
    if doc.failed:
        return
    repaired, _ = repair_text(text)
    blocks = Counter(line for line in repaired.split("\n") if line)
    accounted = Counter(b.text for b in doc.blocks) + Counter(r.text for r in doc.removed)
    assert accounted == blocks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_cleaning_the_output_again_changes_nothing(text):
    first = clean_text(text)
    if first.failed or not first.blocks:
        return
    again = clean_text(first.body)
    # Title and byline were removed the first time; prose blocks survive a second pass unchanged.
    assert again.body == first.body or set(again.body.split("\n\n")) <= set(first.body.split("\n\n"))


# News text in other languages than English: words with accents, curly quotes and dashes next to
# them, an underscore, a no-break space, characters that lowercasing makes ASCII or longer.
NEWS_PIECES = st.sampled_from(
    [
        "Die ",
        "Ärzte",
        " für ",
        "naïve_ok",
        "“Zoë”",
        "don’t",
        " — ",
        "…",
        "\u00a0",
        "K",
        "İ",
        "ΣΑΣ",
        "2019",
        ", ",
    ]
)


@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text() | st.lists(NEWS_PIECES).map("".join))
def test_words_of_finds_the_words_the_word_pattern_finds(text):
    """The shortcuts of words_of (ASCII, other characters that are no word characters) split
    exactly where ``\\w+`` does."""
    assert words_of(text) == WORD.findall(text.lower())


def test_words_of_agrees_with_the_word_pattern_on_every_character():
    for text in every_character_in_runs():
        assert words_of(text) == WORD.findall(text.lower()), text


SPACED_TEXT = st.lists(
    st.text(max_size=8) | st.sampled_from([" ", "  ", "\u00a0", "\u2003", "\t", "\x1c", "\u3000", "ﬁ", "Ｂ"]),
    max_size=12,
).map("".join)


@given(SPACED_TEXT | st.text())
def test_comparison_key_is_the_folded_text_single_spaced(text):
    """Its shortcut (a printable, single-spaced text is returned as folded) gives the plain key."""
    plain = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    comparison_key.cache_clear()
    assert comparison_key(text) == plain


def test_no_printable_character_but_the_space_is_whitespace():
    """What comparison_key's shortcut relies on, over every code point."""
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert [space for space in spaces if space.isprintable()] == [" "]
    assert all(
        len(f"a{chr(code)}b".split()) == 1 for code in range(sys.maxunicode + 1) if chr(code) not in spaces
    )


def _stoplist_by_full_counts(words: list[str]) -> frozenset[str]:
    """stoplist_for as first written: every language's ratio over all the words."""
    from cleancorp.language import ENGLISH_MIN_RATIO, _counts_by_language, _languages, _ratio, _stoplist

    lowered = " ".join(words).lower().split()
    best, best_ratio = _stoplist("English"), _ratio(lowered, _stoplist("English"))
    if best_ratio >= ENGLISH_MIN_RATIO or not lowered:
        return best
    for language, count in zip(_languages(), _counts_by_language(lowered), strict=True):
        if count / len(lowered) > best_ratio:
            best, best_ratio = _stoplist(language), count / len(lowered)
    return best


MIXED_WORDS = st.sampled_from(
    ["the", "of", "and", "der", "und", "la", "que", "dan", "yang", "Menu", "2019", "news"]
)


@settings(deadline=None)  # the first call loads every stoplist
@given(st.lists(MIXED_WORDS, max_size=60))
def test_stoplist_for_picks_what_counting_every_word_picks(words):
    assert stoplist_for(words) == _stoplist_by_full_counts(words)


SPACING = st.sampled_from([" ", "  ", "\n", "\t", " \x1c", "\r\n", "\xa0", "\u3000", "\u2028"])
ODD_WORDS = st.sampled_from(["ΟΔΟΣ", "ΣΑΣ", "İstanbul", "the’s", "Ü"])


@settings(deadline=None)  # the first call loads every stoplist
@given(
    st.lists(
        st.tuples(MIXED_WORDS | ODD_WORDS | st.text(alphabet="tTheofΣ", max_size=4), SPACING), max_size=60
    )
)
@example([("the", "\n")] + [("yang", "\n")] * 19)  # not English: lines are words too
def test_stoplist_for_a_text_picks_what_counting_every_word_picks(pieces):
    text = "".join(word + space for word, space in pieces)
    assert stoplist_for(text) == _stoplist_by_full_counts(text.split())
    assert stoplist_for(text.strip()) == _stoplist_by_full_counts(text.split())


@settings(deadline=None)  # the first call loads every stoplist
@given(st.lists(st.lists(MIXED_WORDS | ODD_WORDS, max_size=12).map(" ".join), max_size=12))
@example(["the of and", "yang dan", "yang dan yang", "Menu 2019 yang dan yang dan"])
@example(["", "  ", "the"])
def test_stoplist_for_blocks_picks_what_counting_every_word_picks(blocks):
    """A page's blocks, as ``classify`` passes them: the English shortcut reads only the first ones."""
    assert stoplist_for(blocks) == _stoplist_by_full_counts(" ".join(blocks).split())
