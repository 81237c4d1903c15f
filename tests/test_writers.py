"""Outputs written from forked writers are the same bytes as written in one process, and a writer
that fails stops the run before the index says anything."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleancorp import writers
from cleancorp.cli import main
from cleancorp.pipeline import Options
from cleancorp.runner import run
from cleancorp.writers import WriterFailed

from .conftest import DATA, read_tree

CORPUS = DATA / "corpus_small" / "raw"

pytestmark = pytest.mark.skipif(not writers.FORK, reason="forked writers need the fork start method")


def indexed(clean: Path) -> tuple[list[tuple], list[tuple]]:
    db = sqlite3.connect(clean / ".cleancorp" / "index.sqlite")
    try:
        return (
            list(db.execute("SELECT id, body_chars FROM docs ORDER BY id")),
            list(db.execute("SELECT source, status, cluster FROM manifest ORDER BY source")),
        )
    finally:
        db.close()


@pytest.fixture
def small_shares(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Forked writers even for the 45 documents of the small corpus; each write logs its pid."""
    monkeypatch.setattr(writers, "MIN_SHARE", 5)
    log = tmp_path / "writer-pids"
    write = writers.write_document

    def logged(*args, **kwargs):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return write(*args, **kwargs)

    monkeypatch.setattr(writers, "write_document", logged)  # forked children inherit it
    return log


def test_forked_writers_write_what_one_process_writes(tmp_path, small_shares):
    one = tmp_path / "one"
    run(CORPUS, one, Options(jobs=1))
    assert set(small_shares.read_text().split()) == {str(os.getpid())}
    small_shares.unlink()

    forked = tmp_path / "forked"
    run(CORPUS, forked, Options(jobs=2))
    pids = small_shares.read_text().split()
    assert len(pids) == 45 and str(os.getpid()) not in pids and len(set(pids)) == 2
    assert read_tree(forked) == read_tree(one)
    assert indexed(forked) == indexed(one)
    # The writers counted the removals for the report: the counts of the sidecars they wrote.
    for clean in (one, forked):
        report = json.loads((clean / ".cleancorp" / "report.json").read_text())
        removed = [r for path in clean.rglob("*.json") if path.parent.name != ".cleancorp"
                   for r in json.loads(path.read_text())["removed"]]  # fmt: skip
        assert report["removed_by_category"] == dict(sorted(Counter(r["category"] for r in removed).items()))
        assert report["removed_by_rule"] == dict(
            sorted(Counter(f"{r['category']}/{r['rule']}" for r in removed).items())
        )
        assert sum(report["removed_by_category"].values()) > 100


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_write_commits_nothing_and_a_rerun_finishes(tmp_path, small_shares, jobs):
    clean = tmp_path / "clean"
    blocker = clean / "0000" / "f000017-rescrape-29.json"
    blocker.mkdir(parents=True)  # a folder where a sidecar must go: its rename fails
    with pytest.raises(WriterFailed, match=r"^0000/f000017-rescrape-29\.txt: its output could not be"):
        run(CORPUS, clean, Options(jobs=jobs))
    assert indexed(clean) == ([], [])  # the index never claims an output that is not there

    blocker.rmdir()
    run(CORPUS, clean, Options(jobs=jobs))
    reference = tmp_path / "reference"
    run(CORPUS, reference, Options(jobs=1))
    assert read_tree(clean) == read_tree(reference)
    assert indexed(clean) == indexed(reference)


def test_the_cli_says_which_output_failed_in_one_line(tmp_path, small_shares):
    clean = tmp_path / "clean"
    (clean / "0000" / "f000017-rescrape-29.json").mkdir(parents=True)
    result = CliRunner().invoke(main, ["run", str(CORPUS), str(clean), "--jobs", "2", "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cleancorp: error: 0000/f000017-rescrape-29.txt: ")
    assert "run again" in lines[0]


def test_a_writer_that_dies_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "MIN_SHARE", 5)
    monkeypatch.setattr(writers, "write_document", lambda *args: os._exit(3))
    with pytest.raises(WriterFailed, match="died with exit code 3"):
        run(CORPUS, tmp_path / "clean", Options(jobs=2))
    assert indexed(tmp_path / "clean") == ([], [])
