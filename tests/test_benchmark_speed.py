"""``benchmarks/speed.py``'s HTML measurement cleans every copy of a page, not a remembered result."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from cleancorp.pipeline import Options, process_input
from cleancorp.read import InputFile

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"
PAGES = sorted((Path(__file__).resolve().parent / "data" / "articles" / "html").glob("*.htm*"))[:6]


def load_speed():
    spec = importlib.util.spec_from_file_location("speed_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name[:12])
def test_each_copy_has_its_own_bytes_and_cleans_to_the_original_body(tmp_path, page):
    speed = load_speed()
    original = tmp_path / "original" / page.name
    original.parent.mkdir()
    shutil.copyfile(page, original)
    copies = []
    for number in (0, 1, 2):
        copy = tmp_path / f"{number:03d}" / page.name
        copy.parent.mkdir()
        copy.write_bytes(speed.distinct_copy(page, number))
        copies.append(copy)
    assert speed.distinct_copy(page, 1) == copies[1].read_bytes()  # the same copy every time

    def cleaned(path: Path):
        return process_input(InputFile(path, Path(page.name)), Options())

    reference = cleaned(original)
    assert reference.error is None and reference.body
    digests = {reference.source_sha256}
    for copy in copies:
        doc = cleaned(copy)
        # The reuse of a recent input's result goes by this digest: each copy must have its own.
        digests.add(doc.source_sha256)
        assert doc.body == reference.body
        assert doc.meta.unpacked() == reference.meta.unpacked()
    assert len(digests) == 4
