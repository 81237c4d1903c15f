"""The command line: a thin layer over the library (:mod:`cleancorp.runner`,
:mod:`cleancorp.stream`, :mod:`cleancorp.export`). One module per group of commands."""

from __future__ import annotations

import click

from .._version import __version__
from .export import export_command
from .inspect import dupes_command, explain_command, reindex_command
from .options import resolve_options
from .run import progress_reporter, run_command
from .stream import clean_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cleancorp")
def main() -> None:
    """Clean and deduplicate scraped news.

    Decodes and repairs text, strips boilerplate (navigation, donation appeals, disclaimers,
    comment and share prompts, ...), turns bylines, dates and tags into metadata, and marks
    near-duplicate reprints. Start with:

        cleancorp run raw/ clean/
    """


for command in (run_command, clean_command, export_command, explain_command, dupes_command, reindex_command):
    main.add_command(command)

__all__ = ["main", "progress_reporter", "resolve_options"]
