"""The boilerplate catalog: rules as data (``data/catalog.toml``), compiled once.

>>> rule = default_catalog().match("Leave a Reply", at_edge=False)
>>> (rule.category, rule.id)
('comment_prompt', 'comment_form')
>>> default_catalog().match("Please donate via PayPal if you can.", at_edge=False) is None
True
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .language import count_words
from .memo import Remembered
from .prefilter import Prefilter

CATEGORIES = (
    "title", "duplicate_title", "byline", "source_credit", "tags", "navigation", "advertisement",
    "caption", "separator", "donation_appeal", "share_prompt", "comment_prompt", "newsletter_prompt",
    "related_links", "disclaimer", "fair_use_disclaimer", "copyright_notice", "contact_line",
)  # fmt: skip
ZONES = ("any", "edge")
ANSWERS_KEPT = 8192  # remembered search answers per catalog (and process): a few MB at most
_FRAGMENT = re.compile(r"\{(\w+)\}")


class CatalogError(ValueError):
    """A catalog file is malformed; the message names the rule and what to fix."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    zone: str
    pattern: re.Pattern[str]
    max_words: int | None = None
    boundary: bool = False  # text that only follows an article: the body never spans it

    def fires(self, text: str, words: int, at_edge: bool) -> re.Match[str] | None:
        if self.zone == "edge" and not at_edge:
            return None
        if self.max_words is not None and words > self.max_words:
            return None
        return self.pattern.search(text)


# What the catalog says about each block of a page: the rule that fired and its match, or None.
Hits = Sequence[tuple[Rule, re.Match[str]] | None]


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    fragments: Mapping[str, str] = field(default_factory=dict)

    def match(self, text: str, at_edge: bool) -> Rule | None:
        found = self.search(text, at_edge)
        return found[0] if found else None

    def search(self, text: str, at_edge: bool) -> tuple[Rule, re.Match[str]] | None:
        """The first rule that fires on ``text`` and its match, or ``None``.

        Answers are remembered: a site's boilerplate and a reprinted story's paragraphs come back
        document after document (half the blocks of a news corpus are seen again within a
        thousand documents).
        """
        return self._answers.get_or((text, at_edge), lambda: self._search(text, at_edge))

    @cached_property
    def _answers(self) -> Remembered[tuple[str, bool], tuple[Rule, re.Match[str]] | None]:
        return Remembered(ANSWERS_KEPT)

    def _search(self, text: str, at_edge: bool) -> tuple[Rule, re.Match[str]] | None:
        words = count_words(text)
        candidates = self.prefilter.candidates(text, words)
        rules = self.rules if candidates is None else [self.rules[index] for index in candidates]
        for rule in rules:
            found = rule.fires(text, words, at_edge)
            if found:
                return rule, found
        return None

    @cached_property
    def prefilter(self) -> Prefilter:
        """Built once per process on first use (a Hyperscan database does not pickle)."""
        return Prefilter(
            [rule.pattern.pattern for rule in self.rules], [rule.max_words for rule in self.rules]
        )

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name not in ("prefilter", "_answers")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def without(self, categories: Iterable[str]) -> Catalog:
        dropped = set(categories)
        return Catalog(tuple(r for r in self.rules if r.category not in dropped), self.fragments)


def _expand(pattern: str, fragments: Mapping[str, str], where: str) -> str:
    for _ in range(10):
        expanded = _FRAGMENT.sub(lambda m: _fragment(m, fragments, where), pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise CatalogError(f"{where}: fragments nest too deeply (a fragment that names itself?)")


def _fragment(match: re.Match[str], fragments: Mapping[str, str], where: str) -> str:
    name = match.group(1)
    if name in fragments:
        return fragments[name]
    if name.isdigit() or "," in name:
        return match.group(0)
    raise CatalogError(f"{where}: unknown fragment {{{name}}}; define it under [fragments]")


def parse_catalog(data: Mapping[str, Any], base: Catalog | None = None, source: str = "catalog") -> Catalog:
    """Build a catalog from parsed TOML; rules are appended to ``base``'s rules if given."""
    fragments = dict(base.fragments if base else {})
    fragments.update(data.get("fragments", {}))
    fragments = {k: _expand(v, fragments, f"{source} [fragments] {k}") for k, v in fragments.items()}
    rules = list(base.rules if base else [])
    for index, raw in enumerate(data.get("rule", [])):
        where = f"{source} rule #{index + 1} ({raw.get('id', 'no id')})"
        missing = {"id", "category", "pattern"} - raw.keys()
        if missing:
            raise CatalogError(f"{where}: missing {', '.join(sorted(missing))}")
        if raw["category"] not in CATEGORIES:
            raise CatalogError(
                f"{where}: unknown category {raw['category']!r}; use one of {', '.join(CATEGORIES)}"
            )
        zone = raw.get("zone", "edge")
        if zone not in ZONES:
            raise CatalogError(f"{where}: zone must be 'any' or 'edge', not {zone!r}")
        try:
            pattern = re.compile(_expand(raw["pattern"], fragments, where), re.IGNORECASE)
        except re.error as exc:
            raise CatalogError(f"{where}: bad regular expression: {exc}") from exc
        rules.append(
            Rule(raw["id"], raw["category"], zone, pattern, raw.get("max_words"), bool(raw.get("boundary")))
        )
    return Catalog(tuple(rules), fragments)


@cache
def default_catalog() -> Catalog:
    text = resources.files("cleancorp").joinpath("data/catalog.toml").read_text(encoding="utf-8")
    return parse_catalog(tomllib.loads(text), source="catalog.toml")


def load_catalog(path: Path, base: Catalog | None = None) -> Catalog:
    """Extend ``base`` (the built-in catalog by default) with the rules of a user's TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc}") from exc
    return parse_catalog(data, base or default_catalog(), source=str(path))
