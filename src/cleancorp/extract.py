"""HTML pages: main text and metadata with trafilatura.

``favor_precision`` is the default because it scored best on the 181 benchmark pages
(F1 0.964 against 0.960 for trafilatura's defaults; see ``benchmarks/``). The text then goes
through the same repair and boilerplate stages as plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import trafilatura
import trafilatura.xpaths

from .document import Document
from .xpath_lite import Unsupported, compile_path

# htmldate rejects dates after max_date, which defaults to today: pin it so that a run gives the
# same output whatever day it runs.
DATE_PARAMS = {"extensive_search": True, "original_date": True, "max_date": "2099-12-31"}

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ExtractSettings:
    favor_precision: bool = True
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False


def extract_html(doc: Document, settings: ExtractSettings | None = None) -> None:
    """Stage: replace the HTML in ``doc.text`` by its main text; fill metadata trafilatura finds."""
    if doc.failed or doc.format != "html":
        return
    settings = settings or ExtractSettings()
    try:
        with _pruning_in_python():
            result = trafilatura.bare_extraction(
                doc.text,
                favor_precision=settings.favor_precision,
                favor_recall=settings.favor_recall,
                include_tables=settings.include_tables,
                include_comments=settings.include_comments,
                with_metadata=True,
                date_extraction_params=DATE_PARAMS,
            )
    except Exception as exc:  # trafilatura and lxml raise many types on broken markup
        doc.fail(f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    text = getattr(result, "text", None) if result is not None else None
    doc.text = text or ""
    if result is None:
        return
    meta = doc.meta
    meta.title = _clean(result.title)
    meta.author = _clean(result.author)
    meta.date = _clean(result.date)
    meta.url = _clean(result.url)
    meta.site = _clean(result.sitename)
    meta.tags = sorted({t.strip() for t in (result.tags or []) if t and t.strip()})


# trafilatura's lists of pruning expressions, which it only ever passes to prune_unwanted_nodes: that
# calls each item on a tree and deletes what it returns, which a compiled path does the same way.
PRUNING_LISTS = (
    "RAW_TREE_PRUNE_XPATH",
    "REMOVE_COMMENTS_XPATH",
    "REMOVE_COMMENTS_AND_LISTS_XPATH",
    "OVERALL_DISCARD_XPATH",
    "TEASER_DISCARD_XPATH",
    "PRECISION_DISCARD_XPATH",
    "DISCARD_IMAGE_ELEMENTS",
    "COMMENTS_DISCARD_XPATH",
    "AUTHOR_DISCARD_XPATHS",
)
_compiled_lists: dict[str, list[object]] = {}


def compiled_pruning_lists() -> dict[str, list[object]]:
    """Each pruning list with the expressions ``xpath_lite`` compiles replaced by their compiled form."""
    if not _compiled_lists:
        for name in PRUNING_LISTS:
            expressions = getattr(trafilatura.xpaths, name, None)
            if isinstance(expressions, list):
                _compiled_lists[name] = [_compiled_or_same(expression) for expression in expressions]
    return _compiled_lists


def _compiled_or_same(expression: object) -> object:
    try:
        return compile_path(expression.path)  # type: ignore[attr-defined]
    except (Unsupported, AttributeError):
        return expression


@contextmanager
def _pruning_in_python() -> Iterator[None]:
    """trafilatura prunes with the compiled paths for the time of one extraction.

    The lists are swapped in place, for trafilatura's modules import them by name; swapping them
    back afterwards leaves trafilatura as it was for any other caller in the process.
    """
    swapped = []
    for name, compiled in compiled_pruning_lists().items():
        expressions = getattr(trafilatura.xpaths, name)
        swapped.append((expressions, expressions[:]))
        expressions[:] = compiled
    try:
        yield
    finally:
        for expressions, original in swapped:
            expressions[:] = original


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
