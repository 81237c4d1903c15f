"""Run the stages on a Dask cluster (``--executor dask``; ``pip install 'cleancorp[dask]'``).

Documents are read by the client, cleaned and signed on the workers; for deduplication the
workers group document ids by LSH band key (a ``foldby`` over the same keys the local
executor's :class:`~cleancorp.dedup.SharedBands` sorts, so two documents meet exactly when they
would locally), and verify the
candidate pairs by exact Jaccard and containment against shingles sent to every worker once.
Only the verified pairs come back. The client keeps
the index and the manifest and makes every decision in the same order as the local executor, so
the output is byte-identical to it.

The workers need cleancorp installed (the same version); they need no access to RAW or CLEAN.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

import numpy as np

from .dedup import DedupSettings, Match, compare
from .document import Document
from .pipeline import Options, clean_document, finish_in_worker
from .read import InputFile, read_document
from .signing import Signed, compact

BATCH = 16  # documents per task


class DaskUnavailable(RuntimeError):
    """Dask is not installed, or the scheduler cannot be reached; the message says what to do."""


def clean_batch(docs: list[Document], options: Options) -> list[Document]:
    """Clean and sign documents whose bytes the client read (runs on a worker)."""
    return [doc if doc.failed else finish_in_worker(clean_document(doc, options), options) for doc in docs]


def _add(group: tuple[str, ...], item: tuple[Any, str]) -> tuple[str, ...]:
    return (*group, item[1])


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + second


def _pairs_in(group: tuple[Any, tuple[str, ...]]) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(set(group[1])), 2))


def verify_pairs(
    pairs: list[tuple[str, str]], shingles: Mapping[str, np.ndarray], settings: DedupSettings
) -> list[tuple[str, str, float, float]]:
    """The candidate pairs that verify, with Jaccard and containment (runs on a worker)."""
    found = []
    for first, second in pairs:
        match = compare(shingles[first], shingles[second], settings)
        if match:
            found.append((first, second, match.similarity, match.containment))
    return found


class DaskExecutor:
    """A Dask client for one run: ``with DaskExecutor(address, workers) as executor: ...``.

    ``address`` None starts a local cluster of ``workers`` single-threaded processes.
    """

    def __init__(
        self, address: str | None = None, workers: int = 2, window: int = 0, timeout: str = "20s"
    ) -> None:
        self.address, self.workers, self.timeout = address, workers, timeout
        self.window = window or max(64, workers * 32)  # documents in flight: bounds client memory
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskUnavailable("--executor dask needs Dask: pip install 'cleancorp[dask]'") from None
        try:
            if self.address:
                self._client = Client(self.address, timeout=self.timeout)
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster)
        except OSError as exc:
            raise DaskUnavailable(
                f"cannot reach the Dask scheduler at {self.address}: {exc}; start one with "
                "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler for a local cluster"
            ) from exc
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def clean(self, items: list[InputFile], options: Options) -> Iterator[Document]:
        """Read each input here, clean and sign it on a worker; results in input order.

        Documents travel in batches (a task per document costs more than cleaning it), and only
        ``window`` documents are in flight at a time.
        """
        pending: deque[Any] = deque()
        for start in range(0, len(items), BATCH):
            docs = [read_document(item, options.max_bytes) for item in items[start : start + BATCH]]
            pending.append(self._client.submit(clean_batch, docs, options, pure=False))
            if len(pending) * BATCH >= self.window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def pairs(
        self, signed: list[tuple[str, Signed]], settings: DedupSettings
    ) -> Mapping[str, list[tuple[str, Match]]]:
        """Every verified pair among ``signed``: bands grouped by key on the cluster (ids only),
        then the candidate pairs verified on the workers against the shingles sent there once."""
        import dask.bag as db

        items = [(doc_id, s.lsh_keys.tolist()) for doc_id, s in signed if s.shingles.size]
        neighbours: dict[str, list[tuple[str, Match]]] = {}
        if len(items) < 2:
            return neighbours
        partitions = max(1, min(len(items), self.workers * 4))
        candidates = (
            db.from_sequence(items, npartitions=partitions)
            .map(lambda item: [(band, item[0]) for band in item[1]])
            .flatten()
            .foldby(lambda pair: pair[0], _add, (), _merge, ())
            .filter(lambda group: len(group[1]) > 1)
            .map(_pairs_in)
            .flatten()
            .distinct()
            .compute(scheduler=self._client.get)
        )
        shingles = self._client.scatter(
            {doc_id: compact(s.shingles) for doc_id, s in signed if s.shingles.size}, broadcast=True
        )
        candidates.sort()
        size = max(256, len(candidates) // (self.workers * 8) + 1)
        batches = [
            self._client.submit(verify_pairs, candidates[i : i + size], shingles, settings, pure=False)
            for i in range(0, len(candidates), size)
        ]
        for batch in batches:
            for first, second, similarity, containment in batch.result():
                neighbours.setdefault(first, []).append((second, Match(second, similarity, containment)))
                neighbours.setdefault(second, []).append((first, Match(first, similarity, containment)))
        return neighbours
