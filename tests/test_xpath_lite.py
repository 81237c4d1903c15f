"""The compiled pruning paths select exactly what lxml's XPath selects."""

import contextlib
import gzip
import re
from collections import defaultdict

import pytest
import trafilatura.xpaths
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import cleancorp.extract as extract
from cleancorp.document import Document
from cleancorp.xpath_lite import CompiledPath, Unsupported, compile_path

from .conftest import DATA

EXSLT = {"re": "http://exslt.org/regular-expressions"}
PAGES = sorted((DATA / "articles" / "html").glob("*.html.gz")) + sorted(
    (DATA / "pruning_pages").glob("*.html.gz")
)


def trafilatura_expressions():
    """Every XPath in trafilatura's xpaths module that compiles, with its compiled form."""
    found = []
    for name in sorted(vars(trafilatura.xpaths)):
        value = getattr(trafilatura.xpaths, name)
        if isinstance(value, list):
            for index, expression in enumerate(value):
                if isinstance(expression, etree.XPath):
                    with contextlib.suppress(Unsupported):
                        found.append((f"{name}[{index}]", expression, compile_path(expression.path)))
    return found


EXPRESSIONS = trafilatura_expressions()


class Checked:
    """Answers with lxml, after checking that the compiled path agrees."""

    def __init__(self, key, original, compiled, hits):
        self.key, self.original, self.compiled, self.hits = key, original, compiled, hits

    def __call__(self, tree):
        expected = self.original(tree)
        assert self.compiled(tree) == expected, self.key
        self.hits[self.key] += len(expected)
        return expected


def extracted(page_bytes):
    doc = Document(id="page", source="page.html", format="html", text=page_bytes.decode("utf-8", "replace"))
    extract.extract_html(doc)
    return doc.text, doc.meta


def test_pruning_during_extraction_matches_lxml_on_real_pages(monkeypatch):
    """On the trees trafilatura really prunes (raw, cleaned, converted), element for element."""
    hits = defaultdict(int)
    checked = {
        name: [
            Checked(f"{name}[{index}]", original, compiled, hits) if compiled is not original else original
            for index, (original, compiled) in enumerate(
                zip(getattr(trafilatura.xpaths, name), compiled_list, strict=True)
            )
        ]
        for name, compiled_list in extract.compiled_pruning_lists().items()
    }
    monkeypatch.setattr(extract, "_compiled_lists", checked)
    for page in PAGES:
        extracted(gzip.decompress(page.read_bytes()))
    for key in ("OVERALL_DISCARD_XPATH[0]", "OVERALL_DISCARD_XPATH[1]", "AUTHOR_DISCARD_XPATHS[0]"):
        assert hits[key] > 0, f"{key} never selected anything: the pages no longer test it"
    assert sum(1 for count in hits.values() if count) >= 8, dict(hits)


def test_extraction_is_the_same_with_and_without_compiled_pruning(monkeypatch):
    with_compiled = [extracted(gzip.decompress(page.read_bytes())) for page in PAGES]
    monkeypatch.setattr(extract, "_pruning_in_python", contextlib.nullcontext)
    plain = [extracted(gzip.decompress(page.read_bytes())) for page in PAGES]
    assert with_compiled == plain


def test_the_costly_expressions_compile_and_the_lists_are_restored():
    lists = extract.compiled_pruning_lists()
    assert all(isinstance(path, CompiledPath) for path in lists["OVERALL_DISCARD_XPATH"])
    extracted(gzip.decompress(PAGES[0].read_bytes()))
    for name in lists:
        assert all(isinstance(path, etree.XPath) for path in getattr(trafilatura.xpaths, name)), name


# Generated trees: tags, attributes and values drawn from what trafilatura's expressions test.

TAGS = ["div", "p", "span", "section", "list", "item", "aside", "details", "ol", "ul", "a", "h1", "header"]
ATTRIBUTES = ["id", "class", "style", "role", "aria-hidden", "data-component", "data-lp-replacement-content"]


def _vocabulary():
    words = {"", " ", "-", "N", "Nav", "hidden", "true", "display:none", "display: none", "reply-", " ad "}
    for _, expression, _ in EXPRESSIONS:
        for literal in re.findall(r"'([^']*)'", expression.path):
            for piece in re.split(r"[|()?:^$\\\[\]]+", literal):
                if piece:
                    words.add(piece)
                    words.add(piece.upper())
    return sorted(words)


VOCABULARY = _vocabulary()
values = st.lists(st.sampled_from(VOCABULARY), max_size=3).map(" ".join) | st.sampled_from(VOCABULARY)


@st.composite
def trees(draw, depth=3):
    root = etree.Element("body")
    stack = [(root, 0)]
    for _ in range(draw(st.integers(1, 12))):
        parent, level = draw(st.sampled_from(stack))
        element = etree.SubElement(parent, draw(st.sampled_from(TAGS)))
        # Attribute order matters to @id|@class: draw it.
        for name in draw(st.lists(st.sampled_from(ATTRIBUTES), unique=True, max_size=4)):
            element.set(name, draw(values))
        if level + 1 < depth:
            stack.append((element, level + 1))
    return root


@settings(max_examples=300, deadline=None)
@given(trees())
def test_every_compiled_trafilatura_expression_agrees_with_lxml_on_generated_trees(tree):
    for key, expression, compiled in EXPRESSIONS:
        assert compiled(tree) == expression(tree), key


# Generated expressions in the subset, on generated trees.

SMALL_VALUES = st.sampled_from(["", "a", "b", "ab", "a b", "b-a", "A", "ba a", "x"])
NAMES = st.sampled_from(["id", "class", "style"])
LITERALS = st.sampled_from(["''", "'a'", "'b'", "'a b'", "'A'", "'b-'"])
PATTERNS = st.sampled_from(["'a'", "'^a'", "'b$'", "'a|b'", "' a'", "'[ab]-'", "'^$'", "'(?:x|A)'"])


@st.composite
def strings(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return "@" + draw(NAMES)
    if kind == 1:
        return "|".join("@" + name for name in draw(st.lists(NAMES, min_size=2, max_size=3, unique=True)))
    if kind == 2:
        source = draw(st.sampled_from(["'ab'", "'a'", "'Aa'", "'aab'"]))
        return f"translate(@{draw(NAMES)}, {source}, {draw(LITERALS)})"
    return draw(LITERALS)


def predicates(depth=2):
    atoms = st.one_of(
        st.sampled_from(TAGS[:4]).map(lambda tag: f"self::{tag}"),
        st.sampled_from(TAGS[:4]).map(lambda tag: f".//{tag}"),
        NAMES.map(lambda name: f"@{name}"),
        st.tuples(NAMES, LITERALS).map(lambda pair: f"@{pair[0]}={pair[1]}"),
        st.tuples(st.sampled_from(["contains", "starts-with"]), strings(), LITERALS).map(
            lambda parts: f"{parts[0]}({parts[1]}, {parts[2]})"
        ),
        st.tuples(strings(), PATTERNS).map(lambda pair: f"re:test({pair[0]}, {pair[1]})"),
    )
    if depth == 0:
        return atoms
    inner = predicates(depth - 1)
    return st.one_of(
        atoms,
        st.lists(inner, min_size=2, max_size=3).map(" or ".join),
        st.lists(inner, min_size=2, max_size=3).map(
            lambda parts: " and ".join(f"({part})" for part in parts)
        ),
        inner.map(lambda part: f"not({part})"),
    )


@st.composite
def paths(draw):
    step = draw(st.sampled_from(["*", "div", "p"]))
    return f".//{step}" + "".join(f"[{draw(predicates())}]" for _ in range(draw(st.integers(0, 2))))


@st.composite
def small_trees(draw):
    root = etree.Element("body")
    stack = [root]
    for _ in range(draw(st.integers(1, 8))):
        element = etree.SubElement(draw(st.sampled_from(stack)), draw(st.sampled_from(TAGS[:4])))
        for name in draw(st.lists(NAMES, unique=True, max_size=3)):
            element.set(name, draw(SMALL_VALUES))
        stack.append(element)
    return root


@settings(max_examples=400, deadline=None)
@given(paths(), small_trees())
def test_compiled_paths_agree_with_lxml(path, tree):
    expected = etree.XPath(path, namespaces=EXSLT)
    compiled = compile_path(path)
    assert compiled(tree) == expected(tree), path
    document = etree.ElementTree(tree)
    assert compiled(document) == expected(document), path


@pytest.mark.parametrize(
    "path",
    [
        ".//*[position() = 1]",
        ".//a|.//b",
        "//*[@id]",
        ".//*[text()='x']",
        ".//*[re:test(@id, 'a', 'i')]",
        ".//*[@id != 'a']",
        ".//*[count(p) > 1]",
        ".//*[.//p[@id]]",
    ],
)
def test_what_it_does_not_compile_is_left_to_lxml(path):
    with pytest.raises(Unsupported):
        compile_path(path)
