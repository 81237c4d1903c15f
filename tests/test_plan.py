"""Planning a run: the inputs stream past, so a RAW of millions of files is planned in bounded
memory (what is held is what will be cleaned)."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

from cleancorp import Options, run
from cleancorp.index import CorpusIndex, IndexParams
from cleancorp.manifest import Manifest, make_plan
from cleancorp.read import find_inputs

OPTIONS = Options(jobs=1)


def cleaned_before(tmp_path: Path, count: int) -> tuple[Path, Path]:
    """RAW with ``count`` inputs that an earlier run cleaned (manifest rows and sidecars made
    here, as a run leaves them: a real run of thousands of files takes too long for a test)."""
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    (raw / "seed").mkdir(parents=True)
    (raw / "seed" / "story.txt").write_text("The council met on Monday and approved the budget.\n")
    run(raw, clean, OPTIONS)  # makes the index and its manifest
    rows = []
    for number in range(count):
        folder = f"f{number // 1000:03d}"
        if number % 1000 == 0:
            (raw / folder).mkdir()
            (clean / folder).mkdir()
        name = f"{folder}/doc{number}"
        (raw / f"{name}.txt").write_text("x")
        (clean / f"{name}.json").write_text(json.dumps({"id": name}))
        status = os.stat(raw / f"{name}.txt")
        cluster = "seed/story" if number % 3 == 0 else None
        rows.append((f"{name}.txt".encode(), 1, status.st_mtime_ns, "-", OPTIONS.fingerprint(),
                     "duplicate" if cluster else "kept", cluster))  # fmt: skip
    with CorpusIndex.open(clean / ".cleancorp", IndexParams.of(OPTIONS.dedup), clean) as index:
        index.db.executemany("INSERT INTO manifest VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        index.db.commit()
    return raw, clean


def planned(raw: Path, clean: Path, prune: bool = False) -> tuple[object, int]:
    """The plan of a run over RAW, and the most memory planning it took."""
    with CorpusIndex.open(clean / ".cleancorp", IndexParams.of(OPTIONS.dedup), clean) as index:
        tracemalloc.start()
        try:
            plan = make_plan(find_inputs(raw), Manifest(index.db), OPTIONS.fingerprint(), clean, prune=prune)
            return plan, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_planning_a_raw_of_unchanged_files_holds_none_of_them(tmp_path):
    small, small_peak = planned(*cleaned_before(tmp_path / "small", 2_000))
    large, large_peak = planned(*cleaned_before(tmp_path / "large", 12_000))
    assert small.found == 2_001 and large.found == 12_001
    assert large.unchanged == 12_001 and not large.todo and not large.gone
    # Six times the inputs, and no more memory: held, each would take ~700 bytes (8 MB).
    assert large_peak < 1_000_000 and large_peak < small_peak + 100_000, (small_peak, large_peak)


def test_the_duplicates_of_a_changed_story_and_the_disappeared_inputs_are_found(tmp_path):
    raw, clean = cleaned_before(tmp_path, 3_000)
    (raw / "seed" / "story.txt").write_text("The council met on Tuesday and approved the budget.\n")
    (raw / "f001" / "doc1002.txt").unlink()  # a duplicate of the story
    (raw / "f002" / "doc2000.html").write_text("<p>another page</p>")  # writes what doc2000.txt wrote
    os.unlink(raw / "f002" / "doc2000.txt")
    plan, _ = planned(raw, clean, prune=True)
    assert plan.changed == 1 and plan.new == 1
    assert plan.gone == [b"f001/doc1002.txt", b"f002/doc2000.txt"]
    assert plan.gone_still_written == {b"f002/doc2000.txt"}
    # Every third was a duplicate of the changed story: all of them still there are checked again.
    assert plan.rechecked == 1_000 - 1
    assert len(plan.todo) == 2 + plan.rechecked
    assert [item.posix for item in plan.todo] == sorted(item.posix for item in plan.todo)


def test_new_inputs_are_planned_without_going_through_the_table_of_seen_ones(tmp_path, monkeypatch):
    from cleancorp.manifest import SeenInputs

    raw, clean = cleaned_before(tmp_path, 1_000)
    for number in range(300):  # new ones, among them one that writes what a disappeared input wrote
        (raw / "f000" / f"new{number}.txt").write_text("y")
    os.rename(raw / "f000" / "doc7.txt", raw / "f000" / "doc7.html")
    added = []
    real_add = SeenInputs.add
    monkeypatch.setattr(
        SeenInputs, "add", lambda self, item, *rest: added.append(item.posix) or real_add(self, item, *rest)
    )
    plan, _ = planned(raw, clean, prune=True)
    assert plan.new == 301 and len(plan.todo) == 301
    assert not any(posix.startswith("f000/new") or posix.endswith(".html") for posix in added)
    assert len(added) == plan.found - plan.new  # the ones the manifest knows
    assert plan.gone == [b"f000/doc7.txt"] and plan.gone_still_written == {b"f000/doc7.txt"}
