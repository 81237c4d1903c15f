"""Packed parts of a document give back exactly what was packed: in memory, pickled (from a
worker to the run's process), and read back from the run's spill file; and a run holds little
of a document while it waits for the corpus stages."""

from __future__ import annotations

import pickle
import sys
from array import array

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleancorp.document import (
    Block,
    Document,
    Metadata,
    PackedBlocks,
    PackedMetadata,
    PackedRemovals,
    Removal,
)
from cleancorp.pipeline import Options, clean_text, finish_in_worker
from cleancorp.runner import spill_document
from cleancorp.spill import Spill

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
REMOVALS = st.lists(
    st.builds(
        Removal,
        category=TEXT,
        rule=TEXT,
        text=TEXT,
        zone=st.sampled_from(["header", "body", "footer"]),
        fields=st.dictionaries(TEXT, TEXT, max_size=2),
        raw=TEXT,
        position=st.integers(-1, 10_000),
        key=st.integers(0, 2**64 - 1),
    ),
    max_size=8,
)


@given(REMOVALS, st.lists(st.integers(0, 2**64 - 1), max_size=4))
def test_packed_removals_give_back_every_field(removals, evidence):
    packed = PackedRemovals(removals, evidence)
    assert list(packed) == removals and len(packed) == len(removals)
    assert packed.evidence.tolist() == evidence
    sent = pickle.loads(pickle.dumps(packed))
    assert list(sent) == removals and sent.evidence.tolist() == evidence
    with Spill() as spill:
        sent.spill(spill)
        assert list(sent) == removals
        assert [r.text for r in sent[1:]] == [r.text for r in removals[1:]]


LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=30)
BLOCKS = st.lists(
    st.builds(
        Block, text=LINE, raw=st.just(""), position=st.integers(-1, 10_000), key=st.integers(0, 2**64 - 1)
    ),
    max_size=8,
)


@given(BLOCKS)
def test_packed_blocks_give_back_text_position_and_key(blocks):
    packed = PackedBlocks(blocks)
    assert list(packed) == blocks and len(packed) == len(blocks)
    assert packed.texts() == [b.text for b in blocks] and packed.keys().tolist() == [b.key for b in blocks]
    sent = pickle.loads(pickle.dumps(packed))
    with Spill() as spill:
        sent.spill(spill)
        assert list(sent) == blocks and sent.keys().tolist() == [b.key for b in blocks]
        for separator in ("\n", "\n\n", " "):
            assert sent.joined(separator) == separator.join(b.text for b in blocks)
        assert Document("a", "a", blocks=sent).body == Document("a", "a", blocks=blocks).body


METADATA = st.builds(
    Metadata,
    title=st.none() | TEXT,
    author=st.none() | TEXT,
    date=st.none() | TEXT,
    url=st.none() | TEXT,
    site=st.none() | TEXT,
    tags=st.lists(TEXT, max_size=3),
    source_credit=st.none() | TEXT,
)


@given(METADATA)
def test_packed_metadata_gives_back_every_field(meta):
    packed = PackedMetadata(meta)
    assert packed.unpacked() == meta and packed.title == meta.title and packed.tags == meta.tags
    sent = pickle.loads(pickle.dumps(packed))
    with Spill() as spill:
        sent.spill(spill)
        assert sent.unpacked() == meta


def test_packed_metadata_is_read_only():
    packed = PackedMetadata(Metadata(title="Budget"))
    with pytest.raises(AttributeError):
        packed.title = "Another"
    with pytest.raises(AttributeError):
        _ = packed.headline


def held_bytes(root: object) -> int:
    """Bytes of every object reachable from ``root``, each counted once, the spill file aside."""
    seen: set[int] = set()
    total = 0
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (Spill, type)):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, np.ndarray):
            stack.append(item.base)
        elif isinstance(item, dict):
            stack.extend([*item.keys(), *item.values()])
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif not isinstance(item, (str, bytes, int, float, array)):
            names = [name for cls in type(item).__mro__ for name in getattr(cls, "__slots__", ())]
            stack.extend(getattr(item, name) for name in names if hasattr(item, name))
            stack.extend(getattr(item, "__dict__", {}).values())
    return total


def held_after_cleaning(title: str, sentence: str, tags: str) -> int:
    """What a run holds of a document between cleaning and writing: as the worker sends it,
    with its bulky parts moved to the spill file."""
    paragraphs = [f"{sentence} Paragraph {number} of the story ends here." for number in range(6)]
    text = "\n\n".join(
        [title, *paragraphs, f"Tags: {tags}", "Share this article on Facebook", "Leave a Reply"]
    )
    doc = finish_in_worker(clean_text(text, id="story"), Options())
    doc = pickle.loads(pickle.dumps(doc))
    with Spill() as spill:
        spill_document(doc, spill)
        assert doc.status.value == "kept" and len(doc.blocks) == 6
        assert [r.category for r in doc.removed] == ["title", "tags", "share_prompt", "comment_prompt"]
        assert doc.meta.tags == tags.split(", ")
        return held_bytes(doc)


def test_a_run_holds_the_same_few_bytes_of_a_short_and_a_long_document():
    """The body, the removed blocks, the metadata and the shingles wait in the spill file: what
    stays in memory (keys, verdicts, where the rest is) does not grow with the text."""
    short = held_after_cleaning(
        "Council passes the budget", "The council voted to approve the budget.", "budget"
    )
    long = held_after_cleaning(
        "Council passes the budget for the coming year after a long night of debate in the town hall",
        "The council voted on Monday night to approve the budget for the coming year. " * 40,
        "budget, council, town hall, debate, finance, mayor, taxes, schools, roads",
    )
    assert abs(long - short) <= 64  # an int or two of other sizes
