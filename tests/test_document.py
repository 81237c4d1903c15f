"""Packed parts of a document give back exactly what was packed: in memory, pickled (from a
worker to the run's process), and read back from the run's spill file."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from cleancorp.document import PackedRemovals, Removal
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
