"""``cleancorp export``: the kept corpus in one file that pyarrow, datasets, pandas and polars read."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleancorp import Options, run
from cleancorp.cli import main
from cleancorp.export import ExportError, export_corpus, iter_corpus

from .conftest import RAW
from .test_index import STORY, write

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # datasets must never reach for the network here
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus a story and its abridged reprint: five kept documents and one duplicate."""
    root = tmp_path_factory.mktemp("export")
    raw = root / "raw"
    raw.mkdir()
    for path in RAW.iterdir():
        (raw / path.name).write_bytes(path.read_bytes())
    write(raw / "sub", "harbour.txt", STORY)
    write(raw / "sub", "reprint.txt", STORY[:3])
    run(raw, root / "clean", Options(jobs=1))
    return root / "clean"


def kept_bodies(clean: Path) -> dict[str, str]:
    return {
        p.relative_to(clean).with_suffix("").as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(clean.rglob("*.txt"))
    }


def test_jsonl_rows_are_the_kept_documents_with_their_sidecars(clean, tmp_path):
    out = tmp_path / "corpus.jsonl"
    result = CliRunner().invoke(main, ["export", str(clean), str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 6 documents" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row["id"]: row["text"] for row in rows} == kept_bodies(clean)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    sidecar = json.loads((clean / "sub" / "harbour.json").read_text(encoding="utf-8"))
    (harbour,) = (row for row in rows if row["id"] == "sub/harbour")
    assert {k: v for k, v in harbour.items() if k != "text"} == {
        k: v for k, v in sidecar.items() if k != "schema"
    }


def test_duplicates_only_when_asked(clean, tmp_path):
    rows = list(iter_corpus(clean, include_duplicates=True))
    (reprint,) = (row for row in rows if row["status"] == "duplicate")
    assert (
        reprint["id"] == "sub/reprint"
        and reprint["duplicate_of"] == "sub/harbour"
        and reprint["text"] is None
    )
    assert len(rows) == len(list(iter_corpus(clean))) + 1


def test_parquet_reads_back_with_pyarrow_polars_and_datasets(clean, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "corpus.parquet"
    assert export_corpus(clean, out) == 6
    table = pq.read_table(out)
    assert table.num_rows == 6
    assert table.column_names[:3] == ["id", "text", "source"]
    assert dict(
        zip(table.column("id").to_pylist(), table.column("text").to_pylist(), strict=True)
    ) == kept_bodies(clean)
    harbour = next(r for r in table.to_pylist() if r["id"] == "sub/harbour")
    assert harbour["stats"]["lines_out"] == 4 and harbour["encoding"]["detected"] == "utf_8"
    assert str(table.schema.field("similarity").type) == "double"  # typed even where all rows are null
    polars = pytest.importorskip("polars")
    assert polars.read_parquet(out).height == 6
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(
        "parquet", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert loaded.num_rows == 6 and sorted(loaded["id"]) == sorted(kept_bodies(clean))


def test_jsonl_loads_in_datasets_and_pandas(clean, tmp_path):
    out = tmp_path / "corpus.jsonl"
    export_corpus(clean, out)
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_json(out, lines=True)
    assert list(frame["id"]) == sorted(kept_bodies(clean))
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert loaded.num_rows == 6 and set(loaded.column_names) >= {"id", "text", "title", "removed", "stats"}


def test_gzipped_jsonl_and_same_bytes_twice(clean, tmp_path):
    export_corpus(clean, tmp_path / "a.jsonl.gz")
    export_corpus(clean, tmp_path / "b.jsonl")
    export_corpus(clean, tmp_path / "c.jsonl")
    assert gzip.decompress((tmp_path / "a.jsonl.gz").read_bytes()) == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "b.jsonl").read_bytes() == (tmp_path / "c.jsonl").read_bytes()


def test_an_unknown_extension_says_which_ones_work(clean, tmp_path):
    result = CliRunner().invoke(main, ["export", str(clean), str(tmp_path / "corpus.csv")])
    assert result.exit_code == 2
    assert "*.jsonl, *.jsonl.gz or *.parquet" in result.output
    assert not (tmp_path / "corpus.csv").exists()


def test_a_failed_export_leaves_no_file_behind(clean, tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ExportError("pyarrow missing")

    monkeypatch.setattr("cleancorp.export.write_parquet", broken)
    (tmp_path / "corpus.parquet").write_bytes(b"yesterday's export")
    with pytest.raises(ExportError):
        export_corpus(clean, tmp_path / "corpus.parquet")
    assert (tmp_path / "corpus.parquet").read_bytes() == b"yesterday's export"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.parquet"]


def test_an_empty_corpus_exports_an_empty_table(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    (tmp_path / "clean").mkdir()
    assert export_corpus(tmp_path / "clean", tmp_path / "none.parquet") == 0
    assert pq.read_table(tmp_path / "none.parquet").num_rows == 0
    write(tmp_path / "clean", "notes.json", ["[1, 2]"])  # a file of the user's own is passed over
    assert list(iter_corpus(tmp_path / "clean")) == []
