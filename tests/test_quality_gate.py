"""The evaluation gate: the 181 pages of the article-extraction benchmark (MIT, see
tests/data/article_benchmark/LICENSE-scrapinghub) as a scraper leaves them in plain text, cleaned
by a real run and scored as ``../shared/eval/score.py articles`` scores them.

A change to the boilerplate rules that drops the held-out figure under the goal fails here; the
figure itself is printed by ``python benchmarks/quality.py``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from cleancorp import Options, run

from .conftest import DATA

PAGES = DATA / "article_benchmark"
GOAL_F1 = 0.95
GOAL_PRECISION = 0.95
WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Word 4-grams, counted: the benchmark's unit (the shared scorer's definition)."""
    words = WORD.findall(text.lower())
    return Counter(
        tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1)) if words[i : i + size]
    )


def precision_recall(gold: str, output: str) -> tuple[float, float]:
    want, got = shingles(gold), shingles(output)
    hits = sum((want & got).values())
    extra, missed = sum((got - want).values()), sum((want - got).values())
    if extra == missed == 0:
        return 1.0, 1.0
    return (hits / (hits + extra) if hits + extra else 0.0), (
        hits / (hits + missed) if hits + missed else 0.0
    )


def test_the_held_out_article_pages_score_the_goal(tmp_path):
    clean = tmp_path / "clean"
    run(PAGES / "text-window", clean, Options(jobs=2))
    scores = []
    for gold in sorted((PAGES / "gold").glob("*.txt")):
        output = clean / gold.name
        text = output.read_text(encoding="utf-8") if output.exists() else ""
        scores.append(precision_recall(gold.read_text(encoding="utf-8"), text))
    assert len(scores) == 181
    precision = statistics.mean(p for p, _ in scores)
    recall = statistics.mean(r for _, r in scores)
    f1 = 2 * precision * recall / (precision + recall)
    assert precision >= GOAL_PRECISION and f1 >= GOAL_F1, f"P {precision:.4f} R {recall:.4f} F1 {f1:.4f}"
