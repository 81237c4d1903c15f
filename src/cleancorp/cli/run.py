"""``cleancorp run``: clean a folder into a folder, incrementally."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from ..catalog import CatalogError
from ..config import ConfigError
from ..dask_executor import DaskUnavailable
from ..document import Document, Status
from ..index import IndexMismatch
from ..lock import Locked
from ..pipeline import DEFAULT_BATCH_SIZE
from ..runner import DocumentErrors, Progress, UsageError, plan_run, run
from ..write import summary_line
from ..writers import WriterFailed
from .options import (
    EXIT_DOCUMENT_ERRORS,
    EXIT_LOCKED,
    EXIT_OK,
    fail,
    processing_flags,
    processing_options,
    resolve_options,
)


@click.command("run")
@click.argument("raw", type=click.Path(path_type=Path, file_okay=False))
@click.argument("clean", type=click.Path(path_type=Path, file_okay=False))
@processing_options
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    help="Where documents are cleaned and compared: local processes (default), or a Dask cluster "
    "(pip install 'cleancorp[dask]'). Same output either way.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler to join, e.g. tcp://10.0.0.5:8786 (implies --executor dask); "
    "without it, --executor dask starts a local cluster of --jobs workers.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(0),
    help=f"[default: {DEFAULT_BATCH_SIZE}] Documents cleaned, deduplicated and written together: a "
    "larger run goes in batches, each committed before the next (as runs one after another: a story's "
    "first kept version stays), so memory stays bounded. 0: one batch, however large.",
)
@click.option("--prune", is_flag=True, help="Delete the outputs of inputs that disappeared from RAW.")
@click.option("--force", is_flag=True, help="Clean every input again, changed or not.")
@click.option(
    "--strict",
    is_flag=True,
    help="Any document error stops the run before anything (more) is written; batches before the one "
    "with the error stay committed.",
)
@click.option("--wait", is_flag=True, help="If another run holds CLEAN, wait for it instead of exiting 3.")
@click.option("--dry-run", is_flag=True, help="Say what would be cleaned, skipped and pruned; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
@click.option("-v", "--verbose", is_flag=True, help="A line on stderr for every document cleaned.")
def run_command(
    raw: Path,
    clean: Path,
    config_path: Path | None,
    executor: str | None,
    scheduler: str | None,
    batch_size: int | None,
    prune: bool,
    force: bool,
    strict: bool,
    wait: bool,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
    **processing: Any,
) -> None:
    """Clean the new and changed .txt/.html/.htm (optionally .gz) files under RAW into CLEAN.

    CLEAN mirrors RAW: a/b.html becomes a/b.txt (the body) and a/b.json (the sidecar).
    Near-duplicates get a sidecar only. Inputs cleaned before with the same options are skipped
    (the manifest in CLEAN/.cleancorp/). The run report goes to CLEAN/.cleancorp/report.json.

    Exit status: 0 all documents fine, 1 some documents failed, 2 usage or configuration error,
    3 another run holds CLEAN.
    """
    flags = processing_flags(processing) | {
        "executor": executor,
        "scheduler": scheduler,
        "batch_size": batch_size,
    }
    try:
        options = resolve_options(config_path, flags)
        if dry_run:
            report_dry_run(plan_run(raw, clean, options, prune=prune, force=force), as_json, quiet)
            return
        with progress_reporter(quiet, verbose) as progress:
            report = run(
                raw, clean, options, prune=prune, force=force, strict=strict, wait=wait, progress=progress
            )
    except (UsageError, CatalogError, ConfigError, IndexMismatch, DaskUnavailable) as exc:
        fail(str(exc))
    except Locked as exc:
        click.echo(f"cleancorp: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except (DocumentErrors, WriterFailed) as exc:
        click.echo(f"cleancorp: error: {exc}", err=True)
        sys.exit(EXIT_DOCUMENT_ERRORS)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    if not quiet:
        click.echo(summary_line(report), err=True)
    if not quiet and not verbose:  # --verbose has already printed each failed document
        for error in report["errors"]:
            click.echo(f"cleancorp: {error['source']}: {error['error']}", err=True)
    sys.exit(EXIT_DOCUMENT_ERRORS if report["errors"] else EXIT_OK)


def report_dry_run(plan: dict[str, Any], as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps(plan, ensure_ascii=False))
    if quiet:
        return
    inputs = plan["inputs"]
    click.echo(
        f"cleancorp: dry run: {inputs['found']} inputs: would clean {inputs['to_clean']} "
        f"({inputs['new']} new, {inputs['changed']} changed, {inputs['options_changed']} with other "
        f"options, {inputs['rechecked_duplicates']} duplicates to recheck), skip {inputs['unchanged']}; "
        f"{inputs['disappeared']} disappeared ({inputs['pruned']} would be pruned)",
        err=True,
    )
    if not as_json:
        for source in plan["would_clean"]:
            click.echo(source)


@contextmanager
def progress_reporter(quiet: bool, verbose: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal (so never in cron), or a line per document."""
    if verbose:

        def describe(doc: Document, done: int, total: int) -> None:
            detail = {
                Status.ERROR: doc.error,
                Status.EMPTY: doc.reason,
                Status.DUPLICATE: f"of {doc.duplicate_of}",
            }.get(doc.status, "")
            click.echo(
                f"[{done}/{total}] {doc.status.value:>5}  {doc.source}  {detail or ''}".rstrip(), err=True
            )

        yield describe
        return
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stack:
        bars: list[Any] = []

        def tick(doc: Document, done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(length=total, label="cleaning", file=sys.stderr, show_pos=True)
                bars.append(stack.enter_context(bar))
            bars[0].update(1)

        yield tick
