"""A run over more inputs than its batch size: each batch cleaned, deduplicated, written and
committed before the next, as runs one after another would, and forgotten once written."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from cleancorp import Options, run, runner
from cleancorp.cli import main
from cleancorp.document import Document
from cleancorp.read import find_inputs

from .conftest import DATA, read_tree

CORPUS = DATA / "corpus_small" / "raw"  # 45 inputs: originals, reprints, re-scrapes, briefs


def stories(clean: Path) -> set[frozenset[str]]:
    """The documents grouped by story: each kept one with the duplicates that name it."""
    groups: dict[str, set[str]] = {}
    for path in clean.rglob("*.json"):
        if ".cleancorp" not in path.parts:
            sidecar = json.loads(path.read_text())
            groups.setdefault(sidecar["duplicate_of"] or sidecar["id"], set()).add(sidecar["id"])
    return {frozenset(group) for group in groups.values()}


def test_a_run_in_batches_writes_what_runs_one_after_another_write(tmp_path):
    batched = tmp_path / "batched"
    report = run(CORPUS, batched, Options(jobs=1, batch_size=13))
    assert report["documents"] == 45 and report["batches"] == {"count": 4, "size": 13}
    inputs = sorted(find_inputs(CORPUS), key=lambda item: item.posix)
    growing, successive = tmp_path / "growing", tmp_path / "successive"
    for start in range(0, len(inputs), 13):
        for item in inputs[start : start + 13]:
            target = growing / item.posix
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(item.path, target)
        run(growing, successive, Options(jobs=1))
    assert read_tree(batched) == read_tree(successive)
    # Two stories span batches (f000003 and f000013): their copies in a later batch name the
    # version an earlier batch kept, and every story groups the same documents as in one batch.
    batch_of = {item.id: position // 13 for position, item in enumerate(inputs)}
    across = [group for group in stories(batched) if len({batch_of[doc_id] for doc_id in group}) > 1]
    assert len(across) == 2
    run(CORPUS, tmp_path / "whole", Options(jobs=1))
    assert stories(batched) == stories(tmp_path / "whole")


def test_one_batch_is_the_default_run_and_the_report_counts_every_batch(tmp_path):
    whole = run(CORPUS, tmp_path / "whole", Options(jobs=1))
    assert "batches" not in whole
    batched = run(CORPUS, tmp_path / "batched", Options(jobs=1, batch_size=10))
    assert batched["batches"] == {"count": 5, "size": 10}
    assert batched["documents"] == whole["documents"] == 45
    assert sum(batched["status"].values()) == 45 and batched["inputs"] == whole["inputs"]
    # Cleaning a document does not depend on its batch, so its removals are the same.
    assert batched["removed_by_category"] == whole["removed_by_category"]
    assert batched["encoding_fixes"] == whole["encoding_fixes"]
    assert batched["throughput"]["megabytes"] == whole["throughput"]["megabytes"]
    # No second run is needed: every batch was committed.
    assert run(CORPUS, tmp_path / "batched", Options(jobs=1, batch_size=10))["documents"] == 0


def live_documents() -> int:
    gc.collect()
    return sum(isinstance(o, Document) for o in gc.get_objects())


def test_a_batch_is_forgotten_once_it_is_written(tmp_path, monkeypatch):
    held: list[tuple[int, int]] = []
    corpus_stage = runner.corpus_stage

    def counting(docs, *args, **kwargs):
        held.append((len(docs), live_documents() - before))
        return corpus_stage(docs, *args, **kwargs)

    monkeypatch.setattr(runner, "corpus_stage", counting)
    before = live_documents()  # other tests' documents, if any are left
    run(CORPUS, tmp_path / "clean", Options(jobs=1, batch_size=8))
    # Only the batch in hand is alive, never the run's 45.
    assert held == [(8, 8), (8, 8), (8, 8), (8, 8), (8, 8), (5, 5)]


def test_strict_stops_at_the_batch_with_the_error_and_keeps_the_batches_before(tmp_path, seeds):
    (seeds / "zz-broken.txt").write_bytes(b"%PDF-1.4 binary")
    clean = tmp_path / "clean"
    result = CliRunner().invoke(
        main, ["run", str(seeds), str(clean), "--strict", "--jobs", "1", "--batch-size", "2"]
    )
    assert result.exit_code == 1
    assert "zz-broken.txt: binary file" in result.stderr
    assert "nothing more was written (the 4 documents of earlier batches were)" in result.stderr
    assert len(list(clean.glob("*.json"))) == 4
    # Run again without --strict: the four are skipped, the rest cleaned.
    again = CliRunner().invoke(main, ["run", str(seeds), str(clean), "--jobs", "1", "--json", "-q"])
    assert json.loads(again.stdout)["documents"] == 2


def test_a_negative_batch_size_is_refused(tmp_path, seeds):
    result = CliRunner().invoke(main, ["run", str(seeds), str(tmp_path / "c"), "--batch-size", "-1"])
    assert result.exit_code == 2 and "--batch-size" in result.stderr
    (tmp_path / "cleancorp.toml").write_text("batch_size = -5\n")
    result = CliRunner().invoke(
        main, ["run", str(seeds), str(tmp_path / "c"), "--config", str(tmp_path / "cleancorp.toml")]
    )
    assert result.exit_code == 2 and "batch size -5 is negative" in result.stderr


def test_pruning_and_progress_span_the_batches(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, Options(jobs=1))
    gone = sorted(seeds.glob("*.txt"))[0]
    gone.unlink()
    (seeds / "zz-new.txt").write_text("A new story about the harbour, told in one short line.\n")
    shown: list[tuple[int, int]] = []
    report = run(
        seeds, clean, Options(jobs=1, batch_size=1), prune=True, force=True,
        progress=lambda doc, done, total: shown.append((done, total)),
    )  # fmt: skip
    assert report["batches"]["count"] == 5 and report["inputs"]["pruned"] == 1
    assert shown == [(n, 5) for n in range(1, 6)]
    assert not (clean / f"{gone.stem}.txt").exists() and not (clean / f"{gone.stem}.json").exists()
    assert len(list(clean.glob("*.json"))) == 5


def test_held_documents_are_frozen_for_the_collector_until_their_batch_is_written(tmp_path, monkeypatch):
    frozen_while_held = []
    real_freeze = gc.freeze

    def freeze():
        real_freeze()
        frozen_while_held.append(gc.get_freeze_count())

    monkeypatch.setattr(runner, "FROZEN_EVERY", 10)
    monkeypatch.setattr(gc, "freeze", freeze)
    report = run(CORPUS, tmp_path / "clean", Options(jobs=1, batch_size=20))
    assert report["batches"]["count"] == 3
    assert len(frozen_while_held) == 4 and min(frozen_while_held) > 0  # two in each full batch
    assert gc.get_freeze_count() == 0  # all of it back to the collector
