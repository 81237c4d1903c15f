"""Corpus evidence (repeated blocks) on block keys made in the workers."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np

from cleancorp.document import Block, Document, PackedBlocks, Status
from cleancorp.language import block_key
from cleancorp.pipeline import Options, corpus_stage, process_input
from cleancorp.read import find_inputs
from cleancorp.repeated import block_keys, remove_repeated
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
