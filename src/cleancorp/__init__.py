r"""cleancorp: clean and deduplicate scraped news.

>>> import cleancorp
>>> story = "The mayor said on Friday that the new bridge will open in May. " * 3
>>> doc = cleancorp.clean_text("Headline Here Today\n\n" + story)
>>> doc.meta.title, doc.status.value
('Headline Here Today', 'kept')
"""

from importlib.metadata import PackageNotFoundError, version

from .document import Document, Metadata, Removal, Status
from .pipeline import Options, clean_document, clean_text, run

try:
    __version__ = version("cleancorp")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "Document",
    "Metadata",
    "Options",
    "Removal",
    "Status",
    "__version__",
    "clean_document",
    "clean_text",
    "run",
]
