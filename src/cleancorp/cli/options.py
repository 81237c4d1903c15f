"""What the commands share: exit codes, option groups, and how settings are resolved."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..catalog import CATEGORIES
from ..config import CONFIG_NAME, find_config, from_environment, read_config
from ..dedup import DedupSettings
from ..pipeline import Options
from ..read import DEFAULT_MAX_BYTES

EXIT_OK, EXIT_DOCUMENT_ERRORS, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

Command = Callable[..., None]


def catalog_options(command: Command) -> Command:
    """The options that choose which boilerplate rules apply (run, clean and explain)."""
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


def processing_options(command: Command) -> Command:
    """Deduplication, size limit and worker options (run and clean)."""
    decorators = [
        click.option(
            "--threshold",
            type=click.FloatRange(0.0, 1.0),
            help=f"Jaccard similarity of cleaned bodies at which two documents are one story "
            f"[default: {DedupSettings.threshold}].",
        ),
        click.option(
            "--containment",
            type=click.FloatRange(0.0, 1.0),
            help=f"Share of a shorter body inside a longer one that makes it an abridged copy "
            f"[default: {DedupSettings.containment}].",
        ),
        click.option(
            "--num-perm",
            type=click.IntRange(16, 1024),
            help=f"[default: {DedupSettings.num_perm}] MinHash permutations "
            "(more: slower, more exact candidates).",
        ),
        click.option(
            "--shingle-size",
            type=click.IntRange(1, 20),
            help=f"[default: {DedupSettings.shingle_size}] Words per shingle.",
        ),
        click.option(
            "--keep-duplicates", is_flag=True, default=None, help="Also write the body of near-duplicates."
        ),
        catalog_options,
        click.option(
            "--max-bytes",
            type=click.IntRange(1),
            help=f"[default: {DEFAULT_MAX_BYTES}] Larger inputs are not read; they get status error.",
        ),
        click.option(
            "-j", "--jobs", type=click.IntRange(0), help="Worker processes; 0 (the default) uses every core."
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def processing_flags(values: dict[str, Any]) -> dict[str, Any]:
    """The settings named by :func:`processing_options`, from a command's keyword arguments."""
    return {
        "threshold": values.pop("threshold"),
        "containment": values.pop("containment"),
        "num_perm": values.pop("num_perm"),
        "shingle_size": values.pop("shingle_size"),
        "keep_duplicates": values.pop("keep_duplicates"),
        "catalog": values.pop("catalog_path"),
        "disable": values.pop("disabled"),
        "keep": values.pop("kept"),
        "max_bytes": values.pop("max_bytes"),
        "jobs": values.pop("jobs"),
    }


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
