import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cleancorp.dedup import BandIndex, DedupSettings, NearDuplicates, SharedBands, shared_count
from cleancorp.signing import sign

from .conftest import shingle_hashes

WORDS = [
    "government",
    "forces",
    "rebel",
    "fighters",
    "province",
    "ceasefire",
    "talks",
    "minister",
    "said",
    "officials",
    "city",
    "army",
    "border",
    "troops",
    "attack",
    "village",
    "civilians",
    "report",
    "agreement",
    "week",
    "statement",
    "president",
    "security",
    "council",
    "vote",
]


def article(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    sentences = []
    for _ in range(words // 10):
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + ".")
    return " ".join(sentences)


def test_shingles_fold_case_punctuation_and_digits():
    assert shingle_hashes("The Army, in 2019, said: WAIT!", 2) == shingle_hashes("the army in said wait", 2)


def test_lightly_edited_reprint_is_a_duplicate():
    finder = NearDuplicates()
    original = article(1)
    assert finder.check("a", original) is None
    reprint = "WASHINGTON - " + original.replace("minister", "premier", 3)
    match = finder.check("b", reprint)
    assert match is not None and match.kept_id == "a" and match.similarity > 0.8


def test_abridged_copy_is_caught_by_containment():
    finder = NearDuplicates()
    full = article(2, 800)
    finder.check("full", full)
    abridged = full[: len(full) // 3]
    match = finder.check("short", abridged)
    assert match is not None and match.similarity < 0.5 and match.containment > 0.95


def test_different_stories_sharing_a_paragraph_are_not_merged():
    finder = NearDuplicates()
    shared = article(3, 60)
    finder.check("long", article(4, 800) + " " + shared)
    assert finder.check("short", article(5, 200) + " " + shared) is None


def test_short_briefs_are_not_merged_by_containment_alone():
    finder = NearDuplicates(DedupSettings(min_containment_shingles=30))
    finder.check("big", article(6, 400))
    tiny = " ".join(article(6, 400).split()[:20])
    assert finder.check("tiny", tiny) is None


def test_no_chaining_through_a_third_document():
    """B is near A, C is near B but not A: C must not join A's cluster through B."""
    base = article(7, 300).split()
    extra, more = article(8, 40).split(), article(9, 60).split()
    a = " ".join(base)
    b = " ".join(base[:260] + extra)  # Jaccard to a ~0.76
    c = " ".join(base[100:260] + extra + more)  # Jaccard to b ~0.53, to a ~0.39
    finder = NearDuplicates(DedupSettings(threshold=0.5, containment=0.95))
    assert finder.check("a", a) is None
    assert finder.check("b", b).kept_id == "a"
    assert finder.compare(set(shingle_hashes(c, 5)), set(shingle_hashes(b, 5))) is not None
    assert finder.check("c", c) is None  # compared with kept documents only


def test_empty_text_is_never_a_duplicate():
    finder = NearDuplicates()
    assert finder.check("a", "") is None
    assert finder.check("b", "") is None


def test_a_brief_that_opens_like_a_long_story_is_not_its_copy():
    finder = NearDuplicates()
    story = article(10, 600)
    finder.check("story", story)
    brief = " ".join(story.split()[:70])
    assert finder.check("brief", brief) is None


@given(st.sets(st.integers(0, 2**32 - 1), max_size=300), st.sets(st.integers(0, 2**32 - 1), max_size=300))
def test_shared_count_is_the_size_of_the_intersection(a, b):
    def as_array(values: set[int]) -> np.ndarray:
        return np.array(sorted(values), dtype=np.uint32)

    assert shared_count(as_array(a), as_array(b)) == len(a & b)
    assert shared_count(as_array(a | b), as_array(b)) == len(b)


def test_a_second_pass_with_the_first_ones_verdicts_compares_only_changed_bodies(monkeypatch):
    import cleancorp.dedup as dedup

    settings = DedupSettings()
    texts = {"a": article(20), "b": "Reprinted. " + article(20), "c": article(21), "d": article(21)[:1500]}
    signed = {doc_id: sign(text, settings) for doc_id, text in texts.items()}
    compared = []
    real_compare = dedup.compare
    monkeypatch.setattr(dedup, "compare", lambda a, b, s: compared.append(1) or real_compare(a, b, s))

    def one_pass(verdicts):
        finder = NearDuplicates(settings, verdicts=verdicts)
        return {doc_id: finder.check_signed(doc_id, signed[doc_id]) for doc_id in texts}

    verdicts = {}
    first = one_pass(verdicts)
    assert first["b"].kept_id == "a" and first["d"].kept_id == "c"
    made = len(compared)
    assert made >= 2 and one_pass(verdicts) == first and len(compared) == made  # nothing compared again
    assert one_pass(None) == first and len(compared) == 2 * made  # without verdicts: all of them again
    signed["d"] = sign(texts["d"] + " A new closing line.", settings)  # a body that changed
    assert one_pass(verdicts)["d"].kept_id == "c" and len(compared) == 2 * made + 1


@st.composite
def band_keys_of_a_pass(draw):
    """Documents with a few band keys from a small range (so many are shared), and which of them
    the pass keeps."""
    count = draw(st.integers(0, 25))
    keys = [draw(st.lists(st.integers(0, 40), min_size=1, max_size=6)) for _ in range(count)]
    kept = [draw(st.booleans()) for _ in range(count)]
    return [f"d{number:02d}" for number in range(count)], keys, kept


@given(band_keys_of_a_pass())
def test_shared_bands_find_what_band_index_buckets_find(case):
    ids, keys, kept = case
    shared = SharedBands(ids, [np.array(k, dtype=np.uint64) for k in keys])
    buckets = BandIndex()
    for doc_id, doc_keys, keep in zip(ids, keys, kept, strict=True):
        assert shared.kept_sharing(doc_id) == sorted(buckets.query(doc_keys) - {doc_id})
        if keep:
            shared.keep(doc_id)
            buckets.insert(doc_id, doc_keys)


@given(band_keys_of_a_pass(), st.data())
def test_shared_bands_reach_every_document_linked_by_keys(case, data):
    ids, keys, _ = case
    shared = SharedBands(ids, [np.array(k, dtype=np.uint64) for k in keys])
    start = set(data.draw(st.lists(st.sampled_from(ids))) if ids else [])
    reached, waiting = set(start), list(start)
    while waiting:  # the plain way: a document is linked to every other with a key in common
        doc_keys = set(keys[ids.index(waiting.pop())])
        for other, other_keys in zip(ids, keys, strict=True):
            if other not in reached and doc_keys & set(other_keys):
                reached.add(other)
                waiting.append(other)
    assert shared.reach(start) == reached
    some = np.array(keys[0][:2] if keys else [], dtype=np.uint64)
    assert shared.having(some) == {i for i, k in zip(ids, keys, strict=True) if set(k) & set(some.tolist())}
