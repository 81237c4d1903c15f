"""Metadata from text: the title, byline, date, tags and source credit the boilerplate stage cut.

>>> parse_date("January 19, 2020")
'2020-01-19'
>>> parse_date("19 Jan. 2020 at 10:15 GMT")
'2020-01-19'
>>> parse_date("sexta-feira, 22 de outubro de 2010 às 20:13"), parse_date("3. März 2019")
('2010-10-22', '2019-03-03')
>>> parse_date("12 juin 2019"), parse_date("12 juillet 2019"), parse_date("5 février 2020")
('2019-06-12', '2019-07-12', '2020-02-05')
>>> split_tags("Al Qaeda\\u00a0 Syria")
['Al Qaeda', 'Syria']
"""

from __future__ import annotations

import re
from datetime import date as Date

from .catalog import default_catalog
from .document import Document, Removal
from .language import comparison_key

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    # The first three letters of the months in Portuguese, Spanish, French, German and Italian.
    "fev": 2, "fév": 2, "mär": 3, "abr": 4, "avr": 4, "mai": 5, "mag": 5, "giu": 6,
    "lug": 7, "ago": 8, "aoû": 8, "set": 9, "out": 10, "okt": 10, "ott": 10, "dez": 12,
    "déc": 12, "dic": 12, "ene": 1, "gen": 1,
}  # fmt: skip
# "juin" and "juillet" share "jui": the fourth letter tells them apart.
_JUI = {"juin": 6, "juil": 7}
_MONTH_DAY_YEAR = re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I)
_DAY_MONTH_YEAR = re.compile(
    r"(\d{1,2})\.?(?:st|nd|rd|th)?\s+(?:de\s+)?([^\W\d_]{3}[^\W\d_]?)[^\W\d_]*\.?,?\s+(?:de\s+)?(\d{4})", re.I
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_TAG_SEPARATORS = re.compile(r"\s*[,;|•·]\s*|\u00a0\s*|\s{2,}|\t")
# Header lines that cannot be a headline.
_NOT_TITLE_CATEGORIES = {"navigation", "related_links"}
TITLE_MIN_WORDS = 3
TITLE_MAX_WORDS = 30


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``; numeric ``a/b/yyyy`` is read month first
    unless that is impossible."""
    for pattern, order in (
        (_ISO, "ymd"),
        (_MONTH_DAY_YEAR, "mdy"),
        (_DAY_MONTH_YEAR, "dmy"),
        (_SLASHED, "mdy"),
    ):
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        word = parts["m"].lower()
        month = int(word) if word.isdigit() else _JUI.get(word[:4]) or MONTHS.get(word[:3])
        day, year = int(parts["d"]), int(parts["y"])
        if pattern is _SLASHED and month and month > 12:
            month, day = day, month
        try:
            return Date(year, month or 0, day).isoformat()
        except ValueError:
            continue
    return None


def split_tags(raw: str) -> list[str]:
    """Tags separated by commas, semicolons, pipes, bullets, or wide gaps in the source."""
    return [tag for tag in (t.strip(" .") for t in _TAG_SEPARATORS.split(raw.strip())) if tag]


def _title_candidate(removal: Removal) -> bool:
    words = len(removal.text.split())
    return (
        removal.zone == "header"
        and removal.rule in ("before_body", "title")
        and TITLE_MIN_WORDS <= words <= TITLE_MAX_WORDS
        and not removal.text.rstrip().endswith(":")
    )


def choose_title(removed: list[Removal]) -> int | None:
    """Index of the headline among the removed header blocks.

    The headline is the candidate right before the byline when there is one, else the last
    candidate before the body (menus come first, the headline closest to the text).
    """
    header = [(i, r) for i, r in enumerate(removed) if r.zone == "header"]
    candidates = [i for i, r in header if _title_candidate(r)]
    if not candidates:
        return None
    bylines = [i for i, r in header if r.category == "byline"]
    if bylines:
        before = [i for i in candidates if i < bylines[0]]
        if before:
            return before[-1]
    chosen = candidates[-1]
    # A headline printed twice: the first copy is the title, the others duplicates.
    for i in candidates:
        if comparison_key(removed[i].text) == comparison_key(removed[chosen].text):
            return i
    return chosen


def _rule_tags(removal: Removal) -> list[str]:
    """Tags from the raw block, whose spacing may be the only separator between them."""
    found = default_catalog().search(removal.raw or removal.text, at_edge=True)
    raw_tags = found[1].groupdict().get("tags") if found else None
    return split_tags(raw_tags or removal.fields.get("tags", ""))


def extract_metadata(doc: Document) -> None:
    """Stage: fill ``doc.meta`` from removed blocks; mark the title and its duplicates."""
    if doc.failed:
        return
    meta = doc.meta
    if meta.title is None:
        index = choose_title(doc.removed)
        if index is not None:
            doc.removed[index].category = doc.removed[index].rule = "title"
            meta.title = doc.removed[index].text
    if meta.title:
        title_key = comparison_key(meta.title)
        seen_title = False
        for removal in doc.removed:
            if comparison_key(removal.text) == title_key:
                if seen_title or removal.category != "title":
                    removal.category = removal.rule = "duplicate_title"
                seen_title = True
        duplicates = [b for b in doc.blocks if comparison_key(b.text) == title_key]
        for block in duplicates:
            doc.removed.append(
                Removal(
                    "duplicate_title",
                    "duplicate_title",
                    block.text,
                    "body",
                    raw=block.raw,
                    position=block.position,
                )
            )
        if duplicates:
            doc.blocks = [b for b in doc.blocks if comparison_key(b.text) != title_key]
    for removal in doc.removed:
        fields = removal.fields
        if "author" in fields and not meta.author:
            meta.author = fields["author"].strip(" ,.|-")
        if "date" in fields and not meta.date:
            meta.date = parse_date(fields["date"])
        if removal.category == "tags" and not meta.tags:
            meta.tags = _rule_tags(removal)
        if "credit" in fields and not meta.source_credit:
            meta.source_credit = fields["credit"].strip()
