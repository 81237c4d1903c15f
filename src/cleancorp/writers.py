"""Write a run's outputs from forked processes while the main one records the run in the index.

Writing is file creation, which costs kernel time per file (two files a document, each made
under a temporary name and renamed). With several cores, forked children each write a
contiguous share of the documents in id order (so mostly different folders), and the parent
records the run in the index meanwhile, committing only once every output is in place.

Fork, not spawn: a child sees the documents as they are in memory (the spilled parts are read
back with ``pread``, which forked readers can share), so nothing is pickled. Where fork is not
available, or the run is small, the documents are written in this process, first.

>>> import tempfile
>>> from cleancorp.document import Document, Status
>>> doc = Document(id="a", source="a.txt", text="x", status=Status.EMPTY)
>>> with tempfile.TemporaryDirectory() as clean, Writers([doc], Path(clean), jobs=2) as writing:
...     writing.wait()
...     sorted(p.name for p in Path(clean).iterdir())
['a.json']
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from itertools import pairwise
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from .document import Document
from .failpoints import failpoint
from .write import RemovalTally, write_document

FORK = "fork" in multiprocessing.get_all_start_methods()
MIN_SHARE = 1000  # documents per writer below which a fork costs more than it saves


class WriterFailed(OSError):
    """A forked writer could not write a document (the message names it) or died."""


def shares(count: int, jobs: int, min_share: int = MIN_SHARE) -> list[range]:
    """Contiguous index ranges, one per writer, as many writers as ``min_share`` allows.

    >>> shares(5000, 2), shares(1500, 2), shares(0, 4)
    ([range(0, 2500), range(2500, 5000)], [range(0, 1500)], [range(0, 0)])
    """
    writers = max(1, min(jobs, count // min_share))
    bounds = [count * part // writers for part in range(writers + 1)]
    return [range(start, end) for start, end in pairwise(bounds)]


def write_share(
    docs: Sequence[Document], share: range, clean: Path, keep_duplicates: bool = False
) -> RemovalTally:
    """Write the outputs of ``docs[share]`` and count their removals for the run report;
    :class:`WriterFailed` names the document that failed."""
    tally = RemovalTally()
    for position in share:
        doc = docs[position]
        try:
            write_document(doc, clean, keep_duplicates, tally)
        except OSError as error:
            raise WriterFailed(
                f"{doc.source}: its output could not be written ({error}); nothing was committed to the "
                "index: fix the cause and run again"
            ) from error
        failpoint("written")
    return tally


def _write_share_and_report(
    docs: Sequence[Document], share: range, clean: Path, keep_duplicates: bool, report: Connection
) -> None:
    """In a forked child: write ``docs[share]``, then send their removals' tally or what went wrong."""
    try:
        report.send(write_share(docs, share, clean, keep_duplicates))
    except BaseException as error:  # every failure must reach the parent
        report.send(str(error) if isinstance(error, WriterFailed) else f"{type(error).__name__}: {error}")
    finally:
        report.close()


class Writers:
    """Writes ``docs`` under ``clean`` from ``jobs`` forked processes, started on entering;
    :meth:`wait` returns once every output is in place and raises :class:`WriterFailed` if any
    writer failed; then :attr:`tally` counts every written document's removals. Leaving the
    block always waits for the writers: none outlives the run."""

    def __init__(self, docs: Sequence[Document], clean: Path, keep_duplicates: bool = False, jobs: int = 1):
        self.docs, self.clean, self.keep_duplicates = docs, clean, keep_duplicates
        self.parts = shares(len(docs), jobs, MIN_SHARE) if FORK and jobs > 1 else [range(len(docs))]
        self.running: list[tuple[BaseProcess, Connection]] = []
        self.tally = RemovalTally()

    def __enter__(self) -> Writers:
        if len(self.parts) == 1:  # in this process, now: the index waits for it anyway
            self.tally = write_share(self.docs, self.parts[0], self.clean, self.keep_duplicates)
            return self
        context = multiprocessing.get_context("fork")
        for part in self.parts:
            receive, send = context.Pipe(duplex=False)
            args = (self.docs, part, self.clean, self.keep_duplicates, send)
            process = context.Process(
                target=_write_share_and_report, args=args, name=f"cleancorp-writer-{part.start}"
            )
            process.start()
            send.close()  # the child holds its end: a child that dies closes the pipe
            self.running.append((process, receive))
        return self

    def wait(self) -> None:
        problems = []
        while self.running:
            process, receive = self.running.pop(0)
            try:
                problem = receive.recv()
            except EOFError:
                problem = None  # judged by the exit code below
            finally:
                receive.close()
            if isinstance(problem, RemovalTally):  # the share is written
                self.tally.merge(problem)
                problem = None
            process.join()
            if problem is None and process.exitcode:
                problem = (
                    f"a writer process (pid {process.pid}) died with exit code {process.exitcode}; nothing "
                    "was committed to the index: run again to finish"
                )
            if problem:
                problems.append(problem)
        if problems:
            raise WriterFailed(problems[0])

    def __exit__(self, *exc: object) -> None:
        if self.running:
            try:
                self.wait()
            except WriterFailed:
                if exc[0] is None:
                    raise
