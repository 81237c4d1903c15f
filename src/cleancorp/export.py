"""Pack a cleaned corpus into one file: JSON Lines, or Parquet (with the ``parquet`` extra).

One row per kept document, in id order: ``id``, ``text`` (the cleaned body), then the sidecar
fields (``../CONTRACT.md``). Both formats load directly in ``datasets.load_dataset``, pandas and
polars; the Parquet schema is fixed, so that empty columns keep their types.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from .write import iter_sidecars, json_record

FORMATS = (".jsonl", ".jsonl.gz", ".parquet")
ROWS_PER_GROUP = 5000  # Parquet row group: bounds memory whatever the corpus size


class ExportError(ValueError):
    """The export cannot be made; the message says how to fix it."""


def iter_corpus(clean: Path, include_duplicates: bool = False) -> Iterator[dict[str, Any]]:
    """The rows of ``clean``: kept documents (and duplicates if asked; their ``text`` is the body
    if ``--keep-duplicates`` wrote one, else null), in id order."""
    wanted = ("kept", "duplicate") if include_duplicates else ("kept",)
    for path, fields in iter_sidecars(clean):
        if fields.get("status") not in wanted:
            continue
        try:
            text: str | None = path.with_suffix(".txt").read_text(encoding="utf-8")
        except FileNotFoundError:
            if fields["status"] == "kept":
                continue  # the body was deleted by hand: not part of the corpus any more
            text = None
        yield json_record(fields, text)


def export_corpus(clean: Path, out: Path, include_duplicates: bool = False) -> int:
    """Write the corpus of ``clean`` to ``out`` (format by its extension); returns rows written.

    The file is written under a temporary name and renamed, so ``out`` is never half written.
    """
    form = next((suffix for suffix in FORMATS if out.name.endswith(suffix)), None)
    if form is None:
        raise ExportError(f"cannot tell the format of {out}: name it *.jsonl, *.jsonl.gz or *.parquet")
    if not clean.is_dir():
        raise ExportError(f"CLEAN folder {clean} does not exist")
    writer = write_parquet if form == ".parquet" else write_jsonl
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        count = writer(iter_corpus(clean, include_duplicates), temporary, compress=form.endswith(".gz"))
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path, compress: bool = False) -> int:
    count = 0
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def parquet_schema() -> Any:
    """The Parquet schema of a row (sidecar schema 1)."""
    import pyarrow as pa

    text = pa.string()
    removal = pa.struct([("category", text), ("rule", text), ("text", text), ("count", pa.int64())])
    stats = ["chars_in", "lines_in", "chars_out", "lines_out", "blocks_removed"]
    return pa.schema(
        [
            *((name, text) for name in ("id", "text", "source", "source_sha256", "format", "status")),
            *((name, text) for name in ("error", "reason", "title", "author", "date", "url", "site")),
            ("tags", pa.list_(text)),
            *((name, text) for name in ("source_credit", "cluster", "duplicate_of")),
            ("similarity", pa.float64()),
            ("removed", pa.list_(removal)),
            ("encoding", pa.struct([("detected", text), ("fixes", pa.list_(text))])),
            ("stats", pa.struct([(name, pa.int64()) for name in stats])),
        ]
    )


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, compress: bool = False) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "writing Parquet needs pyarrow: pip install 'cleancorp[parquet]' (or export to .jsonl)"
        ) from None
    schema = parquet_schema()
    count = 0
    rows = iter(rows)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        while batch := list(islice(rows, ROWS_PER_GROUP)):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
        if not count:
            writer.write_table(schema.empty_table())
    return count
