"""Quality figures, measured with the shared scorer (``../shared/eval/score.py``).

    python benchmarks/quality.py                 # everything
    python benchmarks/quality.py --only corpus --corpus-seeds 1 2 3

Prints one table: the seeds (must be perfect), the 181 article pages as text-window, text-full
and HTML (the test set: never fitted on), the 480 news-train pages (the fitting set), and
make_corpus.py corpora (body, dedup, metadata), plus per-category removal recall on the corpora.
The product never reads ../shared; only this harness does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from cleancorp import Options, run

ROOT = Path(__file__).resolve().parent.parent


def score(shared: Path, mode: str, out: Path, reference: Path) -> dict:
    result = subprocess.run(
        [sys.executable, str(shared / "eval" / "score.py"), mode, str(out), str(reference), "--json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def timed_run(raw: Path, out: Path, options: Options) -> float:
    shutil.rmtree(out, ignore_errors=True)  # a fresh output: no index from an earlier benchmark
    started = time.perf_counter()
    run(raw, out, options)
    return time.perf_counter() - started


def make_corpus(shared: Path, corpus: Path, seed: int) -> None:
    pool = shared / "bench" / "articles" / "gold"
    command = [sys.executable, str(shared / "bench" / "make_corpus.py"), "--pool", str(pool)]
    subprocess.run([*command, "--out", str(corpus), "--seed", str(seed)], check=True, capture_output=True)


def corpus_summary(r: dict) -> str:
    return (
        f"body F1 {r['body_f1']:.4f} (P {r['body_precision']:.4f})  "
        f"dedup P {r['dedup_pair_precision']:.4f} F1 {r['dedup_pair_f1']:.4f} ARI {r['dedup_ari']:.4f}  "
        f"title {r['title_accuracy']:.3f} author {r['author_accuracy']:.3f} date {r['date_accuracy']:.3f}"
    )


def briefs_merged(corpus: Path) -> int:
    """Short distinct stories sharing one footer that were wrongly marked duplicates."""
    merged = 0
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        sidecar = corpus / "clean" / Path(truth["path"]).relative_to("raw").with_suffix(".json")
        if truth["variant"] == "brief":
            merged += json.loads(sidecar.read_text(encoding="utf-8"))["status"] == "duplicate"
    return merged


def category_recall(corpus: Path, out: Path) -> dict[str, tuple[int, int]]:
    """Per category: (removed, total) of the labelled boilerplate lines of kept documents."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        stem = Path(truth["path"]).relative_to("raw").with_suffix("")
        body_path = out / stem.with_suffix(".txt")
        if not body_path.exists():
            continue
        lines = {" ".join(x.split()) for x in body_path.read_text(encoding="utf-8").split("\n")}
        for item in truth["boilerplate"]:
            total[item["category"]] += 1
            found[item["category"]] += " ".join(item["text"].split()) not in lines
    return {category: (found[category], total[category]) for category in sorted(total)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "quality")
    parser.add_argument("--only", choices=["seeds", "articles", "news-train", "corpus"], action="append")
    parser.add_argument("--corpus-seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    parts = set(args.only or ["seeds", "articles", "news-train", "corpus"])
    options = Options(jobs=args.jobs)
    rows: list[tuple[str, str, float]] = []

    if "seeds" in parts:
        seconds = timed_run(ROOT / "raw", args.out / "seeds", options)
        result = score(args.shared, "seeds", args.out / "seeds", args.shared / "seeds" / "gold")
        summary = ", ".join(f"{k} {result[k]}" for k in ("body_kept", "boilerplate_removed", "metadata"))
        rows.append(("seeds", f"perfect: {result['perfect']} ({summary})", seconds))
        for miss in result["misses"]:
            print("  seeds miss:", miss)

    for name in ("articles", "news-train"):
        if name not in parts:
            continue
        bench = args.shared / "bench" / name
        forms = ["text-window", "text-full"] + (["html"] if name == "articles" else [])
        for form in forms:
            out = args.out / name / form
            # Scored page by page: a page that reprints another must still have its text.
            seconds = timed_run(bench / form, out, Options(jobs=args.jobs, keep_duplicates=True))
            result = score(args.shared, "articles", out, bench / "gold")
            rows.append((f"{name} {form}", f"P {result['precision']:.4f}  R {result['recall']:.4f}  "
                         f"F1 {result['f1']:.4f}", seconds))  # fmt: skip

    if "corpus" in parts:
        for seed in args.corpus_seeds:
            corpus = args.out / f"corpus{seed}"
            if not (corpus / "truth.jsonl").exists():
                make_corpus(args.shared, corpus, seed)
            seconds = timed_run(corpus / "raw", corpus / "clean", options)
            r = score(args.shared, "corpus", corpus / "clean", corpus / "truth.jsonl")
            rows.append((f"corpus seed {seed} ({r['docs']} docs)", corpus_summary(r), seconds))
            merged = briefs_merged(corpus)
            recall = category_recall(corpus, corpus / "clean")
            print(f"corpus seed {seed}: briefs merged: {merged}; removal recall by category: "
                  + ", ".join(f"{c} {f}/{t}" for c, (f, t) in recall.items()))  # fmt: skip

    width = max(len(name) for name, _, _ in rows)
    print()
    print(f"{'case'.ljust(width)}  {'seconds':>7}  result")
    for name, result, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:7.1f}  {result}")


if __name__ == "__main__":
    main()
