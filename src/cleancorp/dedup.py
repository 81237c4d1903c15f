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

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
import xxhash
from datasketch import MinHash, MinHashLSH

from .memo import Remembered

if TYPE_CHECKING:
    from .spill import Spill, Stored

TOKEN = re.compile(r"[^\W\d_]+")


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


# ASCII letters lowered, every other ASCII byte a space; bytes of other characters kept as they are.
_ASCII_LETTERS = bytes(code | 0x20 if chr(code).isalpha() else 32 for code in range(128))
_ASCII_LETTERS += bytes(range(128, 256))
_PUNCTUATION = tuple(mark.encode() for mark in "’“”‘—–…\u00a0")


def letter_runs(text: str) -> list[bytes]:
    """``TOKEN.findall(text.casefold())``, encoded: the words shingles are made of.

    Most of a news text is ASCII, where bytes.translate and split do the work of the Unicode
    regular expression many times faster; only words with other characters are case-folded and
    split by it. The two agree because casefolding is character by character and the ASCII
    characters around such a word are not letters either way.

    >>> letter_runs("Straße, DON’T 2019 x_y")
    [b'strasse', b'don', b't', b'x', b'y']
    """
    mapped = text.encode("utf-8", "surrogatepass")
    for mark in _PUNCTUATION:  # most of what is not ASCII in English news, and never a letter
        if mark in mapped:
            mapped = mapped.replace(mark, b" ")
    mapped = mapped.translate(_ASCII_LETTERS)
    if not mapped.isascii():
        mapped = _WORD_WITH_OTHER_CHARACTERS.sub(_fold_word, mapped)
    return mapped.split()


_WORD_WITH_OTHER_CHARACTERS = re.compile(rb"(?<!\S)\S*[\x80-\xff]\S*")


def _fold_word(match: re.Match[bytes]) -> bytes:
    folded = match.group().decode("utf-8", "surrogatepass").casefold()
    return " ".join(TOKEN.findall(folded)).encode("utf-8", "surrogatepass")


def shingle_array(text: str, size: int) -> np.ndarray:
    """Hashes of word ``size``-grams over case-folded letter runs (digits and punctuation dropped),
    as a sorted array of unique uint32 (xxh32 of the words joined by single spaces).

    A text shorter than ``size`` words gives one shingle of all its words.

    >>> shingle_array("The Army, in 2019, said: WAIT!", 4).tolist() == sorted(
    ...     xxhash.xxh32_intdigest(words) for words in (b"the army in said", b"army in said wait"))
    True
    """
    tokens = letter_runs(text)
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    joined = b" ".join(tokens)
    if len(tokens) <= size:
        return np.array([xxhash.xxh32_intdigest(joined)], dtype=np.uint32)
    # Each shingle is a slice of the joined bytes, from a word's start to the end of the word
    # size - 1 further on: the same bytes as joining its own words. Tokens hold no spaces.
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 32)
    starts = [0, *(spaces[: len(tokens) - size] + 1).tolist()]
    ends = [*spaces[size - 1 :].tolist(), len(joined)]
    slices = map(joined.__getitem__, map(slice, starts, ends))
    hashes = np.fromiter(map(xxhash.xxh32_intdigest, slices), dtype=np.uint32, count=len(starts))
    hashes.sort()
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]


def shingle_hashes(text: str, size: int) -> set[int]:
    """:func:`shingle_array` as a set."""
    return set(shingle_array(text, size).tolist())


SIGNATURE_BATCH = 16_384  # a num_perm x batch matrix is built at a time: keep it a few MB
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies before permuting.
_FMIX32 = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))


@cache
def _template(num_perm: int, seed: int) -> MinHash:
    """datasketch draws the permutations from ``seed`` for every MinHash: once per process here."""
    template = MinHash(num_perm=num_perm, seed=seed)
    if template.scheme != "affine32":
        raise RuntimeError(f"cleancorp expects datasketch's affine32 MinHash, not {template.scheme!r}")
    return template


def signature(shingles: np.ndarray, settings: DedupSettings) -> MinHash:
    """The MinHash of shingle hashes (uint32, already hashes), with datasketch's permutations.

    The same values as ``MinHash.update_batch`` with the identity as hash function (a test holds
    them to it), computed on the array directly instead of one Python call per shingle.
    """
    template = _template(settings.num_perm, settings.seed)
    return MinHash(
        settings.num_perm, settings.seed, hashvalues=signature_values(shingles, settings),
        permutations=template.permutations, scheme=template.scheme,
    )  # fmt: skip


def signature_values(shingles: np.ndarray, settings: DedupSettings) -> np.ndarray:
    """:func:`signature`'s hash values alone (signing reads nothing else)."""
    template = _template(settings.num_perm, settings.seed)
    a, b = (part.reshape(-1, 1) for part in template.permutations)
    values = template.hashvalues.copy()
    shift1, multiply1, shift2, multiply2, shift3 = _FMIX32
    for start in range(0, len(shingles), SIGNATURE_BATCH):
        mixed = shingles[start : start + SIGNATURE_BATCH].astype(np.uint32)
        mixed = (mixed ^ (mixed >> shift1)) * multiply1
        mixed = (mixed ^ (mixed >> shift2)) * multiply2
        mixed ^= mixed >> shift3
        # One num_perm x n matrix, added to in place: a temporary per operation costs more than the math.
        permuted = a * mixed
        permuted += b
        np.minimum(values, permuted.min(axis=1), out=values)
    return values


@cache
def _bands(lsh_threshold: float, num_perm: int) -> tuple[int, int]:
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@dataclass(frozen=True, slots=True)
class SpilledShingles:
    """A shingle array moved to a :class:`~cleancorp.spill.Spill`; read back to be compared."""

    stored: Stored

    @property
    def size(self) -> int:
        return self.stored.length // 4

    def load(self) -> np.ndarray:
        return np.frombuffer(self.stored.read(), dtype=np.uint32)


Shingles = np.ndarray | SpilledShingles


@dataclass(frozen=True)
class Signed:
    """A body's shingles and the band keys of its MinHash, made once (in a worker) and reused by
    every corpus pass while the body stays the same. The MinHash values themselves are not kept:
    candidates are verified on the shingles, so only the band keys are ever read again."""

    key: int  # of the body and settings they were made from
    shingles: Shingles  # sorted unique uint32: 4 bytes a shingle, where a set of ints takes ~60
    # The band keys, made once with the signature (each corpus pass looks them up two or three
    # times): uint64 keys of the in-memory LSH buckets, uint32 keys of the persistent index.
    lsh_keys: np.ndarray
    band_keys: np.ndarray
    chars: int  # the body's length: the longest version of a story is the one kept

    def spilled(self, spill: Spill) -> Signed:
        """The same, with the shingles in ``spill`` (a run holding many documents)."""
        if isinstance(self.shingles, SpilledShingles):
            return self
        return replace(self, shingles=SpilledShingles(spill.put(self.shingles.tobytes())))

    def index_keys(self) -> list[tuple[int, int]]:
        """(band, key) pairs: the form the persistent index stores and looks up."""
        return list(enumerate(self.band_keys.tolist()))


def _sign_key(text: str, settings: DedupSettings) -> int:
    return xxhash.xxh3_64_intdigest(
        f"{settings.shingle_size}/{settings.num_perm}/{settings.seed}\0{text}".encode()
    )


# Bodies remembered per process: a story re-scraped with other boilerplate cleans to the same
# body, and its copies sit side by side.
_SIGNED: Remembered[int, Signed] = Remembered(2048)


def sign(text: str, settings: DedupSettings, cached: Signed | None = None) -> Signed:
    """Shingles and signature of ``text``; ``cached`` is returned if it was made from the same,
    and so is the signature of the same body signed a moment ago (a :class:`Signed` is frozen)."""
    key = _sign_key(text, settings)
    if cached is not None and cached.key == key:
        return cached
    return _SIGNED.get_or(key, lambda: _signed_body(key, text, settings))


def _signed_body(key: int, text: str, settings: DedupSettings) -> Signed:
    array = shingle_array(text, settings.shingle_size)
    array.setflags(write=False)  # shared by every document with this body
    values = signature_values(array, settings)
    return Signed(
        key, array, np.array(lsh_keys(values, settings), dtype=np.uint64),
        np.array([value for _, value in band_keys(values, settings)], dtype=np.uint32), len(text),
    )  # fmt: skip


def compact(shingles: set[int] | Shingles) -> np.ndarray:
    """Shingle hashes as a sorted uint32 array, the form verification compares."""
    if isinstance(shingles, np.ndarray):
        return shingles
    if isinstance(shingles, SpilledShingles):
        return shingles.load()
    return np.fromiter(sorted(shingles), dtype=np.uint32, count=len(shingles))


def _band_values(values: np.ndarray, settings: DedupSettings) -> Iterator[tuple[int, bytes]]:
    """Each band's slice of the signature, banded as datasketch's LSH does for the same threshold."""
    bands, rows = _bands(settings.lsh_threshold, settings.num_perm)
    for band in range(bands):
        yield band, values[band * rows : (band + 1) * rows].tobytes()


def band_keys(values: np.ndarray, settings: DedupSettings) -> list[tuple[int, int]]:
    """(band, 32-bit key) pairs of a signature's hash values: the form the persistent index stores."""
    return [(band, xxhash.xxh32_intdigest(value)) for band, value in _band_values(values, settings)]


class KeptEarlier(Protocol):
    """Documents kept by earlier runs (the persistent index)."""

    def candidates(self, band_keys: Iterable[tuple[int, int]]) -> list[str]: ...

    def shingles_of(self, doc_id: str) -> set[int] | None: ...


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of unique values share: each value of the smaller one
    looked up in the larger by bisection, which costs a third of merging the two (intersect1d).

    >>> shared_count(np.array([1, 4, 9], dtype=np.uint32), np.array([2, 4, 9, 12], dtype=np.uint32))
    2
    """
    small, large = (a, b) if a.size <= b.size else (b, a)
    if not small.size:
        return 0
    positions = np.searchsorted(large, small)
    positions[positions == large.size] = 0  # past the end: compared with any value, it differs
    return int(np.count_nonzero(large[positions] == small))


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


def lsh_keys(values: np.ndarray, settings: DedupSettings) -> list[int]:
    """One 64-bit key per band (the band number seeds the hash): two signatures are in-memory
    LSH candidates when they share a key."""
    return [xxhash.xxh3_64_intdigest(value, seed=band) for band, value in _band_values(values, settings)]


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
    ) -> None:
        self.settings = settings or DedupSettings()
        self.earlier = earlier
        self.verified = verified  # id -> verified neighbours, when the pairs were found elsewhere
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
            for candidate in sorted(self._bands.query(signed.lsh_keys.tolist())):
                yield candidate, self._verdict(signed, own, self._signed[candidate])
        else:  # pairs verified elsewhere (a cluster): the kept ones among this text's neighbours
            neighbours = self.verified.get(doc_id, ())
            yield from sorted(((c, m) for c, m in neighbours if c in self._kept), key=lambda n: n[0])
        if self.earlier is not None:
            for candidate in self.earlier.candidates(signed.index_keys()):
                kept_shingles = self.earlier.shingles_of(candidate)
                if kept_shingles:
                    yield candidate, self.compare(own.array(), kept_shingles)

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
            self._bands.insert(doc_id, signed.lsh_keys.tolist())
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
