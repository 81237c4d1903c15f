"""Corpus evidence (repeated blocks) on block keys made in the workers."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cleancorp.document import Block, Document, PackedBlocks, PackedRemovals, Removal, Status
from cleancorp.language import block_key
from cleancorp.pipeline import Options, corpus_stage, process_input
from cleancorp.read import find_inputs
from cleancorp.repeated import block_keys, count_clusters, remove_repeated
from cleancorp.signing import sign

from .conftest import DATA, RAW

FOOTER = "The Harbour Gazette is an independent paper owned by its readers since 1911."


def cleaned_with_footer(tmp_path: Path) -> list[Document]:
    """The five seed stories, each with the same promo line inside its body, cleaned as a worker
    cleans them."""
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    for seed in sorted(RAW.glob("*.txt")):
        paragraphs = [p for p in seed.read_text(encoding="utf-8").split("\n") if p.strip()]
        (raw / seed.name).write_text(
            "\n\n".join([*paragraphs[:4], FOOTER, *paragraphs[4:]]), encoding="utf-8"
        )
    options = Options()
    return [process_input(item, options) for item in find_inputs(raw)]


def test_the_worker_stores_every_block_and_removal_key(tmp_path):
    docs = cleaned_with_footer(tmp_path)
    for doc in docs:
        assert isinstance(doc.blocks, PackedBlocks)
        assert list(block_keys(doc.blocks)) == [block_key(b.text) for b in doc.blocks]
        assert doc.removed and all(r.key == block_key(r.text) for r in doc.removed)
        copy = pickle.loads(pickle.dumps(doc.blocks))  # as the worker sends it
        assert copy.keys() == doc.blocks.keys() and [b.key for b in copy] == list(doc.blocks.keys())


def test_stored_keys_decide_as_keys_made_from_the_text(tmp_path):
    packed = cleaned_with_footer(tmp_path)
    plain = cleaned_with_footer(tmp_path / "again")
    for doc in plain:  # the same documents, with blocks that carry no key
        doc.blocks = [Block(b.text, "", b.position) for b in doc.blocks]
    for docs in (packed, plain):
        for doc in docs:
            doc.cluster = doc.id
        assert remove_repeated(docs) == 5
    for a, b in zip(packed, plain, strict=True):
        assert [x.text for x in a.blocks] == [x.text for x in b.blocks]
        assert [(r.rule, r.text, r.key) for r in a.removed] == [
            (r.rule, r.text, block_key(r.text)) for r in b.removed
        ]
        assert FOOTER not in a.body


def test_a_body_that_lost_a_repeated_block_is_signed_again(tmp_path):
    docs = cleaned_with_footer(tmp_path)
    signed_with_footer = {doc.id: doc.signed for doc in docs}
    corpus_stage(docs, Options())
    for doc in docs:
        assert doc.status is Status.KEPT and FOOTER not in doc.body
        fresh = sign(doc.body, Options().dedup)
        assert doc.signed.key == fresh.key != signed_with_footer[doc.id].key
        assert doc.signed.chars == len(doc.body)


def test_the_second_pass_redoes_only_what_the_changed_bodies_reach(tmp_path, monkeypatch):
    import cleancorp.pipeline as pipeline

    raw = tmp_path / "raw"
    shutil.copytree(DATA / "corpus_small" / "raw", raw / "corpus")
    for seed in sorted(RAW.glob("*.txt")):  # the seeds with a site's promo line, and reprints without
        paragraphs = [p for p in seed.read_text(encoding="utf-8").split("\n") if p.strip()]
        (raw / "site").mkdir(exist_ok=True)
        (raw / "site" / seed.name).write_text(
            "\n\n".join([*paragraphs[:4], FOOTER, *paragraphs[4:]]), encoding="utf-8"
        )
        (raw / "reprint").mkdir(exist_ok=True)
        (raw / "reprint" / seed.name).write_text("\n\n".join(paragraphs[1:]), encoding="utf-8")
    docs = [process_input(item, Options()) for item in find_inputs(raw)]
    everything = pickle.loads(pickle.dumps(docs))
    touched: list[str] = []
    restricted = pipeline._touched_by_changes
    monkeypatch.setattr(
        pipeline, "_touched_by_changes", lambda *args: touched.extend(d.id for d in restricted(*args)) or [
            d for d in args[0] if d.id in touched
        ]
    )  # fmt: skip
    corpus_stage(docs, Options())
    monkeypatch.setattr(pipeline, "_touched_by_changes", lambda docs, *_: docs)
    corpus_stage(everything, Options())

    def outcome(doc: Document) -> tuple[object, ...]:
        return doc.id, doc.status, doc.cluster, doc.duplicate_of, doc.similarity, doc.body

    assert [outcome(d) for d in docs] == [outcome(d) for d in everything]
    assert all(FOOTER not in d.body for d in docs)
    site = {d.id for d in docs if d.id.startswith("site/")}
    reprints = {d.id for d in docs if d.id.startswith("reprint/") and d.status is Status.DUPLICATE}
    site = {d.id: d for d in docs if d.id.startswith("site/")}
    reprints = {d.id for d in docs if d.id.startswith("reprint/")}
    # Changed, and the same stories as unchanged bodies, which the changed ones link to.
    assert len(site) == len(reprints) == 5
    assert {d.duplicate_of for d in site.values()} == reprints
    assert set(site) | reprints <= set(touched) and len(touched) < len(docs) / 2


def test_a_changed_body_reaches_the_documents_its_new_signature_shares_keys_with():
    from cleancorp.dedup import SharedBands
    from cleancorp.pipeline import _touched_by_changes

    settings = Options().dedup
    story = "The council approved the budget for the new bridge on Monday after a long debate."
    changed = Document(id="a", source="a", blocks=[Block(story, "")])  # lost a block: not signed now
    same_story = Document(id="b", source="b", blocks=[Block(story, "")], signed=sign(story + "\n", settings))
    other = Document(id="c", source="c", blocks=[Block("Another story.", "")])
    other.signed = sign(other.body, settings)
    before = np.arange(1, 38, dtype=np.uint64)  # the changed body's keys before: shared with nobody
    bands = SharedBands(["a", "b", "c"], [before, same_story.signed.lsh_keys, other.signed.lsh_keys])
    assert bands.reach(["a"]) == {"a"}
    touched = _touched_by_changes([changed, same_story, other], bands, settings)
    assert [d.id for d in touched] == ["a", "b"] and changed.signed.key == same_story.signed.key


LINES = [f"Line {n} of the page" for n in range(8)]
pages = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),  # the story (cluster) of a document
        st.sampled_from([Status.KEPT, Status.DUPLICATE, Status.EMPTY]),
        st.lists(st.sampled_from(LINES), max_size=6),
        st.lists(st.sampled_from(LINES), max_size=2),  # removed blocks that count as evidence
    ),
    max_size=12,
)


@given(pages, st.dictionaries(st.sampled_from(LINES), st.sets(st.sampled_from("abxyz"), min_size=1)),
       st.integers(1, 4))  # fmt: skip
def test_each_block_counts_the_distinct_stories_it_was_seen_in(pages, earlier_stories, at_least):
    docs = []
    for number, (story, status, blocks, removed) in enumerate(pages):
        doc = Document(id=f"d{number}", source="", status=status, cluster=story)
        doc.blocks = PackedBlocks([Block(text, "", key=block_key(text)) for text in blocks])
        doc.removed = PackedRemovals([Removal("navigation", "menu", text) for text in removed],
                                     evidence=[block_key(text) for text in removed])  # fmt: skip
        docs.append(doc)
    earlier = {block_key(text): stories for text, stories in earlier_stories.items()}
    asked: list[int] = []

    def known(keys):
        asked.extend(keys)
        return {key: earlier[key] for key in keys if key in earlier}

    expected: dict[int, set[str]] = {}
    for story, status, blocks, removed in pages:
        if status is not Status.EMPTY:
            for text in blocks + removed:
                expected.setdefault(block_key(text), set()).add(story)
    with_earlier = {key: stories | earlier.get(key, set()) for key, stories in expected.items()}
    assert count_clusters(docs, known, at_least) == {
        key: len(stories) for key, stories in with_earlier.items() if len(stories) >= at_least
    }
    assert sorted(asked) == sorted(expected)  # every block seen, asked about once
    assert count_clusters(docs) == {key: len(stories) for key, stories in expected.items()}
