"""A kept document's LSH band keys as rows of the index's ``bands`` table, and as the index
keeps them with the document (to delete those rows again, each found by its key).

Each row's key holds the band's number in its high 32 bits and the band key in the low ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

BandKeys = Sequence[tuple[int, int]] | np.ndarray  # (band, key) pairs, or a key per band in order


@cache
def _band_numbers(count: int) -> np.ndarray:
    return np.arange(count, dtype=np.int64) << 32


def band_key_column(band_keys: BandKeys) -> np.ndarray:
    """A document's rows of the ``bands`` table: each band's number in the high 32 bits of its key.

    >>> band_key_column(np.array([7, 9], dtype=np.uint32)).tolist() == [7, 1 << 32 | 9]
    True
    """
    if isinstance(band_keys, np.ndarray):
        return _band_numbers(len(band_keys)) | band_keys.astype(np.int64)
    pairs = np.array(band_keys, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0] << 32 | pairs[:, 1]


def stored_rows(band_keys: BandKeys) -> bytes:
    """A document's rows of the ``bands`` table as ``docs.bands`` keeps them (little-endian, the
    same on any machine): a key per band in order, as signing gives them, takes 4 bytes a band;
    other (band, key) pairs take 8 after a marker byte (a length that is no multiple of 4).

    >>> [stored_rows(keys).hex() for keys in (np.array([7], np.uint32), [(2, 9)])]
    ['07000000', '000900000002000000']
    >>> rows_of(stored_rows([(2, 9)])) == [2 << 32 | 9]
    True
    """
    if isinstance(band_keys, np.ndarray):
        return band_keys.astype("<u4").tobytes()
    return b"\0" + band_key_column(band_keys).astype("<i8").tobytes()


def rows_of(stored: bytes | None) -> list[int]:
    """The ``bands`` keys of a document from :func:`stored_rows`.

    >>> rows_of(stored_rows(np.array([7, 9], np.uint32)))
    [7, 4294967305]
    """
    if not stored:
        return []
    if len(stored) % 4:
        return np.frombuffer(stored, dtype="<i8", offset=1).tolist()
    keys = np.frombuffer(stored, dtype="<u4")
    return (_band_numbers(len(keys)) | keys.astype(np.int64)).tolist()
