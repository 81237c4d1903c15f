"""``CLEAN/.cleancorp/report.html``: static, offline, and rendered by a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from cleancorp import Options, run
from cleancorp.htmlreport import DuplicatePair, render_report

from .conftest import RAW
from .test_index import STORY, distinct_story, write

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [  # the machine's network is closed: keep Chromium from reaching out at start
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds, a story with an edited reprint, a distinct story, an empty file and a PDF."""
    raw = tmp_path_factory.mktemp("report") / "raw"
    shutil.copytree(RAW, raw)
    write(raw, "harbour.txt", STORY)
    write(raw, "harbour-reprint.txt", [STORY[0].replace("Monday", "Tuesday"), *STORY[1:3]])
    write(raw, "other.txt", distinct_story(4))
    (raw / "blank.txt").write_text("  \n", encoding="utf-8")
    accented = [*distinct_story(5), "Le café a rouvert ses portes à midi, déjà plein d’étudiants."]
    (raw / "cafe.txt").write_text("\n\n".join(accented), encoding="cp1252")
    mojibake = "\n\n".join([*distinct_story(6), "The café’s owner said so."]).encode().decode("cp1252")
    (raw / "mojibake.txt").write_text(mojibake, encoding="utf-8")
    (raw / "scan.txt").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256))
    )
    clean = raw.parent / "clean"
    run(raw, clean, Options(jobs=1))
    return clean


def test_the_page_shows_what_happened(clean):
    page = (clean / ".cleancorp" / "report.html").read_text(encoding="utf-8")
    for heading in ("Documents by status", "Removed blocks by category", "Encodings and repairs",
                    "Duplicate clusters", "Errors (1)", "Empty documents (1)", "Throughput"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in page
    assert "harbour-reprint <span class='muted'>duplicates</span> harbour" in page
    assert 'class="diff_chg"' in page or 'class="diff_sub"' in page  # Monday -> Tuesday is marked
    assert "scan.txt" in page and "blank.txt" in page
    assert "<td>cp1252</td>" in page and "mojibake" in page  # encodings and repairs are listed


def test_nothing_is_loaded_from_elsewhere_and_text_is_escaped():
    report = {
        "documents": 1,
        "status": {"kept": 1},
        "removed_by_category": {"advertisement": 1},
        "removed_examples": {"advertisement": ["<script>alert('x')</script> Buy now"]},
        "errors": [{"source": "a<b>.txt", "error": "bad & worse"}],
    }
    pair = DuplicatePair("k<1>", "d&2", 0.9, "One <i>paragraph</i>.\n\nTwo.\n", "One <i>paragraph</i>.\n", 2)
    page = render_report(report, [pair], "raw → clean")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "a&lt;b&gt;.txt" in page and "bad &amp; worse" in page and "k&lt;1&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*['"](?!data:|#)""", page)  # no URL but page anchors
    assert "@import" not in page and "url(" not in page


def test_a_run_with_nothing_to_do_still_writes_a_page(clean, tmp_path):
    shutil.copytree(clean, tmp_path / "clean")
    report = run(RAW, tmp_path / "clean", Options(jobs=1))
    assert report["documents"] == 0
    page = (tmp_path / "clean" / ".cleancorp" / "report.html").read_text(encoding="utf-8")
    assert "<b>0</b><span>documents cleaned</span>" in page


def chromium_or_skip() -> None:
    """Skip where Chromium is missing, but never in CI, which installs it (.ci/run)."""
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed"
    if not Path(CHROMIUM).exists():
        missing = "Debian's chromium is not installed (apt-get install chromium)"
    if missing and os.environ.get("CI"):
        pytest.fail(f"{missing}; .ci/run should have installed it")
    if missing:
        pytest.skip(missing)


def test_the_page_renders_in_headless_chromium_without_errors(clean, tmp_path):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    screenshot = tmp_path / "report.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto((clean / ".cleancorp" / "report.html").as_uri())
            assert page.title().endswith("cleancorp report")
            assert page.locator("h2", has_text="Duplicate clusters").is_visible()
            assert page.locator("table.diff").count() == 1
            kept_bar = page.locator(".bar.kept").bounding_box()
            assert kept_bar and kept_bar["width"] > 100  # the CSS applied: bars have widths
            page.locator("summary", has_text="examples").first.click()
            assert page.locator("ul.examples li").first.is_visible()
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
