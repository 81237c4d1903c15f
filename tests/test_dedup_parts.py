"""A deduplication pass split in two parts, one decided in a forked child, decides as one pass."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from hypothesis import given

from cleancorp import Options, dedup_parts, run
from cleancorp.dedup import NearDuplicates, SharedBands
from cleancorp.dedup_parts import check_in_parts
from cleancorp.signing import sign

from .conftest import DATA, read_tree
from .test_dedup import article, band_keys_of_a_pass

needs_fork = pytest.mark.skipif(not dedup_parts.FORK, reason="the second part is decided in a forked child")


@given(band_keys_of_a_pass())
def test_documents_linked_by_shared_keys_are_in_one_part(case):
    ids, keys, _ = case
    shared = SharedBands(ids, [np.array(k, dtype=np.uint64) for k in keys])
    part_of = shared.parts(2)
    assert sorted(part_of) == sorted(ids) and set(part_of.values()) <= {0, 1}
    for doc_id in ids:
        assert {part_of[linked] for linked in shared.reach([doc_id])} == {part_of[doc_id]}


def stories_and_copies() -> list[tuple[str, str]]:
    """Stories, each with a few reprints, abridged copies and edits, in a shuffled order."""
    rng = random.Random(7)
    texts = []
    for story in range(12):
        text = article(100 + story, 300)
        texts.append((f"s{story:02d}", text))
        for copy in range(rng.randrange(4)):
            variant = rng.choice(
                [
                    "Reprinted: " + text,
                    text[: len(text) * 2 // 3],
                    text.replace("minister", "premier", 2),
                    article(500 + story * 10 + copy, 300),  # another story on the same page
                ]
            )
            texts.append((f"s{story:02d}-{copy}", variant))
    rng.shuffle(texts)
    return texts


def one_pass(texts: list[tuple[str, str]], parts: bool, **kwargs):
    settings = NearDuplicates().settings
    signed = [(doc_id, sign(text, settings)) for doc_id, text in texts]
    shared = SharedBands(*zip(*sorted((doc_id, body.lsh_keys) for doc_id, body in signed), strict=True))
    verdicts = {}
    finder = NearDuplicates(settings, verdicts=verdicts, shared=shared)
    if parts:
        matches = check_in_parts(finder, signed, shared.parts(2), **kwargs)
    else:
        matches = [finder.check_signed(doc_id, body) for doc_id, body in signed]
    return matches, verdicts


@needs_fork
def test_the_forked_part_decides_as_one_pass_would(tmp_path, monkeypatch):
    texts = stories_and_copies()
    alone = one_pass(texts, parts=False)
    marker = tmp_path / "forked"
    real_check_and_send = dedup_parts._check_and_send

    def check_and_send(*args):
        marker.write_text(str(os.getpid()))
        real_check_and_send(*args)

    monkeypatch.setattr(dedup_parts, "_check_and_send", check_and_send)
    split = one_pass(texts, parts=True, min_documents=2)
    assert marker.read_text() != str(os.getpid())  # a child decided a part
    assert split[0] == alone[0] and any(alone[0]) and not all(alone[0])
    assert split[1] == alone[1]  # the child's comparisons came back, for the next pass


@needs_fork
def test_a_part_whose_child_fails_is_decided_here(monkeypatch):
    texts = stories_and_copies()
    alone = one_pass(texts, parts=False)

    def fail(*_):
        raise MemoryError("the child ran out of memory")

    monkeypatch.setattr(dedup_parts, "_check_and_send", fail)
    assert one_pass(texts, parts=True, min_documents=2) == alone


def test_few_documents_are_decided_in_this_process(monkeypatch):
    monkeypatch.setattr(dedup_parts.multiprocessing, "get_context", None)  # no child to be made
    texts = stories_and_copies()
    assert one_pass(texts, parts=True) == one_pass(texts, parts=False)


@needs_fork
def test_a_run_deciding_in_two_processes_writes_what_one_process_writes(tmp_path, monkeypatch):
    corpus = DATA / "corpus_small" / "raw"
    run(corpus, tmp_path / "one", Options(jobs=1))
    monkeypatch.setattr(dedup_parts, "MIN_DOCUMENTS", 2)
    parts = []
    real_parts = SharedBands.parts
    monkeypatch.setattr(
        SharedBands, "parts", lambda self, count: parts.append(real_parts(self, count)) or parts[-1]
    )
    run(corpus, tmp_path / "two", Options(jobs=2))
    assert parts and min(list(parts[0].values()).count(part) for part in (0, 1)) >= 1
    assert read_tree(tmp_path / "two") == read_tree(tmp_path / "one")
