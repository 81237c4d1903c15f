"""``benchmarks/cpu_against.py`` on the sample input: both runs finish and their CPU is compared."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import RAW

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "cpu_against.py"


def test_cpu_against_an_earlier_commit_prints_the_ratio_and_the_scaled_time(tmp_path):
    command = [sys.executable, str(SCRIPT), "HEAD", str(RAW), "--out", str(tmp_path / "out")]
    command += ["--base-seconds", "10", "--base-docs", "1000"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    rounds = re.findall(r"this tree (\d+\.\d) s of CPU, HEAD (\d+\.\d) s", result.stdout)
    assert len(rounds) == 1 and all(float(cpu) > 0 for cpu in rounds[0]), result.stdout
    ratio = float(re.search(r"median ratio (\d+\.\d+)", result.stdout)[1])
    scaled = re.search(r"HEAD's 10.0 s scaled: (\d+\.\d) s, ([\d,]+) docs/s", result.stdout)
    assert scaled and abs(float(scaled[1]) - 10 * ratio) <= 0.06, result.stdout
    assert abs(int(scaled[2].replace(",", "")) - 1000 / (10 * ratio)) <= 1
    assert not (tmp_path / "out").exists()  # the runs' outputs are removed
