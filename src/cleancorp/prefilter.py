"""Which catalog rules could fire on a block, found in one pass over it by Hyperscan.

Most blocks of a corpus are prose paragraphs that no rule names, and trying each long-block rule's
regular expression on each of them, one after the other, was most of the boilerplate stage's
time. Hyperscan (the optional extra ``cleancorp[fast]``) compiles those rules into one automaton
in *prefilter* mode, from patterns widened for the purpose (``{0,80}`` becomes ``{0,}``, case-
sensitive groups become caseless): it may report a rule that does not fire, never miss one that
does. Python's ``re`` then decides on the candidates only, so a run gives the same output with or
without Hyperscan. Rules limited to short blocks are in it too (a page's short lines were tried
against two dozen of them each), except those with long patterns (alternations of names, months,
menu words), which are tried directly on a short block: with them the database took 13 s to
compile instead of 4, since one of them Hyperscan cannot compile (an end anchor inside a group)
and finding which means compiling each rule alone.

Compiling takes a second or two, so the database is kept in the user's cache directory
(``$XDG_CACHE_HOME/cleancorp``, else ``~/.cache/cleancorp``), keyed by the patterns and the
Hyperscan version; a database that does not load on this machine is compiled again.

>>> prefilter = Prefilter([r"^advertisement$", r"\\bdonat\\w*"], [3, None])  # rule 0: short blocks
>>> texts = ("Please DONATE now", "Advertisement", "Nothing here")
>>> [prefilter.candidates(t, 3) for t in texts] if prefilter.active else [[1], [0], []]
[[1], [0], []]
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

try:
    import hyperscan
except ImportError:  # the optional extra is not installed: every rule is tried
    hyperscan = None

SHORT_BLOCK_WORDS = 30  # a rule limited to blocks this short ...
SLOW_TO_COMPILE_CHARS = 300  # ... and this long a pattern is tried directly (below)
_FLAG_NAMES = (
    "HS_FLAG_CASELESS",  # the catalog is compiled with re.IGNORECASE
    "HS_FLAG_UTF8",
    "HS_FLAG_UCP",  # \w, \b and \d as Python's str patterns read them
    "HS_FLAG_PREFILTER",  # lookarounds and the like are widened, never narrowed
    "HS_FLAG_SINGLEMATCH",
    "HS_FLAG_ALLOWEMPTY",
)
_BOUNDED_REPEAT = re.compile(r"(?<!\\)\{(\d+),\d+\}")


def widen(pattern: str) -> str:
    """A pattern that matches at least what ``pattern`` matches and compiles fast in Hyperscan.

    >>> widen(r"(?-i:[A-Z]\\w+) .{0,80}\\bsaid")
    '(?:[A-Z]\\\\w+) .{0,}\\\\bsaid'
    """
    return _BOUNDED_REPEAT.sub(r"{\1,}", pattern).replace("(?-i:", "(?:")


class Prefilter:
    """One Hyperscan database for the rules among ``patterns`` that compile fast.
    ``candidates(text)`` gives the indexes of the rules worth trying on ``text``, or ``None`` for
    all of them (no Hyperscan installed)."""

    def __init__(self, patterns: Sequence[str], max_words: Sequence[int | None]) -> None:
        self.always: set[int] = set()  # rules tried on every block (short enough for them)
        self._short_limits: dict[int, int] = {}
        self._database = None
        if hyperscan is None:
            return
        flags = 0
        for name in _FLAG_NAMES:
            flags |= getattr(hyperscan, name)
        chosen: list[tuple[int, bytes]] = []
        for index, (pattern, limit) in enumerate(zip(patterns, max_words, strict=True)):
            if limit is not None and limit <= SHORT_BLOCK_WORDS:
                self._short_limits[index] = limit
                if len(pattern) > SLOW_TO_COMPILE_CHARS:
                    self.always.add(index)
                    continue
            chosen.append((index, widen(pattern).encode("utf-8")))
        if chosen:
            self._database = _cached_database(chosen, flags, self.always)
        if self._database is not None:
            self._scratch = hyperscan.Scratch(self._database)

    @lru_cache(maxsize=256)  # noqa: B019 - one prefilter per catalog, for the life of the process
    def _always_for(self, words: int) -> frozenset[int]:
        """The rules tried on every block that are still worth trying on one of ``words`` words."""
        return frozenset(i for i in self.always if words <= self._short_limits.get(i, words))

    @property
    def active(self) -> bool:
        return self._database is not None

    def candidates(self, text: str, words: int) -> list[int] | None:
        """Indexes, in order, of the rules worth trying on ``text`` of ``words`` words; ``None``
        for every rule. A short-block rule is left out when the block is longer than its limit."""
        if self._database is None:
            return None
        found = set(self._always_for(words))
        limits = self._short_limits

        def on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
            if words <= limits.get(index, words):
                found.add(index)

        self._database.scan(text.encode("utf-8"), match_event_handler=on_match, scratch=self._scratch)
        return sorted(found)


def _cached_database(chosen: list[tuple[int, bytes]], flags: int, always: set[int]) -> object | None:
    """The database for ``chosen``; adds to ``always`` the rules Hyperscan cannot compile."""
    key = hashlib.sha256(repr((hyperscan.__version__, platform.machine(), flags, chosen)).encode())
    path = _cache_dir() / f"prefilter-{key.hexdigest()[:24]}.hsdb"
    try:
        header, _, payload = path.read_bytes().partition(b"\n")
        database = hyperscan.loadb(payload, hyperscan.HS_MODE_BLOCK)
        always.update(json.loads(header))
        return database
    except (OSError, ValueError, hyperscan.error):
        pass  # not cached yet, damaged, or built for another machine
    try:
        usable, failed = chosen, []
        database = _compile(usable, flags)
    except hyperscan.error:  # a construct Hyperscan lacks even as a prefilter: find which
        usable = [item for item in chosen if _compiles(item, flags)]
        failed = [index for index, _ in chosen if all(index != kept for kept, _ in usable)]
        database = _compile(usable, flags) if usable else None
    always.update(failed)
    if database is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as scratch:
            scratch.write(json.dumps(failed).encode() + b"\n" + hyperscan.dumpb(database))
        os.replace(scratch.name, path)  # whole or not at all, whoever else is writing it
    except OSError:
        pass  # an unwritable cache only costs the next process the compile time
    return database


def _compiles(item: tuple[int, bytes], flags: int) -> bool:
    try:
        _compile([item], flags)
    except hyperscan.error:
        return False
    return True


def _compile(chosen: list[tuple[int, bytes]], flags: int) -> object:
    database = hyperscan.Database()
    ids = [index for index, _ in chosen]
    expressions = [expression for _, expression in chosen]
    database.compile(expressions=expressions, ids=ids, elements=len(ids), flags=[flags] * len(ids))
    return database


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cleancorp"
