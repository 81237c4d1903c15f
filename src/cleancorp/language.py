"""Stopword density, the strongest single sign that a line is prose (jusText's stoplists).

>>> english = stoplist_for("The cat sat on the mat and looked at the door of the house.".split())
>>> round(stopword_ratio("the results of the vote were announced", english), 2)
0.71
>>> stopword_ratio("Sport Weather iPlayer Lorem", english)
0.0
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

import justext
import xxhash

WORD = re.compile(r"\w+")  # the words of words_of, which finds them faster (tests hold it to this)
# Chinese and Japanese are written without spaces: about two characters make a word.
LETTER = re.compile(r"[^\W\d_]")
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
UNSPACED_CHARS_PER_WORD = 2
# Below this share of English stopwords a document is probably in another language, and the
# other stoplists are tried.
ENGLISH_MIN_RATIO = 0.15


@cache
def _stoplist(language: str) -> frozenset[str]:
    return frozenset(word.strip(".,;:!?") for word in justext.get_stoplist(language))


@cache
def _languages() -> tuple[str, ...]:
    return tuple(sorted(justext.get_stoplists()))


def _ratio(words: Sequence[str], stoplist: frozenset[str]) -> float:
    return sum(map(stoplist.__contains__, words)) / len(words) if words else 0.0


def stoplist_for(words: Sequence[str] | str) -> frozenset[str]:
    """The stoplist of the language whose stopwords are densest in ``words`` (lowercased here):
    whitespace-separated words, or texts holding several (a page's blocks), or one text.

    >>> stoplist_for(["Die Regierung hat am Montag", "die neue Regel für alle Schulen beschlossen."]) == (
    ...     stoplist_for("Die Regierung hat am Montag die neue Regel für alle Schulen beschlossen."))
    True
    """
    pieces = [words] if isinstance(words, str) else words
    english = _stoplist("English")
    if _english_from_the_start(pieces, english):
        return english
    lowered = " ".join(pieces).lower().split()
    if not lowered:
        return english
    english_ratio = _ratio(lowered, english)
    if english_ratio >= ENGLISH_MIN_RATIO:
        return english
    best, best_ratio = english, english_ratio
    for language, count in zip(_languages(), _counts_by_language(lowered), strict=True):
        if count / len(lowered) > best_ratio:  # the first of equals in alphabetical order
            best, best_ratio = _stoplist(language), count / len(lowered)
    return best


def _english_from_the_start(pieces: Sequence[str], english: frozenset[str]) -> bool:
    """Whether the English stopwords of the first pieces alone make the ratio of all the words pass.

    Most pages are English and do, a third of the way in: the rest is not lowercased and split.
    The pieces' word counts bound how many words there are from above (every stage counts a
    block's words, and remembers them), so the ratio of all the words cannot be lower.
    """
    needed = ENGLISH_MIN_RATIO * sum(map(count_words, pieces))
    found = 0
    for piece in pieces:
        found += sum(map(english.__contains__, piece.lower().split()))
        if found >= needed:
            return True
    return False


# A block's words are counted and keyed by several stages; the same text objects come back while one
# document is classified, so a small cache saves most of the repeated scans.
@lru_cache(maxsize=4096)
def count_words(text: str) -> int:
    """Words in ``text``, counting unspaced scripts (Chinese, Japanese) at two characters a word.

    >>> count_words("The council met on Monday"), count_words("先日、不正に改造したiPhoneを販売した")
    (5, 8)
    """
    unspaced = len(UNSPACED.findall(text))
    spaced = len(text.split())
    return spaced + unspaced // UNSPACED_CHARS_PER_WORD if unspaced else spaced


def is_unspaced(text: str) -> bool:
    """Mostly Chinese or Japanese: no stoplist applies, so stopword tests are skipped."""
    if not UNSPACED.search(text):
        return False
    letters = len(LETTER.findall(text))
    return bool(letters) and len(UNSPACED.findall(text)) * 2 >= letters


@lru_cache(maxsize=4096)
def comparison_key(text: str) -> str:
    """``text`` as compared for sameness: compatibility forms, case and spacing folded.

    >>> comparison_key("Storm  hits ＣＯＡＳＴ") == comparison_key("storm hits coast")
    True
    >>> comparison_key(" Storm\\u00a0hits\\tthe coast ")
    'storm hits the coast'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _single_spaced(folded):  # a repaired block nearly always is: splitting and joining it again is
        return folded  # most of the cost
    return " ".join(folded.split())


def _single_spaced(text: str) -> bool:
    """Whether ``" ".join(text.split()) == text``. Every whitespace character but the space is
    unprintable (categories Zs, Zl, Zp and Cc), so a printable text has no other.

    >>> _single_spaced("one two"), _single_spaced("one  two"), _single_spaced("one\\u2003two")
    (True, False, False)
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def block_key(text: str) -> int:
    """A block's 64-bit name for corpus evidence and the index: its :func:`comparison_key`, hashed.

    >>> block_key("Follow us on  Twitter") == block_key("FOLLOW US ON TWITTER")
    True
    """
    return xxhash.xxh64_intdigest(comparison_key(text).encode())


# ASCII bytes that are not word characters (\w) become spaces: on ASCII text, splitting after this
# translation gives WORD.findall's words at a third of the cost (most news paragraphs are ASCII).
_ASCII_WORD_BYTES = bytes(code if chr(code).isalnum() or code == ord("_") else 32 for code in range(128))
_ASCII_WORD_BYTES += bytes(range(128, 256))


# Characters outside ASCII that are no word characters (\w): the ASCII range is tested first, as
# nearly every character of a news paragraph is in it.
OTHER_NON_WORD_CHAR = re.compile(r"[^\x00-\x7f\w]")


def words_of(text: str) -> list[str]:
    """Lowercased words (runs of word characters), the unit of every ratio here.

    Splitting after bytes.translate made every ASCII character that is no word character a space
    gives ``WORD.findall``'s words at a third of its cost; the other characters that are no word
    characters (curly quotes, dashes, the no-break space) are made spaces first.

    >>> words_of("Don't stop_now: 3.5%"), words_of("Ça va, “Zoë”—naïve_ok?")
    (['don', 't', 'stop_now', '3', '5'], ['ça', 'va', 'zoë', 'naïve_ok'])
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered.encode().translate(_ASCII_WORD_BYTES).decode().split()
    spaced = OTHER_NON_WORD_CHAR.sub(" ", lowered)
    return (
        spaced.encode("utf-8", "surrogatepass")
        .translate(_ASCII_WORD_BYTES)
        .decode("utf-8", "surrogatepass")
        .split()
    )


def stopword_ratio(text: str | list[str], stoplist: frozenset[str]) -> float:
    return _ratio(words_of(text) if isinstance(text, str) else text, stoplist)


@cache
def _languages_by_word() -> dict[str, tuple[int, ...]]:
    index: dict[str, list[int]] = {}
    for number, language in enumerate(_languages()):
        for word in _stoplist(language):
            index.setdefault(word, []).append(number)
    return {word: tuple(numbers) for word, numbers in index.items()}


def best_stopword_ratio(text: str | list[str]) -> float:
    """The stopword ratio of ``text`` in the language that gives the highest one.

    For a block in another language than the rest of its page (an Indonesian brief in an English
    outlet's template). One pass over the words with an index from word to languages.

    >>> round(best_stopword_ratio("Islam sudah sempurna sejak wafatnya Nabi dan ini adalah"), 2) > 0.25
    True
    """
    words = words_of(text) if isinstance(text, str) else text
    if not words:
        return 0.0
    return max(_counts_by_language(words)) / len(words)


def _counts_by_language(words: Sequence[str]) -> list[int]:
    """How many of ``words`` are stopwords, per language of ``_languages()``: one pass."""
    counts = [0] * len(_languages())
    index = _languages_by_word()
    for word in words:
        for number in index.get(word, ()):
            counts[number] += 1
    return counts
