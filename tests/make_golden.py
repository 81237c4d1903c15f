"""Rewrite tests/golden/ from a fresh run on raw/ (after a deliberate change of output).

python -m tests.make_golden
"""

import shutil
import tempfile
from pathlib import Path

from cleancorp import run

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    golden = ROOT / "tests" / "golden"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clean"
        run(ROOT / "raw", out)
        shutil.rmtree(out / ".cleancorp")
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    print(f"golden files written to {golden}")


if __name__ == "__main__":
    main()
