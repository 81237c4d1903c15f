"""Blocks a page prints for its layout rather than its story: galleries and copies.

A page prints a photo's caption under it and again in its gallery, its lede as a summary and
again as the first paragraph, and sometimes the whole article once more in its metadata. These
functions find such blocks by the page's own structure (numbered counters, repeated text), not by
their words, so they work in any language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .language import comparison_key

PRINTED_TWICE_MIN_CHARS = 40
PRINTED_TWICE_MAX_RUN = 2
PRINTED_TWICE_MAX_TEXTS = 3


COPY_MIN_CHARS = 600  # only a long block can be the page's blocks printed again as one
COPY_PART_MIN_CHARS = 60
COPY_SHARE = 0.5
COPY_MAX_COMPARISONS = 100_000  # a book of long paragraphs is not a web page printing itself twice


def copies_of_other_blocks(texts: Sequence[str]) -> list[int]:
    """Blocks that mostly repeat other blocks of the page run together: the article body a page
    prints again in its metadata (``articleBody``), a teaser that strings paragraphs together.

    >>> paragraphs = [f"Paragraph {n} of the story says what happened on the day. " * 4 for n in (1, 2, 3)]
    >>> copies_of_other_blocks([*paragraphs, "Menu", " ".join(paragraphs)])
    [4]
    """
    if not any(len(text) >= COPY_MIN_CHARS for text in texts):
        return []  # most pages: no block long enough to be the others printed again
    parts = [(i, comparison_key(t)) for i, t in enumerate(texts) if len(t) >= COPY_PART_MIN_CHARS]
    if sum(len(t) >= COPY_MIN_CHARS for t in texts) * len(parts) > COPY_MAX_COMPARISONS:
        return []
    copies = []
    for index, text in enumerate(texts):
        if len(text) < COPY_MIN_CHARS:
            continue
        whole = comparison_key(text)
        covered = sum(
            len(part) for other, part in parts if other != index and len(part) < len(whole) and part in whole
        )
        if covered >= COPY_SHARE * len(whole):
            copies.append(index)
    return copies


GALLERY_COUNTER = re.compile(
    r"^(?:(?:image|photo|picture|slide)s?\s+)?(\d{1,3})\s+(?:of|/)\s+/?\s*(\d{1,3})\b", re.I
)


def gallery_captions(texts: Sequence[str]) -> set[int]:
    """A photo gallery's counters ("Image 2 of 5", "2 of 4 A shopper looks at ...") and the
    caption right after a bare counter. Only when two counters of one gallery number its photos:
    a sentence may start "1 of 4 voters".

    >>> gallery_captions(["Story.", "Image 1 of 2", "A lander.", "Image 2 of 2", "A rover.", "More."])
    {1, 2, 3, 4}
    >>> gallery_captions(["1 of 4 voters said no.", "The rest said yes."])
    set()
    """
    counters: dict[int, list[tuple[int, int]]] = {}
    for index, text in enumerate(texts):
        found = GALLERY_COUNTER.match(text)
        if found and 0 < int(found[1]) <= int(found[2]):
            counters.setdefault(int(found[2]), []).append((index, int(found[1])))
    captions: set[int] = set()
    for numbered in counters.values():
        if len({number for _, number in numbered}) < 2:
            continue
        for index, _ in numbered:
            captions.add(index)
            bare = GALLERY_COUNTER.match(texts[index])
            if bare and bare.end() >= len(texts[index].rstrip()) and index + 1 < len(texts):
                captions.add(index + 1)
    return captions


def printed_twice_in(texts: Sequence[str], first: int, last: int) -> set[int]:
    """Blocks of the body printed again further down it, one or two in a row: a photo's caption
    under it and again in its gallery, a lede printed as the summary and again as the story's
    first paragraph. The last copy stays, as the story's own. A longer run of copies is the page
    printing the whole story twice, which the scrape may well mean to keep."""
    seen: set[str] = set()
    copies = []
    for index in range(last, first - 1, -1):
        text = texts[index]
        if len(text) >= PRINTED_TWICE_MIN_CHARS and text in seen and not text.rstrip().endswith("?"):
            copies.append(index)  # an interview asks each guest the same question: that stays
        seen.add(text)
    if len({texts[index] for index in copies}) > PRINTED_TWICE_MAX_TEXTS:
        return set()  # a meal plan or a table repeats its rows: a structure, not stray copies
    runs: list[list[int]] = []
    for index in copies:
        if runs and runs[-1][-1] == index + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return {index for run in runs if len(run) <= PRINTED_TWICE_MAX_RUN for index in run}
