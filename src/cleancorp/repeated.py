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

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .catalog import Catalog, default_catalog
from .document import Block, Document, PackedBlocks, PackedRemovals, Removal, Status
from .index import Sightings
from .language import block_key


@dataclass(frozen=True)
class RepeatSettings:
    min_clusters: int = 4  # distinct stories a short block must recur in to count as boilerplate
    long_words: int = 15  # from this many words on, a block is a sentence ...
    long_min_clusters: int = 6  # ... and must recur in this many stories
    enabled: bool = True


# Per-story lines: recurring ones are the same byline or title, not site boilerplate.
NOT_EVIDENCE = frozenset({"title", "duplicate_title", "byline"})


def key_of(part: Block | Removal) -> int:
    """The block key of a block or removal: the one the worker stored, or made now."""
    return part.key or block_key(part.text)


def make_keys(doc: Document) -> None:
    """Store every block's and removal's key (in the worker: the corpus stages, serial, only read
    them, and packed blocks need not be decoded to be counted)."""
    for part in (*doc.blocks, *doc.removed):
        part.key = block_key(part.text)


def block_keys(blocks: Sequence[Block]) -> Sequence[int]:
    """The keys of ``blocks``, in order."""
    if isinstance(blocks, PackedBlocks) and 0 not in (keys := blocks.keys()):
        return keys
    return [key_of(block) for block in blocks]


def removal_evidence(removed: Iterable[Removal]) -> list[int]:
    """The keys of the removals that count as evidence: per-story lines and blocks removed for
    recurring (this stage's own verdicts) aside."""
    return [key_of(r) for r in removed if r.category not in NOT_EVIDENCE and r.rule != "repeated"]


def evidence_keys(doc: Document) -> tuple[Sequence[int], Sequence[int]]:
    """The blocks of ``doc`` that count as evidence: its body's, and those of what cleaning removed
    from it (kept apart: a packed document's are two arrays, which extend another at once)."""
    removed = (
        doc.removed.evidence if isinstance(doc.removed, PackedRemovals) else removal_evidence(doc.removed)
    )
    return block_keys(doc.blocks), removed


def count_clusters(
    docs: Iterable[Document],
    earlier: Callable[[Iterable[int]], Mapping[int, set[str]]] | None = None,
    at_least: int = 1,
) -> dict[int, int]:
    """In how many clusters (stories) each block was seen, for the blocks seen in at least
    ``at_least``: in this run's kept and duplicate documents, and in the stories ``earlier`` gives
    for their blocks.

    A run sees about a million (block, story) pairs: numpy sorts them and counts each block's
    distinct stories, where a dict entry per block took a Python call per pair.

    >>> docs = [Document(id=i, source="", cluster=c, blocks=[Block(t, "") for t in ts])
    ...         for i, c, ts in (("a", "a", ["Menu", "One"]), ("b", "a", ["Menu"]), ("c", "c", ["Menu"]))]
    >>> count_clusters(docs) == {block_key("Menu"): 2, block_key("One"): 1}
    True
    >>> count_clusters(docs, lambda keys: {block_key("One"): {"x", "a"}}, at_least=2) == {
    ...     block_key("Menu"): 2, block_key("One"): 2}
    True
    """
    sightings = Sightings()
    for doc in docs:
        if doc.status in (Status.KEPT, Status.DUPLICATE) and doc.cluster:
            for part in evidence_keys(doc):
                sightings.add(part, doc.cluster)
    seen = np.frombuffer(sightings.keys, dtype=np.uint64)
    story = np.frombuffer(sightings.story_of_key, dtype=np.int64)
    stories = sightings.stories
    order = np.lexsort((story, seen))
    seen, story = seen[order], story[order]
    distinct = np.ones(len(seen), dtype=bool)  # each (block, story) pair once
    distinct[1:] = (seen[1:] != seen[:-1]) | (story[1:] != story[:-1])
    seen, story = seen[distinct], story[distinct]
    first = np.ones(len(seen), dtype=bool)  # sorted already: where each block's run of stories starts
    first[1:] = seen[1:] != seen[:-1]
    starts = np.flatnonzero(first)
    blocks, counts = seen[starts], np.diff(np.r_[starts, len(seen)])
    enough = counts >= at_least
    found = dict(zip(blocks[enough].tolist(), counts[enough].tolist(), strict=True))
    if earlier is not None:
        for key, known in earlier(blocks.tolist()).items():
            place = int(np.searchsorted(blocks, np.uint64(key)))  # not a float: 2**63 - 1 would round up
            here = {stories[n] for n in story[starts[place] : starts[place] + counts[place]].tolist()}
            count = len(here | known)
            if count >= at_least:
                found[key] = count
    return found


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
    fewest = min(settings.min_clusters, settings.long_min_clusters)
    recurring = count_clusters(docs, earlier, at_least=fewest)  # a block seen in fewer always stays
    removed = 0
    for doc in docs:
        if doc.status not in (Status.KEPT, Status.DUPLICATE):
            continue
        keys = block_keys(doc.blocks)
        if recurring.keys().isdisjoint(keys):
            continue  # nothing here recurs enough: the blocks need not be read
        counts = [recurring.get(key, 0) for key in keys]
        kept: list[Block] = []
        repeated: list[Removal] = []
        for block, count in zip(doc.blocks, counts, strict=True):
            needed = (
                settings.long_min_clusters
                if len(block.text.split()) >= settings.long_words
                else settings.min_clusters
            )
            category = _category(block.text, catalog) if count >= needed else None
            if category is not None and category not in kept_categories:
                fields = {"count": str(count)}
                repeated.append(
                    Removal(category, "repeated", block.text, fields=fields, raw=block.raw,
                            position=block.position, key=block.key)
                )  # fmt: skip
            else:
                kept.append(block)
        if repeated:  # untouched documents stay as they are (maybe packed)
            doc.blocks = PackedBlocks(kept) if isinstance(doc.blocks, PackedBlocks) else kept
            doc.removed = [*doc.removed, *repeated]
            doc.signed = None  # it was made from the body before
            removed += len(repeated)
    return removed
