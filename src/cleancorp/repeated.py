"""Corpus evidence: a block that recurs in several *different* stories is its site's boilerplate.

Each near-duplicate cluster counts once, so the paragraphs of a story reprinted five times are
not mistaken for a footer. Long blocks need more clusters than short ones: a sentence quoted by
three different stories is still prose, a footer recurs on every page of its site.

>>> docs = [Document(id=f"d{i}", source="", cluster=f"d{i}") for i in range(4)]
>>> for i, doc in enumerate(docs):
...     doc.blocks = [Block(f"Story number {i} is about something else entirely.", ""),
...                   Block("Levant Review - News and analysis since 2004", "")]
>>> remove_repeated(docs, RepeatSettings(min_clusters=3))
4
>>> [r.rule for r in docs[0].removed], [b.text[:12] for b in docs[0].blocks]
(['repeated'], ['Story number'])
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import xxhash

from .catalog import Catalog, default_catalog
from .document import Block, Document, PackedBlocks, Removal, Status


@dataclass(frozen=True)
class RepeatSettings:
    min_clusters: int = 4  # distinct stories a short block must recur in to count as boilerplate
    long_words: int = 15  # from this many words on, a block is a sentence ...
    long_min_clusters: int = 6  # ... and must recur in this many stories
    enabled: bool = True


@lru_cache(maxsize=1 << 16)  # a run asks for the same blocks' keys several times
def block_key(text: str) -> int:
    """Blocks are compared case-folded, NFKC, spaces collapsed."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return xxhash.xxh64_intdigest(folded.encode())


# Per-story lines: recurring ones are the same byline or title, not site boilerplate.
NOT_EVIDENCE = frozenset({"title", "duplicate_title", "byline"})


def evidence_texts(doc: Document) -> list[str]:
    """The blocks of ``doc`` that count as evidence: its body and what cleaning removed from it."""
    removed = [r.text for r in doc.removed if r.category not in NOT_EVIDENCE and r.rule != "repeated"]
    return [block.text for block in doc.blocks] + removed


Stories = str | set[str]  # the one cluster a block was seen in (most blocks), or several


def count_clusters(docs: Iterable[Document]) -> dict[int, Stories]:
    """For every block seen: the clusters (stories) it appears in.

    A block seen in one story (nearly all of them) costs a dict entry, not a set: this map
    holds every block of the run.
    """
    clusters: dict[int, Stories] = {}
    for doc in docs:
        if doc.status in (Status.KEPT, Status.DUPLICATE) and doc.cluster:
            for text in evidence_texts(doc):
                _add(clusters, block_key(text), doc.cluster)
    return clusters


def _add(clusters: dict[int, Stories], key: int, cluster: str) -> None:
    seen = clusters.setdefault(key, cluster)
    if isinstance(seen, set):
        seen.add(cluster)
    elif seen != cluster:
        clusters[key] = {seen, cluster}


def _count(stories: Stories | None) -> int:
    return 0 if stories is None else 1 if isinstance(stories, str) else len(stories)


def _category(text: str, catalog: Catalog) -> str:
    found = catalog.search(text, at_edge=True)
    if found:
        return found[0].category
    return "navigation" if len(text.split()) <= 4 else "related_links"


def remove_repeated(
    docs: list[Document],
    settings: RepeatSettings | None = None,
    catalog: Catalog | None = None,
    kept_categories: Collection[str] = (),
    earlier: Callable[[Iterable[int]], Mapping[int, set[str]]] | None = None,
) -> int:
    """Remove blocks that recur across enough clusters; returns how many blocks went.

    ``earlier`` gives, for block keys, the stories earlier runs saw them in (the index).
    """
    settings = settings or RepeatSettings()
    if not settings.enabled:
        return 0
    catalog = catalog or default_catalog()
    clusters = count_clusters(docs)
    if earlier is not None:
        for key, stories in earlier(list(clusters)).items():
            for story in stories:
                _add(clusters, key, story)
    removed = 0
    for doc in docs:
        if doc.status not in (Status.KEPT, Status.DUPLICATE):
            continue
        kept: list[Block] = []
        repeated: list[Removal] = []
        for block in doc.blocks:
            count = _count(clusters.get(block_key(block.text)))
            needed = (
                settings.long_min_clusters
                if len(block.text.split()) >= settings.long_words
                else settings.min_clusters
            )
            category = _category(block.text, catalog) if count >= needed else None
            if category is not None and category not in kept_categories:
                removal = Removal(category, "repeated", block.text, "body", {"count": str(count)}, block.raw)
                removal.position = block.position
                repeated.append(removal)
            else:
                kept.append(block)
        if repeated:  # untouched documents stay as they are (maybe packed)
            doc.blocks = PackedBlocks(kept) if isinstance(doc.blocks, PackedBlocks) else kept
            doc.removed = [*doc.removed, *repeated]
            removed += len(repeated)
    return removed
