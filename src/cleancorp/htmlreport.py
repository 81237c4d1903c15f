"""The run report as one static HTML page (``CLEAN/.cleancorp/report.html``).

No scripts, fonts or styles from elsewhere: the page opens from disk, offline, in any browser.
It shows documents by status, removed blocks by category with examples, encodings and their
repairs, the largest duplicate clusters with side-by-side diffs, errors, and throughput.

>>> page = render_report({"documents": 2, "status": {"kept": 2}}, [])
>>> page.startswith("<!DOCTYPE html>"), "<b>2</b><span>documents cleaned</span>" in page
(True, True)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ._version import __version__
from .document import Document, Status

MAX_ROWS = 200  # errors and empty documents listed on the page

STYLE = """
:root { --ink: #1d232b; --muted: #5c6773; --line: #d9dee4; --bg: #f6f7f9; --accent: #2a6fdb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       background: var(--bg); }
header { background: #18202a; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 20px; } header p { margin: 4px 0 0; color: #b8c2cc; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 18px 0;
          padding: 14px 20px; }
h2 { font-size: 17px; margin: 2px 0 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card b { display: block; font-size: 24px; } .card span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 6em; }
.bar { height: 12px; border-radius: 3px; background: var(--accent); min-width: 2px; }
.bar.kept { background: #2f9e44; } .bar.duplicate { background: #e8a317; }
.bar.empty { background: #8c96a0; } .bar.error { background: #d9480f; }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
ul.examples { margin: 4px 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
.muted { color: var(--muted); } code { font-size: 13px; }
table.diff { font: 12px/1.35 ui-monospace, "SFMono-Regular", Menlo, monospace; margin: 8px 0 16px; }
table.diff td { border: 0; padding: 1px 4px; white-space: pre-wrap; word-break: break-word; }
table.diff td:nth-child(3), table.diff td:nth-child(6) { width: 47%; }
table.diff td.diff_next { display: none; }
table.diff td.diff_header { color: var(--muted); width: 2.5em; text-align: right; }
table.diff thead, table.diff colgroup { display: none; }
.diff_add { background: #d3f9d8; } .diff_chg { background: #fff3bf; } .diff_sub { background: #ffe3e3; }
"""


@dataclass(frozen=True)
class DuplicatePair:
    """A duplicate and the kept version it was matched to, with both bodies, for a diff."""

    kept_id: str
    duplicate_id: str
    similarity: float | None
    kept_text: str
    duplicate_text: str
    cluster_size: int


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _bars(counts: Mapping[str, int], css: bool = False, examples: Mapping[str, Sequence[str]] = {}) -> str:
    if not counts:
        return '<p class="muted">None.</p>'
    top = max(counts.values()) or 1
    rows = []
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        shown = examples.get(name, ())
        detail = (
            "<details><summary>examples</summary><ul class='examples'>"
            + "".join(f"<li>{escape(text)}</li>" for text in shown)
            + "</ul></details>"
            if shown
            else ""
        )
        width = max(0.5, 100 * count / top)
        bar_class = f"bar {escape(name)}" if css else "bar"
        rows.append(
            f"<tr><td>{escape(name)}{detail}</td><td class='n'>{count:,}</td>"
            f"<td style='width:45%'><div class='{bar_class}' style='width:{width:.1f}%'></div></td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str = "None.") -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><tr>{head}</tr>{body}</table>"


def _diff(pair: DuplicatePair, differ: difflib.HtmlDiff) -> str:
    kept = [p for p in pair.kept_text.split("\n\n") if p.strip()]
    duplicate = [p for p in pair.duplicate_text.split("\n\n") if p.strip()]
    similarity = "–" if pair.similarity is None else f"{pair.similarity:.3f}"
    table = differ.make_table(kept, duplicate, pair.kept_id, pair.duplicate_id, context=True, numlines=1)
    table = table.replace("&nbsp;", " ")  # difflib pins every space; let the browser wrap paragraphs
    return (
        f"<h3>{escape(pair.duplicate_id)} <span class='muted'>duplicates</span> {escape(pair.kept_id)}"
        f" <span class='muted'>(Jaccard {similarity}; cluster of {pair.cluster_size})</span></h3>"
        f"<p class='muted'>Left: kept <code>{escape(pair.kept_id)}</code>. Right: duplicate "
        f"<code>{escape(pair.duplicate_id)}</code>. Green: only on the right; red: only on the left; "
        "yellow: changed.</p>" + table
    )


def render_report(report: Mapping[str, Any], pairs: Sequence[DuplicatePair], title: str = "") -> str:
    """The page for ``report`` (as :func:`cleancorp.write.build_report` makes it, plus the run's
    extras) with diffs of ``pairs``."""
    statuses: Mapping[str, int] = report.get("status", {})
    inputs: Mapping[str, Any] = report.get("inputs") or {}
    throughput: Mapping[str, Any] = report.get("throughput") or {}
    clusters: Mapping[str, Any] = report.get("clusters") or {}
    errors = list(report.get("errors", []))
    empty = list(report.get("empty", []))
    differ = difflib.HtmlDiff()
    cards = [
        _card(_number(inputs.get("found")), "inputs found") if inputs else "",
        _card(_number(report.get("documents", 0)), "documents cleaned"),
        *(_card(_number(statuses.get(s, 0)), s) for s in ("kept", "duplicate", "empty", "error")),
        _card(_number(sum(report.get("removed_by_category", {}).values())), "blocks removed"),
        _card(_number(report.get("docs_per_second"), 1), "documents / s"),
    ]
    skipped = (
        f"{inputs.get('unchanged', 0):,} unchanged inputs skipped, {inputs.get('new', 0):,} new, "
        f"{inputs.get('changed', 0):,} changed, {inputs.get('disappeared', 0):,} disappeared "
        f"({inputs.get('pruned', 0):,} pruned)."
        if inputs
        else ""
    )
    largest = clusters.get("largest", [])
    sections = [
        f"<section><h2>Documents by status</h2><p class='muted'>{escape(skipped)}</p>"
        f"{_bars(statuses, css=True)}</section>",
        "<section><h2>Removed blocks by category</h2>"
        + _bars(report.get("removed_by_category", {}), examples=report.get("removed_examples", {}))
        + "<details><summary>by rule</summary>"
        + _table(("rule", "blocks"), ((r, f"{n:,}") for r, n in report.get("removed_by_rule", {}).items()))
        + "</details></section>",
        "<section><h2>Encodings and repairs</h2><div class='cards'>"
        f"<div>{_table(('detected encoding', 'documents'), _counted(report.get('encodings', {})))}</div>"
        f"<div>{_table(('repair', 'documents'), _counted(report.get('encoding_fixes', {})), 'No repairs.')}"
        "</div></div></section>",
        f"<section><h2>Duplicate clusters</h2><p class='muted'>{clusters.get('with_duplicates', 0):,} "
        "clusters with near-duplicates in this run.</p>"
        + _table(
            ("kept document (cluster)", "documents"), ((c["cluster"], f"{c['size']:,}") for c in largest)
        )
        + "".join(_diff(pair, differ) for pair in pairs)
        + "</section>",
        f"<section><h2>Errors ({len(errors):,})</h2>"
        + _table(("source", "error"), ((e["source"], e["error"]) for e in errors[:MAX_ROWS]), "No errors.")
        + f"<h2>Empty documents ({statuses.get('empty', 0):,})</h2>"
        + _table(("source", "reason"), ((e["source"], e["reason"] or "") for e in empty[:MAX_ROWS]))
        + "</section>",
        "<section><h2>Throughput</h2>"
        + _table(
            ("measure", "value"),
            [
                ("wall time", f"{_number(report.get('seconds'), 2)} s"),
                ("documents per second", _number(report.get("docs_per_second"), 1)),
                ("input read", f"{_number(throughput.get('megabytes'), 2)} MB"),
                ("MB per second", _number(throughput.get("megabytes_per_second"), 2)),
                ("worker processes", _number(throughput.get("jobs"))),
            ],
        )
        + "</section>",
    ]
    heading = escape(title or "cleancorp run")
    finished = escape(str(report.get("finished", "")))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<link rel='icon' href='data:,'><title>{heading} — cleancorp report</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<header><h1>{heading}</h1><p>cleancorp {escape(__version__)}"
        f"{' · finished ' + finished if finished else ''}</p></header><main>"
        f"<div class='cards' style='margin-top:18px'>{''.join(cards)}</div>"
        + "".join(sections)
        + "</main></body></html>\n"
    )


def duplicate_pairs(docs: Sequence[Document], clean: Path, limit: int = 5) -> list[DuplicatePair]:
    """For the largest clusters of this run: the first duplicate and its kept version (whose
    body is read from CLEAN when an earlier run kept it)."""
    members: dict[str, list[Document]] = {}
    for doc in docs:
        if doc.cluster and doc.status in (Status.KEPT, Status.DUPLICATE):
            members.setdefault(doc.cluster, []).append(doc)
    by_id = {doc.id: doc for doc in docs}
    pairs = []
    ranked = sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    for cluster, group in ranked:
        duplicates = sorted((d for d in group if d.status is Status.DUPLICATE), key=lambda d: d.id)
        if not duplicates:
            continue
        duplicate = duplicates[0]
        kept = by_id.get(cluster)
        try:
            kept_text = kept.body if kept else (clean / f"{cluster}.txt").read_text(encoding="utf-8")
        except OSError:
            continue
        size = len(group) + (0 if kept else 1)
        pairs.append(
            DuplicatePair(cluster, duplicate.id, duplicate.similarity, kept_text, duplicate.body, size)
        )
        if len(pairs) == limit:
            break
    return pairs


def largest_pairs(pairs: Sequence[DuplicatePair], limit: int = 5) -> list[DuplicatePair]:
    """The pairs of the largest clusters among those each batch of a run chose (in the batches'
    order among clusters of one size)."""
    return sorted(pairs, key=lambda pair: -pair.cluster_size)[:limit]


def _counted(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    return [(name, f"{count:,}") for name, count in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
