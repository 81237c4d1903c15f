"""Remembered answers for a stream of documents: boilerplate, reprinted paragraphs and re-scraped
stories come back document after document, and a worker sees its documents side by side.

>>> squares = Remembered(size=2)
>>> [squares.get_or(n, lambda: n * n) for n in (3, 3, 4, 5)]
[9, 9, 16, 25]
>>> len(squares)  # full at 5: forgotten, then 5 remembered
1
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class Remembered(dict[K, V], Generic[K, V]):
    """A dict that forgets everything once it holds ``size`` answers: bounded memory, and no
    bookkeeping per lookup (an LRU's costs as much as some of the answers it saves)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: K, compute: Callable[[], V]) -> V:
        """The answer for ``key``, computed (and remembered) if it is not known."""
        known = self.get(key, _MISSING)
        if known is _MISSING:
            return self.remember(key, compute())
        return known  # type: ignore[return-value]

    def remember(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key`` (forgetting everything first if full), and return it."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
