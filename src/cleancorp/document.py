"""The one object that flows through every stage.

A :class:`Document` starts as bytes read from disk and leaves as a cleaned body plus a sidecar.
Each stage changes it and records why: removed blocks go to :attr:`Document.removed`, encoding
repairs to :attr:`Document.fixes`, failures to :attr:`Document.error`.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from .signing import Signed
    from .spill import Spill, Stored

SCHEMA_VERSION = 1


class Status(StrEnum):
    KEPT = "kept"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    ERROR = "error"


@dataclass(slots=True)
class Removal:
    """One block taken out of the body, with the category and the rule that decided it.

    ``zone`` (``header``, ``body``, ``footer``) and ``fields`` (metadata a rule captured, such
    as an author) are for later stages and are not written to the sidecar.
    """

    category: str
    rule: str
    text: str
    zone: str = "body"
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""
    position: int = -1  # index of the block among all blocks of the repaired text
    key: int = 0  # language.block_key(text), once made (in the worker that cleaned it); 0 before

    def as_dict(self) -> dict[str, str | int]:
        entry: dict[str, str | int] = {"category": self.category, "rule": self.rule, "text": self.text}
        if "count" in self.fields:  # corpus evidence: in how many different stories it recurs
            entry["count"] = int(self.fields["count"])
        return entry


@dataclass(slots=True)
class Block:
    """A paragraph (one non-empty line of the repaired text).

    ``raw`` keeps the spacing of the source (tags are sometimes separated only by a double
    space); ``text`` is the normalized form that is written out.
    """

    text: str
    raw: str
    position: int = -1  # index among all blocks of the repaired text, for explaining
    key: int = 0  # language.block_key(text), once made (in the worker that cleaned it); 0 before


class Packed:
    """Bytes a cleaned document packed (in the worker that cleaned it), wherever they are: in
    memory, or in a run's spill file once :meth:`spill` moved them there."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data: bytes | Stored = data

    def _bytes(self) -> bytes:
        return self._data if isinstance(self._data, bytes) else self._data.read()

    def spill(self, spill: Spill) -> None:
        """Move the bytes to ``spill`` (once: moved bytes stay where they are); they are read
        back whenever they are read."""
        if isinstance(self._data, bytes):
            self._data = spill.put(self._data)


_POSITION_BYTES = array("i").itemsize  # a packed block's position


class PackedBlocks(Packed, Sequence[Block]):
    """Blocks as one UTF-8 string, for a run that holds many cleaned documents in memory.

    A Python ``str`` with a single curly quote takes two bytes a character, and each ``Block``
    is an object of its own; packed, a body takes about its UTF-8 size, and the blocks'
    positions go with it (into the spill, with :meth:`spill`). Reading gives ``Block`` objects
    again (``raw`` empty); the blocks' keys, which every corpus pass reads, stay in memory and
    are read without the text.

    >>> packed = PackedBlocks([Block("Café ’round", "", 0, key=7), Block("Second", "", 3, key=9)])
    >>> len(packed), packed[1].text, packed[1].position, [b.text for b in packed], packed.keys().tolist()
    (2, 'Second', 3, ['Café ’round', 'Second'], [7, 9])
    """

    __slots__ = ("_keys",)

    def __init__(self, blocks: Iterable[Block]) -> None:
        blocks = list(blocks)
        positions = array("i", (block.position for block in blocks)).tobytes()
        text = "\n".join(block.text for block in blocks).encode("utf-8")
        super().__init__(positions + text)  # the positions first: their length is known
        self._keys = array("Q", (block.key for block in blocks))

    @staticmethod
    def packable(blocks: Iterable[Block]) -> bool:
        """Blocks are single lines; one that is not cannot be packed (and stays as it is)."""
        return all("\n" not in block.text for block in blocks)

    def _split(self) -> tuple[array[int], list[str]]:
        data = self._bytes()
        count = len(self._keys)
        if not count:
            return array("i"), []
        positions = array("i")
        positions.frombytes(data[: count * _POSITION_BYTES])
        return positions, data[count * _POSITION_BYTES :].decode("utf-8").split("\n")

    def texts(self) -> list[str]:
        return self._split()[1]

    def joined(self, separator: str) -> str:
        """``separator.join(self.texts())``, without splitting the packed text first.

        >>> PackedBlocks([Block("One", ""), Block("Two", "")]).joined("\\n\\n")
        'One\\n\\nTwo'
        """
        data = self._bytes()
        text = data[len(self._keys) * _POSITION_BYTES :].decode("utf-8")  # past the positions
        return text if separator == "\n" else text.replace("\n", separator)

    def keys(self) -> array[int]:
        """The blocks' keys as they were packed (0 for a block whose key was not made)."""
        return self._keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Block: ...
    @overload
    def __getitem__(self, index: slice) -> list[Block]: ...
    def __getitem__(self, index: int | slice) -> Block | list[Block]:
        blocks = list(self)
        return blocks[index]

    def __iter__(self) -> Iterator[Block]:
        positions, texts = self._split()
        for text, position, key in zip(texts, positions, self._keys, strict=True):
            yield Block(text, "", position, key)

    def __getstate__(self) -> tuple[bytes, array[int]]:
        return self._bytes(), self._keys

    def __setstate__(self, state: tuple[bytes, array[int]]) -> None:
        self._data, self._keys = state


_removal_fields = attrgetter(*(attribute.name for attribute in fields(Removal)))


class PackedRemovals(Packed, Sequence[Removal]):
    """A cleaned document's removed blocks as one pickled ``bytes`` (made in the worker that
    cleaned it, so the run's main process neither unpickles nor pickles them again), moved to a
    :class:`~cleancorp.spill.Spill` while a run holds many documents; read back (a new list)
    whenever they are read.

    >>> packed = PackedRemovals([Removal("navigation", "menu_word", "Home")], evidence=[7])
    >>> len(packed), packed[0].text, [r.rule for r in packed], packed.evidence.tolist()
    (1, 'Home', ['menu_word'], [7])
    >>> from cleancorp.spill import Spill
    >>> with Spill() as spill:
    ...     packed.spill(spill)
    ...     [r.text for r in packed]
    ['Home']
    """

    __slots__ = ("_count", "evidence")

    def __init__(self, removals: Sequence[Removal], evidence: Iterable[int] = ()) -> None:
        self._count = len(removals)
        # As tuples of their fields: a slotted dataclass pickles through a dict per instance,
        # three times slower and twice the size.
        rows = list(map(_removal_fields, removals))
        super().__init__(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
        # The keys of the removals that count as corpus evidence, as the caller chose them: kept in
        # memory (8 bytes each) because every corpus pass reads them, and unpickling costs more.
        self.evidence = array("Q", evidence)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Removal: ...
    @overload
    def __getitem__(self, index: slice) -> list[Removal]: ...
    def __getitem__(self, index: int | slice) -> Removal | list[Removal]:
        return list(self)[index]

    def __iter__(self) -> Iterator[Removal]:
        data = self._bytes()
        return (Removal(*row) for row in pickle.loads(data))

    def __getstate__(self) -> tuple[bytes, int, array[int]]:
        data = self._bytes()
        return data, self._count, self.evidence

    def __setstate__(self, state: tuple[bytes, int, array[int]]) -> None:
        self._data, self._count, self.evidence = state


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    tags: list[str] = field(default_factory=list)
    source_credit: str | None = None

    def unpacked(self) -> Metadata:
        """Itself (a :class:`PackedMetadata` gives the same, read back)."""
        return self


_metadata_fields = attrgetter(*(attribute.name for attribute in fields(Metadata)))


class PackedMetadata(Packed):
    """A cleaned document's metadata as one pickled ``bytes`` (made in the worker that cleaned
    it), moved to a :class:`~cleancorp.spill.Spill` while a run holds many documents: only its
    sidecar reads it again. Read-only: :meth:`unpacked` gives a :class:`Metadata` to read
    several fields from, each field read alone unpickles it once.

    >>> packed = PackedMetadata(Metadata(title="Budget passes", tags=["city"]))
    >>> packed.title, packed.unpacked() == Metadata(title="Budget passes", tags=["city"])
    ('Budget passes', True)
    """

    __slots__ = ()

    def __init__(self, meta: Metadata) -> None:
        super().__init__(pickle.dumps(_metadata_fields(meta), protocol=pickle.HIGHEST_PROTOCOL))

    def unpacked(self) -> Metadata:
        return Metadata(*pickle.loads(self._bytes()))

    def __getattr__(self, name: str) -> object:  # the fields of Metadata, read one at a time
        if name in Metadata.__dataclass_fields__:
            return getattr(self.unpacked(), name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getstate__(self) -> bytes:
        return self._bytes()

    def __setstate__(self, state: bytes) -> None:
        self._data = state


@dataclass(slots=True)
class Document:
    id: str
    source: str
    format: str = "text"
    data: bytes = b""
    source_sha256: str = ""
    source_size: int = -1  # as read (fstat of the open file), for the manifest
    source_mtime_ns: int = -1
    encoding: str | None = None
    # A tuple: most documents have no fix, and every empty tuple is the same object.
    fixes: tuple[str, ...] = ()
    text: str = ""
    blocks: list[Block] | PackedBlocks = field(default_factory=list)
    removed: list[Removal] | PackedRemovals = field(default_factory=list)
    meta: Metadata | PackedMetadata = field(default_factory=Metadata)
    status: Status = Status.KEPT
    error: str | None = None
    reason: str | None = None  # why a document came out empty
    cluster: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    chars_in: int = 0
    lines_in: int = 0
    signed: Signed | None = None  # cleancorp.signing.Signed of the body, made in the worker that cleaned it

    @property
    def body(self) -> str:
        """The cleaned body as written: paragraphs separated by one blank line, final newline."""
        if not self.blocks:
            return ""
        if isinstance(self.blocks, PackedBlocks):  # a writer reads every body: no list of texts
            return self.blocks.joined("\n\n") + "\n"
        return "\n\n".join(b.text for b in self.blocks) + "\n"

    def fail(self, message: str) -> None:
        """Mark the document as failed with a one-line message; later stages skip it."""
        self.status = Status.ERROR
        self.error = " ".join(message.split())
        self.blocks = []

    def mark_empty(self) -> None:
        """Nothing is left: say why in ``reason`` (a one-liner for the sidecar and the report)."""
        self.status = Status.EMPTY
        if self.chars_in == 0:
            self.reason = "the file is empty"
        elif self.removed:
            self.reason = f"every block was boilerplate ({len(self.removed)} removed)"
        elif self.format == "html":
            self.reason = "no main text found in the HTML page"
        else:
            self.reason = "the file holds only whitespace"

    @property
    def failed(self) -> bool:
        return self.status is Status.ERROR

    def add_fix(self, fix: str) -> None:
        if fix not in self.fixes:
            self.fixes = (*self.fixes, fix)
