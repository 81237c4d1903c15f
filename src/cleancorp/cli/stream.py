"""``cleancorp clean``: stream mode, for pipelines (JSON Lines or text in, JSON Lines or text out)."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from ..catalog import CatalogError
from ..config import ConfigError
from ..document import Status
from ..index import IndexMismatch
from ..read import FORMATS, input_id
from ..stream import (
    BadRecord,
    Record,
    Result,
    as_record,
    clean_records,
    parse_jsonl,
    sniff_format,
    whole_text,
)
from .options import (
    EXIT_DOCUMENT_ERRORS,
    EXIT_OK,
    fail,
    processing_flags,
    processing_options,
    resolve_options,
)

DOCUMENT_SEPARATOR = "\f\n"  # between bodies in --to text: a form feed on its own line


def _file_format(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return FORMATS.get(suffix)


def read_input(name: str, stdin: IO[bytes], form: str) -> Iterator[Record | BadRecord]:
    """The records of one input: ``-`` is standard input, read as it arrives."""
    source = "<stdin>" if name == "-" else name
    with contextlib.nullcontext(stdin) if name == "-" else open(name, "rb") as handle:
        first = handle.readline()
        if form == "auto":
            known = None if name == "-" else _file_format(name)
            form = known or sniff_format(first[:1024].decode("utf-8", errors="replace"))
        if form == "jsonl":
            yield from parse_jsonl(itertools.chain([first], handle), source)
            return
        data = first + handle.read()  # bytes: the pipeline detects the encoding
        doc_id = "stdin" if name == "-" else input_id(Path(os.path.basename(name)))
        yield whole_text(data, doc_id, form, source)


@click.command("clean")
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False, exists=True, allow_dash=True))
@click.option(
    "--from",
    "form",
    type=click.Choice(["auto", "jsonl", "text", "html"]),
    default="auto",
    show_default=True,
    help="Input format. auto: by file extension, else JSON Lines if the input starts with '{', "
    "HTML if with '<', text otherwise. text and html: each input is one document.",
)
@click.option(
    "--to",
    "output",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one object per document (id, text, then the sidecar fields). text: the kept "
    "bodies, separated by a line holding a form feed.",
)
@click.option(
    "--index",
    "index",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="CLEAN folder of earlier runs: mark documents that duplicate its corpus, remove blocks it "
    "knows as repeated boilerplate. Read only.",
)
@click.option("--strict", is_flag=True, help="Stop at the first bad line or failed document (exit 1).")
@processing_options
def clean_command(
    inputs: tuple[str, ...],
    form: str,
    output: str,
    index: Path | None,
    strict: bool,
    config_path: Path | None,
    **processing: Any,
) -> None:
    """Clean documents from INPUTS (files, or - for standard input, the default) to standard output.

    JSON Lines input: one object per line with "id" and "text" or "html" ("url" optional).
    Results come out in input order; the first version of a story is kept and later
    near-duplicates are marked (status "duplicate", "duplicate_of"). A bad line is reported on
    stderr with its number and skipped.

    \b
    Example:
        cat scraped.jsonl | cleancorp clean --index clean/ > cleaned.jsonl
    """
    flags = processing_flags(processing)
    if flags["jobs"] is None:
        flags["jobs"] = 1  # a stream is often one document: workers only pay off when asked for
    try:
        options = resolve_options(config_path, flags)
    except (CatalogError, ConfigError) as exc:
        fail(str(exc))
    stdin = sys.stdin.buffer
    records = itertools.chain.from_iterable(read_input(name, stdin, form) for name in inputs or ("-",))
    try:
        failures = write_results(
            clean_records(records, options, index), output, options.keep_duplicates, strict
        )
    except (FileNotFoundError, IndexMismatch, CatalogError) as exc:
        fail(str(exc))
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        sys.stderr.close()
        os._exit(EXIT_OK)
    sys.exit(EXIT_DOCUMENT_ERRORS if failures else EXIT_OK)


def write_results(results: Iterator[Result], output: str, keep_duplicates: bool, strict: bool) -> int:
    """Write each result as it comes; errors go to stderr. Returns how many failed."""
    stdout = sys.stdout
    if isinstance(stdout, io.TextIOWrapper):
        stdout.reconfigure(encoding="utf-8")  # JSON Lines are UTF-8 whatever the locale says
    failures, written = 0, 0
    for result in results:
        doc = result.doc
        problem = result.error if doc is None else doc.error
        if problem:
            failures += 1
            click.echo(f"cleancorp: {result.source}:{result.line}: {problem}", err=True)
        if doc is not None and output == "jsonl":
            with_text = doc.status is Status.KEPT or (doc.status is Status.DUPLICATE and keep_duplicates)
            stdout.write(json.dumps(as_record(doc, with_text), ensure_ascii=False) + "\n")
        elif doc is not None and doc.status is Status.KEPT:
            stdout.write((DOCUMENT_SEPARATOR if written else "") + doc.body)
            written += 1
        stdout.flush()
        if problem and strict:
            click.echo("cleancorp: stopped at the first error (--strict)", err=True)
            break
    return failures
