"""Stream mode: ``cleancorp clean`` through a real pipe, and the library's ``clean_records``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cleancorp import Options, run
from cleancorp.cli import main
from cleancorp.stream import BadRecord, clean_records, parse_jsonl

from .conftest import RAW
from .test_index import STORY, distinct_story, write

ONE_JOB = Options(jobs=1)
STORY_TEXT = "\n\n".join(STORY)
FOOTER = "Harbour Gazette is an independent newsroom that is funded by its readers."


def cleancorp(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The real command, in its own process, fed through a pipe."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "cleancorp", "clean", *args], input=data, capture_output=True, timeout=120
    )


def jsonl(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_through_a_pipe_marks_duplicates_and_skips_a_bad_line_by_number():
    page = f"<html><body><article><h1>Dredging</h1>{''.join(f'<p>{p}</p>' for p in STORY)}</article></body></html>"
    feed = jsonl(
        {"id": "first", "text": "Dredging approved\n\n" + STORY_TEXT + "\n\nShare this article\n"},
        "{not json",
        {"id": "reprint", "html": page, "url": "https://example.org/reprint"},
        {"id": 7, "text": "\n\n".join(distinct_story(1))},
    )
    done = cleancorp(stdin=feed)
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == [
        "cleancorp: <stdin>:2: not valid JSON: Expecting property name enclosed in double quotes at column 2"
    ]
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(o["id"], o["status"], o["duplicate_of"]) for o in out] == [
        ("first", "kept", None),
        ("reprint", "duplicate", "first"),
        ("7", "kept", None),
    ]
    first, reprint, _ = out
    assert first["text"] == STORY_TEXT + "\n"
    assert [(r["category"], r["text"]) for r in first["removed"]][-1] == (
        "share_prompt",
        "Share this article",
    )
    assert first["source"] == "<stdin>:1" and len(first["source_sha256"]) == 64
    assert reprint["text"] is None and reprint["url"] == "https://example.org/reprint"
    assert reprint["format"] == "html" and reprint["similarity"] == 1.0


def test_strict_stops_at_the_first_bad_line():
    feed = jsonl({"id": "a", "text": STORY_TEXT}, {"id": "b"}, {"id": "c", "text": STORY_TEXT})
    done = cleancorp("--strict", stdin=feed)
    assert done.returncode == 1
    assert [json.loads(line)["id"] for line in done.stdout.decode().splitlines()] == ["a"]
    assert 'cleancorp: <stdin>:2: needs exactly one of "text" or "html"' in done.stderr.decode()


def test_results_stream_out_before_the_input_ends():
    process = subprocess.Popen(
        [sys.executable, "-m", "cleancorp", "clean"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdin and process.stdout
        process.stdin.write(
            jsonl(
                {"id": "a", "text": STORY_TEXT}, {"id": "b", "text": "\n\n".join(distinct_story(2))}
            ).encode()
        )
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # the pipe is still open: nothing waits for EOF
        assert first["id"] == "a" and first["status"] == "kept"
        process.stdin.write(jsonl({"id": "c", "text": STORY_TEXT}).encode())
        process.stdin.close()
        rest = [json.loads(line) for line in process.stdout.read().splitlines()]
    finally:
        process.kill() if process.poll() is None else None
        process.wait(timeout=60)
    assert [(r["id"], r["status"]) for r in rest] == [("b", "kept"), ("c", "duplicate")]


def test_plain_text_files_to_text_bodies(tmp_path):
    write(tmp_path, "one.txt", ["Dredging approved", *STORY, "Leave a Reply"])
    write(tmp_path, "two.txt", distinct_story(3))
    done = cleancorp("--to", "text", str(tmp_path / "one.txt"), str(tmp_path / "two.txt"))
    assert done.returncode == 0, done.stderr
    bodies = done.stdout.decode().split("\f\n")
    assert bodies == ["\n\n".join(STORY) + "\n", "\n\n".join(distinct_story(3)) + "\n"]


def test_html_and_cp1252_on_stdin_are_sniffed():
    page = (
        "<!DOCTYPE html><html><body><article>"
        + "".join(f"<p>{p} Café.</p>" for p in STORY)
        + "</article></body></html>"
    )
    done = cleancorp(stdin=page.encode("cp1252"))
    (record,) = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert record["id"] == "stdin" and record["format"] == "html" and record["status"] == "kept"
    assert record["encoding"]["detected"] == "cp1252" and "Café." in record["text"]


def test_index_checks_the_stream_against_an_existing_corpus(tmp_path):
    for number in range(5):
        write(tmp_path / "raw", f"story{number}.txt", [*distinct_story(number), FOOTER])
    run(tmp_path / "raw", tmp_path / "clean", ONE_JOB)
    index_before = (tmp_path / "clean" / ".cleancorp" / "index.sqlite").read_bytes()
    feed = jsonl(
        {"id": "reprint", "text": "\n\n".join(distinct_story(3))},
        {"id": "new", "text": "\n\n".join([*distinct_story(9), FOOTER])},
    )
    done = cleancorp("--index", str(tmp_path / "clean"), stdin=feed)
    assert done.returncode == 0, done.stderr
    reprint, new = (json.loads(line) for line in done.stdout.decode().splitlines())
    assert (reprint["status"], reprint["duplicate_of"]) == ("duplicate", "story3")
    assert new["status"] == "kept" and [(r["rule"], r["text"]) for r in new["removed"]] == [
        ("repeated", FOOTER)
    ]
    assert (tmp_path / "clean" / ".cleancorp" / "index.sqlite").read_bytes() == index_before  # read only


def test_index_that_does_not_exist_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["clean", "--index", str(tmp_path)], input="")
    assert result.exit_code == 2
    assert "holds no cleancorp index" in result.output and "cleancorp run RAW" in result.output


def test_stream_bodies_match_a_folder_run_on_the_seeds(tmp_path):
    run(RAW, tmp_path / "clean", ONE_JOB)
    feed = jsonl(*({"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(RAW.glob("*.txt"))))
    result = CliRunner().invoke(main, ["clean", "-j", "1"], input=feed)
    for line in result.output.splitlines():
        record = json.loads(line)
        assert record["text"] == (tmp_path / "clean" / f"{record['id']}.txt").read_text(encoding="utf-8")


def test_two_workers_give_the_results_of_one_in_the_same_order():
    lines = [json.dumps({"id": f"d{n}", "text": "\n\n".join(distinct_story(n % 6))}) for n in range(12)]
    lines.insert(5, "[1, 2]")

    def outcome(jobs: int) -> list[tuple[int, str | None, str | None]]:
        return [
            (r.line, r.doc.status.value if r.doc else None, r.error or (r.doc and r.doc.duplicate_of))
            for r in clean_records(parse_jsonl(lines), Options(jobs=jobs))
        ]

    one = outcome(1)
    assert one == outcome(2)
    assert one[5] == (6, None, "expected a JSON object with id and text or html")
    assert [status for _, status, _ in one].count("duplicate") == 6


def test_bad_records_say_what_is_wrong():
    lines = ['{"id": "a", "text": "x", "html": "<p>x</p>"}', '{"id": true, "text": "x"}', '{"id": "b", "text": 3}',
             '{"id": "c", "text": "x", "url": 5}', '{"id": "d", "text": "x"}', '{"id": "d", "text": "y"}']  # fmt: skip
    errors = [r.error for r in parse_jsonl(lines) if isinstance(r, BadRecord)]
    assert errors == [
        'needs exactly one of "text" or "html", as a string',
        'needs an "id" (a string or a number)',
        'needs exactly one of "text" or "html", as a string',
        '"url" must be a string',
        "id 'd' was already used on line 5",
    ]
    assert [r.error for r in parse_jsonl([b"\xff\xfe{}"]) if isinstance(r, BadRecord)] == [
        "not UTF-8 (byte 0)"
    ]


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    feed = jsonl(*({"id": f"d{n}", "text": "\n\n".join(distinct_story(n))} for n in range(30)))
    producer = subprocess.Popen(
        [sys.executable, "-m", "cleancorp", "clean"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert producer.stdin and producer.stdout and producer.stderr
    producer.stdin.write(feed.encode())
    producer.stdin.close()
    producer.stdout.readline()
    producer.stdout.close()  # like `| head -1`
    assert producer.wait(timeout=60) == 0
    assert b"Traceback" not in producer.stderr.read()


def test_missing_input_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_jsonl_file_is_read_by_its_extension(tmp_path):
    path = Path(tmp_path / "feed.jsonl")
    path.write_text(jsonl({"id": "a", "text": STORY_TEXT}), encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(path)])
    assert result.exit_code == 0 and json.loads(result.output)["id"] == "a"
