"""``--executor dask``: the same stages on a 2-worker LocalCluster give byte-identical output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleancorp import Options, run
from cleancorp.cli import main
from cleancorp.dask_executor import DaskExecutor, DaskUnavailable
from cleancorp.dedup import DedupSettings
from cleancorp.signing import sign

from .conftest import RAW, read_tree
from .test_index import STORY, distinct_story, write

pytest.importorskip("distributed")

FOOTER = "Harbour Gazette is an independent newsroom that is funded by its readers."


def day_one(raw: Path) -> None:
    """Seeds, a story with reprints (an edited one and an abridged one), distinct stories sharing a
    footer (removed as repeated, so deduplication runs twice), and a broken file."""
    shutil.copytree(RAW, raw)
    write(raw, "harbour.txt", STORY)
    write(raw / "wire", "harbour-edited.txt", [STORY[0].replace("Monday", "Tuesday"), *STORY[1:]])
    write(raw / "wire", "harbour-short.txt", STORY[:3])
    for number in range(6):
        write(raw / "local", f"story{number}.txt", [*distinct_story(number), FOOTER])
    (raw / "scan.txt").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))


def day_two(raw: Path) -> None:
    write(raw / "day2", "reprint.txt", [*STORY[:3], FOOTER])
    write(raw / "day2", "new.txt", [*distinct_story(7), FOOTER])
    write(raw / "day2", "copy-of-story2.txt", distinct_story(2))


def test_dask_output_is_byte_identical_to_local(tmp_path):
    raw = tmp_path / "raw"
    day_one(raw)
    local = run(raw, tmp_path / "local", Options(jobs=1))
    on_dask = run(raw, tmp_path / "dask", Options(jobs=2, executor="dask"))
    assert read_tree(tmp_path / "local") == read_tree(tmp_path / "dask")
    assert local["status"] == on_dask["status"]
    repeated = sum(n for rule, n in local["removed_by_rule"].items() if rule.endswith("/repeated"))
    assert local["status"]["duplicate"] == 2 and repeated >= 6  # both dedup passes ran
    day_two(raw)  # the next run checks against the index the first one left
    run(raw, tmp_path / "local", Options(jobs=1))
    run(raw, tmp_path / "dask", Options(jobs=2, executor="dask"))
    assert read_tree(tmp_path / "local") == read_tree(tmp_path / "dask")


def test_dask_output_in_batches_is_byte_identical_to_local(tmp_path):
    raw = tmp_path / "raw"
    day_one(raw)
    day_two(raw)
    local = run(raw, tmp_path / "local", Options(jobs=1, batch_size=7))
    on_dask = run(raw, tmp_path / "dask", Options(jobs=2, executor="dask", batch_size=7))
    assert local["batches"]["count"] == on_dask["batches"]["count"] == 3
    assert read_tree(tmp_path / "local") == read_tree(tmp_path / "dask")


def test_pairs_found_on_the_cluster_are_the_candidates_that_verify():
    settings = DedupSettings()
    texts = {
        "a": "\n\n".join(STORY),
        "b": "\n\n".join(STORY[:3]),
        "c": "\n\n".join(distinct_story(1)),
        "d": "\n\n".join(distinct_story(1)) + "\n\nOne more line at the end.",
        "e": "\n\n".join(distinct_story(2)),
    }
    signed = [(doc_id, sign(text, settings)) for doc_id, text in texts.items()]
    with DaskExecutor(workers=2) as executor:
        pairs = executor.pairs(signed, settings)
    assert {doc_id: [other for other, _ in found] for doc_id, found in pairs.items()} == {
        "a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]
    }  # fmt: skip
    assert pairs["c"][0][1].similarity > 0.9


def test_the_command_line_runs_on_dask(tmp_path, seeds):
    result = CliRunner().invoke(
        main, ["run", str(seeds), str(tmp_path / "dask"), "--executor", "dask", "-j", "2", "-q"]
    )
    assert result.exit_code == 0, result.output
    run(seeds, tmp_path / "local", Options(jobs=1))
    assert read_tree(tmp_path / "dask") == read_tree(tmp_path / "local")
    # where the documents are cleaned is not an option of the output: nothing to clean again
    again = CliRunner().invoke(
        main, ["run", str(seeds), str(tmp_path / "local"), "--executor", "dask", "--json"]
    )
    assert '"unchanged": 5' in again.output


def test_an_unreachable_scheduler_says_how_to_start_one():
    with (
        pytest.raises(DaskUnavailable, match="dask scheduler"),
        DaskExecutor("tcp://127.0.0.1:9", 1, timeout="2s"),
    ):
        pass
