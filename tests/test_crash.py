"""A run killed with SIGKILL anywhere, then run again, ends exactly as an uninterrupted run.

Each case runs the real CLI in a subprocess. Failpoints (cleancorp.failpoints) kill it at exact
places: while documents are cleaned, between writing an output's temporary file and renaming it,
after some outputs are in place, and after the index commit. One more case kills it from outside
at a random moment. The second run must leave CLEAN byte-identical to the reference run, with the
same index, and a third run must find nothing left to do.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DATA, read_tree

CORPUS = DATA / "corpus_small" / "raw"


def cleancorp(raw: Path, clean: Path, failpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLEANCORP_FAILPOINT"}
    if failpoint:
        env["CLEANCORP_FAILPOINT"] = failpoint
    command = [sys.executable, "-m", "cleancorp", "run", str(raw), str(clean), "--jobs", "1", "--json", "-q"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def indexed(clean: Path) -> tuple[list[str], list[tuple[bytes, str, str | None]]]:
    db = sqlite3.connect(clean / ".cleancorp" / "index.sqlite")
    try:
        docs = [row[0] for row in db.execute("SELECT id FROM docs ORDER BY id")]
        manifest = list(db.execute("SELECT source, status, cluster FROM manifest ORDER BY source"))
    finally:
        db.close()
    return docs, manifest


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clean = tmp_path_factory.mktemp("reference") / "clean"
    assert cleancorp(CORPUS, clean).returncode == 0
    return clean


def assert_recovers(raw: Path, clean: Path, reference: Path) -> None:
    second = cleancorp(raw, clean)
    assert second.returncode == 0, second.stderr
    assert read_tree(clean) == read_tree(reference)  # no .tmp left behind, every byte the same
    assert indexed(clean) == indexed(reference)
    third = json.loads(cleancorp(raw, clean).stdout)
    assert third["documents"] == 0 and third["inputs"]["unchanged"] == third["inputs"]["found"]


@pytest.mark.parametrize("point", ["cleaned:20", "renaming:1", "renaming:31", "written:30", "committed:1"])
def test_killed_at_a_failpoint_then_rerun_equals_an_uninterrupted_run(tmp_path, reference, point):
    clean = tmp_path / "clean"
    killed = cleancorp(CORPUS, clean, failpoint=point)
    assert killed.returncode == -signal.SIGKILL
    if point.startswith("renaming"):
        assert any(p.name.endswith(".tmp") for p in clean.rglob(".*")), "the kill left a temporary file"
    assert_recovers(CORPUS, clean, reference)


def test_killed_during_a_second_days_run(tmp_path, reference):
    """Yesterday's output is kept safe while today's run dies midway."""
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS, raw)
    later = sorted(raw.rglob("*.*"))[::2]
    held = tmp_path / "held"
    for path in later:
        target = held / path.relative_to(raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    clean = tmp_path / "clean"
    assert cleancorp(raw, clean).returncode == 0
    first_day = read_tree(clean)
    shutil.copytree(held, raw, dirs_exist_ok=True)
    assert cleancorp(raw, clean, failpoint="written:5").returncode == -signal.SIGKILL
    after_kill = read_tree(clean)
    # Nothing from day one was lost or changed, and every sidecar on disk is whole.
    assert {name: after_kill[name] for name in first_day} == first_day
    assert all(json.loads(after_kill[n]) for n in after_kill if n.endswith(".json"))
    second = cleancorp(raw, clean)
    assert second.returncode == 0
    # Same result as the same two days without the kill.
    clean_reference = tmp_path / "reference"
    shutil.move(str(held), str(tmp_path / "unused"))
    day_one = tmp_path / "day-one"
    shutil.copytree(raw, day_one)
    for path in later:
        (day_one / path.relative_to(raw)).unlink()
    assert cleancorp(day_one, clean_reference).returncode == 0
    assert cleancorp(raw, clean_reference).returncode == 0
    assert read_tree(clean) == read_tree(clean_reference)
    assert indexed(clean) == indexed(clean_reference)


def test_killed_from_outside_at_a_random_moment(tmp_path, reference):
    env = {k: v for k, v in os.environ.items() if k != "CLEANCORP_FAILPOINT"}
    for delay in (0.8, 1.6):
        clean = tmp_path / f"clean-{delay}"
        command = [sys.executable, "-m", "cleancorp", "run", str(CORPUS), str(clean), "--jobs", "1", "-q"]
        process = subprocess.Popen(command, env=env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert_recovers(CORPUS, clean, reference)
