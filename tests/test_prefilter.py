"""The Hyperscan prefilter changes which rules are tried, never which rule fires."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp import prefilter
from cleancorp.catalog import default_catalog, parse_catalog

from .conftest import DATA
from .test_catalog import CASES

pytestmark = pytest.mark.skipif(prefilter.hyperscan is None, reason="the 'fast' extra is not installed")


def plain_search(catalog, text, at_edge):
    """The catalog's search without the prefilter: every rule in order."""
    from cleancorp.language import count_words

    words = count_words(text)
    for rule in catalog.rules:
        found = rule.fires(text, words, at_edge)
        if found:
            return rule.id, found.span(), found.groupdict()
    return None


def fast_search(catalog, text, at_edge):
    found = catalog.search(text, at_edge)
    return (found[0].id, found[1].span(), found[1].groupdict()) if found else None


def real_blocks():
    texts = [case["text"] for case in CASES]
    for path in sorted(DATA.rglob("*.txt")):
        texts += [
            line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
        ]
    return texts


def test_the_prefilter_is_active_and_leaves_only_slow_to_compile_short_block_rules_to_re():
    catalog = default_catalog()
    assert catalog.prefilter.active
    short = {i for i, rule in enumerate(catalog.rules) if rule.max_words and rule.max_words <= 30}
    slow = {i for i in short if len(catalog.rules[i].pattern.pattern) > prefilter.SLOW_TO_COMPILE_CHARS}
    # No rule failed to compile: finding which one would compile every rule alone on first use.
    assert catalog.prefilter.always == slow
    assert len(short - slow) >= 12


def test_a_short_block_rule_is_no_candidate_for_a_longer_block(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = {
        "rule": [
            {"id": "ad", "category": "advertisement", "pattern": r"\badvertisement\b", "max_words": 3},
            {"id": "donate", "category": "donation_appeal", "pattern": r"\bdonat\w*"},
        ]
    }
    found = parse_catalog(rules).prefilter
    assert found.always == set()  # both in the database
    assert found.candidates("Advertisement", 1) == [0]
    assert found.candidates("Advertisement: please donate to us", 5) == [1]


def test_same_rule_and_match_as_without_it_on_real_blocks():
    catalog = default_catalog()
    blocks = real_blocks()
    assert len(blocks) > 1000
    for text in blocks:
        for at_edge in (True, False):
            assert fast_search(catalog, text, at_edge) == plain_search(catalog, text, at_edge), text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_same_rule_and_match_as_without_it_on_any_text(text):
    catalog = default_catalog()
    assert fast_search(catalog, text, True) == plain_search(catalog, text, True)


def test_a_damaged_cache_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = {
        "rule": [{"id": "x", "category": "advertisement", "zone": "any", "pattern": r"\bdonat\w*.{0,80}now"}]
    }
    first = parse_catalog(rules).prefilter
    [cached] = (tmp_path / "cleancorp").iterdir()
    cached.write_bytes(b"not a database")
    again = parse_catalog(rules)
    assert again.prefilter.candidates("Please donate now", 3) == [0]
    assert again.prefilter.candidates("Nothing here", 2) == []
    assert first.active


def test_without_hyperscan_every_rule_is_tried(monkeypatch):
    monkeypatch.setattr(prefilter, "hyperscan", None)
    catalog = parse_catalog({"rule": [{"id": "x", "category": "advertisement", "pattern": "^ad$"}]})
    assert not catalog.prefilter.active
    assert catalog.prefilter.candidates("ad", 1) is None
    assert catalog.search("Ad", at_edge=True)[0].id == "x"
