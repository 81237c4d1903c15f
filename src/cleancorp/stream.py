"""Stream mode: clean documents given as JSON Lines or whole texts, one result per document.

Each input line of JSON Lines is an object with ``id`` and ``text`` or ``html`` (``url``
optional). Results come back in input order as :class:`~cleancorp.document.Document` objects;
the first version of a story in the stream is kept and later near-duplicates are marked, since
a stream cannot wait for a more complete version. With an index (``CLEAN`` of earlier runs),
documents are also checked against the corpus kept there, and blocks the corpus has seen in
enough different stories are removed as ``repeated``.

>>> story = "The harbour authority said the new ferry line will start running in June. " * 4
>>> lines = [json.dumps({"id": "a", "text": story}), "not json",
...          json.dumps({"id": "b", "text": story + "Copied."})]
>>> for item in clean_records(parse_jsonl(lines)):
...     print(item.line, item.error or (item.doc.status.value, item.doc.duplicate_of))
1 ('kept', None)
2 not valid JSON: Expecting value at column 1
3 ('duplicate', 'a')
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .dedup import NearDuplicates
from .document import Document, Status
from .index import INDEX_NAME, CorpusIndex, IndexParams
from .pipeline import Options, catalog_for, clean_document, finish_in_worker
from .reindex import EarlierRuns
from .repeated import remove_repeated
from .signing import prepare as prepare_signing
from .write import STATE_DIR, json_record, sidecar

FORMATS = ("text", "html")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Record:
    """One document of a stream; ``line`` is its 1-based line in the input (1 for whole texts)."""

    id: str
    content: str | bytes  # bytes: a whole file, whose encoding the decode stage detects
    format: str = "text"
    url: str | None = None
    source: str = "<stdin>"
    line: int = 1


@dataclass(frozen=True)
class BadRecord:
    """An input line that is not a document; ``error`` says why in one line."""

    line: int
    error: str
    source: str = "<stdin>"


@dataclass
class Result:
    """What :func:`clean_records` gives for each input line: a document or an error."""

    line: int
    source: str
    doc: Document | None = None
    error: str | None = None


def parse_jsonl(lines: Iterable[str | bytes], source: str = "<stdin>") -> Iterator[Record | BadRecord]:
    """Records from JSON Lines; blank lines are skipped, bad ones become :class:`BadRecord`.

    >>> [type(r).__name__ for r in parse_jsonl(['{"id": "x", "html": "<p>hi</p>"}', '', '{"id": 3}'])]
    ['Record', 'BadRecord']
    """
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield BadRecord(number, f"not UTF-8 (byte {exc.start})", source)
                continue
        if not line.strip():
            continue
        found = _record(line, number, source, seen)
        if isinstance(found, Record):
            seen[found.id] = number
        yield found


def _record(line: str, number: int, source: str, seen: dict[str, int]) -> Record | BadRecord:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return BadRecord(number, f"not valid JSON: {exc.msg} at column {exc.colno}", source)
    if not isinstance(item, dict):
        return BadRecord(number, "expected a JSON object with id and text or html", source)
    doc_id = item.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return BadRecord(number, 'needs an "id" (a string or a number)', source)
    if doc_id in seen:
        return BadRecord(number, f"id {doc_id!r} was already used on line {seen[doc_id]}", source)
    present = [name for name in FORMATS if item.get(name) is not None]
    if len(present) != 1 or not isinstance(item[present[0]], str):
        return BadRecord(number, 'needs exactly one of "text" or "html", as a string', source)
    url = item.get("url")
    if url is not None and not isinstance(url, str):
        return BadRecord(number, '"url" must be a string', source)
    return Record(doc_id, item[present[0]], present[0], url, source, number)


def clean_record(record: Record, options: Options) -> Document:
    """Clean and sign one record (runs in a worker process)."""
    content = record.content
    # JSON may hold lone surrogates: they pass as invalid UTF-8, which decoding marks U+FFFD.
    data = content if isinstance(content, bytes) else content.encode("utf-8", errors="surrogatepass")
    doc = Document(id=record.id, source=f"{record.source}:{record.line}", format=record.format, data=data)
    doc.source_sha256 = hashlib.sha256(data).hexdigest()
    doc.source_size = len(data)
    clean_document(doc, options)
    if record.url:
        doc.meta.url = record.url
    return finish_in_worker(doc, options)


def _clean_item(item: Record | BadRecord, options: Options) -> Result:
    """A record cleaned, or a bad one passed through, so results keep the input's order."""
    if isinstance(item, BadRecord):
        return Result(item.line, item.source, error=item.error)
    return Result(item.line, item.source, clean_record(item, options))


def map_ordered(function: Callable[[T], R], items: Iterable[T], jobs: int, window: int = 0) -> Iterator[R]:
    """``map`` over worker processes, in order, holding at most ``window`` items in flight (so a
    stream of any length runs in bounded memory, unlike ``Executor.map``).

    >>> list(map_ordered(abs, iter([-3, 1, -2]), jobs=1))
    [3, 1, 2]
    """
    items = iter(items)
    first = list(itertools.islice(items, 2))
    if jobs <= 1 or len(first) < 2:  # one document is not worth starting workers for
        yield from map(function, itertools.chain(first, items))
        return
    items = itertools.chain(first, items)
    window = window or jobs * 16
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.freeze) as pool:  # as process_all's
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def open_corpus_index(clean: Path, options: Options) -> CorpusIndex:
    """The index of a corpus made by ``cleancorp run``, to check a stream against."""
    if not (clean / STATE_DIR / INDEX_NAME).is_file():
        raise FileNotFoundError(
            f"{clean} holds no cleancorp index ({STATE_DIR}/{INDEX_NAME}); "
            f"make one with: cleancorp run RAW {clean}"
        )
    return CorpusIndex.open(clean / STATE_DIR, IndexParams.of(options.dedup), clean)


def clean_records(
    records: Iterable[Record | BadRecord], options: Options | None = None, index: Path | None = None
) -> Iterator[Result]:
    """Clean a stream of records, in order, marking near-duplicates of earlier ones.

    ``index``: a CLEAN folder of earlier runs; its kept documents count as earlier versions and
    its repeated blocks as boilerplate. The index is read, never changed.
    """
    options = options or Options()
    corpus = open_corpus_index(index, options) if index is not None else None
    earlier = EarlierRuns(corpus, index, options.dedup, set()) if corpus and index else None
    finder = NearDuplicates(options.dedup, earlier)
    catalog = catalog_for(options)
    try:
        prepare_signing(options.dedup)  # before the workers start, which inherit it
        for result in map_ordered(partial(_clean_item, options=options), records, options.jobs):
            doc = result.doc
            if doc is not None and corpus is not None and doc.status is Status.KEPT:
                doc.cluster = doc.id  # this story counts once as evidence
                found = remove_repeated(
                    [doc], options.repeat, catalog, options.kept_categories, corpus.block_clusters
                )
                if found and not doc.blocks:
                    doc.mark_empty()
                doc.cluster = None
            if doc is not None and doc.status is Status.KEPT:
                match = finder.check(doc.id, doc.body, doc.signed)
                doc.cluster = match.kept_id if match else doc.id
                if match:
                    doc.status = Status.DUPLICATE
                    doc.duplicate_of, doc.similarity = match.kept_id, match.similarity
            if doc is not None:
                doc.signed = None
            yield result
    finally:
        if corpus is not None:
            corpus.close()


def as_record(doc: Document, with_text: bool = True) -> dict[str, Any]:
    """A document as one JSON Lines object: ``id``, the cleaned ``text``, then the sidecar fields.

    ``with_text=False`` gives ``text: null`` (a duplicate whose body is not wanted).
    """
    return json_record(sidecar(doc), doc.body if with_text else None)


def whole_text(content: str | bytes, doc_id: str, format: str = "text", source: str = "<stdin>") -> Record:
    """A whole file (or all of stdin) as one record."""
    return Record(doc_id, content, format, None, source, 1)


def sniff_format(head: str) -> str:
    """``jsonl``, ``html`` or ``text``, from the start of an input.

    >>> sniff_format('  {"id": 1'), sniff_format("<!DOCTYPE html>"), sniff_format("Headline")
    ('jsonl', 'html', 'text')
    """
    start = head.lstrip("\ufeff \t\r\n")[:1]
    return {"{": "jsonl", "<": "html"}.get(start, "text")
