"""A scratch file for what a run holds between cleaning and writing.

A run keeps every cleaned document until the corpus stages are done (repeated blocks need all of
them, and the longest version of a story is kept). What only the writers read again (the
packed body, the removed blocks, the metadata) and the shingles go to this file; what stays in
memory, about 1.8 KB a document, is what the corpus stages read (band and block keys, verdicts)
and where the rest is. The file is
anonymous (``tempfile.TemporaryFile``): it disappears when closed, or when the run dies. Records
are written a megabyte at a time; one still in the buffer is read from memory (a forked writer
reads its own copy of the buffer).

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

WRITE_BUFFER_BYTES = 1 << 20  # records are written this much at a time


class Spill:
    def __init__(self, folder: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        self._fd = self._file.fileno()
        self._written = 0  # bytes in the file
        # Bytes put since, written a buffer at a time: a run puts four records a document, and a
        # system call for each took a second of the run's process's 3.4-3.9 s of CPU while the
        # workers cleaned 20,000 documents.
        self._pending = bytearray()

    def put(self, data: bytes) -> Stored:
        if len(data) >> _LENGTH_BITS:
            raise ValueError(f"{len(data)} bytes do not fit one record of the spill file (at most 1 TiB)")
        offset = self._written + len(self._pending)
        if len(data) >= WRITE_BUFFER_BYTES:  # not copied into the buffer first
            self.flush()
            self._write(data)
        else:
            self._pending += data
            if len(self._pending) >= WRITE_BUFFER_BYTES:
                self.flush()
        return Stored(self, offset << _LENGTH_BITS | len(data))

    def flush(self) -> None:
        """Write the buffered records to the file."""
        if self._pending:
            self._write(self._pending)
            self._pending = bytearray()

    def _write(self, data: bytes | bytearray) -> None:
        view = memoryview(data)
        written = 0
        while written < len(view):  # pwrite may write less than asked
            written += os.pwrite(self._fd, view[written:], self._written + written)
        self._written += len(view)

    def read(self, offset: int, length: int) -> bytes:
        if offset >= self._written:  # still in the buffer: a record is never split across the two
            start = offset - self._written
            return bytes(self._pending[start : start + length])
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


# Where bytes sit, as one int: the offset in the high bits, the length in the low ones. A run holds
# a few of these for every document, and two ints took 60 bytes where one takes 32-36.
_LENGTH_BITS = 40


@dataclass(frozen=True, slots=True)
class Stored:
    """Bytes put in a :class:`Spill`.

    >>> with Spill() as spill:
    ...     first, second = spill.put(b"ab"), spill.put(b"cde")
    ...     second.offset, second.length, second.read()
    (2, 3, b'cde')
    """

    spill: Spill
    where: int  # offset << _LENGTH_BITS | length

    @property
    def offset(self) -> int:
        return self.where >> _LENGTH_BITS

    @property
    def length(self) -> int:
        return self.where & ((1 << _LENGTH_BITS) - 1)

    def read(self) -> bytes:
        return self.spill.read(self.offset, self.length)
