"""The command line: a thin layer over :mod:`cleancorp.pipeline`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .catalog import CATEGORIES, CatalogError
from .config import CONFIG_NAME, ConfigError, find_config, from_environment, read_config
from .dedup import DedupSettings
from .document import Document, Status
from .explain import explain_document
from .index import INDEX_NAME, IndexMismatch, read_clusters, rebuild
from .lock import Locked, RunLock
from .pipeline import Options, clean_document
from .read import DEFAULT_MAX_BYTES, InputFile, input_format, read_document
from .runner import DocumentErrors, Progress, UsageError, plan_run, run
from .write import STATE_DIR, summary_line

EXIT_OK, EXIT_DOCUMENT_ERRORS, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def catalog_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that choose which boilerplate rules apply (shared by run and explain)."""
    for flag, name, meaning in (
        ("--keep", "kept", "Keep blocks named with this category wherever they stand, e.g. --keep caption."),
        ("--disable", "disabled", "Rules of this category never fire."),
    ):
        command = click.option(
            flag, name, multiple=True, type=click.Choice(CATEGORIES), help=f"{meaning} Repeatable."
        )(command)
    command = click.option(
        "--catalog",
        "catalog_path",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="TOML file of extra boilerplate rules (same format as the built-in catalog).",
    )(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help=f"Settings file (default: ./{CONFIG_NAME} if present). Flags override it.",
    )(command)


def resolve_options(config_path: Path | None, flags: dict[str, Any]) -> Options:
    """Defaults < config file < CLEANCORP_* environment < flags given on the command line."""
    path = find_config(config_path)
    settings, adds_rules = read_config(path) if path else ({}, False)
    settings.update(from_environment(os.environ))
    settings.update({k: v for k, v in flags.items() if v is not None and v != ()})
    return Options.from_settings(settings, (path,) if path and adds_rules else ())


def fail(message: str) -> NoReturn:
    click.echo(f"cleancorp: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cleancorp")
def main() -> None:
    """Clean and deduplicate scraped news.

    Decodes and repairs text, strips boilerplate (navigation, donation appeals, disclaimers,
    comment and share prompts, ...), turns bylines, dates and tags into metadata, and marks
    near-duplicate reprints. Start with:

        cleancorp run raw/ clean/
    """


@main.command("run")
@click.argument("raw", type=click.Path(path_type=Path, file_okay=False))
@click.argument("clean", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help=f"Jaccard similarity of cleaned bodies at which two documents are one story "
    f"[default: {DedupSettings.threshold}].",
)
@click.option(
    "--containment",
    type=click.FloatRange(0.0, 1.0),
    help=f"Share of a shorter body inside a longer one that makes it an abridged copy "
    f"[default: {DedupSettings.containment}].",
)
@click.option(
    "--num-perm",
    type=click.IntRange(16, 1024),
    help=f"[default: {DedupSettings.num_perm}] MinHash permutations (more: slower, more exact candidates).",
)
@click.option(
    "--shingle-size",
    type=click.IntRange(1, 20),
    help=f"[default: {DedupSettings.shingle_size}] Words per shingle.",
)
@click.option("--keep-duplicates", is_flag=True, default=None, help="Also write the body of near-duplicates.")
@catalog_options
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    help=f"[default: {DEFAULT_MAX_BYTES}] Larger inputs are not read; they get status error.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0),
    help="Worker processes; 0 (the default) uses every core.",
)
@click.option("--prune", is_flag=True, help="Delete the outputs of inputs that disappeared from RAW.")
@click.option("--force", is_flag=True, help="Clean every input again, changed or not.")
@click.option("--strict", is_flag=True, help="Any document error stops the run before anything is written.")
@click.option("--wait", is_flag=True, help="If another run holds CLEAN, wait for it instead of exiting 3.")
@click.option("--dry-run", is_flag=True, help="Say what would be cleaned, skipped and pruned; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
@click.option("-v", "--verbose", is_flag=True, help="A line on stderr for every document cleaned.")
def run_command(
    raw: Path,
    clean: Path,
    threshold: float | None,
    containment: float | None,
    num_perm: int | None,
    shingle_size: int | None,
    keep_duplicates: bool | None,
    config_path: Path | None,
    catalog_path: Path | None,
    disabled: tuple[str, ...],
    kept: tuple[str, ...],
    max_bytes: int | None,
    jobs: int | None,
    prune: bool,
    force: bool,
    strict: bool,
    wait: bool,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Clean the new and changed .txt/.html/.htm (optionally .gz) files under RAW into CLEAN.

    CLEAN mirrors RAW: a/b.html becomes a/b.txt (the body) and a/b.json (the sidecar).
    Near-duplicates get a sidecar only. Inputs cleaned before with the same options are skipped
    (the manifest in CLEAN/.cleancorp/). The run report goes to CLEAN/.cleancorp/report.json.

    Exit status: 0 all documents fine, 1 some documents failed, 2 usage or configuration error,
    3 another run holds CLEAN.
    """
    flags = {
        "threshold": threshold, "containment": containment, "num_perm": num_perm,
        "shingle_size": shingle_size, "keep_duplicates": keep_duplicates, "catalog": catalog_path,
        "disable": disabled, "keep": kept, "max_bytes": max_bytes, "jobs": jobs,
    }  # fmt: skip
    try:
        options = resolve_options(config_path, flags)
        if dry_run:
            report_dry_run(plan_run(raw, clean, options, prune=prune, force=force), as_json, quiet)
            return
        with progress_reporter(quiet, verbose) as progress:
            report = run(
                raw, clean, options, prune=prune, force=force, strict=strict, wait=wait, progress=progress
            )
    except (UsageError, CatalogError, ConfigError, IndexMismatch) as exc:
        fail(str(exc))
    except Locked as exc:
        click.echo(f"cleancorp: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except DocumentErrors as exc:
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


@main.command("explain")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@catalog_options
@click.option(
    "--width", type=click.IntRange(20), default=100, show_default=True, help="Truncate lines to this width."
)
def explain_command(
    file: Path,
    config_path: Path | None,
    catalog_path: Path | None,
    disabled: tuple[str, ...],
    kept: tuple[str, ...],
    width: int,
) -> None:
    """Show every line of FILE with the verdict: kept, or removed with category and rule.

    Metadata found (title, author, date, tags) is printed first. Colours on a terminal.
    """
    try:
        format_ = input_format(Path(file.name))
    except KeyError:
        fail(f"{file} is not .txt, .html or .htm (optionally .gz)")
    try:
        options = resolve_options(config_path, {"catalog": catalog_path, "disable": disabled, "keep": kept})
        doc = clean_document(read_document(InputFile(file, Path(file.name))), options)
    except (CatalogError, ConfigError) as exc:
        fail(str(exc))
    if doc.failed:
        click.echo(f"{file}: error: {doc.error}")
        sys.exit(EXIT_DOCUMENT_ERRORS)
    meta = doc.meta
    click.echo(
        click.style(f"{file} ({format_}, {doc.encoding}; fixes: {', '.join(doc.fixes) or 'none'})", bold=True)
    )
    for name in ("title", "author", "date", "url", "site", "tags", "source_credit"):
        value = getattr(meta, name)
        if value:
            click.echo(f"  {name}: {', '.join(value) if isinstance(value, list) else value}")
    for row in explain_document(doc):
        text = row.text if len(row.text) <= width else row.text[: width - 1] + "…"
        if row.keep:
            click.echo(f"{click.style('KEEP', fg='green')}  {'':32} {text}")
        else:
            label = f"{row.category}/{row.rule}"[:32]
            click.echo(
                f"{click.style('DROP', fg='red')}  {click.style(label.ljust(32), fg='yellow')} "
                f"{click.style(text, dim=True)}"
            )


@main.command("dupes")
@click.argument("clean", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON Lines.")
def dupes_command(clean: Path, as_json: bool) -> None:
    """List near-duplicate clusters in CLEAN (every run so far): the kept document, then each
    duplicate with its Jaccard similarity to it."""
    clusters = read_clusters(clean)
    for cluster in clusters:
        if as_json:
            click.echo(json.dumps(cluster, ensure_ascii=False))
            continue
        click.echo(click.style(f"{cluster['cluster']} ({cluster['size']} documents)", bold=True))
        for member in cluster["members"]:  # type: ignore[attr-defined]
            similarity = "kept" if member["status"] == "kept" else f"{member['similarity']:.3f}"
            click.echo(f"  {similarity:>6}  {member['id']}")
    if not as_json:
        click.echo(f"{len(clusters)} clusters of near-duplicates", err=True)


@main.command("reindex")
@click.argument("clean", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--num-perm", type=click.IntRange(16, 1024), help=f"[default: {DedupSettings.num_perm}]")
@click.option("--shingle-size", type=click.IntRange(1, 20), help=f"[default: {DedupSettings.shingle_size}]")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def reindex_command(
    clean: Path, num_perm: int | None, shingle_size: int | None, config_path: Path | None
) -> None:
    """Rebuild CLEAN/.cleancorp/index.sqlite from the sidecars and bodies in CLEAN.

    Needed after changing --num-perm or --shingle-size; a deleted index is rebuilt by the next run.
    """
    try:
        options = resolve_options(config_path, {"num_perm": num_perm, "shingle_size": shingle_size})
    except ConfigError as exc:
        fail(str(exc))
    try:
        with RunLock(clean, clean / STATE_DIR):
            count = rebuild(clean, options.dedup)
    except Locked as exc:
        click.echo(f"cleancorp: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(f"indexed {count} kept documents in {clean / STATE_DIR / INDEX_NAME}", err=True)
