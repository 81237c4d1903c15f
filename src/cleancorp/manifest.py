"""What earlier runs read, so that an hourly cron run cleans only what is new or changed.

The manifest is a table of ``CLEAN/.cleancorp/index.sqlite``: per input path its size, mtime,
SHA-256, the fingerprint of the options it was cleaned with, and the status and cluster it got.
It is committed in the same transaction as the index, after the outputs exist, so a run killed
at any point leaves a manifest that never claims an output that was not written.

An input is skipped when its size and mtime match (or, when only the mtime moved, its SHA-256),
its options fingerprint matches and its sidecar is still there. A changed input is cleaned again;
so are the duplicates of a kept document that changed or was pruned, since the story they were
matched against is no longer what it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bulk import insert_rows
from .document import Document
from .read import InputFile, display_path, input_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (
    source BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL,
    options TEXT NOT NULL, status TEXT NOT NULL, cluster TEXT
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Entry:
    size: int
    mtime_ns: int
    sha256: str
    options: str
    status: str
    cluster: str | None


class Manifest:
    """The manifest table on an open index connection (its transactions are the index's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)

    def entries_of(self, sources: Sequence[bytes]) -> dict[bytes, Entry]:
        """The entries of these inputs (those the manifest has), in one statement."""
        rows = self.db.execute(
            "SELECT source, size, mtime_ns, sha256, options, status, cluster FROM manifest "
            f"WHERE source IN ({', '.join('?' * len(sources))})",
            sources,
        )
        return {bytes(row[0]): Entry(*row[1:]) for row in rows}

    @contextlib.contextmanager
    def seen_inputs(self) -> Iterator[SeenInputs]:
        """A temporary table of the inputs a plan went through, emptied afterwards."""
        self.db.execute(SEEN_SCHEMA)
        self.db.execute("DELETE FROM temp.seen")
        try:
            yield SeenInputs(self.db)
        finally:
            self.db.execute("DELETE FROM temp.seen")

    def record(self, cleaned: Iterable[tuple[Document, InputFile]], options: str) -> None:
        """Remember every document whose bytes were read (unreadable ones are retried next run)."""
        insert_rows(
            self.db,
            "INSERT OR REPLACE INTO manifest",
            (
                (
                    item.key,
                    doc.source_size,
                    doc.source_mtime_ns,
                    doc.source_sha256,
                    options,
                    doc.status.value,
                    doc.cluster,
                )
                for doc, item in cleaned
                if doc.source_sha256
            ),
        )

    def touch(self, moved: Iterable[tuple[bytes, int]]) -> None:
        """Same bytes under a new mtime: remember the mtime so the file is not hashed again."""
        self.db.executemany("UPDATE manifest SET mtime_ns = ? WHERE source = ?", [(m, s) for s, m in moved])

    def remove(self, sources: Iterable[bytes]) -> None:
        self.db.executemany("DELETE FROM manifest WHERE source = ?", [(s,) for s in sources])


SEEN_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS seen (
    source BLOB PRIMARY KEY, state INTEGER, duplicate_of TEXT, path BLOB
) WITHOUT ROWID
"""


class SeenInputs:
    """The inputs found under RAW that the manifest knows, in a temporary table (SQLite spills it
    to a temporary file): a RAW of millions of files is planned in bounded memory. New inputs are
    cleaned, so held anyway, and cannot be among the disappeared: in a first run, the table
    stays empty (inserting 80,000 rows took 0.5-0.9 s). Rows go in walk order, nearly sorted,
    so the table grows at its end."""

    BUFFER = 1000  # rows written at a time

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._rows: list[tuple[bytes, int | None, str | None, bytes | None]] = []
        self.skipped_duplicates = 0

    def add(self, item: InputFile, state: int | None = None, duplicate_of: str | None = None) -> None:
        """An input (``state``: 0 if it is skipped as untouched, its new mtime if it is skipped
        with the same bytes; ``duplicate_of``: the story a skipped duplicate was matched to, which
        may have to be checked again)."""
        # A path as bytes: a file name need not be UTF-8, and SQLite's text must be.
        path = None
        if duplicate_of:
            path = os.fsencode(item)
            self.skipped_duplicates += 1  # make_plan checks them again only if there are any
        self._rows.append((item.key, state, duplicate_of, path))
        if len(self._rows) >= self.BUFFER:
            self._flush()

    def _flush(self) -> None:
        insert_rows(self.db, "INSERT OR IGNORE INTO temp.seen", self._rows)
        self._rows.clear()

    def gone(self) -> list[bytes]:
        """The manifest's inputs that were not seen, sorted."""
        self._flush()
        rows = self.db.execute(
            "SELECT source FROM manifest WHERE source NOT IN (SELECT source FROM temp.seen) ORDER BY source"
        )
        return [bytes(row[0]) for row in rows]

    def written_by_others(self, gone: Iterable[bytes], cleaned: Iterable[InputFile]) -> set[bytes]:
        """Those of ``gone`` whose outputs an input seen now writes (``a.txt`` gone, ``a.html`` new):
        one in the table or one of ``cleaned``, the inputs to clean (new ones are only there)."""
        self._flush()
        by_id = {input_id(os.fsdecode(key)): key for key in gone}
        if not by_id:
            return set()
        writers = (input_id(os.fsdecode(row[0])) for row in self.db.execute("SELECT source FROM temp.seen"))
        return {
            by_id[doc_id]
            for doc_id in itertools.chain(writers, (item.id for item in cleaned))
            if doc_id in by_id
        }

    def duplicates_of(self, stories: set[str]) -> list[tuple[InputFile, int]]:
        """The skipped duplicates matched to one of ``stories``, with their skip state."""
        self._flush()
        rows = self.db.execute(
            "SELECT path, source, state, duplicate_of FROM temp.seen WHERE duplicate_of IS NOT NULL"
        )
        return [
            (InputFile(os.fsdecode(path), os.fsdecode(source)), state)
            for path, source, state, story in rows
            if story in stories
        ]


@contextlib.contextmanager
def reading_manifest(state: Path, index_name: str) -> Iterator[Manifest]:
    """The manifest of an index, for a plan that writes nothing (``--dry-run``): an empty one if
    there is no index yet."""
    path = state / index_name
    db = sqlite3.connect(path if path.exists() else ":memory:", isolation_level=None)
    try:
        has_table = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'manifest'").fetchone()
        if not has_table:  # no index, or one made before the manifest: nothing was cleaned
            db.close()
            db = sqlite3.connect(":memory:", isolation_level=None)
        yield Manifest(db)
    finally:
        db.close()


@dataclass
class Plan:
    """What a run will do with each input, and why."""

    todo: list[InputFile] = field(default_factory=list)
    found: int = 0  # inputs under RAW
    new: int = 0
    changed: int = 0
    options_changed: int = 0
    unchanged: int = 0
    moved: list[tuple[bytes, int]] = field(default_factory=list)  # same bytes, new mtime
    rechecked: int = 0  # duplicates whose kept document changed or is pruned
    gone: list[bytes] = field(default_factory=list)  # in the manifest, no longer under RAW
    gone_still_written: set[bytes] = field(default_factory=set)  # of those, ids another input writes

    def summary(self, prune: bool) -> dict[str, object]:
        gone = sorted(display_path(os.fsdecode(s)) for s in self.gone)
        return {
            "to_clean": len(self.todo),
            "new": self.new,
            "changed": self.changed,
            "options_changed": self.options_changed,
            "unchanged": self.unchanged + len(self.moved),
            "rechecked_duplicates": self.rechecked,
            "disappeared": len(gone),
            "pruned": len(gone) if prune else 0,
            "disappeared_sources": gone[:100],
        }


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def make_plan(
    items: Iterable[InputFile],
    manifest: Manifest,
    options: str,
    clean: Path,
    force: bool = False,
    prune: bool = False,
) -> Plan:
    """Sort the inputs into those to clean and those to skip (see the module docstring).

    The inputs stream past: what is held is what will be cleaned. The ones skipped (most, in a
    cron run) go to a temporary table of the manifest's connection, where the disappeared
    inputs and the duplicates to check again are found.
    """
    plan = Plan()
    with manifest.seen_inputs() as seen:
        inputs = iter(items)
        while chunk := list(itertools.islice(inputs, LOOKED_UP_AT_ONCE)):  # one statement a chunk
            entries = manifest.entries_of([item.key for item in chunk])
            _plan_chunk(chunk, entries, seen, plan, options, clean, force)
        plan.gone = seen.gone()
        plan.gone_still_written = seen.written_by_others(plan.gone, plan.todo)
        # Duplicates matched against a kept document that is cleaned again (or pruned) are checked
        # again. A first run skips none: the ids of all it cleans (0.2 s for 80,000) are not needed.
        if seen.skipped_duplicates:
            redone = {item.id for item in plan.todo}
            if prune:
                redone |= {input_id(os.fsdecode(key)) for key in plan.gone}
            for item, state in seen.duplicates_of(redone):
                plan.todo.append(item)
                plan.rechecked += 1
                if state:
                    plan.moved.remove((item.key, state))
                else:
                    plan.unchanged -= 1
    plan.moved.sort()
    plan.todo.sort(key=lambda item: item.posix)
    return plan


LOOKED_UP_AT_ONCE = 500  # inputs whose manifest entries one statement reads (SQLite allows 32,766)


def _plan_chunk(
    chunk: list[InputFile],
    entries: dict[bytes, Entry],
    seen: SeenInputs,
    plan: Plan,
    options: str,
    clean: Path,
    force: bool,
) -> None:
    for item in chunk:
        plan.found += 1
        key = item.key
        entry = entries.get(key)
        if entry is None:  # not in the manifest, so never among the disappeared: the table need not hold it
            plan.new += 1
            plan.todo.append(item)
            continue
        if force or entry.options != options:
            plan.options_changed += 1
        elif (state := _unchanged(item, entry, clean)) is not None:
            duplicate_of = entry.cluster if entry.status == "duplicate" else None
            seen.add(item, state, duplicate_of)
            if state:
                plan.moved.append((key, state))
            else:
                plan.unchanged += 1
            continue
        else:
            plan.changed += 1
        seen.add(item)
        plan.todo.append(item)


def _unchanged(item: InputFile, entry: Entry, clean: Path) -> int | None:
    """``None`` if the input must be cleaned again; 0 if it is untouched; its new mtime if only
    the mtime moved (same size and SHA-256)."""
    # os calls on strings, not Path objects: a cron run asks this of every input under RAW.
    try:
        status = os.stat(item)
    except OSError:
        return None  # cleaning it will say what is wrong
    if status.st_size != entry.size or not os.path.exists(os.path.join(clean, f"{item.id}.json")):
        return None
    if status.st_mtime_ns == entry.mtime_ns:
        return 0
    return status.st_mtime_ns if _sha256(item.path) == entry.sha256 else None
