from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from cleancorp.signing import shingle_array

# CI must not turn red on a new random example; locally hypothesis keeps exploring.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RAW = ROOT / "raw"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the five seed articles."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (the run report aside) by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cleancorp" not in p.parts
    }


def shingle_hashes(text: str, size: int) -> set[int]:
    """A text's shingles as a set, to compare two texts in a test."""
    return set(shingle_array(text, size).tolist())


def every_character_in_runs(size: int = 64) -> Iterator[str]:
    """Every code point, ``size`` at a time between two words: each is a word's part or splits it."""
    for start in range(0, sys.maxunicode + 1, size):
        yield "Ab" + "".join(map(chr, range(start, min(start + size, sys.maxunicode + 1)))) + "cD x"
