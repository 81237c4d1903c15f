"""Shingles and MinHash signatures: what deduplication compares, made once per body in a worker.

A body's shingles are word 5-grams over its case-folded letter runs, hashed to uint32; its
signature is datasketch's affine32 MinHash of them, cut into LSH bands. Only the band keys are
kept from the signature: candidates are verified on the shingles themselves (:mod:`cleancorp.dedup`).

>>> from cleancorp.dedup import DedupSettings
>>> settings = DedupSettings()
>>> first = sign("The council approved the budget for the new bridge on Monday.", settings)
>>> first.shingles.size, len(first.band_keys) == len(first.lsh_keys)
(7, True)
>>> again = sign("THE COUNCIL approved the budget, for the new bridge on Monday!", settings)
>>> again.lsh_keys.tolist() == first.lsh_keys.tolist()  # case and punctuation are not words
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import xxhash

from .memo import Remembered
from .spill import Stored

if TYPE_CHECKING:
    from datasketch import MinHash

    from .dedup import DedupSettings  # not at run time: dedup imports this module
    from .spill import Spill

TOKEN = re.compile(r"[^\W\d_]+")

# ASCII letters lowered, every other ASCII byte a space; bytes of other characters kept as they are.
_ASCII_LETTERS = bytes(code | 0x20 if chr(code).isalpha() else 32 for code in range(128))
_ASCII_LETTERS += bytes(range(128, 256))


def letter_runs(text: str) -> list[bytes]:
    """``TOKEN.findall(text.casefold())``, encoded: the words shingles are made of.

    Most of a news text is ASCII, where bytes.translate and split do the work of the Unicode
    regular expression many times faster. The few other characters of a text (accented letters,
    curly quotes, Cyrillic) are gathered by numpy and looked at once each: case folding, which
    is character by character, is applied to the whole text only if one of them changes, and
    each that is not a letter of a word becomes a space. Only then is the text split.

    >>> letter_runs("Straße, DON’T 2019 x_y")
    [b'strasse', b'don', b't', b'x', b'y']
    >>> [word.decode() for word in letter_runs("Москва, 2019: ГОРОД")]
    ['москва', 'город']
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_LETTERS).split()
    mapped = text.encode("utf-8", "surrogatepass").translate(_ASCII_LETTERS)
    codes = np.frombuffer(mapped, np.uint8)
    others = codes[codes >= 0x80].tobytes().decode("utf-8", "surrogatepass")
    folded = others.casefold()
    separators = [char for char in set(folded) if not _is_letter(char)]
    if folded == others:
        if not separators:
            return mapped.split()
        spaced = mapped.decode("utf-8", "surrogatepass")
    else:  # the ASCII letters are lowered already, and folding makes no other ASCII character
        spaced = mapped.decode("utf-8", "surrogatepass").casefold()
    for char in separators:
        spaced = spaced.replace(char, " ")
    return spaced.encode("utf-8", "surrogatepass").split()


@cache
def _is_letter(char: str) -> bool:
    """Whether ``char`` is part of a word to :data:`TOKEN` (Unicode letters and numbers but digits)."""
    return TOKEN.fullmatch(char) is not None


# The base of the polynomial that chains a shingle's word hashes (odd: multiplying by it
# modulo 2**64 loses nothing), the 64-bit golden ratio.
SHINGLE_BASE = np.uint64(0x9E3779B97F4A7C15)


def shingle_array(text: str, size: int) -> np.ndarray:
    """Hashes of word ``size``-grams over case-folded letter runs (digits and punctuation dropped),
    as a sorted array of unique uint32.

    Each word is hashed once (xxh3, 64 bits) and a shingle's hash is the polynomial of its
    words' hashes in :data:`SHINGLE_BASE` modulo 2**64, of which the high 32 bits are kept:
    numpy computes every shingle at once, where hashing each shingle's bytes took a call per
    shingle. A text shorter than ``size`` words gives one shingle of all its words.

    >>> def shingle(*words):
    ...     value = 0
    ...     for word in words:
    ...         value = (value * int(SHINGLE_BASE) + xxhash.xxh3_64_intdigest(word)) % 2**64
    ...     return value >> 32
    >>> shingle_array("The Army, in 2019, said: WAIT!", 4).tolist() == sorted(
    ...     {shingle(b"the", b"army", b"in", b"said"), shingle(b"army", b"in", b"said", b"wait")})
    True
    """
    tokens = letter_runs(text)
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    words = np.fromiter(map(xxhash.xxh3_64_intdigest, tokens), dtype=np.uint64, count=len(tokens))
    width = min(size, len(tokens))
    count = len(tokens) - width + 1
    chained = words[:count].copy()
    for offset in range(1, width):  # Horner's rule, a word position at a time over all shingles
        chained *= SHINGLE_BASE
        chained += words[offset : offset + count]
    hashes = (chained >> np.uint64(32)).astype(np.uint32)
    hashes.sort()
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]


SIGNATURE_BATCH = 16_384  # a num_perm x batch matrix is built at a time: keep it a few MB
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies before permuting.
_FMIX32 = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))


def prepare(settings: DedupSettings) -> None:
    """Import datasketch and make its permutations and LSH bands for ``settings`` in this process.

    datasketch imports scipy (0.6 s), which a command that signs nothing does not pay. A run
    prepares before it starts its workers, which inherit all this instead of each making it again.
    """
    _template(settings.num_perm, settings.seed)
    _bands(settings.lsh_threshold, settings.num_perm)


@cache
def _template(num_perm: int, seed: int) -> MinHash:
    """datasketch draws the permutations from ``seed`` for every MinHash: once per process here."""
    from datasketch import MinHash

    template = MinHash(num_perm=num_perm, seed=seed)
    if template.scheme != "affine32":
        raise RuntimeError(f"cleancorp expects datasketch's affine32 MinHash, not {template.scheme!r}")
    return template


def signature(shingles: np.ndarray, settings: DedupSettings) -> MinHash:
    """The MinHash of shingle hashes (uint32, already hashes), with datasketch's permutations.

    The same values as ``MinHash.update_batch`` with the identity as hash function (a test holds
    them to it), computed on the array directly instead of one Python call per shingle.
    """
    from datasketch import MinHash

    template = _template(settings.num_perm, settings.seed)
    return MinHash(
        settings.num_perm, settings.seed, hashvalues=signature_values(shingles, settings),
        permutations=template.permutations, scheme=template.scheme,
    )  # fmt: skip


def signature_values(shingles: np.ndarray, settings: DedupSettings, count: int | None = None) -> np.ndarray:
    """:func:`signature`'s hash values alone (signing reads nothing else), or its first ``count``:
    the LSH bands use 111 of the 128."""
    template = _template(settings.num_perm, settings.seed)
    a, b = (part[:count].reshape(-1, 1) for part in template.permutations)
    values = template.hashvalues[:count].copy()
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
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@dataclass(frozen=True, slots=True)
class SpilledShingles(Stored):
    """A shingle array moved to a :class:`~cleancorp.spill.Spill`; read back to be compared."""

    @property
    def size(self) -> int:
        return self.length // 4

    def load(self) -> np.ndarray:
        return np.frombuffer(self.read(), dtype=np.uint32)


Shingles = np.ndarray | SpilledShingles


@dataclass(frozen=True, slots=True)
class Signed:
    """A body's shingles and the band keys of its MinHash, made once (in a worker) and reused by
    every corpus pass while the body stays the same. The MinHash values themselves are not kept:
    candidates are verified on the shingles, so only the band keys are ever read again.

    A run holds one for every document until its corpus stages are done, so the band keys are
    one ``bytes`` (a numpy array's header alone takes 112 bytes), read through the array views
    :attr:`lsh_keys` and :attr:`band_keys`.
    """

    key: int  # of the body and settings they were made from
    shingles: Shingles  # sorted unique uint32: 4 bytes a shingle, where a set of ints takes ~60
    keys: bytes  # a uint64 LSH key a band (made once: each corpus pass looks them up two or three times)
    chars: int  # the body's length: the longest version of a story is the one kept

    @classmethod
    def of(cls, key: int, shingles: Shingles, lsh_keys: np.ndarray, chars: int) -> Signed:
        """Made from the LSH keys as an array.

        >>> signed = Signed.of(1, np.zeros(0, np.uint32), np.array([5, 6 + (7 << 32)], np.uint64), chars=0)
        >>> signed.lsh_keys.tolist(), signed.band_keys.tolist()
        ([5, 30064771078], [5, 6])
        """
        return cls(key, shingles, np.ascontiguousarray(lsh_keys, dtype=np.uint64).tobytes(), chars)

    @property
    def lsh_keys(self) -> np.ndarray:
        """uint64 keys of the in-memory LSH buckets, one a band (read-only)."""
        return np.frombuffer(self.keys, dtype=np.uint64)

    @property
    def band_keys(self) -> np.ndarray:
        """uint32 keys of the persistent index, one a band: the low half of each LSH key (the
        index stores the band's number next to it)."""
        return self.lsh_keys.astype(np.uint32)

    def spilled(self, spill: Spill) -> Signed:
        """The same, with the shingles in ``spill`` (a run holding many documents)."""
        if isinstance(self.shingles, SpilledShingles):
            return self
        stored = spill.put(self.shingles.tobytes())
        return replace(self, shingles=SpilledShingles(stored.spill, stored.where))

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as bytes (a worker sends every signed body to the run's process): numpy's own
        pickling of the arrays cost five times more.

        >>> import pickle
        >>> from cleancorp.dedup import DedupSettings
        >>> signed = sign("The council approved the budget on Monday.", DedupSettings())
        >>> again = pickle.loads(pickle.dumps(signed))
        >>> again == Signed(signed.key, again.shingles, signed.keys, signed.chars)
        True
        >>> again.shingles.tolist() == signed.shingles.tolist()
        True
        """
        if not isinstance(self.shingles, np.ndarray):
            return Signed, (self.key, self.shingles, self.keys, self.chars)
        return _signed_from_bytes, (self.key, self.shingles.tobytes(), self.keys, self.chars)

    def index_keys(self) -> list[tuple[int, int]]:
        """(band, key) pairs: the form the persistent index stores and looks up."""
        return list(enumerate(self.band_keys.tolist()))


def _signed_from_bytes(key: int, shingles: bytes, keys: bytes, chars: int) -> Signed:
    """A :class:`Signed` unpickled: a read-only array over the pickled bytes, as signing makes it."""
    return Signed(key, np.frombuffer(shingles, dtype=np.uint32), keys, chars)


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
    bands, rows = _bands(settings.lsh_threshold, settings.num_perm)
    values = signature_values(array, settings, bands * rows)
    return Signed.of(key, array, lsh_key_array(values, bands, rows), len(text))


def compact(shingles: set[int] | Shingles) -> np.ndarray:
    """Shingle hashes as a sorted uint32 array, the form verification compares."""
    if isinstance(shingles, np.ndarray):
        return shingles
    if isinstance(shingles, SpilledShingles):
        return shingles.load()
    return np.fromiter(sorted(shingles), dtype=np.uint32, count=len(shingles))


def lsh_key_array(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """The band keys of a signature's hash values, banded as datasketch's LSH does for the same
    threshold (``rows`` values a band): a 64-bit key per band, seeded with the band number.

    >>> values = np.arange(6, dtype=np.uint64)
    >>> int(lsh_key_array(values, 2, 3)[1]) == xxhash.xxh3_64_intdigest(values[3:].tobytes(), seed=1)
    True
    """
    width = rows * values.itemsize
    raw = values[: bands * rows].tobytes()
    slices = [raw[band * width : (band + 1) * width] for band in range(bands)]
    return np.fromiter(map(xxhash.xxh3_64_intdigest, slices, range(bands)), dtype=np.uint64, count=bands)
