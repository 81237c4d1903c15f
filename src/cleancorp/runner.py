"""A run over a folder: lock CLEAN, skip what the manifest says is done, clean the rest, write
atomically, then commit the index and the manifest in one transaction.

Crash safety comes from the order. Outputs are written first (each atomically); the index and
manifest learn of them afterwards, in a single SQLite transaction. A run killed before that
commit leaves outputs the manifest does not claim, so the next run cleans those inputs again and
writes the same bytes; a run killed after it has nothing left to do.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document, Packed, PackedRemovals, Status
from .failpoints import failpoint
from .htmlreport import DuplicatePair, duplicate_pairs, largest_pairs, render_report
from .index import INDEX_NAME, CorpusIndex, IndexParams, Sightings
from .lock import RunLock
from .manifest import Manifest, Plan, make_plan, reading_manifest
from .pipeline import Options, catalog_for, corpus_stage, process_all
from .read import InputFile, display_path, find_inputs, input_id
from .reindex import EarlierRuns, block_evidence, document_entry, evidence_of, rebuild
from .repeated import block_keys, key_of
from .signing import sign
from .spill import Spill
from .write import STATE_DIR, RunSummary, atomic_write, write_report
from .writers import Writers

if TYPE_CHECKING:
    from .dask_executor import DaskExecutor

REPORT_PAGE = "report.html"
# Documents held between two gc.freeze() calls: a batch's documents live until it is written, and
# each full collection walked all of those held so far (0.53 -> 0.10 s in the run's process for
# 20,000 documents).
FROZEN_EVERY = 5000
Progress = Callable[[Document, int, int], None]  # a cleaned document, how many so far, of how many


class UsageError(ValueError):
    """The run cannot start as asked (bad folders, bad catalog); the message says how to fix it."""


class DocumentErrors(RuntimeError):
    """``strict``: some documents failed, so the run stopped before writing anything."""


def record_in_index(index: CorpusIndex, docs: list[Document], options: Options) -> None:
    """After the outputs exist: the run's kept documents and block evidence go into the index."""
    index.forget(sorted(d.id for d in docs if d.status is not Status.KEPT))
    kept = sorted((d for d in docs if d.status is Status.KEPT), key=lambda d: d.id)
    # The final deduplication signed every kept body as it is now.
    index.add_documents(document_entry(d.id, d.signed or sign(d.body, options.dedup)) for d in kept)
    seen = Sightings()
    for doc in sorted(docs, key=lambda d: d.id):
        if doc.cluster and doc.status in (Status.KEPT, Status.DUPLICATE):
            if isinstance(doc.removed, PackedRemovals):  # packed before any block was removed as repeated
                keys = evidence_of(block_keys(doc.blocks), doc.removed.evidence)
            else:
                keys = block_evidence(block_keys(doc.blocks), [(r.category, key_of(r)) for r in doc.removed])
            seen.add(keys, doc.cluster)
    index.add_blocks(seen)


def open_index(clean: Path, options: Options) -> tuple[CorpusIndex, bool]:
    """The run's index; rebuilt from the sidecars first if it is missing but CLEAN has output, or
    if its keys were made by another version of cleancorp or datasketch (an upgrade)."""
    state = clean / STATE_DIR
    params = IndexParams.of(options.dedup)
    missing = not (state / INDEX_NAME).exists() and any(clean.glob("**/*.json"))
    rebuilt = missing or CorpusIndex.made_by_another_version(state, params)
    if rebuilt:
        rebuild(clean, options.dedup)
    return CorpusIndex.open(state, params, clean), rebuilt


def spill_document(doc: Document, spill: Spill) -> None:
    """Move a cleaned document's body, removed blocks, metadata and shingles to the run's
    scratch file."""
    for part in (doc.meta, doc.blocks, doc.removed):
        if isinstance(part, Packed):
            part.spill(spill)
    doc.fixes = tuple(map(sys.intern, doc.fixes))  # a few names, unpickled anew for every document
    if doc.signed is not None:
        doc.signed = doc.signed.spilled(spill)


@contextlib.contextmanager
def executor_for(options: Options) -> Iterator[DaskExecutor | None]:
    """The Dask cluster for ``--executor dask`` (imported only then), or None: local processes."""
    if options.executor != "dask":
        yield None
        return
    from .dask_executor import DaskExecutor

    with DaskExecutor(options.scheduler, options.jobs) as executor:
        yield executor


def check_folders(raw: Path, clean: Path) -> None:
    if not raw.is_dir():
        raise UsageError(f"RAW folder {raw} does not exist or is not a folder")
    if raw.resolve() == clean.resolve():
        raise UsageError("RAW and CLEAN are the same folder; write the output to another folder")
    if raw.resolve().is_relative_to(clean.resolve()):
        raise UsageError(f"RAW ({raw}) lies inside CLEAN ({clean}); choose a CLEAN outside it")


def _without_collisions(items: Iterable[InputFile], problems: list[dict[str, str]]) -> Iterator[InputFile]:
    """The first input of each id; the others (``a.txt`` and ``a.html``) are reported in
    ``problems``. Inputs that share an id share a folder, and come folder by folder."""
    seen: dict[str, InputFile] = {}
    folder = None
    for item in items:
        item_folder = item.posix.rpartition("/")[0]
        if item_folder != folder:
            seen.clear()  # a folder at a time: what is held does not grow with RAW
            folder = item_folder
        first = seen.setdefault(item.id, item)
        if first is item:
            yield item
        else:
            problems.append(
                {
                    "source": display_path(item.posix),
                    "error": f"skipped: writes to the same output as {display_path(first.posix)}; rename one",
                }
            )


def plan_run(raw: str | Path, clean: str | Path, options: Options | None = None, *, prune: bool = False,
             force: bool = False) -> dict[str, Any]:  # fmt: skip
    """What :func:`run` would do, without writing anything (``--dry-run``)."""
    options = options or Options()
    raw, clean = Path(raw), Path(clean)
    check_folders(raw, clean)
    problems: list[dict[str, str]] = []
    with reading_manifest(clean / STATE_DIR, INDEX_NAME) as manifest:
        items = _without_collisions(find_inputs(raw, exclude=clean), problems)
        plan = make_plan(items, manifest, options.fingerprint(), clean, force=force, prune=prune)
    return {
        "dry_run": True,
        "inputs": {"found": plan.found, **plan.summary(prune)},
        "would_clean": [display_path(item.posix) for item in plan.todo],
        "errors": problems,
    }


def _prune(clean: Path, plan: Plan) -> list[str]:
    """Delete the outputs of inputs that disappeared (unless another input now writes them)."""
    pruned = []
    for key in plan.gone:
        if key in plan.gone_still_written:
            continue
        doc_id = input_id(os.fsdecode(key))
        for suffix in (".txt", ".json"):
            with contextlib.suppress(FileNotFoundError):
                (clean / f"{doc_id}{suffix}").unlink()
        pruned.append(doc_id)
    return pruned


def run(
    raw: str | Path,
    clean: str | Path,
    options: Options | None = None,
    *,
    prune: bool = False,
    force: bool = False,
    strict: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Clean the new and changed inputs under ``raw`` into ``clean``; returns the run report
    (also written to ``CLEAN/.cleancorp/report.json``, and shown in ``report.html``).

    ``prune``: delete the outputs of inputs that disappeared. ``force``: clean every input again.
    ``strict``: any document error stops the run before anything more is written
    (:class:`DocumentErrors`). ``wait``: queue behind another run instead of raising
    :class:`cleancorp.lock.Locked`. ``progress`` is called with each cleaned document.

    More inputs than ``options.batch_size`` go in batches, each cleaned, deduplicated (against
    the batches before it too, through the index), written and committed before the next is
    read, as runs one after another would: a story's first kept version stays kept.
    """
    options = options or Options()
    raw, clean = Path(raw), Path(clean)
    check_folders(raw, clean)
    if options.batch_size < 0:
        raise UsageError(f"batch size {options.batch_size} is negative; give 0 (one batch) or more documents")
    catalog_for(options)  # fail early on a bad catalog
    fingerprint = options.fingerprint()
    started = time.perf_counter()
    summary, pairs = RunSummary(), list[DuplicatePair]()
    with RunLock(clean, clean / STATE_DIR, wait=wait) as lock:
        problems: list[dict[str, str]] = []
        index, rebuilt = open_index(clean, options)
        with index, contextlib.ExitStack() as stack:
            manifest = Manifest(index.db)
            items = _without_collisions(find_inputs(raw, exclude=clean), problems)
            plan = make_plan(items, manifest, fingerprint, clean, force=force, prune=prune)
            executor = stack.enter_context(executor_for(options)) if plan.todo else None
            starts = batch_starts(len(plan.todo), options.batch_size)
            pruned: list[str] = []
            for number, start in enumerate(starts):
                first, last = number == 0, number == len(starts) - 1
                batch = plan.todo[start : starts[number + 1] if not last else len(plan.todo)]
                with Spill(clean / STATE_DIR) as spill, _unfrozen_after():
                    docs = _clean_batch(batch, options, executor, spill, progress, start, len(plan.todo))
                    _check_strict(docs, problems if first else [], strict, summary.documents)
                    if first and prune:
                        pruned = _prune(clean, plan)
                    # This batch's ids and later ones' are cleaned again: their index entries are replaced.
                    # An empty index has none to replace (making 80,000 ids took 0.17 s).
                    redone = (
                        set() if index.is_empty() else {item.id for item in plan.todo[start:]} | set(pruned)
                    )
                    earlier = EarlierRuns(index, clean, options.dedup, redone)
                    corpus_stage(docs, options, earlier, executor.pairs if executor else None)
                    if last:
                        stack.close()  # the cluster is done: what is left happens here
                    with (
                        Writers(docs, clean, options.keep_duplicates, options.jobs) as writing,
                        index.transaction(),
                    ):
                        record_in_index(index, docs, options)
                        manifest.record(zip(docs, batch, strict=True), fingerprint)
                        if first:
                            index.forget(pruned)
                            manifest.touch(plan.moved)
                            manifest.remove(plan.gone if prune else [])
                        pairs += duplicate_pairs(docs, clean)  # while the writers finish
                        writing.wait()  # the outputs exist: now the index and manifest may say so
                        summary.add(docs, writing.tally)  # the writers counted the removals
                    failpoint("committed")
                    del docs, writing, earlier  # written: the next batch is cleaned in its place
            indexed = len(index)
        seconds = time.perf_counter() - started
        rate = round(summary.documents / seconds, 1) if seconds else None
        report = summary.report(problems, {"seconds": round(seconds, 3), "docs_per_second": rate})
        megabytes = summary.source_bytes / 1e6
        report["throughput"] = {
            "megabytes": round(megabytes, 3),
            "megabytes_per_second": round(megabytes / seconds, 3) if seconds else None,
            "jobs": options.jobs,
        }
        report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        report["inputs"] = {"found": plan.found, **plan.summary(prune)}
        report["index"] = {
            "kept_documents": indexed,
            "rebuilt_from_sidecars": rebuilt,
            "temporary_files_swept": lock.swept,
        }
        if len(starts) > 1:
            report["batches"] = {"count": len(starts), "size": options.batch_size}
        write_report(clean, report)
        page = render_report(report, largest_pairs(pairs), f"{raw} → {clean}")
        atomic_write(clean / STATE_DIR / REPORT_PAGE, page)
    return report


@contextlib.contextmanager
def _unfrozen_after() -> Iterator[None]:
    """What :func:`_clean_batch` froze goes back to the collector once the batch is written (this
    unfreezes whatever else was frozen in the process too)."""
    try:
        yield
    finally:
        gc.unfreeze()


def batch_starts(count: int, batch_size: int) -> list[int]:
    """Where each batch of ``count`` inputs starts: one batch (maybe empty) if ``batch_size`` is 0.

    >>> batch_starts(5, 2), batch_starts(4, 2), batch_starts(0, 2), batch_starts(5, 0)
    ([0, 2, 4], [0, 2], [0], [0])
    """
    return (list(range(0, count, batch_size)) or [0]) if batch_size else [0]


def _clean_batch(
    batch: list[InputFile],
    options: Options,
    executor: DaskExecutor | None,
    spill: Spill,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[Document]:
    """The batch's documents cleaned, in order, their bulk moved to ``spill``."""
    docs = []
    cleaned = executor.clean(batch, options) if executor else process_all(batch, options)
    for doc in cleaned:
        spill_document(doc, spill)
        docs.append(doc)
        if len(docs) % FROZEN_EVERY == 0:
            gc.freeze()  # held until written: full collections need not walk them again
        failpoint("cleaned")
        if progress:
            progress(doc, done + len(docs), total)
    return docs


def _check_strict(docs: list[Document], problems: list[dict[str, str]], strict: bool, written: int) -> None:
    """``--strict``: stop before writing a batch with a failed document (``written``: documents of
    the batches before, already committed)."""
    failed = [f"{d.source}: {d.error}" for d in docs if d.failed] + [
        f"{p['source']}: {p['error']}" for p in problems
    ]
    if strict and failed:
        what = (
            f"nothing more was written (the {written} documents of earlier batches were)"
            if written
            else "nothing was written"
        )
        raise DocumentErrors(
            f"{len(failed)} input(s) failed and --strict is set, so {what}; first: {failed[0]}"
        )
