"""A scratch file for what a run holds between cleaning and writing.

A run keeps every cleaned document until the corpus stages are done (repeated blocks need all of
them, and the longest version of a story is kept). What only the writers read again (the
packed body, the removed blocks, the metadata) and the shingles go to this file; what stays in
memory, about 2 KB a document, is what the corpus stages read (band and block keys, verdicts)
and where the rest is. The file is
anonymous (``tempfile.TemporaryFile``): it disappears when closed, or when the run dies.

>>> with Spill() as spill:
...     stored = spill.put(b"hello")
...     stored.read(), stored.length
(b'hello', 5)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


class Spill:
    def __init__(self, folder: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        self._fd = self._file.fileno()
        self._end = 0

    def put(self, data: bytes) -> Stored:
        offset = self._end
        written = 0
        while written < len(data):  # pwrite may write less than asked
            written += os.pwrite(self._fd, data[written:], offset + written)
        self._end += len(data)
        return Stored(self, offset, len(data))

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self._fd, length, offset)
        while len(data) < length:
            data += os.pread(self._fd, length - len(data), offset + len(data))
        return data

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class Stored:
    """Bytes put in a :class:`Spill`."""

    spill: Spill
    offset: int
    length: int

    def read(self) -> bytes:
        return self.spill.read(self.offset, self.length)
