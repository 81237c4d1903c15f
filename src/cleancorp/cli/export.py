"""``cleancorp export``: the kept corpus as one JSON Lines or Parquet file."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import ExportError, export_corpus
from .options import fail


@click.command("export")
@click.argument("clean", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False, writable=True))
@click.option(
    "--include-duplicates",
    is_flag=True,
    help="Also export near-duplicates (text null unless the run used --keep-duplicates).",
)
def export_command(clean: Path, out: Path, include_duplicates: bool) -> None:
    """Pack the kept documents of CLEAN, with their metadata, into OUT (.jsonl, .jsonl.gz or .parquet).

    One row per document: id, text, then the sidecar fields. Parquet needs the extra:
    pip install 'cleancorp[parquet]'.

    \b
    Example:
        cleancorp export clean/ corpus.parquet
        python -c "import datasets; print(datasets.load_dataset('parquet', data_files='corpus.parquet'))"
    """
    try:
        count = export_corpus(clean, out, include_duplicates)
    except ExportError as exc:
        fail(str(exc))
    click.echo(f"cleancorp: exported {count} documents to {out}", err=True)
