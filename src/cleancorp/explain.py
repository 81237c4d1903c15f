"""Why each line of a document was kept or removed, in document order.

>>> story = "The council voted on Monday to approve the plan for the new bridge. " * 3
>>> rows = explain_document(clean_text("Menu\\n\\n" + story + "\\n\\nLeave a Reply"))
>>> [(row.keep, row.category, row.rule) for row in rows]
[(False, 'navigation', 'menu_word'), (True, None, None), (False, 'comment_prompt', 'comment_form')]
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Document
from .pipeline import clean_text  # noqa: F401  (used in the doctest)


@dataclass(frozen=True)
class Row:
    keep: bool
    text: str
    category: str | None = None
    rule: str | None = None
    zone: str = "body"


def explain_document(doc: Document) -> list[Row]:
    """Kept blocks and removals merged back into the order of the repaired text."""
    rows: list[tuple[int, Row]] = [(b.position, Row(True, b.text)) for b in doc.blocks]
    rows += [(r.position, Row(False, r.text, r.category, r.rule, r.zone)) for r in doc.removed]
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]
