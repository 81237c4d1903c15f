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
