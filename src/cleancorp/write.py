"""Write cleaned bodies, sidecars (``../CONTRACT.md`` v1) and the run report, atomically.

Every file is written to a temporary name in its final folder and renamed over the target, so a
reader (or a crash) never sees half a file. Per-document files hold no timestamps: the same input
and options give byte-identical output.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .document import SCHEMA_VERSION, Document, Removal, Status
from .failpoints import failpoint
from .read import display_path

try:  # cleancorp[fast]: the sidecars' JSON in C (the standard encoder's indenting one is pure Python)
    import orjson
except ImportError:  # pragma: no cover - the extra is installed in the tests
    orjson = None

STATE_DIR = ".cleancorp"
MAX_LISTED = 1000  # empty documents listed by name in the report


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
_FOLDERS_MADE: set[str] = set()  # by this process: asking the file system again is a failed mkdir


def atomic_write(path: str | Path, data: str) -> None:
    """Write ``data`` (UTF-8) to ``path`` via a temporary file and a rename."""
    path = os.fspath(path)
    folder, name = os.path.split(path)
    if folder not in _FOLDERS_MADE:
        os.makedirs(folder or ".", exist_ok=True)
        _FOLDERS_MADE.add(folder)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    encoded = data.encode("utf-8")  # before the file exists: a lone surrogate leaves nothing behind
    try:
        # os.open, not open(): a file object asks the kernel three more things (fstat, isatty,
        # seek) for each of a run's hundred thousand files.
        try:
            handle = os.open(temporary, _NEW_FILE, 0o666)
        except FileNotFoundError:  # the folder was removed since this process made it
            os.makedirs(folder or ".", exist_ok=True)
            handle = os.open(temporary, _NEW_FILE, 0o666)
        try:
            rest = memoryview(encoded)
            while rest:  # a write may take less than asked
                rest = rest[os.write(handle, rest) :]
        finally:
            os.close(handle)
        failpoint("renaming")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def sidecar(
    doc: Document, removals: Sequence[Removal] | None = None, body: str | None = None
) -> dict[str, Any]:
    """The sidecar object, keys in contract order (``removals``: ``doc.removed``, and ``body``:
    ``doc.body``, if read already)."""
    removals = doc.removed if removals is None else removals
    meta = doc.meta.unpacked()  # packed in a run
    body = doc.body if body is None else body
    return {
        "schema": SCHEMA_VERSION,
        "id": display_path(doc.id),
        "source": doc.source,
        "source_sha256": doc.source_sha256 or None,
        "format": doc.format,
        "status": doc.status.value,
        "error": doc.error,
        "reason": doc.reason,
        "title": meta.title,
        "author": meta.author,
        "date": meta.date,
        "url": meta.url,
        "site": meta.site,
        "tags": list(meta.tags),
        "source_credit": meta.source_credit,
        "cluster": doc.cluster,
        "duplicate_of": doc.duplicate_of,
        "similarity": doc.similarity,
        "removed": [removal.as_dict() for removal in removals],
        "encoding": {"detected": doc.encoding, "fixes": list(doc.fixes)},
        "stats": {
            "chars_in": doc.chars_in,
            "lines_in": doc.lines_in,
            "chars_out": len(body),
            "lines_out": len(doc.blocks),
            "blocks_removed": len(removals),
        },
    }


SMALLEST_PLAIN_FLOAT = 1e-4  # below, json writes 1e-05 where orjson writes 0.00001


def sidecar_json(fields: dict[str, Any]) -> str:
    """``fields`` as ``json.dumps(fields, ensure_ascii=False, indent=2)`` writes them, plus a
    newline: the same bytes with or without orjson.

    >>> print(sidecar_json({"id": "a", "tags": [], "similarity": 0.9375}), end="")
    {
      "id": "a",
      "tags": [],
      "similarity": 0.9375
    }
    """
    similarity = fields.get("similarity")
    if orjson is not None and not (similarity and abs(similarity) < SMALLEST_PLAIN_FLOAT):
        try:
            return orjson.dumps(fields, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
        except orjson.JSONEncodeError:  # a lone surrogate: json writes it, and the write reports it
            pass
    return json.dumps(fields, ensure_ascii=False, indent=2) + "\n"


def write_document(
    doc: Document, clean: Path, keep_duplicates: bool = False, tally: RemovalTally | None = None
) -> None:
    """Write ``CLEAN/<id>.txt`` (kept documents, or duplicates if asked) and ``CLEAN/<id>.json``,
    and count its removals in ``tally``.

    A stale body from an earlier run is removed when the document is no longer kept, so that
    ``CLEAN/**/*.txt`` is always the deduplicated corpus.
    """
    removals = list(doc.removed)  # read once: a run's wait in its spill file, and reading unpickles them
    stem = os.path.join(clean, doc.id)
    write_text = doc.status is Status.KEPT or (doc.status is Status.DUPLICATE and keep_duplicates)
    body = None
    if write_text:
        body = doc.body  # read once: the sidecar counts its characters
        atomic_write(stem + ".txt", body)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stem + ".txt")
    atomic_write(stem + ".json", sidecar_json(sidecar(doc, removals, body)))
    if tally is not None:
        tally.add(removals)


def iter_sidecars(clean: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every sidecar under ``clean`` (the state folder aside), in path order, with its path.

    Files that are not readable JSON objects with an ``id`` are passed over: CLEAN may hold
    files of the user's own.
    """
    state = clean / STATE_DIR
    for path in sorted(clean.rglob("*.json")):
        if state in path.parents:
            continue
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(fields, dict) and isinstance(fields.get("id"), str):
            yield path, fields


def json_record(fields: dict[str, Any], text: str | None) -> dict[str, Any]:
    """One document as a JSON Lines / table row: ``id``, ``text``, then the sidecar fields."""
    rest = {key: value for key, value in fields.items() if key not in ("schema", "id")}
    return {"id": fields["id"], "text": text, **rest}


def build_report(
    docs: list[Document],
    problems: list[dict[str, str]],
    extra: dict[str, Any],
    removed: RemovalTally | None = None,
) -> dict[str, Any]:
    """Run-level counts: statuses, removed categories, encoding fixes, clusters, failures.

    ``removed``: the documents' removals counted already (by the writers); else counted here.
    """
    summary = RunSummary()
    summary.add(docs, removed)
    return summary.report(problems, extra)


class RunSummary:
    """What the run report counts, added up batch after batch (a run larger than its batch size
    forgets each batch's documents once they are written).

    >>> first, second = Document(id="a", source="a.txt"), Document(id="b", source="b.txt", cluster="a")
    >>> first.cluster, second.status = "a", Status.DUPLICATE
    >>> summary = RunSummary()
    >>> summary.add([first])
    >>> summary.add([second])
    >>> report = summary.report([], {})
    >>> report["documents"], report["status"], report["clusters"]["with_duplicates"]
    (2, {'duplicate': 1, 'kept': 1}, 1)
    """

    def __init__(self) -> None:
        self.documents = 0
        self.source_bytes = 0
        self.statuses: Counter[str] = Counter()
        self.removed = RemovalTally()
        self.fixes: Counter[str] = Counter()
        self.encodings: Counter[str] = Counter()
        self.clusters: Counter[str] = Counter()
        self.errors: list[dict[str, str | None]] = []
        self.empty: list[dict[str, str | None]] = []

    def add(self, docs: Sequence[Document], removed: RemovalTally | None = None) -> None:
        """Count ``docs`` (``removed``: their removals counted already, by the writers)."""
        self.documents += len(docs)
        self.source_bytes += sum(max(0, doc.source_size) for doc in docs)
        self.statuses.update(doc.status.value for doc in docs)
        self.removed.merge(RemovalTally.of(docs) if removed is None else removed)
        self.fixes.update(fix for doc in docs for fix in doc.fixes)
        self.encodings.update(doc.encoding for doc in docs if doc.encoding)
        self.clusters.update(doc.cluster for doc in docs if doc.cluster)
        self.errors += [
            {"source": doc.source, "error": doc.error} for doc in docs if doc.status is Status.ERROR
        ]
        room = MAX_LISTED - len(self.empty)
        self.empty += [{"source": d.source, "reason": d.reason} for d in docs if d.status is Status.EMPTY][
            :room
        ]

    def report(self, problems: list[dict[str, str]], extra: dict[str, Any]) -> dict[str, Any]:
        multi = {cluster: size for cluster, size in self.clusters.items() if size > 1}
        return {
            "schema": SCHEMA_VERSION,
            "documents": self.documents,
            "status": dict(sorted(self.statuses.items())),
            "removed_by_category": dict(sorted(self.removed.categories.items())),
            "removed_by_rule": dict(sorted(self.removed.rules.items())),
            "encodings": dict(sorted(self.encodings.items())),
            "encoding_fixes": dict(sorted(self.fixes.items())),
            "clusters": {
                "with_duplicates": len(multi),
                "largest": [
                    {"cluster": c, "size": n}
                    for c, n in sorted(multi.items(), key=lambda x: (-x[1], x[0]))[:20]
                ],
            },
            "removed_examples": self.removed.examples.most_frequent(),
            "errors": self.errors + problems,
            "empty": self.empty,
            **extra,
        }


class RemovedExamples:
    """A few distinct removed texts per category, the most frequent first, for the report.

    >>> examples = RemovedExamples(per_category=1)
    >>> for text in ("Home", "Menu", "Menu"):
    ...     examples.add(Removal("navigation", "menu_word", text))
    >>> examples.most_frequent()
    {'navigation': ['Menu']}
    """

    def __init__(self, per_category: int = 3, width: int = 200) -> None:
        self.per_category, self.width = per_category, width
        self.counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, removal: Removal) -> None:
        text = removal.text
        if len(text) > self.width:
            text = text[: self.width - 1] + "…"
        self.counts[removal.category][text] += 1

    def merge(self, other: RemovedExamples) -> None:
        for category, texts in other.counts.items():
            self.counts[category].update(texts)

    def most_frequent(self) -> dict[str, list[str]]:
        return {
            category: [
                text for text, _ in sorted(texts.items(), key=lambda x: (-x[1], x[0]))[: self.per_category]
            ]
            for category, texts in sorted(self.counts.items())
        }


class RemovalTally:
    """A run's removed blocks counted for the report: by category, by rule, and their texts (the
    examples). Each writer counts the documents it writes, whose removals it reads for their
    sidecars anyway; the run adds the writers' tallies up.

    >>> first, second = RemovalTally(), RemovalTally()
    >>> first.add([Removal("navigation", "menu_word", "Home")])
    >>> second.add([Removal("navigation", "menu_word", "Home"), Removal("advertisement", "label", "Ad")])
    >>> first.merge(second)
    >>> dict(first.categories), first.examples.most_frequent()
    ({'navigation': 2, 'advertisement': 1}, {'advertisement': ['Ad'], 'navigation': ['Home']})
    """

    def __init__(self) -> None:
        self.categories: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.examples = RemovedExamples()

    @classmethod
    def of(cls, docs: Iterable[Document]) -> RemovalTally:
        tally = cls()
        for doc in docs:
            tally.add(doc.removed)
        return tally

    def add(self, removals: Iterable[Removal]) -> None:
        for removal in removals:
            self.categories[removal.category] += 1
            self.rules[f"{removal.category}/{removal.rule}"] += 1
            self.examples.add(removal)

    def merge(self, other: RemovalTally) -> None:
        self.categories.update(other.categories)
        self.rules.update(other.rules)
        self.examples.merge(other.examples)


def write_report(clean: Path, report: dict[str, Any]) -> Path:
    path = clean / STATE_DIR / "report.json"
    atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return path


def summary_line(report: dict[str, Any]) -> str:
    """One line for stderr, e.g. ``cleancorp: 5 inputs: 5 new, 0 changed, 0 unchanged (skipped);
    5 documents cleaned: 5 kept; 17 blocks removed; 0 errors in 0.4s (12 docs/s)``."""
    statuses = ", ".join(f"{n} {status}" for status, n in report["status"].items()) or "nothing"
    removed = sum(report["removed_by_category"].values())
    errors = len(report["errors"])
    rate = report.get("docs_per_second")
    speed = f" in {report['seconds']:.1f}s ({rate:,.0f} docs/s)" if rate else ""
    inputs = report.get("inputs")
    found = ""
    if inputs:
        other = inputs["options_changed"] + inputs["rechecked_duplicates"]
        found = (
            f"{inputs['found']} inputs: {inputs['new']} new, {inputs['changed']} changed, "
            f"{inputs['unchanged']} unchanged (skipped)"
            + (
                f", {other} cleaned again (options changed, --force, or their kept story changed)"
                if other
                else ""
            )
            + (
                f", {inputs['disappeared']} disappeared ({inputs['pruned']} pruned)"
                if inputs["disappeared"]
                else ""
            )
            + "; "
        )
    return (
        f"cleancorp: {found}{report['documents']} documents cleaned: {statuses}; {removed} blocks removed; "
        f"{errors} error{'s' if errors != 1 else ''}{speed}"
    )
