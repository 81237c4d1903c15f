"""Line-level boilerplate removal: catalog rules plus where a block stands relative to the body.

Most boilerplate sits before the first and after the last paragraph of the article, so the stage
first finds the body: the heaviest run of *anchors* (prose-like blocks no rule matches) that are
close together. Outside it (the header and footer zones) every block goes, named by the catalog
rule that fires or, failing that, by its position. Inside it only rules of zone ``any`` fire, so
a sentence of an article is never cut for mentioning donations or copyright.

>>> one, two, three = (f"Paragraph {n} of the story goes on for a while, as news stories do. " * 2
...                    for n in ("one", "two", "three"))
>>> verdicts = classify(["Menu", one, "Subhead", two, "Advertisement", three, "Leave a Reply"])
>>> [(v.keep, v.category) for v in verdicts]  # doctest: +NORMALIZE_WHITESPACE
[(False, 'navigation'), (True, None), (True, None), (True, None), (False, 'advertisement'),
 (True, None), (False, 'comment_prompt')]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from .body import (
    ZoneSettings,
    after_comments,
    after_headline,
    choose_body,
    closing_sentence,
    gain,
    toolbar_links,
)
from .catalog import Catalog, Rule, default_catalog
from .document import Document, Removal
from .edges import list_after_colon, table_after_body
from .language import stoplist_for
from .layout import copies_of_other_blocks, gallery_captions, printed_twice_in

BOX_HEADINGS = frozenset({"related_heading"})  # the links under one inside a body go with it

__all__ = ["Verdict", "ZoneSettings", "classify", "strip_boilerplate"]


@dataclass
class Verdict:
    keep: bool
    category: str | None = None
    rule: str | None = None
    zone: str = "body"
    fields: dict[str, str] = field(default_factory=dict)


def _named_edges(hits: Sequence[tuple[Rule, re.Match[str]] | None]) -> tuple[int, int]:
    """For text an extractor already cut to the article: the header and footer are only the
    leading and trailing blocks that some rule names."""
    first = 0
    while first < len(hits) and hits[first] is not None:
        first += 1
    last = len(hits) - 1
    while last >= first and hits[last] is not None:
        last -= 1
    return first, last


def classify(
    texts: Sequence[str],
    catalog: Catalog | None = None,
    settings: ZoneSettings | None = None,
    extracted: bool = False,
) -> list[Verdict]:
    """A verdict for every block: keep it, or remove it with a category and a rule.

    ``extracted``: the text is an extractor's main text (HTML), so its extent is trusted: only
    blocks named by rules go, and inside it, like in any body, related boxes, galleries and
    paragraphs printed twice.
    """
    catalog = catalog or default_catalog()
    settings = settings or ZoneSettings()
    edge_hits = [catalog.search(text, at_edge=True) for text in texts]
    gallery = gallery_captions(texts)
    stoplist = stoplist_for(texts)
    gains = [gain(text, hit, settings, stoplist) for text, hit in zip(texts, edge_hits, strict=True)]
    if extracted:
        first, last = _named_edges(edge_hits)
    else:
        for index in copies_of_other_blocks(texts):
            gains[index] = min(gains[index], -settings.gap_penalty)
        for index in gallery:  # neither prose nor a sign that the story has ended
            gains[index] = min(gains[index], 0.0)
        gains = after_comments(toolbar_links(edge_hits, gains, settings))
        body = choose_body(texts, edge_hits, gains, settings)
        body = after_headline(texts, edge_hits, gains, settings, stoplist, body)
        body = list_after_colon(texts, edge_hits, gains, body)
        body = table_after_body(texts, edge_hits, body)
        body = closing_sentence(texts, edge_hits, body, settings, stoplist)
        first, last = body if body else (len(texts), len(texts) - 1)
    verdicts: list[Verdict] = []
    in_box = False  # after a "Related" heading inside the body, until prose resumes
    printed_twice = printed_twice_in(texts, first, last)
    for index, (text, hit) in enumerate(zip(texts, edge_hits, strict=True)):
        zone = "header" if index < first else "footer" if index > last else "body"
        if zone == "body":
            hit = catalog.search(text, at_edge=False) if hit and hit[0].zone != "any" else hit
            in_box = (in_box and gains[index] <= 0) or bool(hit and hit[0].id in BOX_HEADINGS)
            if hit is None:  # prose of the story, unless the page's layout put it there
                layout = (
                    ("caption", "gallery") if index in gallery
                    else ("related_links", "related_box") if in_box
                    else ("caption", "printed_twice") if index in printed_twice
                    else None
                )  # fmt: skip
                verdicts.append(Verdict(False, *layout, zone) if layout else Verdict(keep=True))
                continue
        if hit is not None:
            rule, found = hit
            fields = {k: v for k, v in found.groupdict().items() if v}
            verdicts.append(Verdict(False, rule.category, rule.id, zone, fields))
        else:
            # Unnamed header lines are menus; unnamed footer lines are mostly links to other stories.
            category = "navigation" if zone == "header" or len(text.split()) <= 4 else "related_links"
            verdicts.append(
                Verdict(False, category, f"{'before' if zone == 'header' else 'after'}_body", zone)
            )
    return verdicts


def strip_boilerplate(
    doc: Document,
    catalog: Catalog | None = None,
    settings: ZoneSettings | None = None,
    kept_categories: Collection[str] = (),
) -> None:
    """Stage: remove boilerplate blocks from ``doc.blocks``, recording each removal.

    Blocks whose verdict names a category in ``kept_categories`` stay (a user who wants captions).
    """
    if doc.failed or not doc.blocks:
        return
    verdicts = classify([b.text for b in doc.blocks], catalog, settings, extracted=doc.format == "html")
    kept = []
    for block, verdict in zip(doc.blocks, verdicts, strict=True):
        if verdict.keep or verdict.category in kept_categories:
            kept.append(block)
        else:
            doc.removed.append(
                Removal(
                    verdict.category or "",
                    verdict.rule or "",
                    block.text,
                    verdict.zone,
                    verdict.fields,
                    block.raw,
                    block.position,
                )
            )
    doc.blocks = kept
