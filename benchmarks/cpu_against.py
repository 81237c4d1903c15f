"""CPU time of whole runs of this tree and of an earlier commit, run at the same moment.

    python benchmarks/cpu_against.py a63327e build/speed/markov50000-html0/raw --rounds 3
    python benchmarks/cpu_against.py a63327e RAW --base-seconds 104.9  # its time on RAW in a normal hour
    python benchmarks/cpu_against.py a63327e SAMPLE --base-seconds 104.9 --base-docs 80338

This machine's speed drifts by up to a factor of two within an hour, so two runs timed one after
the other measure the drift as much as the code. Here both run at once (``cleancorp run RAW OUT
--jobs N`` in a subprocess each, the earlier commit's ``src`` exported with ``git archive``), so
the drift falls on both, and what is compared is CPU time: user and system time of each run and
of every process it started and waited for (its workers and writers), as GNU time counts it.
Wall time is no use here: the run that finishes first leaves the other the whole machine.

Prints each round's CPU seconds and their ratio; with ``--base-seconds`` (the earlier commit's
wall time in a benchmark run in a normal hour, on RAW or on ``--base-docs`` documents of which RAW
is a sample), that time scaled by the median ratio, and the docs/s it means.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def export_source(revision: str, into: Path) -> Path:
    """``src/`` as it was at ``revision``, written under ``into``; returns its path."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "src"],
        check=True,
        capture_output=True,
    ).stdout
    archive_path = into / "src.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(into, filter="data")
        else:  # our own repository's archive
            tar.extractall(into)
    return into / "src"


def start_run(source: Path, raw: Path, out: Path, jobs: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "cleancorp", "run", str(raw), str(out), "--jobs", str(jobs), "--quiet"]
    return subprocess.Popen(command, env=environment)


def cpu_seconds_of(process: subprocess.Popen[bytes]) -> float:
    """Waits for ``process``; its user and system time, with the processes it waited for."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"a run failed with exit code {process.returncode}: {process.args}")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revision", help="the earlier commit to compare with (anything git archive takes)")
    parser.add_argument("raw", type=Path, help="the input folder both runs clean")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--base-seconds", type=float, help="the earlier commit's wall time in a normal hour (see --base-docs)"
    )
    parser.add_argument(
        "--base-docs", type=int, help="documents of that timed run, when not RAW's (RAW is a sample of them)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "build" / "cpu_against")
    args = parser.parse_args()

    docs = sum(len(files) for _, _, files in os.walk(args.raw))
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        earlier = export_source(args.revision, Path(scratch))
        current = REPO / "src"
        for round_number in range(1, args.rounds + 1):
            # Fresh output folders, deleted only at the end: freeing many files slows the next
            # file creations on this disk, and that would fall on whichever run came next.
            outs = [args.out / f"{name}-{round_number}" for name in ("current", "earlier")]
            for out in outs:
                shutil.rmtree(out, ignore_errors=True)
            runs = [
                start_run(source, args.raw, out, args.jobs)
                for source, out in zip((current, earlier), outs, strict=True)
            ]
            current_cpu, earlier_cpu = (cpu_seconds_of(run) for run in runs)
            ratios.append(current_cpu / earlier_cpu)
            print(
                f"round {round_number}: this tree {current_cpu:.1f} s of CPU, {args.revision} "
                f"{earlier_cpu:.1f} s, ratio {ratios[-1]:.3f}"
            )
    ratio = statistics.median(ratios)
    print(f"{docs:,} documents; median ratio {ratio:.3f}")
    if args.base_seconds:
        seconds = args.base_seconds * ratio
        docs = args.base_docs or docs
        print(
            f"{args.revision}'s {args.base_seconds:.1f} s scaled: {seconds:.1f} s, "
            f"{docs / seconds:,.0f} docs/s"
        )
    shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
