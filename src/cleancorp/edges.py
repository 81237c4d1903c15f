"""The ends of a body, once it is found: teasers of other stories cut, an announced list and a
table of results under it kept (the short closing sentence is :func:`cleancorp.body.closing_sentence`).

>>> texts = ["The tour dates:", "June 9 - Tampa", "June 10 - Miami", "June 12 - Atlanta"]
>>> list_after_colon(texts, [None] * 4, [500.0, -20.0, -20.0, -20.0], (0, 0))
(0, 3)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .catalog import Hits
from .language import count_words

SENTENCE_BREAK = re.compile(r"""[.!?…]["'”’)]*\s+["'“‘(]?[A-Z]""")
# A full stop after these ends an abbreviation, not a sentence: "the U.S. Food and Drug
# Administration", "Apple Inc. CEO Steve Jobs", "Tuesday (7:30 p.m. ET)".
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "rev", "st", "mt", "ft", "jr", "sr", "sen", "rep", "gov", "gen", "lt",
    "col", "capt", "cmdr", "sgt", "adm", "supt", "insp", "det", "inc", "corp", "co", "ltd", "bros", "vs",
    "etc", "approx", "dept", "univ", "ave", "blvd", "rd",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})  # fmt: skip
TEASER_MIN_PAIRS = 3
TEASER_MAX_WORDS = 60
HEADLINE_MAX_WORDS = 20


def ends_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``text[stop]`` closes an abbreviation: an initial ("J."), a dotted
    one ("U.S.", "p.m.") or a title or company word ("Dr.", "Inc.").

    >>> ends_abbreviation("the U.S. Food", 7), ends_abbreviation("in 2002. Food", 7)
    (True, False)
    """
    if text[stop] != ".":
        return False
    word = text[:stop].rsplit(None, 1)[-1].lstrip("\"'“‘(") if text[:stop].strip() else ""
    return (len(word) == 1 and word.isalpha()) or "." in word or word.lower() in ABBREVIATIONS


def has_sentence_break(text: str) -> bool:
    """Whether ``text`` holds more than one sentence.

    >>> has_sentence_break("Meat from cloned animals is safe, the U.S. Food and Drug Administration says.")
    False
    >>> has_sentence_break("The vote was close. Mr. Smith won.")
    True
    """
    return any(not ends_abbreviation(text, found.start()) for found in SENTENCE_BREAK.finditer(text))


def _is_teaser_line(text: str, gain_of_block: float) -> bool:
    """One sentence of prose: the summary under a teaser's headline."""
    return gain_of_block > 0 and count_words(text) <= TEASER_MAX_WORDS and not has_sentence_break(text)


def _is_headline_line(text: str, gain_of_block: float) -> bool:
    """Not prose, or a question ("Will banks refuse to follow Bank of Canada rate cut?"): a
    headline long enough to weigh as prose asks rather than tells."""
    return (
        (gain_of_block <= 0 or text.rstrip().endswith("?"))
        and 2 <= count_words(text) <= HEADLINE_MAX_WORDS
        and not text.rstrip().endswith(".")
    )


def _teaser_run(texts: Sequence[str], gains: Sequence[float], walk: Sequence[int], backward: bool) -> int:
    """How many blocks of ``walk`` (from one edge of a body towards the other) a teaser run covers.

    A run is 3+ pairs of a headline and one sentence, possibly with section headings between them,
    and set apart from the prose next to it by a heading or a named block: a roundup of match
    reports (score line, one sentence) that goes straight on from the story is the story.
    """
    first_kind, second_kind = (
        (_is_teaser_line, _is_headline_line) if backward else (_is_headline_line, _is_teaser_line)
    )
    pairs = covered = position = 0
    set_apart = False
    while position < len(walk):
        here = walk[position]
        following = walk[position + 1] if position + 1 < len(walk) else None
        if (
            following is not None
            and first_kind(texts[here], gains[here])
            and second_kind(texts[following], gains[following])
        ):
            pairs, position, covered, set_apart = pairs + 1, position + 2, position + 2, False
        elif gains[here] <= 0:  # a section heading, a "More" link, share buttons
            position, set_apart = position + 1, True
        else:
            break
    return covered if pairs >= TEASER_MIN_PAIRS and set_apart else 0


def trim_teasers(
    texts: Sequence[str], gains: Sequence[float], body: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The body without a run of teasers at either end: headline, one sentence, headline, one
    sentence... (other stories of the site, printed under or over the article)."""
    if body is None:
        return None
    first, last = body
    last -= _teaser_run(texts, gains, range(last, first - 1, -1), backward=True)
    first += _teaser_run(texts, gains, range(first, last + 1), backward=False)
    if (first, last) == body:
        return body
    while first <= last and gains[last] <= 0:
        last -= 1
    while first <= last and gains[first] <= 0:
        first += 1
    return (first, last) if first <= last else body


LIST_AFTER_COLON_MAX_WORDS = 30
LIST_AFTER_COLON_MIN_ITEMS = 2
LIST_INTRO_MIN_WORDS = 3
TABLE_MIN_ROWS = 4


def _row_shape(text: str) -> tuple[bool, ...] | None:
    """Which of a line's first two words hold a digit: "June 9 – Tampa" is (False, True)."""
    words = text.split()[:2]
    shape = tuple(any(ch.isdigit() for ch in word) for word in words)
    return shape if len(shape) == 2 and any(shape) else None


def _numbered_rows(texts: Sequence[str], hits: Hits, gains: Sequence[float], start: int) -> int:
    """How many blocks from ``start`` are rows of one table: unnamed, not prose, and opening
    with the same pattern of numbers ("June 9 – ...", "June 10 – ...")."""
    shape = _row_shape(texts[start]) if start < len(texts) else None
    end = start
    while (
        shape is not None
        and end < len(texts)
        and hits[end] is None
        and gains[end] <= 0
        and _row_shape(texts[end]) == shape
    ):
        end += 1
    openings = {" ".join(text.split()[:2]) for text in texts[start:end]}
    # A table's rows open differently ("June 9", "June 10"); a list of links dated one day does not.
    return end - start if len(openings) * 2 > end - start else 0


def list_after_colon(
    texts: Sequence[str], hits: Hits, gains: Sequence[float], body: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The body and the list its last lines announce: "The tour dates:" then one date a line.

    The announcing line ends with a colon and no rule names it (not "Read more:"); the items are
    short lines no rule names, up to the first prose, named or long block. Without a colon
    ("The Doobie Brothers Tour Dates"), the items must be rows of one table: four or more lines
    that open with the same pattern of numbers.
    """
    if body is None:
        return None
    first, last = body
    intro = last if texts[last].rstrip().endswith(":") else last + 1
    if intro < len(texts) and hits[intro] is None and not texts[intro].rstrip().endswith(":"):
        rows = _numbered_rows(texts, hits, gains, intro + 1)
        return (first, intro + rows) if rows >= TABLE_MIN_ROWS else body
    if (
        intro >= len(texts)
        or hits[intro] is not None
        or not texts[intro].rstrip().endswith(":")
        or count_words(texts[intro]) < LIST_INTRO_MIN_WORDS  # "Bookmark with:" opens share links
    ):
        return body
    end = intro
    while (
        end + 1 < len(texts)
        and hits[end + 1] is None
        and gains[end + 1] <= 0
        and count_words(texts[end + 1]) <= LIST_AFTER_COLON_MAX_WORDS
    ):
        end += 1
    return (first, end) if end - intro >= LIST_AFTER_COLON_MIN_ITEMS else body


DATA_ROW_MIN_NUMBERS = 2
DATA_ROW_MIN_SHARE = 0.25  # of a row's words that hold a digit
TABLE_HEADING_MAX_WORDS = 4  # "3. Shaktiman", "SAN JOSE STATE (1-14)": a short line inside a table
MARKUP = re.compile(r"[<>{}=]")  # a script or an ad's link is full of numbers too


def is_data_row(text: str) -> bool:
    """A row of results or figures: a quarter or more of its words hold a digit.

    >>> is_data_row("Criner, Dellena 4-7 7-8 17; Moore, Shavon 6-6 1-2 13; Ward, Johnna 4-10 1-2 11")
    True
    >>> is_data_row("The council met on Monday, 12 May, and voted 5 to 4 on the plan.")
    False
    """
    words = text.split()
    numbers = sum(any(ch.isdigit() for ch in word) for word in words)
    return (
        numbers >= DATA_ROW_MIN_NUMBERS
        and numbers >= DATA_ROW_MIN_SHARE * len(words)
        and not MARKUP.search(text)
    )


def table_after_body(
    texts: Sequence[str], hits: Hits, body: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The body and the table of results right under it: a race card or a box score, rows of
    figures that no rule names, with short lines (a team, a placing) between them.

    On news-train, every run of four or more such rows after a body was the story's (a race card
    and a basketball box score); links to other stories carry few numbers, scripts are markup.
    """
    if body is None:
        return None
    rows, index, last_row = 0, body[1] + 1, body[1]
    while index < len(texts) and hits[index] is None:
        if is_data_row(texts[index]):
            rows, last_row = rows + 1, index
        elif count_words(texts[index]) > TABLE_HEADING_MAX_WORDS:
            break
        index += 1
    return (body[0], last_row) if rows >= TABLE_MIN_ROWS else body
