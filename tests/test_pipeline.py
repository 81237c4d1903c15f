"""The per-document pipeline as a worker runs it."""

import gzip
import pickle
import shutil

import pytest

from cleancorp import Options, pipeline, run
from cleancorp.memo import Remembered
from cleancorp.read import find_inputs

from .conftest import RAW, read_tree

SEED = RAW / "001_8da2c15d62d55676.txt"
OTHER_SEED = RAW / "002_f19a75f5cf060456.txt"


@pytest.fixture
def cleanings(monkeypatch) -> list[str]:
    """The ids of the documents cleaned, each time one is, in a worker that remembers nothing yet."""
    monkeypatch.setattr(pipeline, "_RECENT", Remembered(pipeline.RECENT_RESULTS))
    cleaned: list[str] = []
    real = pipeline.clean_document

    def counted(doc, options=None):
        cleaned.append(doc.id)
        return real(doc, options)

    monkeypatch.setattr(pipeline, "clean_document", counted)
    return cleaned


def test_a_copy_of_a_recent_input_gets_its_result_without_being_cleaned_again(tmp_path, cleanings):
    for name, seed in (("a", SEED), ("b", OTHER_SEED), ("c", SEED)):
        shutil.copy(seed, tmp_path / f"{name}.txt")
    items = list(find_inputs(tmp_path))
    in_worker = [pipeline.process_input_in_worker(item, Options()) for item in items]
    assert cleanings == ["a", "b"]
    copy, alone = in_worker[2], pipeline.process_input(items[2], Options())
    assert (copy.id, copy.source) == ("c", "c.txt") and copy.source_mtime_ns == alone.source_mtime_ns
    assert pickle.dumps(copy) == pickle.dumps(alone)  # every field as if it had been cleaned


def test_the_same_bytes_compressed_or_not_or_under_another_format_are_cleaned_apart(tmp_path, cleanings):
    compressed = gzip.compress(SEED.read_bytes(), mtime=0)
    (tmp_path / "a.txt.gz").write_bytes(compressed)
    (tmp_path / "b.txt").write_bytes(compressed)  # the same bytes, read as they are
    (tmp_path / "c.html").write_bytes(SEED.read_bytes())
    (tmp_path / "d.txt").write_bytes(SEED.read_bytes())
    items = list(find_inputs(tmp_path))
    in_worker = [pipeline.process_input_in_worker(item, Options()) for item in items]
    assert cleanings == ["a", "b", "c", "d"]
    alone = [pipeline.process_input(item, Options()) for item in items]
    assert [pickle.dumps(doc) for doc in in_worker] == [pickle.dumps(doc) for doc in alone]


def test_a_copy_is_cleaned_again_under_other_options(tmp_path, cleanings):
    for name in ("a", "b"):
        shutil.copy(SEED, tmp_path / f"{name}.txt")
    first, second = find_inputs(tmp_path)
    pipeline.process_input_in_worker(first, Options())
    other = Options(disabled_categories=("byline",))
    copy = pipeline.process_input_in_worker(second, other)
    assert cleanings == ["a", "b"]
    assert pickle.dumps(copy) == pickle.dumps(pipeline.process_input(second, other))


def test_a_run_over_copies_writes_what_one_process_writes(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for number, seed in enumerate(sorted(RAW.glob("*.txt"))):
        shutil.copy(seed, raw / f"{seed.stem}-copy.txt")
        (raw / f"{seed.stem}-zipped.txt.gz").write_bytes(gzip.compress(seed.read_bytes(), mtime=number))
    report = run(raw, tmp_path / "two", Options(jobs=2))
    run(raw, tmp_path / "one", Options(jobs=1))
    assert read_tree(tmp_path / "two") == read_tree(tmp_path / "one")
    assert report["status"] == {"kept": 5, "duplicate": 10}
