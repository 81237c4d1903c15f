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

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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

    @classmethod
    def of(
        cls, size: int, mtime_ns: int, sha256: str, options: str, status: str, cluster: str | None
    ) -> Entry:
        """An entry as read, its options fingerprint and status shared with every other entry's.

        A run plans with an entry for every input it cleaned before, and SQLite gives each row
        strings of its own: 600 bytes an entry, 430 with the few repeated ones shared (80,338 entries).
        """
        return cls(size, mtime_ns, sha256, _shared(options), _shared(status), cluster)


_SHARED: dict[str, str] = {}


def _shared(text: str) -> str:
    """One copy of each options fingerprint and status (a handful in a manifest)."""
    return _SHARED.setdefault(text, text) if len(_SHARED) < 1024 else text


class Manifest:
    """The manifest table on an open index connection (its transactions are the index's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)

    def entries(self) -> dict[bytes, Entry]:
        rows = self.db.execute(
            "SELECT source, size, mtime_ns, sha256, options, status, cluster FROM manifest"
        )
        return {bytes(row[0]): Entry.of(*row[1:]) for row in rows}

    def record(self, cleaned: Iterable[tuple[Document, InputFile]], options: str) -> None:
        """Remember every document whose bytes were read (unreadable ones are retried next run)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO manifest VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
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
            ],
        )

    def touch(self, moved: Iterable[tuple[bytes, int]]) -> None:
        """Same bytes under a new mtime: remember the mtime so the file is not hashed again."""
        self.db.executemany("UPDATE manifest SET mtime_ns = ? WHERE source = ?", [(m, s) for s, m in moved])

    def remove(self, sources: Iterable[bytes]) -> None:
        self.db.executemany("DELETE FROM manifest WHERE source = ?", [(s,) for s in sources])


def read_entries(state: Path, index_name: str) -> dict[bytes, Entry]:
    """The manifest without opening the index for writing (for ``--dry-run``); empty if none."""
    path = state / index_name
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    try:
        has_table = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'manifest'").fetchone()
        return Manifest(db).entries() if has_table else {}
    finally:
        db.close()


@dataclass
class Plan:
    """What a run will do with each input, and why."""

    todo: list[InputFile] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    options_changed: int = 0
    unchanged: int = 0
    moved: list[tuple[bytes, int]] = field(default_factory=list)  # same bytes, new mtime
    rechecked: int = 0  # duplicates whose kept document changed or is pruned
    gone: list[bytes] = field(default_factory=list)  # in the manifest, no longer under RAW

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
    items: Sequence[InputFile],
    entries: dict[bytes, Entry],
    options: str,
    clean: Path,
    force: bool = False,
    prune: bool = False,
) -> Plan:
    """Sort the inputs into those to clean and those to skip (see the module docstring)."""
    plan = Plan()
    skipped: dict[bytes, int] = {}  # key -> 0 if untouched, else its new mtime
    for item in items:
        key = item.key
        entry = entries.get(key)
        if entry is None:
            plan.new += 1
        elif force or entry.options != options:
            plan.options_changed += 1
        elif (state := _unchanged(item, entry, clean)) is not None:
            skipped[key] = state
            continue
        else:
            plan.changed += 1
        plan.todo.append(item)
    present = {item.key for item in items}
    plan.gone = sorted(set(entries) - present)
    # Duplicates matched against a kept document that is cleaned again (or pruned) are checked again.
    redone = {item.id for item in plan.todo}
    if prune:
        redone |= {input_id(Path(os.fsdecode(key))) for key in plan.gone}
    for item in items:
        key = item.key
        entry = entries.get(key)
        if key in skipped and entry and entry.status == "duplicate" and entry.cluster in redone:
            del skipped[key]
            plan.todo.append(item)
            plan.rechecked += 1
    plan.unchanged = sum(1 for mtime in skipped.values() if not mtime)
    plan.moved = sorted((key, mtime) for key, mtime in skipped.items() if mtime)
    plan.todo.sort(key=lambda item: item.posix)
    return plan


def _unchanged(item: InputFile, entry: Entry, clean: Path) -> int | None:
    """``None`` if the input must be cleaned again; 0 if it is untouched; its new mtime if only
    the mtime moved (same size and SHA-256)."""
    try:
        status = item.path.stat()
    except OSError:
        return None  # cleaning it will say what is wrong
    if status.st_size != entry.size or not (clean / f"{item.id}.json").exists():
        return None
    if status.st_mtime_ns == entry.mtime_ns:
        return 0
    return status.st_mtime_ns if _sha256(item.path) == entry.sha256 else None
