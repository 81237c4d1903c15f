"""The stages chained: per-document cleaning, then the corpus stages (repeated blocks, dedup).

>>> story = "The council voted on Monday to approve the plan for the new bridge. " * 3
>>> doc = clean_text("Big News Today\\n\\n" + story + "\\n\\nLeave a Reply\\n")
>>> doc.meta.title, [r.category for r in doc.removed]
('Big News Today', ['title', 'comment_prompt'])
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import dedup_parts
from ._version import __version__
from .boilerplate import ZoneSettings, strip_boilerplate
from .catalog import Catalog, default_catalog, load_catalog
from .decode import decode
from .dedup import DedupSettings, Match, NearDuplicates, SharedBands, Verdicts
from .document import Document, PackedBlocks, PackedMetadata, PackedRemovals, Status
from .extract import ExtractSettings, extract_html
from .memo import Remembered
from .metadata import extract_metadata
from .read import DEFAULT_MAX_BYTES, InputFile, Prefetch, read_document
from .reindex import EarlierRuns
from .repair import repair, repair_text
from .repeated import RepeatSettings, make_keys, removal_evidence, remove_repeated
from .signing import Signed, sign
from .signing import prepare as prepare_signing

# A run holds about 4.6 KB a document at its peak (keys, verdicts, the corpus stage's buckets) on
# ~100 MB: 100,000 documents stay near 560 MB.
DEFAULT_BATCH_SIZE = 100_000


@dataclass(frozen=True)
class Options:
    dedup: DedupSettings = field(default_factory=DedupSettings)
    zones: ZoneSettings = field(default_factory=ZoneSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    repeat: RepeatSettings = field(default_factory=RepeatSettings)
    catalog_paths: tuple[Path, ...] = ()  # TOML files whose rules extend the built-in catalog
    disabled_categories: tuple[str, ...] = ()  # these categories' rules never fire
    kept_categories: tuple[str, ...] = ()  # blocks named with these categories stay in the body
    keep_duplicates: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int = 1
    executor: str = "local"  # or "dask": clean and compare on a Dask cluster (same output)
    scheduler: str | None = None  # the Dask scheduler to join; none: start a local cluster
    # Documents a run holds at once: a larger run goes in batches, each committed before the next
    # (as runs one after another), so its memory does not grow with its size. 0: one batch.
    batch_size: int = DEFAULT_BATCH_SIZE

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], catalog_paths: tuple[Path, ...] = ()) -> Options:
        """Options from flat settings as :mod:`cleancorp.config` reads them (missing: defaults)."""
        dedup = {
            k: settings[k] for k in ("threshold", "containment", "num_perm", "shingle_size") if k in settings
        }
        extra = (settings["catalog"],) if settings.get("catalog") else ()
        return cls(
            dedup=DedupSettings(**dedup),
            catalog_paths=catalog_paths + extra,
            disabled_categories=tuple(settings.get("disable", ())),
            kept_categories=tuple(settings.get("keep", ())),
            keep_duplicates=bool(settings.get("keep_duplicates", False)),
            max_bytes=int(settings.get("max_bytes", DEFAULT_MAX_BYTES)),
            jobs=int(settings.get("jobs") or os.cpu_count() or 1),
            executor="dask" if settings.get("scheduler") else settings.get("executor", "local"),
            scheduler=settings.get("scheduler"),
            batch_size=int(settings.get("batch_size", DEFAULT_BATCH_SIZE)),
        )

    def fingerprint(self) -> str:
        """What the output depends on: every option but where and in how many batches it runs
        (``jobs``, ``executor``, ``scheduler``, ``batch_size``), the catalog files' contents and
        the cleancorp version. The manifest re-cleans an input whose fingerprint differs."""
        settings = asdict(self)
        for where in ("jobs", "executor", "scheduler", "batch_size"):
            del settings[where]
        settings["catalog_paths"] = [
            hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in self.catalog_paths
        ]
        settings["version"] = __version__
        return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


@cache
def _catalog(paths: tuple[Path, ...], disabled: tuple[str, ...]) -> Catalog:
    catalog = default_catalog()
    for path in paths:
        catalog = load_catalog(path, catalog)
    return catalog.without(disabled) if disabled else catalog


def catalog_for(options: Options) -> Catalog:
    return _catalog(options.catalog_paths, options.disabled_categories)


def _repair_metadata(doc: Document) -> None:
    meta = doc.meta
    for name in ("title", "author", "site"):
        value = getattr(meta, name)
        if value:
            setattr(meta, name, repair_text(value, extracted=True)[0] or None)


def clean_document(doc: Document, options: Options | None = None) -> Document:
    """Run every per-document stage on ``doc`` (which holds raw bytes) and return it."""
    options = options or Options()
    decode(doc)
    extract_html(doc, options.extract)
    repair(doc)
    _repair_metadata(doc)
    strip_boilerplate(doc, catalog_for(options), options.zones, options.kept_categories)
    extract_metadata(doc)
    if not doc.failed and not doc.blocks:
        doc.mark_empty()
    return doc


def clean_text(
    text: str | bytes, id: str = "document", format: str = "text", options: Options | None = None
) -> Document:
    """Clean one document given as text or bytes (library entry point; no deduplication)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return clean_document(Document(id=id, source=id, format=format, data=data), options)


def process_input(item: InputFile, options: Options) -> Document:
    """Read and clean one input, and sign its body for deduplication (in the worker, in parallel)."""
    return finish_in_worker(clean_document(read_document(item, options.max_bytes), options), options)


# Copies of one file come together (a story saved twice by one scrape): a worker remembers its
# last inputs' results by their bytes, and gives a copy the same result under its own name.
RECENT_RESULTS = 256


@dataclass(frozen=True, slots=True)
class _Result:
    options: Options
    doc: Document  # finished: only ever pickled to the run's process again, never changed


_RECENT: Remembered[tuple[str, str, bool], _Result] = Remembered(RECENT_RESULTS)


def process_input_in_worker(item: InputFile, options: Options) -> Document:
    """:func:`process_input` in a worker process: an input whose bytes, format and compression are
    those of one of the worker's recent inputs is not cleaned again; its result is that one's,
    under its own id, source and time. Only for results pickled to another process, as the two
    documents share their parts.
    """
    doc = read_document(item, options.max_bytes)
    if doc.failed:
        return finish_in_worker(clean_document(doc, options), options)
    key = (doc.source_sha256, doc.format, item._path.endswith(".gz"))
    known = _RECENT.get(key)
    if known is not None and known.options == options:
        return replace(known.doc, id=doc.id, source=doc.source, source_mtime_ns=doc.source_mtime_ns)
    doc = finish_in_worker(clean_document(doc, options), options)
    return _RECENT.remember(key, _Result(options, doc)).doc


def finish_in_worker(doc: Document, options: Options) -> Document:
    """Sign a cleaned document's body, name its blocks, and drop what the corpus stages never read."""
    if doc.status is Status.KEPT:
        doc.signed = sign(doc.body, options.dedup)
    make_keys(doc)
    # A run holds every document until the corpus stages are done.
    doc.text = ""
    for part in doc.removed:
        part.raw = ""
    if doc.removed:
        doc.removed = PackedRemovals(doc.removed, removal_evidence(doc.removed))
    if PackedBlocks.packable(doc.blocks):
        doc.blocks = PackedBlocks(doc.blocks)
    doc.meta = PackedMetadata(doc.meta.unpacked())  # only the sidecar reads it again
    return doc


def process_all(items: list[InputFile], options: Options) -> Iterator[Document]:
    """Read and clean ``items`` (in ``options.jobs`` processes), in order, the next files read
    from disk meanwhile (:class:`~cleancorp.read.Prefetch`)."""
    with Prefetch(items) as prefetch:
        for doc in _process_each(items, options):
            prefetch.done()
            yield doc


def _process_each(items: list[InputFile], options: Options) -> Iterator[Document]:
    if options.jobs <= 1 or len(items) < 2:
        for item in items:
            yield process_input(item, options)
        return
    prepare_signing(options.dedup)  # once, for the workers to inherit
    # gc.freeze: what a worker inherits from the run's process (modules, tables) lives as long as
    # it does, and its full collections stop walking it (2.5-3x less time in them).
    with ProcessPoolExecutor(max_workers=options.jobs, initializer=gc.freeze) as pool:
        chunk = max(1, min(64, len(items) // (options.jobs * 8)))
        yield from pool.map(process_input_in_worker, items, [options] * len(items), chunksize=chunk)


# Finds every verified near-duplicate pair among signed documents elsewhere (a Dask cluster):
# for each id, its (other id, match) neighbours.
PairFinder = Callable[[list[tuple[str, Signed]], DedupSettings], Mapping[str, list[tuple[str, Match]]]]


def deduplicate(
    docs: Iterable[Document],
    settings: DedupSettings,
    earlier: EarlierRuns | None = None,
    pair_finder: PairFinder | None = None,
    verdicts: Verdicts | None = None,
    jobs: int = 1,
) -> SharedBands | None:
    """Corpus stage: mark near-duplicates; returns the pass's LSH buckets (none when
    ``pair_finder`` found the pairs).

    Documents kept by an earlier run stay kept; among the others the most complete version (the
    longest body) is kept, ties going to the first path. ``pair_finder`` verifies the candidate
    pairs elsewhere; the decisions, made here in the same order, are the same. ``verdicts``:
    comparisons of an earlier pass, and where this one records its own. ``jobs`` > 1: a part of
    the documents is decided in a forked process (:mod:`cleancorp.dedup_parts`).
    """
    index = earlier.index if earlier and not earlier.empty else None  # empty: nobody was kept before

    def priority(doc: Document) -> tuple[bool, int, str]:
        kept_before = index is not None and index.body_chars(doc.id) is not None
        return not kept_before, -doc.signed.chars if doc.signed else 0, doc.id

    kept = [d for d in docs if d.status is Status.KEPT]
    for doc in kept:
        if doc.signed is None:  # a body changed since it was signed (the stages that change one say so)
            doc.signed = sign(doc.body, settings)
    ordered = sorted(kept, key=priority)
    verified = shared = None
    if pair_finder:
        verified = pair_finder([(doc.id, doc.signed) for doc in ordered if doc.signed is not None], settings)
    else:
        signed = sorted(
            (d.id, d.signed.lsh_keys) for d in kept if d.signed is not None and d.signed.shingles.size
        )
        shared = SharedBands([doc_id for doc_id, _ in signed], [keys for _, keys in signed])
    # An empty index has no candidates: not asking it saves making every body's band pairs.
    finder = NearDuplicates(settings, earlier if index is not None else None, verified, verdicts, shared)
    signed = [(doc.id, doc.signed) for doc in ordered]
    # A child process cannot use the index's connection: with an index to ask, one process decides.
    # A small pass (a cron run's) is not split at all, nor its parts worked out.
    if jobs > 1 and shared is not None and index is None and len(signed) >= dedup_parts.MIN_DOCUMENTS:
        matches = dedup_parts.check_in_parts(finder, signed, shared.parts(2))
    else:
        matches = [finder.check_signed(doc_id, body) for doc_id, body in signed]
    for doc, match in zip(ordered, matches, strict=True):
        if match is None:
            doc.cluster = doc.id
        else:
            doc.status = Status.DUPLICATE
            doc.cluster = doc.duplicate_of = match.kept_id
            doc.similarity = match.similarity
    if shared is not None:
        shared.forget_kept()
    return shared


def corpus_stage(
    docs: list[Document],
    options: Options,
    earlier: EarlierRuns | None = None,
    pair_finder: PairFinder | None = None,
) -> None:
    """Corpus evidence, then deduplication of the final bodies.

    A first deduplication groups reprints so that each story counts once as evidence for
    repeated blocks; the final one runs on the bodies those blocks were removed from.
    """
    verdicts: Verdicts = {}  # the second pass compares mostly the same pairs
    if not options.repeat.enabled:
        deduplicate(docs, options.dedup, earlier, pair_finder, jobs=options.jobs)
        return
    bands = deduplicate(docs, options.dedup, earlier, pair_finder, verdicts, options.jobs)
    evidence = earlier.index.block_clusters if earlier and not earlier.empty else None
    if not remove_repeated(docs, options.repeat, catalog_for(options), options.kept_categories, evidence):
        return
    again = docs if bands is None else _touched_by_changes(docs, bands, options.dedup)
    for doc in again:
        if doc.status is Status.DUPLICATE:
            doc.status = Status.KEPT
        doc.cluster = doc.duplicate_of = doc.similarity = None
        if doc.status is Status.KEPT and not doc.blocks:
            doc.mark_empty()
    deduplicate(again, options.dedup, earlier, pair_finder, verdicts, options.jobs)


def _touched_by_changes(docs: list[Document], bands: SharedBands, settings: DedupSettings) -> list[Document]:
    """The documents whose verdict the bodies repeated blocks were removed from can change.

    A verdict depends only on the documents linked to it through shared band keys, before or
    after the change: the rest keep the first pass's, as a second pass over all of them would
    decide (it compared the same pairs in the same order). Linked after the change: those
    sharing a key with a changed body's new signature; before it: the first pass's buckets.
    """
    # Removing repeated blocks unsigns the bodies it changes (and changes no status).
    changed = [doc for doc in docs if doc.status in (Status.KEPT, Status.DUPLICATE) and doc.signed is None]
    for doc in changed:
        if doc.blocks:
            doc.signed = sign(doc.body, settings)
    new_keys = [doc.signed.lsh_keys for doc in changed if doc.signed is not None]
    linked = bands.having(np.concatenate(new_keys)) if new_keys else set()
    reached = bands.reach(linked | {doc.id for doc in changed})
    return [doc for doc in docs if doc.id in reached]
