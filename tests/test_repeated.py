"""Corpus evidence (repeated blocks) on block keys made in the workers."""

from __future__ import annotations

import pickle
from pathlib import Path

from cleancorp.document import Block, Document, PackedBlocks, Status
from cleancorp.language import block_key
from cleancorp.pipeline import Options, corpus_stage, process_input
from cleancorp.read import find_inputs
from cleancorp.repeated import block_keys, remove_repeated
from cleancorp.signing import sign

from .conftest import RAW

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
