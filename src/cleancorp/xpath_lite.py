"""trafilatura's pruning expressions, evaluated in Python instead of libxml2.

trafilatura prunes every page with XPath expressions built on EXSLT ``re:test``. lxml answers each
``re:test`` by calling back from libxml2 into Python, once per element and test, so on news pages
(where most elements carry a class) pruning took 30% of trafilatura's time. The expressions use a
small part of XPath 1.0, which this module compiles into the source of one Python function each:

- a path ``.//*`` or ``.//name``, then predicates in brackets;
- ``self::name``, ``.//name``, ``@name``, ``@a|@b``, ``@name='literal'``;
- ``contains``, ``starts-with``, ``translate`` and ``re:test`` (two arguments);
- ``and``, ``or``, ``not(...)`` and parentheses.

An expression that uses anything else (a union of paths, ``position()``, ``text()``...) is left to
lxml: a trafilatura release with other expressions loses speed, never correctness. Tests hold every
compiled expression to lxml's own answer on real pages and on generated ones.

>>> select = compile_path(".//*[self::div or self::p][re:test(@id|@class, '^nav') or @hidden]")
>>> from lxml import html
>>> page = html.fromstring('<div><p id="x" class="nav">a</p><p hidden>b</p><p class="nav">c</p></div>')
>>> [element.text for element in select(page)]  # @id|@class: the first in the markup
['b', 'c']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

Element = etree._Element

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<literal>'[^']*'|"[^"]*")
    |(?P<op>\.//|::|[\[\]()@,|=*])
    |(?P<name>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)
    )""",
    re.VERBOSE,
)


class Unsupported(ValueError):
    """The expression uses XPath this module does not compile; lxml must evaluate it."""


def _tokens(path: str) -> list[str]:
    tokens: list[str] = []
    path, position = path.rstrip(), 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            raise Unsupported(f"cannot read {path[position : position + 20]!r}")
        tokens.append(match.group(match.lastgroup or ""))
        position = match.end()
    return tokens


@dataclass
class _Parser:
    tokens: list[str]
    at: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise Unsupported(f"expected {expected or 'more'}, found {token!r}")
        self.at += 1
        return token

    def path(self) -> tuple[str | None, list[Test]]:
        self.take(".//")
        step = self.take()
        if step != "*" and not _is_name(step):
            raise Unsupported(f"step {step!r}")
        predicates = []
        while self.peek() == "[":
            self.take("[")
            predicates.append(self.or_expr())
            self.take("]")
        if self.peek() is not None:
            raise Unsupported(f"{self.peek()!r} after the predicates")
        return (None if step == "*" else step), predicates

    def or_expr(self) -> Test:
        tests = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            tests.append(self.and_expr())
        return tests[0] if len(tests) == 1 else _any_of(tests)

    def and_expr(self) -> Test:
        tests = [self.primary()]
        while self.peek() == "and":
            self.take()
            tests.append(self.primary())
        return tests[0] if len(tests) == 1 else _Joined("and", tuple(tests))

    def primary(self) -> Test:
        token = self.peek()
        if token == "(":
            return self.parenthesized()
        if token == "not":
            self.take()
            return _Not(self.parenthesized())
        if token == "self":
            self.take()
            self.take("::")
            return _Step("self", self.take())
        if token == ".//":
            self.take()
            name = self.take()
            if not _is_name(name) or self.peek() == "[":
                raise Unsupported(f"descendant {name!r}")
            return _Step("descendant", name)
        if token == "@":
            names = self.attributes()
            if self.peek() != "=":
                return _AttributeIs(names, None)
            self.take()
            literal = self.literal()
            if len(names) == 1 and literal:  # a search, to join the others on that attribute
                return _Search(_Attribute(names), rf"\A{re.escape(literal)}\Z")
            return _AttributeIs(names, literal)
        if token in _FUNCTIONS:
            self.take()
            subject, (argument,) = self.arguments(1)
            return _Search(subject, _FUNCTIONS[token](argument))
        raise Unsupported(f"{token!r} in a predicate")

    def parenthesized(self) -> Test:
        self.take("(")
        test = self.or_expr()
        self.take(")")
        return test

    def string(self) -> StringOf:
        token = self.peek()
        if token == "@":
            return _Attribute(self.attributes())
        if token == "translate":
            self.take()
            subject, (source, target) = self.arguments(2)
            return _Translated(subject, source, target)
        if token is not None and token[0] in "'\"":
            return _Literal(self.literal())
        raise Unsupported(f"{token!r} as a string")

    def arguments(self, literals: int) -> tuple[StringOf, list[str]]:
        """``(string, 'literal', ...)`` after a function's name, with that many literals."""
        self.take("(")
        subject = self.string()
        found = []
        for _ in range(literals):
            self.take(",")
            found.append(self.literal())
        self.take(")")
        return subject, found

    def attributes(self) -> tuple[str, ...]:
        names = []
        while True:
            self.take("@")
            name = self.take()
            if not _is_name(name) or ":" in name:
                raise Unsupported(f"attribute {name!r}")
            names.append(name)
            if self.peek() != "|":
                return tuple(names)
            self.take("|")

    def literal(self) -> str:
        token = self.take()
        if token[0] not in "'\"":
            raise Unsupported(f"{token!r} where a literal belongs")
        return token[1:-1]


def _is_name(token: str) -> bool:
    return token[0].isalpha() or token[0] == "_"


# The parser builds a tree of the nodes below, which ``compile_path`` turns into the source of one
# Python function: calling a small object per test and element cost as much as libxml2's callbacks.


class _Namespace:
    """The objects the generated source refers to, each under a name of its own."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def name_of(self, value: object) -> str:
        name = f"_v{len(self.values)}"
        self.values[name] = value
        return name


@dataclass(frozen=True)
class _Attribute:
    """XPath's string value of ``@a|@b``: the attribute that comes first in the element's markup."""

    names: tuple[str, ...]

    def source(self, namespace: _Namespace) -> str:
        if len(self.names) == 1:
            return f"get({self.names[0]!r}, '')"
        return f"{namespace.name_of(first_in_markup)}(element, {self.names!r})"


def first_in_markup(element: Element, names: tuple[str, ...]) -> str:
    """The value of whichever of ``names`` comes first among the element's attributes.

    >>> from lxml import html
    >>> first_in_markup(html.fromstring('<p class="c" id="i">'), ("id", "class"))
    'c'
    >>> first_in_markup(html.fromstring('<p id="i" class="c">'), ("id", "class"))
    'i'
    """
    present = [name for name in names if element.get(name) is not None]
    if len(present) > 1:
        # An element iterates over its children: its attributes' order comes from keys().
        present = [key for key in element.keys() if key in names]  # noqa: SIM118
    return element.get(present[0], "") if present else ""


@dataclass(frozen=True)
class _Translated:
    """XPath ``translate``: the first mapping of a character wins; extra source characters go."""

    subject: _Attribute | _Translated | _Literal
    source_chars: str
    target_chars: str

    def source(self, namespace: _Namespace) -> str:
        table: dict[int, int | None] = {}
        for index, char in enumerate(self.source_chars):
            target = self.target_chars
            table.setdefault(ord(char), ord(target[index]) if index < len(target) else None)
        return f"{self.subject.source(namespace)}.translate({namespace.name_of(table)})"


@dataclass(frozen=True)
class _Literal:
    text: str

    def source(self, namespace: _Namespace) -> str:
        return repr(self.text)


StringOf = _Attribute | _Translated | _Literal


@dataclass(frozen=True)
class _Search:
    """``contains``, ``starts-with``, ``re:test`` and ``@name='literal'``, as one regex search."""

    subject: StringOf
    pattern: str

    def source(self, namespace: _Namespace) -> str:
        # lxml compiles EXSLT patterns with Python's re and re.UNICODE, and tests with search().
        search = re.compile(self.pattern, re.UNICODE).search
        return f"{namespace.name_of(search)}({self.subject.source(namespace)}) is not None"


_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "contains": re.escape,
    "starts-with": lambda prefix: rf"\A{re.escape(prefix)}",
    "re:test": lambda pattern: pattern,
}

# A pattern can join an alternation unless it sets flags or counts on its group numbers or names.
_NOT_MERGEABLE = re.compile(r"\A\(\?[aiLmsux]|\\[1-9]|\(\?P")


def _any_of(tests: list[Test]) -> Test:
    """Searches of the same string become one alternation: one regex call instead of several."""
    merged: dict[StringOf, list[str]] = {}
    others: list[Test] = []
    for test in tests:
        if isinstance(test, _Search) and not _NOT_MERGEABLE.search(test.pattern):
            merged.setdefault(test.subject, []).append(test.pattern)
        else:
            others.append(test)
    searches = [
        _Search(
            subject, "|".join(f"(?:{pattern})" for pattern in patterns) if len(patterns) > 1 else patterns[0]
        )
        for subject, patterns in merged.items()
    ]
    joined = others + searches
    return joined[0] if len(joined) == 1 else _Joined("or", tuple(joined))


@dataclass(frozen=True)
class _AttributeIs:
    """``@a|@b`` (any of them is there) or ``@a|@b='literal'`` (any of them has that value)."""

    names: tuple[str, ...]
    literal: str | None

    def source(self, namespace: _Namespace) -> str:
        test = "is not None" if self.literal is None else f"== {self.literal!r}"
        return " or ".join(f"get({name!r}) {test}" for name in self.names)


@dataclass(frozen=True)
class _Step:
    """``self::name`` (the element is one) or ``.//name`` (it has one below it)."""

    axis: str
    name: str

    def source(self, namespace: _Namespace) -> str:
        if self.axis == "self":
            return f"element.tag == {self.name!r}"
        return f"next(element.iterdescendants({self.name!r}), None) is not None"


@dataclass(frozen=True)
class _Not:
    test: Test

    def source(self, namespace: _Namespace) -> str:
        return f"not ({self.test.source(namespace)})"


@dataclass(frozen=True)
class _Joined:
    operator: str  # "and" or "or"
    tests: tuple[Test, ...]

    def source(self, namespace: _Namespace) -> str:
        return f" {self.operator} ".join(f"({test.source(namespace)})" for test in self.tests)


Test = _Search | _AttributeIs | _Step | _Not | _Joined


@dataclass(frozen=True)
class CompiledPath:
    """Called like an ``lxml.etree.XPath``: the matching descendants, in document order."""

    path: str
    tags: tuple[str, ...]
    select: Callable[[Iterator[Element]], list[Element]]

    def __call__(self, tree: Element | etree._ElementTree) -> list[Element]:
        tags = self.tags or (etree.Element,)
        if isinstance(tree, etree._ElementTree):
            tree = tree.getroot()  # as lxml does: a relative path starts at the root element
        return self.select(tree.iterdescendants(*tags))


def compile_path(path: str) -> CompiledPath:
    """Compile an XPath in the subset above, or raise ``Unsupported``."""
    step, predicates = _Parser(_tokens(path)).path()
    tags = (step,) if step else ()
    # A first predicate made only of self:: tests is a tag filter, which lxml applies natively.
    if not tags and predicates and (names := _tag_names(predicates[0])):
        tags, predicates = names, predicates[1:]
    namespace = _Namespace()
    condition = " and ".join(f"({test.source(namespace)})" for test in predicates) or "True"
    source = (
        "def select(elements):\n"
        "    selected = []\n"
        "    for element in elements:\n"
        "        get = element.get\n"
        f"        if {condition}:\n"
        "            selected.append(element)\n"
        "    return selected\n"
    )
    scope = dict(namespace.values)
    exec(compile(source, f"<xpath {path.strip()[:60]}>", "exec"), scope)  # our own source
    return CompiledPath(path, tags, scope["select"])  # type: ignore[arg-type]


def _tag_names(test: Test) -> tuple[str, ...]:
    tests = test.tests if isinstance(test, _Joined) and test.operator == "or" else (test,)
    if all(isinstance(inner, _Step) and inner.axis == "self" for inner in tests):
        return tuple(inner.name for inner in tests)  # type: ignore[union-attr]
    return ()
