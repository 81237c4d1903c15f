"""The one object that flows through every stage.

A :class:`Document` starts as bytes read from disk and leaves as a cleaned body plus a sidecar.
Each stage changes it and records why: removed blocks go to :attr:`Document.removed`, encoding
repairs to :attr:`Document.fixes`, failures to :attr:`Document.error`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dedup import Signed

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


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    tags: list[str] = field(default_factory=list)
    source_credit: str | None = None


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
    fixes: list[str] = field(default_factory=list)
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    status: Status = Status.KEPT
    error: str | None = None
    reason: str | None = None  # why a document came out empty
    cluster: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    chars_in: int = 0
    lines_in: int = 0
    signed: Signed | None = None  # cleancorp.dedup.Signed of the body, made in the worker that cleaned it

    @property
    def body(self) -> str:
        """The cleaned body as written: paragraphs separated by one blank line, final newline."""
        if not self.blocks:
            return ""
        return "\n\n".join(block.text for block in self.blocks) + "\n"

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
            self.fixes.append(fix)
