"""Commands that look into documents and corpora: ``explain``, ``dupes``, ``reindex``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..catalog import CatalogError
from ..config import ConfigError
from ..dedup import DedupSettings
from ..explain import explain_document
from ..index import INDEX_NAME
from ..lock import Locked, RunLock
from ..pipeline import clean_document
from ..read import InputFile, input_format, read_document
from ..reindex import read_clusters, rebuild
from ..write import STATE_DIR
from .options import EXIT_DOCUMENT_ERRORS, EXIT_LOCKED, catalog_options, fail, resolve_options


@click.command("explain")
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


@click.command("dupes")
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


@click.command("reindex")
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
