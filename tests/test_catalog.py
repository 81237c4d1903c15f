import tomllib

import pytest

from cleancorp.catalog import CATEGORIES, CatalogError, default_catalog, load_catalog, parse_catalog

from .conftest import DATA

CASES = tomllib.loads((DATA / "catalog_cases.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_golden_cases(case):
    found = default_catalog().search(case["text"], at_edge=True)
    if not case["category"]:
        assert found is None, f"{found[0].id} fired"
        return
    assert found is not None
    rule, match = found
    assert (rule.category, rule.id) == (case["category"], case["rule"])
    for key, value in case.get("fields", {}).items():
        assert match.group(key) == value
    if case.get("body"):
        # Named by an edge rule at the page's edge, but inside an article it is prose.
        assert default_catalog().search(case["text"], at_edge=False) is None


def test_every_rule_has_a_known_category_and_every_category_but_titles_a_rule():
    categories = {rule.category for rule in default_catalog().rules}
    assert categories <= set(CATEGORIES)
    assert set(CATEGORIES) - categories == {"title", "duplicate_title"}


def test_user_catalog_adds_rules(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[rule]]\nid = "our_footer"\ncategory = "copyright_notice"\nzone = "any"\npattern = "^Levant Review"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(extra)
    assert catalog.match("Levant Review - News and analysis since 2004", at_edge=False).id == "our_footer"
    assert len(catalog.rules) == len(default_catalog().rules) + 1


def test_disabling_a_category():
    catalog = default_catalog().without(["caption"])
    assert catalog.match("(AP Photo/Evan Vucci)", at_edge=True) is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"id": "x", "category": "nonsense", "pattern": "a"}, "unknown category 'nonsense'"),
        ({"id": "x", "category": "caption", "pattern": "("}, "bad regular expression"),
        ({"id": "x", "category": "caption"}, "missing pattern"),
        ({"id": "x", "category": "caption", "pattern": "a", "zone": "middle"}, "zone must be"),
        ({"id": "x", "category": "caption", "pattern": "{nope}"}, "unknown fragment {nope}"),
    ],
)
def test_bad_rules_say_what_to_fix(rule, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog({"rule": [rule]})


def described(hit):
    return hit and (hit[0].id, hit[1].span(), hit[1].group())


def test_answers_are_remembered_within_a_bound_and_not_pickled(monkeypatch):
    import pickle

    from cleancorp import catalog as catalog_module

    monkeypatch.setattr(catalog_module, "ANSWERS_KEPT", 3)
    rule = {"id": "share", "category": "share_prompt", "zone": "edge", "pattern": "^Share this"}
    catalog = parse_catalog({"rule": [rule]})
    texts = ["Share this story", "The council met.", "Share this", "Other words", "More words"]
    for text in texts * 2:
        for at_edge in (True, False):
            assert described(catalog.search(text, at_edge)) == described(catalog._search(text, at_edge))
            assert len(catalog._answers) <= 3
    assert catalog.search("Share this story", True)[0].id == "share"
    assert catalog.search("Share this story", False) is None  # an edge rule, asked inside a body
    assert "_answers" not in pickle.loads(pickle.dumps(catalog)).__dict__


def test_a_paragraph_is_judged_the_same_when_remembered():
    from cleancorp.body import _ANCHOR_ANSWERS, ZoneSettings, _is_anchor, is_anchor
    from cleancorp.language import stoplist_for

    settings, english = ZoneSettings(), stoplist_for("the of and to in a is that")
    texts = [
        "The council met on Monday and voted to approve the new budget for the coming year.",
        "Home | News | Sport | Weather | Contact",
    ]
    _ANCHOR_ANSWERS.clear()
    first = [is_anchor(text, settings, english) for text in texts]
    assert len(_ANCHOR_ANSWERS) == 2
    assert first == [is_anchor(text, settings, english) for text in texts] == [True, False]
    assert first == [_is_anchor(text, settings, english) for text in texts]
