"""Where an article's body is on a page of plain text: the heaviest run of prose-like blocks.

Anchors (prose-like blocks no rule names) gain their length, other blocks cost a penalty, and the
span with the largest total is the body (``find_body``). Around that: comment sections end a body,
list pages are read as lists, and a page's headline tells which story is the page's own.

>>> find_body([300.0, -60.0, 300.0, -400.0, 100.0])
(0, 2)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .catalog import Hits, Rule
from .edges import trim_teasers
from .language import (
    UNSPACED,
    best_stopword_ratio,
    comparison_key,
    count_words,
    is_unspaced,
    stopword_ratio,
    words_of,
)
from .memo import Remembered

LIST_ITEM_MIN_WORDS = 3
UNSPACED_WEIGHT = 3
LIST_BYLINE_REACH = 4  # blocks from the byline to the first row of a list body
INLINE = frozenset({"advertisement"})  # named blocks that stand inside a list as inside prose
COMMENTS_AFTER_PROSE = 350  # prose (chars) before a comment section can begin; news-train: 250/350/500
# How sentences end, in Latin, Chinese and Japanese, Devanagari and Bengali (danda), Arabic and
# Urdu, Armenian, Ethiopic, Burmese and Khmer script.
SENTENCE_END = ".!?…。！？।॥؟۔։።။។"
CLOSERS = "\"'”’»)]」』）"  # what may follow a sentence's end: quotes, brackets
TERMINAL = re.compile(rf"""[{SENTENCE_END}][{re.escape(CLOSERS)}]*$|[.!?]\s*\[\d+\]$""")


def ends_a_sentence(text: str) -> bool:
    """``TERMINAL.search(text)``, read off the end of the text: the regular expression tries
    every position of a paragraph (~7 us), where stripping the closing quotes and brackets and
    looking at the last character costs a fraction of that. A text ending in a bracket (maybe a
    footnote mark, "said so.[3]") or a newline goes to the regular expression.

    >>> ends_a_sentence('He said so.”'), ends_a_sentence("Sports | Weather"), ends_a_sentence("as noted.[12]")
    (True, False, True)
    """
    if text.endswith(("]", "\n")):
        return TERMINAL.search(text) is not None
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


SEPARATOR_PENALTY = 10.0  # "* * *" breaks a story into scenes more often than it ends one


def _fitted() -> dict[str, Any]:
    return tomllib.loads(resources.files("cleancorp").joinpath("data/zones.toml").read_text(encoding="utf-8"))


_FITTED = _fitted()


@dataclass(frozen=True)
class ZoneSettings:
    """How the body is found. The defaults live in ``data/zones.toml``; ``benchmarks/fit_zones.py``
    fits them on ``bench/news-train`` and tells why the shipped ones are not that optimum."""

    anchor_min_words: int = _FITTED["anchor_min_words"]  # this long and ending like a sentence: prose
    anchor_long_words: int = _FITTED["anchor_long_words"]  # this long: prose however it ends
    min_stopword_ratio: float = _FITTED["min_stopword_ratio"]  # menus, tag lists, code: few stopwords
    gap_penalty: float = _FITTED["gap_penalty"]  # cost of a non-prose block inside the body (chars)
    rule_penalty: float = _FITTED["rule_penalty"]  # cost of a block an "any" rule removes (inline ads)
    edge_rule_penalty: float = _FITTED["edge_rule_penalty"]  # cost of a block an "edge" rule names
    item_min_words: int = _FITTED["item_min_words"]  # a non-prose block this long is a list item ...
    item_penalty: float = _FITTED["item_penalty"]  # ... and costs less to bridge
    list_share: float = _FITTED["list_share"]  # prose under this share of a list body: a list article
    list_item_max_chars: int = _FITTED["list_item_max_chars"]  # one long row must not make a list
    max_capitalized_share: float = _FITTED["max_capitalized_share"]  # above, unended: a menu in title case


CASED_WORD = re.compile(r"\b[^\W\d_][\w'’-]*")


def capitalized_share(text: str) -> float:
    """Share of the words that start with a capital: a menu or a list of names, in title case.

    >>> capitalized_share("Local Teams Baltimore Ravens Maryland Football Navy Men's Basketball")
    1.0
    >>> round(capitalized_share("The mayor said on Friday that the bridge will open in May."), 2)
    0.25
    """
    words = CASED_WORD.findall(text)
    cased = [w for w in words if w[0].lower() != w[0].upper()]
    return sum(w[0].isupper() for w in cased) / len(cased) if cased else 0.0


ITEM_SEPARATOR = re.compile(r"\s[|•·]\s")


def is_item_row(text: str, min_items: int = 4, max_item_words: float = 12) -> bool:
    """Headlines or links joined by ``|``, ``•`` or ``·`` into one line: a list, however long.

    >>> is_item_row("Epic makes room for testers | Win tickets | Turok demo is out | Duke Nukem confirmed?")
    True
    >>> is_item_row("He said the vote was 5 | 4, then left.")
    False
    """
    if min_items > 1 and "|" not in text and "•" not in text and "·" not in text:
        return False  # one item: three plain searches, where the pattern stops at every space
    items = ITEM_SEPARATOR.split(text)
    return len(items) >= min_items and count_words(text) / len(items) <= max_item_words


def prose_words(text: str) -> list[str]:
    """The words whose share of stopwords tells prose from a menu: numbers left out, so that a
    sentence full of scores ("6-4, 7-6 (2)") or figures is not diluted into a list.

    >>> prose_words("Haase and Rojer won 6-4, 7-6 (2) in 2019")
    ['haase', 'and', 'rojer', 'won', 'in']
    """
    words = words_of(text)
    if text.isascii() and not ASCII_DIGIT.search(text):  # most paragraphs: no number to leave out
        return words
    return [word for word in words if not word.isdigit()]


ASCII_DIGIT = re.compile("[0-9]")


def is_anchor(text: str, settings: ZoneSettings, stoplist: frozenset[str]) -> bool:
    """Prose that can anchor a body: long enough, not a menu or a list of items, with the
    stopwords of running text (answers are remembered, as paragraphs and footers come back)."""
    return _ANCHOR_ANSWERS.get_or((text, settings, stoplist), lambda: _is_anchor(text, settings, stoplist))


_ANCHOR_ANSWERS: Remembered[tuple[str, ZoneSettings, frozenset[str]], bool] = Remembered(8192)


def _is_anchor(text: str, settings: ZoneSettings, stoplist: frozenset[str]) -> bool:
    words = count_words(text)
    if words < settings.anchor_min_words:
        return False
    sentence = ends_a_sentence(text)
    # An anchor is long or ends a sentence: a short line that does not is no anchor, whatever its
    # words (a menu or a headline, most of a page's short lines), and need not be read further.
    if not sentence and words < settings.anchor_long_words:
        return False
    if not sentence and capitalized_share(text) > settings.max_capitalized_share:
        return False
    if is_item_row(text):
        return False
    return (
        is_unspaced(text)
        or stopword_ratio(tokens := prose_words(text), stoplist) >= settings.min_stopword_ratio
        or best_stopword_ratio(tokens) >= settings.min_stopword_ratio
    )


def find_body(gains: Sequence[float]) -> tuple[int, int] | None:
    """The span with the largest total gain that starts and ends on a positive block (Kadane).

    Anchors gain their length; other blocks cost a penalty, so a few short lines between two
    paragraphs are bridged while a long run of menu items is not. ``-inf`` is a hard boundary.
    """
    best: tuple[int, int] | None = None
    best_total = 0.0
    start, total = -1, 0.0
    for index, gain in enumerate(gains):
        if start < 0 or total + gain <= 0:
            if gain <= 0:
                start, total = -1, 0.0
                continue
            start, total = index, 0.0
        total += gain
        if gain > 0 and total > best_total:
            best, best_total = (start, index), total
    return best


def prose_weight(text: str) -> int:
    """Characters, a Chinese or Japanese one counting as three: an English word of five letters
    and a space says about what two of them say, so a paragraph weighs the same in either.

    >>> prose_weight("Kindle for PC"), prose_weight("困ったもの")
    (13, 15)
    """
    return len(text) + (UNSPACED_WEIGHT - 1) * len(UNSPACED.findall(text))


def gain(
    text: str, hit: tuple[Rule, re.Match[str]] | None, settings: ZoneSettings, stoplist: frozenset[str]
) -> float:
    if hit is None:
        if is_anchor(text, settings, stoplist):
            return float(prose_weight(text))
        if count_words(text) >= settings.item_min_words:
            return -settings.item_penalty
        return -settings.gap_penalty
    if hit[0].boundary:
        return float("-inf")
    if hit[0].category == "separator":
        return -SEPARATOR_PENALTY
    return -settings.rule_penalty if hit[0].zone == "any" else -settings.edge_rule_penalty


def toolbar_links(hits: Hits, gains: list[float], settings: ZoneSettings) -> list[float]:
    """A comment marker with share buttons on both sides ("Twitter", "Comments", "Print") is a
    link in the article's toolbar, not the start of a comment section: it costs a rule's penalty
    instead of ending the body. (After a toolbar and before the comments it is their heading.)"""

    def shares(index: int) -> bool:
        return (
            0 <= index < len(hits) and hits[index] is not None and hits[index][0].category == "share_prompt"
        )

    return [
        -settings.rule_penalty if gain == float("-inf") and shares(i - 1) and shares(i + 1) else gain
        for i, gain in enumerate(gains)
    ]


def after_comments(gains: list[float]) -> list[float]:
    """Comment sections only follow an article: past the first boundary that has prose before
    it, nothing can be the body (a long reader's comment must not outweigh a short story)."""
    prose = 0.0
    for index, gain in enumerate(gains):
        if gain == float("-inf") and prose >= COMMENTS_AFTER_PROSE:
            return gains[:index] + [float("-inf")] * (len(gains) - index)
        prose += max(gain, 0.0)
    return gains


def _list_gains(texts: Sequence[str], hits: Hits, settings: ZoneSettings) -> list[float]:
    """Gains that read a page as a list or a table (results, a menu plan, specifications): any
    unnamed block of a few words counts, up to a cap, starting after the byline when there is one."""
    bylines = [i for i, hit in enumerate(hits) if hit and hit[0].category == "byline"]
    start = bylines[0] + 1 if bylines and bylines[0] < len(texts) / 2 else 0
    gains = []
    for index, (text, hit) in enumerate(zip(texts, hits, strict=True)):
        if index < start:
            gains.append(float("-inf"))
        elif hit is None:
            is_item = count_words(text) >= LIST_ITEM_MIN_WORDS
            gains.append(
                float(min(len(text), settings.list_item_max_chars)) if is_item else -settings.gap_penalty
            )
        else:
            gains.append(gain(text, hit, settings, frozenset()))
    return gains


def _ends_at_footer(span: tuple[int, int], texts: Sequence[str], hits: Hits) -> bool:
    """Whether only short unnamed blocks stand between the span and a block some rule names: the
    site's footer follows, not more links to other stories or the unknown end of a page."""
    after = span[1] + 1
    while after < len(texts) and hits[after] is None and count_words(texts[after]) < LIST_ITEM_MIN_WORDS:
        after += 1
    return after < len(texts) and hits[after] is not None


def choose_body(
    texts: Sequence[str],
    hits: Hits,
    prose_gains: Sequence[float],
    settings: ZoneSettings,
) -> tuple[int, int] | None:
    """The prose body, or the list body around it when the page is a list with a little prose.

    A list body is taken only when it starts right after a byline, ends where the footer starts,
    holds the prose body, crosses no named block but inline ads (a "Most read" heading between
    two lists), and the prose weighs under ``list_share`` of it: a results table with
    one sentence-like row, a recipe plan, a feature list. Link lists next to a short story fail
    the footer test, so they stay out.
    """
    prose = trim_teasers(texts, prose_gains, find_body(prose_gains))
    list_gains = _list_gains(texts, hits, settings)
    listed = find_body(list_gains)
    if prose is None or listed is None:
        return prose or listed
    byline_end = max((i for i in range(listed[0]) if list_gains[i] == float("-inf")), default=None)
    # Right after the byline, or after a photo and a heading or two ("GIRLS BASKETBALL").
    after_byline = byline_end is not None and listed[0] - byline_end <= LIST_BYLINE_REACH
    holds_prose = listed[0] <= prose[0] and prose[1] <= listed[1]
    unbroken = all(hit is None or hit[0].category in INLINE for hit in hits[listed[0] : listed[1] + 1])
    if not (after_byline and holds_prose and unbroken and _ends_at_footer(listed, texts, hits)):
        return prose
    prose_weight = sum(gain for gain in prose_gains[prose[0] : prose[1] + 1] if gain > 0)
    list_weight = sum(gain for gain in list_gains[listed[0] : listed[1] + 1] if gain > 0)
    return listed if prose_weight < settings.list_share * list_weight else prose


CLOSING_MIN_WORDS = 5


def closing_sentence(
    texts: Sequence[str],
    hits: Hits,
    body: tuple[int, int] | None,
    settings: ZoneSettings,
    stoplist: frozenset[str],
) -> tuple[int, int] | None:
    """The body and the short sentence right after it: a story's last line, too short to weigh
    as prose on its own ("No charges have been laid.", "The art was not damaged in the fire.").

    On news-train, such a sentence (five words or more, no rule names it, it starts with a
    capital and ends like a sentence, reads like prose, is not in title case) was the story's
    on all 13 pages that had one; the same test before a body picks up deks and calls to action.

    >>> texts = ["The fire started in the museum's basement on Sunday.", "The art was not damaged."]
    >>> stoplist = frozenset({"the", "was", "not", "in", "on"})
    >>> closing_sentence(texts, [None, None], (0, 0), ZoneSettings(), stoplist)
    (0, 1)
    """
    if body is None or body[1] + 1 >= len(texts) or hits[body[1] + 1] is not None:
        return body
    text = texts[body[1] + 1]
    is_sentence = (
        text[:1].isupper()
        and ends_a_sentence(text)
        and count_words(text) >= CLOSING_MIN_WORDS
        and "|" not in text
        and capitalized_share(text) <= settings.max_capitalized_share
        and stopword_ratio(text, stoplist) >= settings.min_stopword_ratio
    )
    return (body[0], body[1] + 1) if is_sentence else body


TITLE_SEPARATOR = re.compile(r"\s+[-–—|:»·]\s+|\s*\|\s*")
HEADLINE_MIN_WORDS = 3
HEADLINE_REACH = 8  # blocks from the headline to the first paragraph of its story


def headline_index(texts: Sequence[str]) -> int | None:
    """Where the page title (a scraper's first line) is printed again as the story's headline.

    >>> headline_index(["Storm hits coast - Daily News", "Menu", "Storm hits coast", "The storm ..."])
    2
    """
    if not texts or not HEADLINE_MIN_WORDS <= count_words(texts[0]) <= 40:
        return None
    parts = TITLE_SEPARATOR.split(texts[0])
    variants = {
        comparison_key(texts[0]),
        comparison_key(" - ".join(parts[:-1])),
        comparison_key(" - ".join(parts[1:])),
        comparison_key(parts[0]),
    }
    variants = {v for v in variants if len(v.split()) >= HEADLINE_MIN_WORDS}
    return next((i for i in range(1, len(texts)) if comparison_key(texts[i]) in variants), None)


def _span_from(gains: Sequence[float], start: int) -> tuple[int, int]:
    """The heaviest span that starts at ``start``."""
    best_end, total, best_total = start, 0.0, float("-inf")
    for index in range(start, len(gains)):
        total += gains[index]
        if total == float("-inf"):
            break
        if total > best_total:
            best_end, best_total = index, total
    return start, best_end


def after_headline(
    texts: Sequence[str],
    hits: Hits,
    gains: list[float],
    settings: ZoneSettings,
    stoplist: frozenset[str],
    body: tuple[int, int] | None,
) -> tuple[int, int] | None:
    """The story under the page's headline, when it names the headline's words better than the
    heaviest span does (teasers of other stories above the article, or after it)."""
    headline = headline_index(texts)
    if body is None or headline is None:
        return body
    if body[0] <= headline:
        after = choose_body(texts, hits, [float("-inf")] * (headline + 1) + gains[headline + 1 :], settings)
    else:
        first = next((i for i in range(headline + 1, body[0]) if gains[i] > 0), None)
        after = _span_from(gains, first) if first is not None else None
        if after is not None and after[1] >= body[0]:
            return body  # a lead-in the heaviest span left out for weighing less than it cost
    if after is None or not 0 < after[0] - headline <= HEADLINE_REACH:
        return body
    title_words = set(words_of(texts[headline])) - stoplist

    def named(span: tuple[int, int]) -> int:
        return len(title_words.intersection(words_of(" ".join(texts[span[0] : span[1] + 1]))))

    return after if named(after) > named(body) else body
