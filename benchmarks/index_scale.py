"""How the persistent index grows: bytes per kept document and query time at ~1M documents.

    python benchmarks/index_scale.py --docs 1000000

Fills a fresh index with synthetic kept documents (random band keys, as many bands as the
default MinHash settings give), then times candidate queries of unseen signatures and of stored
ones, which is what a new run does for every document, and forgetting documents (what a run
does for each one it cleans again, or that is now a duplicate). The index is queried through
SQLite's B-tree, never loaded: peak RSS is printed to show it.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from cleancorp.dedup import DedupSettings
from cleancorp.index import INDEX_NAME, CorpusIndex, IndexParams
from cleancorp.signing import _bands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--forget", type=int, default=1_000, help="documents forgotten, spread out")
    args = parser.parse_args()
    settings = DedupSettings()
    bands, rows = _bands(settings.lsh_threshold, settings.num_perm)
    rng = random.Random(1)

    def keys() -> np.ndarray:
        """A key per band, in order, as signing gives them to the index."""
        return np.array([rng.getrandbits(32) for _ in range(bands)], dtype=np.uint32)

    stored: list[np.ndarray] = []
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder)
        started = time.perf_counter()
        with CorpusIndex.open(state, IndexParams.of(settings)) as index:
            for start in range(0, args.docs, args.batch):
                batch = [
                    (f"site/{n:08d}", 5000, keys()) for n in range(start, min(start + args.batch, args.docs))
                ]
                stored += [batch[0][2]]
                index.add_documents(batch)
            index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            filled = time.perf_counter() - started
            size = (state / INDEX_NAME).stat().st_size
            timings = []
            for number in range(args.queries):
                query = stored[number % len(stored)] if number % 2 else keys()
                begin = time.perf_counter()
                index.candidates(enumerate(query.tolist()))
                timings.append(time.perf_counter() - begin)
            step = max(1, args.docs // args.forget)
            begin = time.perf_counter()
            index.forget(f"site/{n:08d}" for n in range(0, args.docs, step))
            forgetting = time.perf_counter() - begin
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings.sort()
    print(f"{args.docs} kept documents, {bands} bands of {rows} rows: {size / 1e6:.0f} MB, "
          f"{size / args.docs:.0f} bytes/document, filled in {filled:.0f} s "
          f"({args.docs / filled:.0f} docs/s)")  # fmt: skip
    print(f"query (one document, all bands): median {statistics.median(timings) * 1e3:.3f} ms, "
          f"p99 {timings[int(len(timings) * 0.99)] * 1e3:.3f} ms; peak RSS {rss:.0f} MB")  # fmt: skip
    print(f"forgetting {len(range(0, args.docs, step))} documents: {forgetting:.2f} s")


if __name__ == "__main__":
    main()
