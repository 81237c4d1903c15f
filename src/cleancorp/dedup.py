"""Near-duplicate detection: MinHash LSH for candidates, exact set overlap to decide.

Documents are offered in priority order; each is compared only with documents already kept, so
a cluster is a kept document and the documents verified against *it* (no chaining through a
third). A candidate is a duplicate when the exact Jaccard similarity of the shingle sets reaches
``threshold``, or when most of the smaller document's shingles lie in the larger one
(``containment``: an abridged reprint), provided it is not tiny.

>>> finder = NearDuplicates(DedupSettings(num_perm=64))
>>> first = "alpha bravo charlie delta echo foxtrot golf hotel".split()
>>> second = "india juliet kilo lima".split()
>>> text = " ".join(f"{a} {b} {c}" for a in first for b in second for c in first)  # 768 words
>>> finder.check("a", text) is None
True
>>> finder.check("b", "Reprinted: " + text.replace("kilo", "lima", 2)).kept_id
'a'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .signing import Shingles, Signed, compact, sign


@dataclass(frozen=True)
class DedupSettings:
    threshold: float = 0.7  # exact Jaccard at which two bodies are the same story
    containment: float = 0.8  # share of the smaller body inside the larger for an abridged copy
    min_containment_shingles: int = 100  # a shorter piece is a brief, not an abridged copy
    # An abridged reprint loses a paragraph or two; a 60-word brief that opens like a 600-word
    # story is a different piece. Containment counts only above this size ratio.
    containment_min_ratio: float = 0.3
    num_perm: int = 128
    shingle_size: int = 5
    lsh_threshold: float = 0.3  # lower than ``threshold`` so abridged copies become candidates
    seed: int = 1


@dataclass(frozen=True)
class Match:
    kept_id: str
    similarity: float  # exact Jaccard to the kept document
    containment: float


class KeptEarlier(Protocol):
    """Documents kept by earlier runs (the persistent index)."""

    def candidates(self, band_keys: Iterable[tuple[int, int]]) -> list[str]: ...

    def shingles_of(self, doc_id: str) -> np.ndarray | None: ...


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of unique values share: the two merged by a stable sort
    (timsort finds the two runs and merges them in one pass), a shared value then standing next to
    itself. A third of the time of looking each value of one up in the other (searchsorted).

    >>> shared_count(np.array([1, 4, 9], dtype=np.uint32), np.array([2, 4, 9, 12], dtype=np.uint32))
    2
    """
    merged = np.concatenate((a, b))
    merged.sort(kind="stable")
    return int(np.count_nonzero(merged[1:] == merged[:-1]))


def compare(a: set[int] | Shingles, b: set[int] | Shingles, settings: DedupSettings) -> Match | None:
    """Jaccard and containment of two shingle sets, if they make one story (``kept_id`` empty)."""
    a, b = compact(a), compact(b)
    if not a.size or not b.size:
        return None
    common = shared_count(a, b)
    jaccard = common / (a.size + b.size - common)
    smaller = min(a.size, b.size)
    containment = common / smaller
    abridged = (
        containment >= settings.containment
        and smaller >= settings.min_containment_shingles
        and smaller / max(a.size, b.size) >= settings.containment_min_ratio
    )
    if jaccard >= settings.threshold or abridged:
        return Match("", round(jaccard, 4), round(containment, 4))
    return None


class BandIndex:
    """LSH buckets in memory: for each band key, the documents inserted with it.

    A dict entry per band per kept document, where datasketch's ``MinHashLSH`` keeps a set and a
    bytes key per band per document (~12 KB a document against ~4 KB here).

    >>> index = BandIndex()
    >>> index.insert("a", [1, 2, 3]); index.insert("b", [3, 4, 5])
    >>> sorted(index.query([5, 3, 9]))
    ['a', 'b']
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._first: dict[int, int] = {}  # band key -> number of the first document with it
        self._more: dict[int, list[int]] = {}  # band key -> the others (rare: a shared band)

    def insert(self, doc_id: str, keys: Iterable[int]) -> None:
        number = len(self._ids)
        self._ids.append(doc_id)
        for key in keys:
            if self._first.setdefault(key, number) != number:
                self._more.setdefault(key, []).append(number)

    def query(self, keys: Sequence[int]) -> set[str]:
        numbers = set(map(self._first.get, keys))  # one lookup per band, looped in C
        numbers.discard(None)
        if self._more:
            for others in filter(None, map(self._more.get, keys)):
                numbers.update(others)
        return {self._ids[number] for number in numbers}


class SharedBands:
    """The LSH buckets of a pass whose documents are all known beforehand (a run's corpus stage):
    :class:`BandIndex`'s answers, for the band keys that two or more of them share.

    Every band key of the pass is sorted once (numpy); a key no other document has can never
    make a candidate, and most keys are such, so only the shared ones are looked up and filled
    as documents are kept. :class:`BandIndex` holds a dict entry per band per kept document for
    as long as the pass lasts; this, 20 bytes per band per document.

    >>> keys = {"a": [1, 2], "b": [3, 2], "c": [4, 5], "d": [2, 4]}
    >>> bands = SharedBands(list(keys), [np.array(k, dtype=np.uint64) for k in keys.values()])
    >>> bands.keep("a"); bands.keep("c")
    >>> bands.kept_sharing("d"), bands.kept_sharing("b"), bands.kept_sharing("a")
    (['a', 'c'], ['a'], [])
    """

    def __init__(self, ids: Sequence[str], lsh_keys: Sequence[np.ndarray]) -> None:
        self._ids = list(ids)
        self._number = {doc_id: number for number, doc_id in enumerate(self._ids)}
        count = len(self._ids)
        sizes = np.fromiter(map(len, lsh_keys), dtype=np.int64, count=count)
        owners = np.repeat(np.arange(count, dtype=np.int32), sizes)
        keys = np.concatenate(lsh_keys) if count else np.empty(0, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        self._keys, self._owners = keys[order], owners[order]  # every key, and whose it is
        same = self._keys[1:] == self._keys[:-1]
        repeated = np.zeros(keys.size, dtype=bool)
        repeated[1:] |= same
        repeated[:-1] |= same
        shared = np.empty_like(repeated)
        shared[order] = repeated  # back in the documents' order: each one's keys side by side
        self._shared = keys[shared]
        counts = np.bincount(owners[shared], minlength=count)
        self._bounds: list[int] = np.concatenate(([0], np.cumsum(counts))).tolist()
        self._kept: dict[int, int] = {}  # shared key -> the first kept document with it
        self._more: dict[int, list[int]] = {}  # shared key -> the other kept ones (few)
        self._last: tuple[int, list[int]] = (-1, [])  # a document is looked up, then maybe kept

    def _shared_keys(self, number: int) -> list[int]:
        if self._last[0] != number:
            start, end = self._bounds[number], self._bounds[number + 1]
            self._last = (number, self._shared[start:end].tolist() if end > start else [])
        return self._last[1]

    def keep(self, doc_id: str) -> None:
        number = self._number[doc_id]
        for key in self._shared_keys(number):
            if self._kept.setdefault(key, number) != number:
                self._more.setdefault(key, []).append(number)

    def forget_kept(self) -> None:
        """End of the pass: drop what was kept (:meth:`having` and :meth:`reach` still answer)."""
        self._kept, self._more = {}, {}

    def kept_sharing(self, doc_id: str) -> list[str]:
        """The other kept documents that share a band key with ``doc_id``, in the order of ``ids``."""
        number = self._number[doc_id]
        keys = self._shared_keys(number)
        if not keys:
            return []
        found = set(map(self._kept.get, keys))
        found.discard(None)
        if self._more:
            for others in filter(None, map(self._more.get, keys)):
                found.update(others)
        found.discard(number)
        return [self._ids[number] for number in sorted(found)]

    def parts(self, count: int) -> dict[str, int]:
        """A part (0 to ``count`` - 1) for every document, documents linked through shared keys,
        however many steps apart, in the same one: a pass decides each part on its own, as it
        would all of them together. Parts are about equal in shared keys (the work of a pass).

        >>> keys = {"a": [1, 2], "b": [2, 3], "c": [4], "d": [4, 5], "e": [6]}
        >>> bands = SharedBands(list(keys), [np.array(k, dtype=np.uint64) for k in keys.values()])
        >>> bands.parts(2)
        {'a': 0, 'b': 0, 'c': 1, 'd': 1, 'e': 0}
        """
        from scipy.sparse import coo_matrix  # datasketch's dependency, imported by it already
        from scipy.sparse.csgraph import connected_components

        documents = len(self._ids)
        linked = np.flatnonzero(self._keys[1:] == self._keys[:-1])  # neighbours in key order
        links = coo_matrix(
            (np.ones(linked.size, dtype=np.int8), (self._owners[linked], self._owners[linked + 1])),
            shape=(documents, documents),
        )
        _, component = connected_components(links, directed=False)
        # A component's work: its documents' shared keys, and each document's own check.
        weight = np.bincount(component, weights=np.diff(self._bounds) + 1)
        loads = [0.0] * count
        part_of_component = np.zeros(weight.size, dtype=np.int64)
        for found in np.argsort(-weight, kind="stable").tolist():  # heaviest first, to the lightest part
            lightest = loads.index(min(loads))
            part_of_component[found] = lightest
            loads[lightest] += weight[found]
        return dict(zip(self._ids, part_of_component[component].tolist(), strict=True))

    def having(self, keys: np.ndarray) -> set[str]:
        """The documents with any of these band keys."""
        starts = np.searchsorted(self._keys, keys, side="left")
        ends = np.searchsorted(self._keys, keys, side="right")
        numbers = set()
        for start, end in zip(starts[ends > starts].tolist(), ends[ends > starts].tolist(), strict=True):
            numbers.update(self._owners[start:end].tolist())
        return {self._ids[number] for number in numbers}

    def reach(self, doc_ids: Iterable[str]) -> set[str]:
        """``doc_ids`` and every document linked to one of them through shared band keys, however
        many steps away: the part of the pass that depends on them.

        >>> keys = {"a": [1, 2], "b": [2, 3], "c": [3, 4], "d": [5, 6], "e": [6, 7]}
        >>> bands = SharedBands(list(keys), [np.array(k, dtype=np.uint64) for k in keys.values()])
        >>> sorted(bands.reach(["a"])), sorted(bands.reach(["e", "x"]))
        (['a', 'b', 'c'], ['d', 'e', 'x'])
        >>> sorted(bands.having(np.array([3, 9], dtype=np.uint64)))
        ['b', 'c']
        """
        reached = set(doc_ids)
        waiting = [self._number[doc_id] for doc_id in reached if doc_id in self._number]
        seen: set[int] = set()
        while waiting:
            keys = [key for key in self._shared_keys(waiting.pop()) if key not in seen]
            seen.update(keys)
            for doc_id in self.having(np.array(keys, dtype=np.uint64)) - reached:
                reached.add(doc_id)
                waiting.append(self._number[doc_id])
        return reached


Verdicts = dict[tuple[int, int], Match | None]  # (key, key) of two signed bodies -> their comparison


class _Loaded:
    """Shingles read from the spill the first time they are needed, then held."""

    __slots__ = ("_array", "_shingles")

    def __init__(self, shingles: Shingles) -> None:
        self._shingles = shingles
        self._array: np.ndarray | None = None

    def array(self) -> np.ndarray:
        if self._array is None:
            self._array = compact(self._shingles)
        return self._array


class NearDuplicates:
    """An incremental set of kept documents that new documents are checked against.

    ``earlier``: documents kept by earlier runs, checked too (they are never replaced).
    """

    def __init__(
        self,
        settings: DedupSettings | None = None,
        earlier: KeptEarlier | None = None,
        verified: Mapping[str, list[tuple[str, Match]]] | None = None,
        verdicts: Verdicts | None = None,
        shared: SharedBands | None = None,
    ) -> None:
        self.settings = settings or DedupSettings()
        self.earlier = earlier
        self.verified = verified  # id -> verified neighbours, when the pairs were found elsewhere
        # The buckets when every document to be checked is known beforehand (ids in id order).
        self.shared = shared
        # Pairs of bodies compared before, shared by the passes of one corpus stage (a stream's
        # finder, which lives as long as the stream, has none: it never compares a pair twice).
        self.verdicts = verdicts
        self._kept: set[str] = set()
        self._bands = BandIndex()
        self._signed: dict[str, Signed] = {}

    def compare(self, a: set[int] | Shingles, b: set[int] | Shingles) -> Match | None:
        return compare(a, b, self.settings)

    def best_match(self, doc_id: str, signed: Signed) -> Match | None:
        """The best verified match among kept documents for a signed body.

        Ties go to the first candidate: in-run documents in id order, then earlier runs'.
        """
        best: Match | None = None
        if signed.shingles.size:
            for candidate, found in self._matches(doc_id, signed):
                if found and (
                    best is None
                    or (found.similarity, found.containment) > (best.similarity, best.containment)
                ):
                    best = Match(candidate, found.similarity, found.containment)
        return best

    def _matches(self, doc_id: str, signed: Signed) -> Iterator[tuple[str, Match | None]]:
        own = _Loaded(signed.shingles)  # read once, if a comparison needs it (``keep`` stores it spilled)
        if self.verified is None:
            for candidate in self._kept_candidates(doc_id, signed):
                yield candidate, self._verdict(signed, own, self._signed[candidate])
        else:  # pairs verified elsewhere (a cluster): the kept ones among this text's neighbours
            neighbours = self.verified.get(doc_id, ())
            yield from sorted(((c, m) for c, m in neighbours if c in self._kept), key=lambda n: n[0])
        if self.earlier is not None:
            for candidate in self.earlier.candidates(signed.index_keys()):
                kept_shingles = self.earlier.shingles_of(candidate)
                if kept_shingles is not None and len(kept_shingles):
                    yield candidate, self.compare(own.array(), kept_shingles)

    def _kept_candidates(self, doc_id: str, signed: Signed) -> list[str]:
        """The kept documents sharing a band with this body, in id order."""
        if self.shared is None:
            return sorted(self._bands.query(signed.lsh_keys.tolist()))
        return self.shared.kept_sharing(doc_id)

    def _verdict(self, signed: Signed, own: _Loaded, kept: Signed) -> Match | None:
        if self.verdicts is None:
            return self.compare(own.array(), kept.shingles)
        # Keys name bodies (and settings): the same pair of keys always compares the same.
        pair = (signed.key, kept.key) if signed.key <= kept.key else (kept.key, signed.key)
        if pair not in self.verdicts:
            self.verdicts[pair] = self.compare(own.array(), kept.shingles)
        return self.verdicts[pair]

    def keep(self, doc_id: str, signed: Signed) -> None:
        if not signed.shingles.size:
            return
        self._kept.add(doc_id)
        if self.verified is None:
            if self.shared is None:
                self._bands.insert(doc_id, signed.lsh_keys.tolist())
            else:
                self.shared.keep(doc_id)
            self._signed[doc_id] = signed

    def check(self, doc_id: str, text: str, cached: Signed | None = None) -> Match | None:
        """Return the kept document ``text`` duplicates, or keep it and return ``None``."""
        return self.check_signed(doc_id, sign(text, self.settings, cached))

    def check_signed(self, doc_id: str, signed: Signed) -> Match | None:
        """:meth:`check` for a body signed already (the caller vouches that it is the current one)."""
        match = self.best_match(doc_id, signed)
        if match is None:
            self.keep(doc_id, signed)
        return match
