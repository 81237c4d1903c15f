"""The corpus index in ``CLEAN/.cleancorp/index.sqlite``: what earlier runs kept.

It lets tomorrow's run find reprints of stories kept today, and remember site boilerplate:

- ``docs``: every kept document (id, body length);
- ``bands``: the MinHash LSH band keys of each kept body (``b`` rows a document, the band number
  in the high 32 bits of the key), so candidates are found with indexed lookups and the index is
  never loaded into memory;
- ``blocks``: keys of blocks near the edges of kept bodies and the clusters they were seen in,
  the cross-run evidence of :mod:`cleancorp.repeated` (capped per block);
- ``meta``: the MinHash parameters and the datasketch version the keys were made with. A run
  with other parameters is refused with the command that rebuilds the index.

Exact verification needs shingles, not signatures: they are recomputed from the kept body in
``CLEAN/<id>.txt``, so the index holds no text. Every change is one transaction.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with CorpusIndex.open(folder, IndexParams.of(DedupSettings())) as index:
...     index.add_documents([("a", 120, [(0, 7), (1, 9)])])
...     index.candidates([(0, 5), (1, 9)])
['a']
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from itertools import repeat
from pathlib import Path

import numpy as np

from .band_rows import BandKeys, band_key_column, rows_of, stored_rows
from .bulk import insert_columns, insert_rows
from .dedup import DedupSettings
from .read import is_utf8

INDEX_NAME = "index.sqlite"
SCHEMA_VERSION = 3  # 2: a band's number and key in one column; 3: forgetting a document reads no table
CACHE_KIB = 64 * 1024
MAX_BLOCK_CLUSTERS = 12  # evidence beyond this many stories adds nothing; keeps rows bounded

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    number INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, body_chars INTEGER,
    bands BLOB  -- its rows of the bands table (band_rows.stored_rows), to delete them one by one
);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocks_by_doc ON blocks (doc);
"""


def _signed(key: int) -> int:
    """SQLite integers are signed 64-bit; block keys are unsigned xxh64."""
    return key - (1 << 64) if key >= 1 << 63 else key


def _unsigned(key: int) -> int:
    return key + (1 << 64) if key < 0 else key


class Sightings:
    """(block key, story) pairs in the order they were seen, as arrays: a run records about a
    million, which as tuples of Python objects took ~100 bytes each.

    >>> seen = Sightings()
    >>> seen.add([7, 9], "a"); seen.add([7], "b"); seen.add([], "c"); seen.add([9], "a")
    >>> len(seen), seen.keys.tolist(), [seen.stories[n] for n in seen.story_of_key]
    (4, [7, 9, 7, 9], ['a', 'a', 'b', 'a'])
    """

    def __init__(self) -> None:
        self.keys = array("Q")
        self.story_of_key = array("q")  # for each key, its story's place in ``stories``
        self.stories: list[str] = []
        self._numbers: dict[str, int] = {}

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, str]]) -> Sightings:
        seen = cls()
        for key, story in pairs:
            seen.add((key,), story)
        return seen

    def add(self, keys: Iterable[int], story: str) -> None:
        """Blocks seen in ``story``, in order."""
        number = self._numbers.setdefault(story, len(self.stories))
        if number == len(self.stories):
            self.stories.append(story)
        before = len(self.keys)
        self.keys.extend(keys)
        self.story_of_key.extend(repeat(number, len(self.keys) - before))

    def __len__(self) -> int:
        return len(self.keys)


class IndexMismatch(ValueError):
    """The index was built with other MinHash parameters; the message says how to rebuild."""


# How keys are made, which the user does not choose: another version of cleancorp or datasketch.
MADE_BY = ("scheme", "datasketch", "schema")


@dataclass(frozen=True)
class IndexParams:
    """Everything that changes band keys: if any differs, stored keys mean nothing."""

    num_perm: int
    shingle_size: int
    seed: int
    lsh_threshold: float
    scheme: str = "minhash-xxh3-polynomial-letters-low32"  # index keys: the LSH keys' low halves
    datasketch: str = version("datasketch")  # not imported for this: it imports scipy (0.6 s)
    schema: int = SCHEMA_VERSION

    @classmethod
    def of(cls, settings: DedupSettings) -> IndexParams:
        return cls(settings.num_perm, settings.shingle_size, settings.seed, settings.lsh_threshold)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _changed(old: dict[str, object], params: IndexParams) -> dict[str, str]:
    """What differs between stored parameters and ``params``, each as "name old -> new"."""
    return {k: f"{k} {old.get(k)} -> {v}" for k, v in asdict(params).items() if old.get(k) != v}


def rebuild_command(clean: Path, params: IndexParams) -> str:
    return f"cleancorp reindex {clean} --num-perm {params.num_perm} --shingle-size {params.shingle_size}"


@cache
def _union_of_lookups(count: int) -> str:
    lookup = "SELECT docs.id FROM bands JOIN docs ON docs.number = bands.doc WHERE bands.key = ?"
    return " UNION ".join([lookup] * count)


class CorpusIndex:
    def __init__(self, connection: sqlite3.Connection, params: IndexParams) -> None:
        self.db = connection
        self.params = params

    @classmethod
    def open(cls, state: Path, params: IndexParams, clean: Path | None = None) -> CorpusIndex:
        """Open (or create) the index in ``state``; refuse one made with other parameters."""
        state.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(state / INDEX_NAME, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A run adds ~40 band rows per kept story; with SQLite's 2 MB page cache, inserting them
        # into a table of millions of rows went to the disk for most of them.
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        db.executescript(SCHEMA)
        stored = db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        if stored is None:
            db.execute("INSERT INTO meta VALUES ('params', ?)", (params.to_json(),))
        elif stored[0] != params.to_json():
            db.close()
            changed = _changed(json.loads(stored[0]), params)
            command = rebuild_command(clean or state.parent, params)
            if set(changed) <= set(MADE_BY):
                raise IndexMismatch(
                    f"the index in {state / INDEX_NAME} was built by another version of cleancorp or "
                    f"datasketch ({', '.join(changed.values())}); the next `cleancorp run` rebuilds it, "
                    f"or now: {command}"
                )
            raise IndexMismatch(
                f"the index in {state / INDEX_NAME} was built with other MinHash settings "
                f"({', '.join(changed.values())}); run with the old settings, or rebuild it: {command}"
            )
        return cls(db, params)

    @staticmethod
    def made_by_another_version(state: Path, params: IndexParams) -> bool:
        """Whether the index in ``state`` has the user's settings but keys made another way (by
        another version of cleancorp or datasketch): a run rebuilds such an index from the
        sidecars, as it would a missing one."""
        if not (state / INDEX_NAME).is_file():
            return False
        with contextlib.closing(sqlite3.connect(state / INDEX_NAME)) as db:
            try:
                stored = db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
            except sqlite3.DatabaseError:  # no meta table: nothing was stored, nothing to rebuild
                return False
        changed = _changed(json.loads(stored[0]), params) if stored else {}
        return bool(changed) and set(changed) <= set(MADE_BY)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CorpusIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested uses join the outer one, so a run commits all at once."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def is_empty(self) -> bool:
        """Whether no document is kept (a first run): one row read, where ``len`` counts them all."""
        return self.db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None

    def candidates(self, band_keys: Iterable[tuple[int, int]]) -> list[str]:
        """Ids of kept documents sharing at least one band key, sorted (one statement: a
        UNION of indexed lookups, three times faster than a query per band)."""
        keys = list(band_keys)
        if not keys:
            return []
        rows = self.db.execute(_union_of_lookups(len(keys)), [band << 32 | key for band, key in keys])
        return sorted(row[0] for row in rows)

    def body_chars(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT body_chars FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else int(row[0])

    def add_documents(self, docs: Iterable[tuple[str, int, BandKeys]]) -> None:
        """Record kept documents: (id, body length, band keys). Band keys are (band, key) pairs,
        or an array of keys, one per band in order (a :class:`Signed`'s). Replaces an id's old entry.
        """
        entries = list(docs)
        if not entries:
            return
        with self.transaction():
            if not self.is_empty():  # else there is nothing to replace (a first run)
                for doc_id in sorted(self._numbers({doc_id for doc_id, _, _ in entries})):
                    self._forget(doc_id)  # only those the index has: most are new
            # Numbered here, not by SQLite one insert at a time: the rows go in a hundred a statement.
            first = self.db.execute("SELECT coalesce(max(number), 0) + 1 FROM docs").fetchone()[0]
            numbers = range(first, first + len(entries))
            insert_rows(
                self.db,
                "INSERT INTO docs (number, id, body_chars, bands)",
                (
                    (number, doc_id, chars, stored_rows(band_keys))
                    for number, (doc_id, chars, band_keys) in zip(numbers, entries, strict=True)
                ),
            )
            per_document = [band_key_column(band_keys) for _, _, band_keys in entries]
            owners = np.repeat(numbers, [len(part) for part in per_document])
            keys = np.concatenate(per_document)
            # The owners are in order already: a stable sort of the keys alone orders the rows.
            order = np.argsort(keys, kind="stable")
            insert_columns(self.db, "INSERT OR IGNORE INTO bands", keys[order], owners[order])

    def _forget(self, doc_id: str) -> None:
        """Delete a document's rows, each found by an index: a scan of the bands table took 0.1 s
        a document with 50,000 documents kept (a forced run over them, hours)."""
        row = self.db.execute("SELECT number, bands FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is not None:
            number, bands = row
            rows = zip(rows_of(bands), repeat(number))
            self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", rows)
            self.db.execute("DELETE FROM blocks WHERE doc = ?", (number,))
            self.db.execute("DELETE FROM docs WHERE number = ?", (number,))

    def forget(self, doc_ids: Iterable[str]) -> None:
        """Drop documents that are no longer kept (re-cleaned into a duplicate, or removed)."""
        if self.is_empty():  # a first run: nobody to forget
            return
        with self.transaction():
            for doc_id in doc_ids:
                if is_utf8(doc_id):  # a file name that is not UTF-8 is never kept
                    self._forget(doc_id)

    def block_clusters(self, keys: Iterable[int]) -> dict[int, set[str]]:
        """For each block key seen before: the kept documents (stories) it was seen in."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        insert_rows(self.db, "INSERT OR IGNORE INTO wanted", ((_signed(k),) for k in keys))
        found: dict[int, set[str]] = {}
        rows = self.db.execute(
            "SELECT blocks.key, docs.id FROM wanted JOIN blocks ON blocks.key = wanted.key "
            "JOIN docs ON docs.number = blocks.doc"
        )
        for key, doc_id in rows:
            found.setdefault(_unsigned(key), set()).add(doc_id)
        return found

    def add_blocks(self, seen: Sightings | Iterable[tuple[int, str]]) -> None:
        """Record (block key, kept document) pairs; a block already seen in ``MAX_BLOCK_CLUSTERS``
        stories is not recorded with more: the first stories seen are. Documents not in the index
        are passed over. The pairs (a run has about a million) are sorted out by numpy."""
        if not isinstance(seen, Sightings):
            seen = Sightings.of(seen)
        if not len(seen):
            return
        with self.transaction():
            numbers = self._numbers(set(seen.stories))
            story_numbers = np.array([numbers.get(story, -1) for story in seen.stories], dtype=np.int64)
            keys = np.frombuffer(seen.keys, dtype=np.uint64)
            docs = story_numbers[np.frombuffer(seen.story_of_key, dtype=np.int64)]
            seen_at = np.arange(len(keys))[docs >= 0]
            keys, docs = keys[seen_at], docs[seen_at]
            # Each (key, document) once, where it was first seen; then each key's stories in that order.
            order = np.lexsort((seen_at, docs, keys))
            first = np.ones(len(order), dtype=bool)
            first[1:] = (keys[order][1:] != keys[order][:-1]) | (docs[order][1:] != docs[order][:-1])
            kept = order[first]
            kept = kept[np.lexsort((seen_at[kept], keys[kept]))]
            keys, docs = keys[kept], docs[kept]
            room = np.full(len(keys), MAX_BLOCK_CLUSTERS)
            if self._has_blocks():  # stories the index has for a key take room and are not added again
                new = self._known_before(keys, docs, room, numbers)
                keys, docs, room = keys[new], docs[new], room[new]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
            wanted = rank < room
            keys, docs = keys[wanted].view(np.int64), docs[wanted]  # SQLite integers are signed
            order = np.lexsort((docs, keys))  # the B-tree fills page after page
            insert_columns(self.db, "INSERT OR IGNORE INTO blocks", keys[order], docs[order])

    def _known_before(
        self, keys: np.ndarray, docs: np.ndarray, room: np.ndarray, numbers: dict[str, int]
    ) -> np.ndarray:
        """For pairs sorted by key: lower each key's room by the stories the index has for it,
        and say which pairs are new (a story the index has for a key is not recorded again)."""
        new = np.ones(len(keys), dtype=bool)
        for key, known in self.block_clusters(np.unique(keys).tolist()).items():
            exact = np.uint64(key)  # not a float: 2**63 - 1 would round to 2**63
            start, end = int(np.searchsorted(keys, exact, "left")), int(np.searchsorted(keys, exact, "right"))
            room[start:end] -= len(known)
            known_numbers = {numbers[doc_id] for doc_id in known if doc_id in numbers}
            new[start:end] = [int(doc) not in known_numbers for doc in docs[start:end]]
        return new

    def _has_blocks(self) -> bool:
        return self.db.execute("SELECT 1 FROM blocks LIMIT 1").fetchone() is not None

    def _numbers(self, doc_ids: set[str]) -> dict[str, int]:
        """The row numbers of these documents (those in the index)."""
        if len(doc_ids) * 4 >= len(self):  # most of the index (a first run): one scan of it
            rows = self.db.execute("SELECT id, number FROM docs")
            return {doc_id: number for doc_id, number in rows if doc_id in doc_ids}
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted_ids")
        insert_rows(self.db, "INSERT OR IGNORE INTO wanted_ids", ((i,) for i in doc_ids))
        rows = self.db.execute(
            "SELECT docs.id, docs.number FROM wanted_ids JOIN docs ON docs.id = wanted_ids.id"
        )
        return dict(rows.fetchall())
