"""The stages chained: per-document cleaning, then corpus-level deduplication, then writing.

>>> story = "The council voted on Monday to approve the plan for the new bridge. " * 3
>>> doc = clean_text("Big News Today\\n\\n" + story + "\\n\\nLeave a Reply\\n")
>>> doc.meta.title, [r.category for r in doc.removed]
('Big News Today', ['title', 'comment_prompt'])
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .boilerplate import ZoneSettings, strip_boilerplate
from .catalog import Catalog, default_catalog, load_catalog
from .decode import decode
from .dedup import DedupSettings, NearDuplicates
from .document import Document, Status
from .extract import ExtractSettings, extract_html
from .index import (
    INDEX_NAME,
    CorpusIndex,
    EarlierRuns,
    IndexParams,
    block_evidence,
    document_entry,
    rebuild,
)
from .metadata import extract_metadata
from .read import DEFAULT_MAX_BYTES, InputFile, find_inputs, read_document
from .repair import repair, repair_text
from .repeated import RepeatSettings, block_key, remove_repeated
from .write import STATE_DIR, build_report, write_document, write_report


class UsageError(ValueError):
    """The run cannot start as asked (bad folders, bad catalog); the message says how to fix it."""


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
        )


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
        doc.status = Status.EMPTY
    return doc


def clean_text(
    text: str | bytes, id: str = "document", format: str = "text", options: Options | None = None
) -> Document:
    """Clean one document given as text or bytes (library entry point; no deduplication)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return clean_document(Document(id=id, source=id, format=format, data=data), options)


def process_input(item: InputFile, options: Options) -> Document:
    return clean_document(read_document(item, options.max_bytes), options)


def _process_all(items: list[InputFile], options: Options) -> Iterator[Document]:
    if options.jobs <= 1 or len(items) < 2:
        for item in items:
            yield process_input(item, options)
        return
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        chunk = max(1, min(64, len(items) // (options.jobs * 8)))
        yield from pool.map(process_input, items, [options] * len(items), chunksize=chunk)


def deduplicate(
    docs: Iterable[Document], settings: DedupSettings, earlier: EarlierRuns | None = None
) -> None:
    """Corpus stage: mark near-duplicates.

    Documents kept by an earlier run stay kept; among the others the most complete version (the
    longest body) is kept, ties going to the first path.
    """
    finder = NearDuplicates(settings, earlier)
    index = earlier.index if earlier else None

    def priority(doc: Document) -> tuple[bool, int, str]:
        kept_before = index is not None and index.body_chars(doc.id) is not None
        return not kept_before, -len(doc.body), doc.id

    for doc in sorted((d for d in docs if d.status is Status.KEPT), key=priority):
        match = finder.check(doc.id, doc.body)
        if match is None:
            doc.cluster = doc.id
        else:
            doc.status = Status.DUPLICATE
            doc.cluster = doc.duplicate_of = match.kept_id
            doc.similarity = match.similarity


def corpus_stage(docs: list[Document], options: Options, earlier: EarlierRuns | None = None) -> None:
    """Corpus evidence, then deduplication of the final bodies.

    A first deduplication groups reprints so that each story counts once as evidence for
    repeated blocks; the final one runs on the bodies those blocks were removed from.
    """
    if options.repeat.enabled:
        deduplicate(docs, options.dedup, earlier)
        evidence = earlier.index.block_clusters if earlier else None
        if remove_repeated(docs, options.repeat, catalog_for(options), options.kept_categories, evidence):
            for doc in docs:
                if doc.status is Status.DUPLICATE:
                    doc.status = Status.KEPT
                doc.cluster = doc.duplicate_of = doc.similarity = None
                if doc.status is Status.KEPT and not doc.blocks:
                    doc.status = Status.EMPTY
        else:
            return
    deduplicate(docs, options.dedup, earlier)


def record_in_index(index: CorpusIndex, docs: list[Document], settings: DedupSettings) -> None:
    """After the outputs exist: the run's kept documents and block evidence go into the index."""
    index.forget(sorted(d.id for d in docs if d.status is not Status.KEPT))
    kept = sorted((d for d in docs if d.status is Status.KEPT), key=lambda d: d.id)
    index.add_documents(document_entry(d.id, d.body, settings) for d in kept)
    seen = []
    for doc in sorted(docs, key=lambda d: d.id):
        if doc.cluster and doc.status in (Status.KEPT, Status.DUPLICATE):
            texts = block_evidence([b.text for b in doc.blocks], [(r.category, r.text) for r in doc.removed])
            seen += [(block_key(text), doc.cluster) for text in texts]
    index.add_blocks(seen)


def open_index(clean: Path, settings: DedupSettings) -> tuple[CorpusIndex, bool]:
    """The run's index; rebuilt from the sidecars first if it is missing but CLEAN has output."""
    state = clean / STATE_DIR
    rebuilt = not (state / INDEX_NAME).exists() and any(clean.glob("**/*.json"))
    if rebuilt:
        rebuild(clean, settings)
    return CorpusIndex.open(state, IndexParams.of(settings), clean), rebuilt


def _check_folders(raw: Path, clean: Path) -> None:
    if not raw.is_dir():
        raise UsageError(f"RAW folder {raw} does not exist or is not a folder")
    if raw.resolve() == clean.resolve():
        raise UsageError("RAW and CLEAN are the same folder; write the output to another folder")
    if raw.resolve().is_relative_to(clean.resolve()):
        raise UsageError(f"RAW ({raw}) lies inside CLEAN ({clean}); choose a CLEAN outside it")


def _collisions(items: list[InputFile]) -> tuple[list[InputFile], list[dict[str, str]]]:
    """Keep the first input of each id; report the others (``a.txt`` and ``a.html``)."""
    seen: dict[str, InputFile] = {}
    kept, problems = [], []
    for item in items:
        first = seen.setdefault(item.id, item)
        if first is item:
            kept.append(item)
        else:
            problems.append(
                {
                    "source": item.relative.as_posix(),
                    "error": f"skipped: writes to the same output as {first.relative.as_posix()}; rename one",
                }
            )
    return kept, problems


def run(raw: Path, clean: Path, options: Options | None = None) -> dict[str, Any]:
    """Clean every input under ``raw`` into ``clean``; returns the run report (also written)."""
    options = options or Options()
    _check_folders(raw, clean)
    catalog_for(options)  # fail early on a bad catalog
    started = time.perf_counter()
    items, problems = _collisions(list(find_inputs(raw, exclude=clean)))
    docs = list(_process_all(items, options))
    index, rebuilt = open_index(clean, options.dedup)
    with index:
        corpus_stage(docs, options, EarlierRuns(index, clean, options.dedup, {d.id for d in docs}))
        for doc in docs:
            write_document(doc, clean, options.keep_duplicates)
        record_in_index(index, docs, options.dedup)
        indexed = len(index)
    seconds = time.perf_counter() - started
    report = build_report(
        docs,
        problems,
        {"seconds": round(seconds, 3), "docs_per_second": round(len(docs) / seconds, 1) if seconds else None},
    )
    report["index"] = {"kept_documents": indexed, "rebuilt_from_sidecars": rebuilt}
    write_report(clean, report)
    return report
