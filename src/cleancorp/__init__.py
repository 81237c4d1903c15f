r"""cleancorp: clean and deduplicate scraped news.

>>> import cleancorp
>>> story = "The mayor said on Friday that the new bridge will open in May. " * 3
>>> doc = cleancorp.clean_text("Headline Here Today\n\n" + story)
>>> doc.meta.title, doc.status.value
('Headline Here Today', 'kept')
"""

from ._version import __version__
from .document import Document, Metadata, Removal, Status
from .pipeline import Options, clean_document, clean_text
from .runner import plan_run, run
from .stream import Record, Result, as_record, clean_records, parse_jsonl

__all__ = [
    "Document",
    "Metadata",
    "Options",
    "Record",
    "Removal",
    "Result",
    "Status",
    "__version__",
    "as_record",
    "clean_document",
    "clean_records",
    "clean_text",
    "parse_jsonl",
    "plan_run",
    "run",
]
