import json
import subprocess
import sys

from click.testing import CliRunner

from cleancorp import __version__
from cleancorp.cli import main

from .conftest import RAW


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_version_and_help():
    assert invoke("--version").output.strip() == f"cleancorp, version {__version__}"
    assert "cleancorp run raw/ clean/" in invoke("--help").output
    help_text = invoke("run", "--help").output
    for option in (
        "--threshold",
        "--num-perm",
        "--shingle-size",
        "--keep-duplicates",
        "--catalog",
        "--disable",
    ):
        assert option in help_text


def test_run_writes_output_and_a_summary(tmp_path, seeds):
    result = invoke("run", seeds, tmp_path / "clean", "--jobs", 1)
    assert result.exit_code == 0, result.output
    assert "5 inputs: 5 new" in result.stderr and "5 documents cleaned: 5 kept" in result.stderr
    assert len(list((tmp_path / "clean").glob("*.txt"))) == 5


def test_json_report_on_stdout(tmp_path, seeds):
    result = invoke("run", seeds, tmp_path / "clean", "--json", "--quiet", "--jobs", 1)
    report = json.loads(result.stdout)
    assert report["status"] == {"kept": 5}
    assert result.stderr == ""


def test_document_errors_exit_1_and_the_run_goes_on(tmp_path, seeds):
    (seeds / "broken.txt").write_bytes(b"%PDF-1.4 binary")
    result = invoke("run", seeds, tmp_path / "clean", "--jobs", 1)
    assert result.exit_code == 1
    sidecar = json.loads((tmp_path / "clean" / "broken.json").read_text(encoding="utf-8"))
    assert (
        sidecar["status"] == "error"
        and sidecar["error"] == "binary file: looks like a PDF document, not text"
    )
    assert len(list((tmp_path / "clean").glob("*.txt"))) == 5


def test_usage_errors_exit_2_with_a_fix(tmp_path, seeds):
    same = invoke("run", seeds, seeds)
    assert same.exit_code == 2 and "write the output to another folder" in same.stderr
    missing = invoke("run", tmp_path / "nope", tmp_path / "clean")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "x"\ncategory = "footer"\npattern = "a"\n', encoding="utf-8")
    result = invoke("run", seeds, tmp_path / "clean", "--catalog", bad)
    assert result.exit_code == 2 and "unknown category 'footer'" in result.stderr


def test_collisions_are_reported_not_overwritten(tmp_path, seeds):
    (seeds / "000_604261592c18b17d.html").write_text("<html><body><p>Other page</p></body></html>")
    result = invoke("run", seeds, tmp_path / "clean", "--json", "--jobs", 1)
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["errors"][0]["source"] == "000_604261592c18b17d.txt"
    assert "same output as 000_604261592c18b17d.html" in report["errors"][0]["error"]


def test_user_catalog_and_disabled_category(tmp_path, seeds):
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[rule]]\nid = "reuters_mention"\ncategory = "source_credit"\nzone = "any"\npattern = "^On Wednesday, Reuters"\n',
        encoding="utf-8",
    )
    invoke("run", seeds, tmp_path / "a", "--catalog", extra, "--jobs", 1)
    assert "On Wednesday, Reuters reported:" not in (tmp_path / "a" / "003_31cbe83dc533d5c0.txt").read_text()
    invoke("run", seeds, tmp_path / "b", "--disable", "separator", "--jobs", 1)
    assert "\n*\n" not in (tmp_path / "b" / "004_e21098fcdc1863f3.txt").read_text()  # still outside the body


def test_dedup_options_are_applied(tmp_path, seeds):
    (seeds / "zzz_copy.txt").write_text((seeds / "001_8da2c15d62d55676.txt").read_text(encoding="utf-8"))
    invoke("run", seeds, tmp_path / "strict", "--threshold", 1.0, "--containment", 1.0, "--jobs", 1)
    invoke(
        "run",
        seeds,
        tmp_path / "keep",
        "--keep-duplicates",
        "--num-perm",
        64,
        "--shingle-size",
        3,
        "--jobs",
        1,
    )
    strict = json.loads((tmp_path / "strict" / "zzz_copy.json").read_text(encoding="utf-8"))
    assert strict["status"] == "duplicate"  # identical text is similar at 1.0 too
    assert (tmp_path / "keep" / "zzz_copy.txt").exists()


def test_explain_shows_every_line_in_order_with_reasons():
    result = invoke("explain", RAW / "001_8da2c15d62d55676.txt", "--width", 60)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "title: The Last Southern Battle in Syria" in lines[1]
    verdicts = [line.split()[0:2] for line in lines if line.startswith(("KEEP", "DROP"))]
    assert verdicts[0] == ["DROP", "title/title"]
    assert verdicts[-3:] == [
        ["DROP", "related_links/related_heading"],
        ["DROP", "comment_prompt/comment_form"],
        ["DROP", "comment_prompt/comment_form"],
    ]
    assert sum(v[0] == "KEEP" for v in verdicts) == 16
    source_lines = [
        x for x in (RAW / "001_8da2c15d62d55676.txt").read_text(encoding="utf-8").split("\n") if x.strip()
    ]
    assert len(verdicts) == len(source_lines)  # every line accounted for


def test_explain_reports_bad_input(tmp_path):
    pdf = tmp_path / "paper.txt"
    pdf.write_bytes(b"%PDF-1.5 binary")
    result = invoke("explain", pdf)
    assert result.exit_code == 1 and "binary file: looks like a PDF document" in result.output
    other = tmp_path / "notes.md"
    other.write_text("hello")
    assert invoke("explain", other).exit_code == 2


def test_the_cli_starts_without_importing_datasketch():
    """datasketch imports scipy (0.6 s of a 1.3 s start): ``--help``, ``explain`` or a run with
    nothing to do never sign a body, and a run that does imports it before starting its workers."""
    check = "import sys, cleancorp.cli; print(sorted({'datasketch', 'scipy'} & set(sys.modules)))"
    imported = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
