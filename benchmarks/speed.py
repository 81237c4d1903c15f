"""Throughput on a generated corpus large enough to matter, against a naive baseline.

    python benchmarks/speed.py                      # make_corpus.py --markov 50000, 2 jobs
    python benchmarks/speed.py --markov 5000 --jobs 2 --stage-sample 1000
    python benchmarks/speed.py --rounds 2 --skip-datatrove  # cleancorp, naive, cleancorp, naive
    python benchmarks/speed.py --html-rate 0 --html-copies 0  # plain text only, as the targets say

Prints, for the same input and cores:
- cleancorp end to end (``cleancorp run`` in a subprocess): docs/s, MB/s and per core, peak RSS
  of its largest process, and the shared scorer's figures for the output;
- per stage, on a sample with one core: docs/s and MB/s of read, decode, extract (HTML only),
  repair, boilerplate, metadata, sign (shingles and MinHash), and the corpus stage;
- the naive baseline a user would write first: ftfy.fix_text on the decoded text, then
  datasketch ``MinHash.update`` per word 5-gram and a ``MinHashLSH`` at threshold 0.5, with the
  same number of processes for the per-document part; scored the same way;
- datatrove's closest pipeline (``datatrove_baseline.py``: ftfy, C4 line filters, its MinHash
  dedup) with the same number of processes, scored the same way (needs the ``bench`` extra);
- the ratios;
- HTML pages: the 181 real article pages (``../shared/bench/articles/html``, 35 KB a page)
  copied ``--html-copies`` times under other names, cleaned end to end: pages/s.

The corpus is generated once into ``build/speed/markovN`` (the script calls
``../shared/bench/make_corpus.py``; the product never reads ``../shared``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import ftfy
from datasketch import MinHash, MinHashLSH

from cleancorp.boilerplate import strip_boilerplate
from cleancorp.decode import decode
from cleancorp.extract import extract_html
from cleancorp.metadata import extract_metadata
from cleancorp.pipeline import Options, catalog_for, corpus_stage
from cleancorp.read import find_inputs, read_document
from cleancorp.repair import repair
from cleancorp.signing import sign

ROOT = Path(__file__).resolve().parent.parent


MAKE_CORPUS_HTML_RATE = 0.1  # make_corpus.py's own default


def corpus_folder(out: Path, markov: int, html_rate: float) -> Path:
    """``markovN`` for make_corpus.py's default mix, ``markovN-htmlR`` for another share of HTML.

    >>> corpus_folder(Path("b"), 50000, 0.1).name, corpus_folder(Path("b"), 50000, 0.0).name
    ('markov50000', 'markov50000-html0')
    """
    suffix = "" if html_rate == MAKE_CORPUS_HTML_RATE else f"-html{html_rate:g}"
    return out / f"markov{markov}{suffix}"


def make_corpus(shared: Path, out: Path, markov: int, html_rate: float = MAKE_CORPUS_HTML_RATE) -> None:
    if (out / "truth.jsonl").exists():
        return
    pool = shared / "bench" / "articles" / "gold"
    command = [sys.executable, str(shared / "bench" / "make_corpus.py"), "--pool", str(pool)]
    command += ["--out", str(out), "--markov", str(markov), "--seed", "1", "--html-rate", str(html_rate)]
    subprocess.run(command, check=True)


SET_ASIDE: list[Path] = []  # earlier outputs, deleted once every tool has been timed


def set_aside(folder: Path) -> None:
    """Move an earlier run's output out of the way of the next timed run, instead of deleting it.

    Deleting ~160,000 files leaves ext4 slow to create files for a while (it frees and discards
    their blocks): a writer's kernel time doubled right after such a delete. Whichever tool ran
    next was billed for it, so every tool now writes into a folder with nothing being freed
    around it, and the old folders go at the end.
    """
    if folder.exists():
        aside = folder.with_name(f"{folder.name}.old-{len(SET_ASIDE)}")
        folder.rename(aside)
        SET_ASIDE.append(aside)


def delete_leftovers(*folders: Path) -> None:
    """Folders set aside by an interrupted benchmark: freed before anything is timed."""
    leftovers = [old for folder in folders if folder.is_dir() for old in folder.glob("*.old-*")]
    for old in leftovers:
        shutil.rmtree(old, ignore_errors=True)
    if leftovers:
        os.sync()


def delete_set_aside() -> None:
    while SET_ASIDE:
        shutil.rmtree(SET_ASIDE.pop(), ignore_errors=True)


def corpus_bytes(raw: Path) -> int:
    return sum(p.stat().st_size for p in raw.rglob("*") if p.is_file())


def score(shared: Path, clean: Path, truth: Path) -> dict:
    result = subprocess.run(
        [sys.executable, str(shared / "eval" / "score.py"), "corpus", str(clean), str(truth), "--json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def timed_child(command: list[str]) -> tuple[float, int]:
    """Seconds, and the peak RSS in MB of the largest process among this child and its own.

    Measured by GNU time when it is installed: a child forked from this (large) benchmark process
    is charged this process's pages until it execs, which wait4's ru_maxrss would report."""
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    started = time.perf_counter()
    if gnu_time:
        with tempfile.NamedTemporaryFile("r") as peak:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name, *command], check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            kilobytes = int(peak.read().split()[-1])
        return time.perf_counter() - started, kilobytes // 1024
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)  # this child's own figures (and its reaped workers')
    child.returncode = 0  # reaped above
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss // 1024


def rate(docs: int, size: int, seconds: float, cores: int) -> str:
    return (
        f"{docs / seconds:8.0f} docs/s {size / seconds / 1e6:6.2f} MB/s  "
        f"per core {docs / seconds / cores:7.0f} docs/s {size / seconds / 1e6 / cores:5.2f} MB/s"
    )


def stage_rates(raw: Path, sample: int) -> list[tuple[str, float]]:
    """Seconds per stage over ``sample`` inputs, one core."""
    options = Options(jobs=1)
    catalog = catalog_for(options)
    items = list(find_inputs(raw))[:sample]
    spent = dict.fromkeys(["read", "decode", "extract", "repair", "boilerplate", "metadata", "sign"], 0.0)
    stages = (
        ("decode", decode),
        ("extract", lambda d: extract_html(d, options.extract)),
        ("repair", repair),
        ("boilerplate", lambda d: strip_boilerplate(d, catalog, options.zones)),
        ("metadata", extract_metadata),
        ("sign", lambda d: setattr(d, "signed", sign(d.body, options.dedup))),
    )
    docs = []
    for item in items:
        doc = read_document(item)
        for name, stage in stages:
            started = time.perf_counter()
            stage(doc)
            spent[name] += time.perf_counter() - started
        docs.append(doc)
    started = time.perf_counter()
    for item in items:
        read_document(item)
    spent["read"] = time.perf_counter() - started
    started = time.perf_counter()
    corpus_stage(docs, options)
    spent["corpus (repeated + dedup)"] = time.perf_counter() - started
    return list(spent.items())


def _naive_document(path: str) -> tuple[str, str, list[int]]:
    data = Path(path).read_bytes()
    text = ftfy.fix_text(data.decode("utf-8", errors="replace"))
    words = text.split()
    minhash = MinHash(num_perm=128)
    for i in range(max(1, len(words) - 4)):
        minhash.update(" ".join(words[i : i + 5]).encode("utf-8"))
    return path, text, minhash.hashvalues.tolist()


def naive_baseline(raw: Path, out: Path, jobs: int) -> float:
    """What a user writes first; writes ``out`` in the contract's layout so it can be scored."""
    import numpy as np

    set_aside(out)
    paths = sorted(str(p) for p in raw.rglob("*") if p.is_file())
    started = time.perf_counter()
    with Pool(jobs) as pool:
        results = pool.map(_naive_document, paths, chunksize=64)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for path, text, values in results:
        minhash = MinHash(num_perm=128, hashvalues=np.array(values, dtype=np.uint64), scheme="affine32")
        matches = sorted(lsh.query(minhash))
        relative = Path(path).relative_to(raw)
        stem = relative.name.split(".")[0]
        target = out / relative.parent / stem
        target.parent.mkdir(parents=True, exist_ok=True)
        doc_id = (relative.parent / stem).as_posix()
        side = {"status": "duplicate" if matches else "kept", "cluster": matches[0] if matches else doc_id}
        if not matches:
            lsh.insert(doc_id, minhash)
            target.with_suffix(".txt").write_text(text, encoding="utf-8")
        target.with_suffix(".json").write_text(json.dumps(side), encoding="utf-8")
    return time.perf_counter() - started


def distinct_copy(page: Path, copy: int) -> bytes:
    """The page's bytes with a trailing comment naming the copy, gzipped again if it was.

    A worker reuses the result of a recent input with the same bytes instead of cleaning it again,
    so byte-identical copies would time that lookup, not the cleaning. A comment after the markup
    changes no text the page yields.
    """
    data = page.read_bytes()
    zipped = page.suffix == ".gz"
    html = gzip.decompress(data) if zipped else data
    html += f"\n<!-- copy {copy:03d} -->\n".encode("ascii")
    return gzip.compress(html, mtime=0) if zipped else html


def html_pages(shared: Path, out: Path, copies: int, jobs: int) -> tuple[int, float, int]:
    """Pages, seconds and peak RSS (MB) of ``cleancorp run`` over real pages copied ``copies`` times."""
    raw = out / f"html-distinct-x{copies}" / "raw"
    pages = sorted((shared / "bench" / "articles" / "html").glob("*.htm*"))
    if not raw.exists():
        for copy in range(copies):
            (raw / f"{copy:03d}").mkdir(parents=True)
            for page in pages:
                (raw / f"{copy:03d}" / page.name).write_bytes(distinct_copy(page, copy))
    clean = raw.parent / "clean"
    set_aside(clean)
    command = [
        str(Path(sys.executable).parent / "cleancorp"),
        "run",
        str(raw),
        str(clean),
        "-j",
        str(jobs),
        "-q",
    ]
    seconds, peak_mb = timed_child(command)
    return len(pages) * copies, seconds, peak_mb


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each figure as it comes
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "speed")
    parser.add_argument("--markov", type=int, default=50_000)
    parser.add_argument(
        "--html-rate",
        type=float,
        default=MAKE_CORPUS_HTML_RATE,
        help="share of the generated documents that are HTML pages (0: plain text only, the targets' case)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--batch-size",
        type=int,
        help="cleancorp's --batch-size (default: its own, 100,000: the whole corpus in one batch)",
    )
    parser.add_argument("--stage-sample", type=int, default=2000)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument("--html-copies", type=int, default=10, help="0: skip the HTML measurement")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="time cleancorp and the naive baseline this many times, in turns",
    )
    args = parser.parse_args()

    corpus = corpus_folder(args.out, args.markov, args.html_rate)
    make_corpus(args.shared, corpus, args.markov, args.html_rate)
    delete_leftovers(corpus, args.out / f"html-x{args.html_copies}")
    raw, truth = corpus / "raw", corpus / "truth.jsonl"
    docs = sum(1 for p in raw.rglob("*") if p.is_file())
    size = corpus_bytes(raw)
    html = sum(1 for p in raw.rglob("*.htm*"))
    print(
        f"corpus: {docs:,} documents ({html:,} HTML), {size / 1e6:.1f} MB, "
        f"{size / docs / 1e3:.1f} KB a document"
    )

    # This machine's speed drifts by 10-20% within minutes, so with --rounds N cleancorp and the
    # naive baseline take turns N times and the ratio is that of their medians.
    clean, naive_out = corpus / "clean", corpus / "naive"
    command = ["cleancorp", "run", str(raw), str(clean), "--jobs", str(args.jobs), "--quiet"]
    if args.batch_size is not None:
        command += ["--batch-size", str(args.batch_size)]
    ours_runs: list[float] = []
    naive_runs: list[float] = []
    peak_mb = 0
    for round_number in range(1, args.rounds + 1):
        set_aside(clean)
        seconds, peak = timed_child([str(Path(sys.executable).parent / command[0]), *command[1:]])
        ours_runs.append(seconds)
        peak_mb = max(peak_mb, peak)
        print(f"round {round_number}: cleancorp {seconds:.1f} s", end="")
        if not args.skip_naive:
            naive_runs.append(naive_baseline(raw, naive_out, args.jobs))
            print(f", naive {naive_runs[-1]:.1f} s ({naive_runs[-1] / seconds:.2f}x)", end="")
        print()
    seconds = statistics.median(ours_runs)
    ours = score(args.shared, clean, truth)
    print(f"cleancorp end to end, {args.jobs} jobs: {seconds:.1f} s  {rate(docs, size, seconds, args.jobs)}")
    print(f"  peak RSS of the largest process: {peak_mb} MB")
    print(
        f"  scores: body F1 {ours['body_f1']:.4f}, dedup pair P {ours['dedup_pair_precision']:.4f} "
        f"F1 {ours['dedup_pair_f1']:.4f} ARI {ours['dedup_ari']:.4f}"
    )
    if naive_runs:
        naive_seconds = statistics.median(naive_runs)
        naive = score(args.shared, naive_out, truth)
        print(
            f"naive baseline, {args.jobs} jobs: {naive_seconds:.1f} s  "
            f"{rate(docs, size, naive_seconds, args.jobs)}"
        )
        print(
            f"  scores: body F1 {naive['body_f1']:.4f}, dedup pair P {naive['dedup_pair_precision']:.4f} "
            f"F1 {naive['dedup_pair_f1']:.4f} ARI {naive['dedup_ari']:.4f}"
        )
        print(f"cleancorp / naive speed: {naive_seconds / seconds:.2f}x")

    print(f"per stage, one core, first {args.stage_sample} inputs:")
    sample_items = list(find_inputs(raw))[: args.stage_sample]
    sample_size = sum(item.path.stat().st_size for item in sample_items)
    for name, spent in stage_rates(raw, args.stage_sample):
        if spent > 0:
            print(f"  {name:26} {spent:6.2f} s  {rate(len(sample_items), sample_size, spent, 1)}")

    if not args.skip_datatrove:
        from datatrove_baseline import lay_out, run_datatrove

        work = corpus / "datatrove-work"
        dt_seconds = run_datatrove(raw, work, args.jobs)
        lay_out(work, corpus / "datatrove")
        theirs = score(args.shared, corpus / "datatrove", truth)
        print(f"datatrove, {args.jobs} tasks: {dt_seconds:.1f} s  {rate(docs, size, dt_seconds, args.jobs)}")
        print(
            f"  scores: body F1 {theirs['body_f1']:.4f} (P {theirs['body_precision']:.4f}), dedup pair "
            f"P {theirs['dedup_pair_precision']:.4f} F1 {theirs['dedup_pair_f1']:.4f} "
            f"ARI {theirs['dedup_ari']:.4f}"
        )
        print(f"cleancorp / datatrove speed: {dt_seconds / seconds:.2f}x")

    if args.html_copies:
        pages, html_seconds, html_peak = html_pages(args.shared, args.out, args.html_copies, args.jobs)
        print(
            f"HTML, {pages:,} real article pages, {args.jobs} jobs: {html_seconds:.1f} s  "
            f"{pages / html_seconds:.1f} pages/s ({pages / html_seconds / args.jobs:.1f} per core), "
            f"peak RSS {html_peak} MB"
        )
    delete_set_aside()


if __name__ == "__main__":
    main()
