"""Files scrapers leave broken: each ends as error or empty with a one-line reason, and the run
goes on to clean the good ones."""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleancorp import Options, run
from cleancorp.cli import main

from .conftest import RAW

GOOD = "001_8da2c15d62d55676.txt"
UTF16_TEXT = "The council met on Tuesday evening and voted to keep the library open on weekends. " * 4

BAD_INPUTS: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.txt": b"  \n\t\n   \r\n",
    "paper.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "picture.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    "nul.txt": b"some text\x00\x00\x01\x02 more text",
    "random.txt": bytes(range(128, 256)) * 20,
    "utf16.txt": UTF16_TEXT.encode("utf-16-le"),
    "damaged-utf8.txt": ("Le café est ouvert, et la crème brûlée est prête. " * 8).encode() + b"\xff end.\n",
    "broken.txt.gz": gzip.compress(b"hello world " * 100)[:-30],
    "nobody.html": b"<html><head><title>Nothing here</title></head><body></body></html>",
}

EXPECTED: dict[str, tuple[str, str | None]] = {  # status, and a phrase of the one-line reason
    "empty": ("empty", "the file is empty"),
    "blank": ("empty", "the file holds only whitespace"),
    "paper": ("error", "binary file: looks like a PDF document"),
    "picture": ("error", "binary file: looks like a PNG image"),
    "nul": ("error", "contains NUL bytes"),
    "random": ("error", "no encoding decodes these bytes"),
    "utf16": ("kept", None),
    "damaged-utf8": ("kept", None),
    "broken": ("error", "corrupt gzip file"),
    "nobody": ("empty", "no main text found in the HTML page"),
    "loop": ("error", "Too many levels of symbolic links"),
    "loop-2": ("error", "Too many levels of symbolic links"),
    "caf\udce9": ("error", "file name is not valid UTF-8"),
}


@pytest.fixture
def broken_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / GOOD).write_bytes((RAW / GOOD).read_bytes())
    for name, data in BAD_INPUTS.items():
        (raw / name).write_bytes(data)
    os.symlink("loop-2.txt", raw / "loop.txt")
    os.symlink("loop.txt", raw / "loop-2.txt")
    with open(os.path.join(os.fsencode(raw), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"A story whose file name was saved in Latin-1.\n")
    return raw


def test_every_bad_input_gets_a_status_and_a_one_line_reason(tmp_path, broken_raw):
    clean = tmp_path / "clean"
    result = CliRunner().invoke(main, ["run", str(broken_raw), str(clean), "--jobs", "1"])
    assert result.exit_code == 1  # some documents failed; the run still finished
    sidecars = {}
    for path in clean.glob("*.json"):
        sidecar = json.loads(path.read_text(encoding="utf-8"))
        sidecars[os.fsdecode(path.name)[: -len(".json")]] = sidecar
    assert sidecars[Path(GOOD).stem]["status"] == "kept"
    for stem, (status, phrase) in EXPECTED.items():
        sidecar = sidecars[stem]
        assert sidecar["status"] == status, (stem, sidecar)
        reason = sidecar["error"] if status == "error" else sidecar["reason"]
        if phrase:
            assert phrase in reason and "\n" not in reason, (stem, reason)
    assert sidecars["caf\udce9"]["source"] == "caf\\xe9.txt"  # JSON holds valid UTF-8 only
    assert (clean / "utf16.txt").read_text(encoding="utf-8").startswith(UTF16_TEXT[:80])
    assert sidecars["utf16"]["encoding"]["detected"] == "utf_16_le"
    assert sidecars["damaged-utf8"]["encoding"]["fixes"] == ["invalid_utf8_replaced:1"]
    report = json.loads((clean / ".cleancorp" / "report.json").read_text(encoding="utf-8"))
    failed = {error["source"] for error in report["errors"]}
    expected_failed = {s for s, (status, _) in EXPECTED.items() if status == "error"}
    assert len(failed) == len(expected_failed) == 8
    assert {e["source"] for e in report["empty"]} == {"empty.txt", "blank.txt", "nobody.html"}
    assert all("\n" not in e["error"] for e in report["errors"])
    # A second run does not stumble on the names or the loop either.
    again = CliRunner().invoke(main, ["run", str(broken_raw), str(clean), "--jobs", "1"])
    assert again.exit_code == 1 and "Too many levels of symbolic links" in again.stderr


def test_a_file_that_vanishes_during_the_run(tmp_path, seeds):
    doomed = sorted(seeds.glob("*.txt"))[-1]

    def delete_the_last_input(doc, done, total):
        doomed.unlink(missing_ok=True)

    report = run(seeds, tmp_path / "clean", Options(jobs=1), progress=delete_the_last_input)
    assert report["errors"] == [{"source": doomed.name, "error": "file vanished before it could be read"}]
    assert report["status"] == {"error": 1, "kept": 4}


def test_a_200_mb_single_line_file_is_refused_in_bounded_memory(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    line = b"word " * 200_000
    with open(raw / "huge.txt", "wb") as handle:
        for _ in range(200):  # 200 MB, not one newline
            handle.write(line)
    (raw / GOOD).write_bytes((RAW / GOOD).read_bytes())
    command = [sys.executable, "-m", "cleancorp", "run", str(raw), str(tmp_path / "clean"), "--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert result.returncode == 1
    assert "huge.txt: file is 200,000,000 bytes, over the --max-bytes limit of 16,777,216" in result.stderr
    assert peak_kb < 400_000  # the file was never read into memory (max over every child so far)
    assert (tmp_path / "clean" / GOOD).exists()


def test_raw_and_clean_must_differ_and_clean_inside_raw_is_not_read(tmp_path, seeds):
    same = CliRunner().invoke(main, ["run", str(seeds), str(seeds)])
    assert same.exit_code == 2 and "same folder" in same.stderr
    inside = seeds / "clean"
    first = CliRunner().invoke(main, ["run", str(seeds), str(inside), "--jobs", "1"])
    second = CliRunner().invoke(main, ["run", str(seeds), str(inside), "--jobs", "1", "--force"])
    assert first.exit_code == second.exit_code == 0
    assert "5 inputs" in second.stderr  # its own output is not taken for input
