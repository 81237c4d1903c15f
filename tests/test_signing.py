"""The fast shingling and signing paths give exactly what the plain ones would."""

import numpy as np
import xxhash
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from cleancorp.dedup import DedupSettings
from cleancorp.signing import SHINGLE_BASE, TOKEN, _template, letter_runs, shingle_array, sign, signature

from .conftest import DATA, every_character_in_runs

# ASCII and news punctuation, letters whose case folding is special (Kelvin sign, dotted I, sharp s,
# final sigma, titlecase digraph, ligature, fullwidth), other scripts, a combining mark, numbers
# that are part of a word (½, ²) and digits that are not (١), symbols, digits and underscores.
TRICKY = "aZ é’“”‘—–…\u00a0\u212aİßςΣǅﬁＮ東\u0307½²١«€\u2003_1-\n\t"


def plain_letter_runs(text):
    return [word.encode() for word in TOKEN.findall(text.casefold())]


def plain_shingle(words):
    """A shingle's hash the slow way: the polynomial of its words' xxh3 hashes, high 32 bits."""
    value = 0
    for word in words:
        value = (value * int(SHINGLE_BASE) + xxhash.xxh3_64_intdigest(word)) % 2**64
    return value >> 32


def plain_shingles(text, size):
    words = plain_letter_runs(text)
    if len(words) <= size:
        return [plain_shingle(words)] if words else []
    return sorted({plain_shingle(words[i : i + size]) for i in range(len(words) - size + 1)})


def datasketch_signature(hashes, settings):
    template = _template(settings.num_perm, settings.seed)
    minhash = MinHash(
        settings.num_perm, settings.seed, hashfunc=int, permutations=template.permutations,
        scheme=template.scheme,
    )  # fmt: skip
    if hashes:
        minhash.update_batch(hashes)
    return minhash.hashvalues


# Mostly English, each tricky character or word after a plain sentence.
SENTENCES = st.sampled_from(["The council met on Monday to vote on the budget. ", "Others said: no, "])
ODD_WORDS = st.sampled_from(["ÉCOLÉ ", " Zoë", "KÖNİG’s ", "ﬁnal—", *TRICKY])
MOSTLY_ENGLISH = st.lists(st.tuples(SENTENCES, ODD_WORDS).map("".join), max_size=20).map("".join)
MOSTLY_RUSSIAN = st.lists(st.sampled_from(["Слово ", "ГОРОД, ", "ёж ", *TRICKY]), max_size=60).map("".join)


@given(st.text(alphabet=TRICKY) | st.text() | MOSTLY_ENGLISH | MOSTLY_RUSSIAN, st.sampled_from([1, 2, 5]))
def test_same_words_and_shingles_as_the_plain_way(text, size):
    assert letter_runs(text) == plain_letter_runs(text)
    assert shingle_array(text, size).tolist() == plain_shingles(text, size)


def test_same_words_as_the_plain_way_on_every_character():
    for text in every_character_in_runs():
        assert letter_runs(text) == plain_letter_runs(text), text


def real_texts():
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(DATA.rglob("*.txt"))]


def test_same_shingles_on_real_texts():
    texts = real_texts()
    assert len(texts) > 40
    for text in texts:
        assert shingle_array(text, 5).tolist() == plain_shingles(text, 5)


def test_signature_equals_datasketch_update_batch():
    settings = DedupSettings()
    for text in [*real_texts()[:40], "", "one"]:
        hashes = plain_shingles(text, 5)
        fast = signature(np.array(hashes, dtype=np.uint32), settings).hashvalues
        assert np.array_equal(fast, datasketch_signature(hashes, settings))


def test_a_body_signed_again_gets_the_same_signature_object():
    body = "The council met on Monday and voted to approve the budget for the coming year. " * 5
    first = sign(body, DedupSettings())
    assert sign(body, DedupSettings()) is first
    other = sign(body, DedupSettings(num_perm=64))
    assert other is not first and other.key != first.key
    assert not first.shingles.flags.writeable  # shared, so nobody may change it in place
