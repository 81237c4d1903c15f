"""Cron runs: the manifest skips what is done, the lock keeps runs apart, flags for people."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleancorp import Options, plan_run, run
from cleancorp.cli import main, progress_reporter
from cleancorp.document import Document
from cleancorp.index import CorpusIndex, IndexParams
from cleancorp.lock import Locked, RunLock

from .conftest import DATA, RAW, read_tree

ONE_JOB = Options(jobs=1)
PAIR = DATA / "corpus_small" / "raw" / "0000"


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def kept_ids(clean: Path) -> set[str]:
    with CorpusIndex.open(clean / ".cleancorp", IndexParams.of(ONE_JOB.dedup)) as index:
        return {row[0] for row in index.db.execute("SELECT id FROM docs")}


def test_unchanged_inputs_are_skipped_and_output_stays_identical(tmp_path, seeds):
    clean = tmp_path / "clean"
    first = run(seeds, clean, ONE_JOB)
    before = read_tree(clean)
    second = run(seeds, clean, ONE_JOB)
    assert first["inputs"]["new"] == 5 and first["documents"] == 5
    assert second["documents"] == 0 and second["inputs"]["unchanged"] == 5
    assert read_tree(clean) == before


def test_a_touched_file_with_the_same_bytes_is_not_cleaned_again(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, ONE_JOB)
    path = sorted(seeds.glob("*.txt"))[0]
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert run(seeds, clean, ONE_JOB)["documents"] == 0
    # The new mtime was remembered: the next run does not even hash the file.
    assert plan_run(seeds, clean, ONE_JOB)["inputs"]["unchanged"] == 5


def test_a_changed_input_is_cleaned_again_and_its_index_entry_replaced(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, ONE_JOB)
    path = sorted(seeds.glob("*.txt"))[0]
    story = "The harbour authority approved a plan on Monday to dredge the northern channel of the port. "
    path.write_text("Harbour News\n\n" + story * 4, encoding="utf-8")
    report = run(seeds, clean, ONE_JOB)
    assert report["inputs"]["changed"] == 1 and report["documents"] == 1
    assert "harbour authority" in (clean / f"{path.stem}.txt").read_text(encoding="utf-8")
    assert kept_ids(clean) == {p.stem for p in seeds.glob("*.txt")}
    # The old body is gone from the index: a copy of it is no longer a duplicate of anything.
    (seeds / "old-copy.txt").write_bytes((RAW / path.name).read_bytes())
    assert run(seeds, clean, ONE_JOB)["status"] == {"kept": 1}


def test_a_sidecar_deleted_by_hand_is_written_again(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, ONE_JOB)
    sidecar = sorted(clean.glob("*.json"))[0]
    sidecar.unlink()
    assert run(seeds, clean, ONE_JOB)["documents"] == 1
    assert sidecar.exists()


def test_disappeared_inputs_are_reported_and_pruned_only_when_asked(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, ONE_JOB)
    gone = sorted(seeds.glob("*.txt"))[0]
    gone.unlink()
    report = run(seeds, clean, ONE_JOB)
    assert report["inputs"]["disappeared"] == 1 and report["inputs"]["disappeared_sources"] == [gone.name]
    assert (clean / f"{gone.stem}.txt").exists()
    report = run(seeds, clean, ONE_JOB, prune=True)
    assert report["inputs"]["pruned"] == 1
    assert not (clean / f"{gone.stem}.txt").exists() and not (clean / f"{gone.stem}.json").exists()
    assert gone.stem not in kept_ids(clean)
    assert run(seeds, clean, ONE_JOB)["inputs"]["disappeared"] == 0


def test_changed_options_clean_again_and_force_cleans_all(tmp_path, seeds):
    clean = tmp_path / "clean"
    run(seeds, clean, ONE_JOB)
    report = run(seeds, clean, Options(jobs=1, kept_categories=("caption",)))
    assert report["inputs"]["options_changed"] == 5 and report["documents"] == 5
    assert run(seeds, clean, Options(jobs=1, kept_categories=("caption",)))["documents"] == 0
    # jobs is not an option the output depends on
    assert run(seeds, clean, Options(jobs=2, kept_categories=("caption",)))["documents"] == 0
    assert run(seeds, clean, Options(jobs=1, kept_categories=("caption",)), force=True)["documents"] == 5


def test_duplicates_are_rechecked_when_their_kept_story_changes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    original, reprint = "f000013-original-19.txt", "f000013-reprint-20.txt"
    for name in (original, reprint):
        shutil.copy(PAIR / name, raw / name)
    clean = tmp_path / "clean"
    first = run(raw, clean, ONE_JOB)
    assert first["status"] == {"duplicate": 1, "kept": 1}
    kept = next(p for p in clean.glob("*.json") if json.loads(p.read_text())["status"] == "kept")
    other = next(p for p in clean.glob("*.json") if p != kept)
    story = "The harbour authority approved a plan on Monday to dredge the northern channel of the port. "
    (raw / f"{kept.stem}.txt").write_text("Harbour News\n\n" + story * 4, encoding="utf-8")
    report = run(raw, clean, ONE_JOB)
    assert report["inputs"]["changed"] == 1 and report["inputs"]["rechecked_duplicates"] == 1
    assert json.loads(other.read_text())["status"] == "kept"  # its story is no longer kept elsewhere


def test_a_second_run_exits_3_while_the_first_holds_the_lock(tmp_path, seeds):
    clean = tmp_path / "clean"
    with RunLock(clean, clean / ".cleancorp"):
        result = invoke("run", seeds, clean, "--jobs", 1)
        assert result.exit_code == 3
        assert "another cleancorp run" in result.stderr and "--wait" in result.stderr
        with pytest.raises(Locked):
            run(seeds, clean, ONE_JOB)
        assert invoke("reindex", clean).exit_code == 3  # rebuilding the index waits its turn too
    assert not list(clean.glob("*.txt"))


def test_wait_queues_behind_the_run_that_holds_the_lock(tmp_path, seeds):
    clean = tmp_path / "clean"
    holder = RunLock(clean, clean / ".cleancorp").__enter__()
    threading.Timer(0.5, holder.__exit__, (None, None, None)).start()
    started = time.perf_counter()
    result = invoke("run", seeds, clean, "--jobs", 1, "--wait")
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started >= 0.45
    assert len(list(clean.glob("*.txt"))) == 5


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path, seeds):
    clean = tmp_path / "clean"
    result = invoke("run", seeds, clean, "--dry-run", "--json")
    assert result.exit_code == 0
    plan = json.loads(result.stdout)
    assert plan["inputs"]["new"] == 5 and len(plan["would_clean"]) == 5
    assert not clean.exists()
    run(seeds, clean, ONE_JOB)
    before = read_tree(clean)
    assert json.loads(invoke("run", seeds, clean, "--dry-run", "--json").stdout)["would_clean"] == []
    assert read_tree(clean) == before


def test_strict_makes_a_document_error_fatal_before_anything_is_written(tmp_path, seeds):
    (seeds / "broken.txt").write_bytes(b"%PDF-1.4 binary")
    clean = tmp_path / "clean"
    result = invoke("run", seeds, clean, "--strict", "--jobs", 1)
    assert result.exit_code == 1
    assert "broken.txt: binary file" in result.stderr and "nothing was written" in result.stderr
    assert not list(clean.glob("*.json"))
    assert invoke("run", seeds, clean, "--jobs", 1).exit_code == 1  # without --strict: the run goes on
    assert len(list(clean.glob("*.txt"))) == 5


def test_verbose_prints_a_line_per_document_and_quiet_prints_nothing(tmp_path, seeds):
    (seeds / "empty.txt").write_bytes(b"")
    result = invoke("run", seeds, tmp_path / "a", "--verbose", "--jobs", 1)
    lines = result.stderr.splitlines()
    assert "[6/6] empty  empty.txt  the file is empty" in lines
    assert sum(" kept  " in line for line in lines) == 5
    quiet = invoke("run", seeds, tmp_path / "b", "--quiet", "--jobs", 1)
    assert quiet.exit_code == 0 and quiet.stderr == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch):
    doc = Document(id="a", source="a.txt")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress_reporter(quiet=False, verbose=False) as progress:
        assert progress is not None
        for done in range(1, 5):
            progress(doc, done, 4)
    assert "cleaning" in terminal.getvalue() and "4/4" in terminal.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())  # cron: stderr is a file or a pipe
    with progress_reporter(quiet=False, verbose=False) as progress:
        assert progress is None
