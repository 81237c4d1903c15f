"""``benchmarks/speed.py``'s HTML measurement cleans every copy of a page, not a remembered result."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from cleancorp.document import Document
from cleancorp.pipeline import Options, process_input
from cleancorp.read import InputFile

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "speed.py"
PAGES = sorted((Path(__file__).resolve().parent / "data" / "articles" / "html").glob("*.htm*"))


@pytest.fixture(scope="module")
def speed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("speed_benchmark", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cleaned(path: Path) -> Document:
    return process_input(InputFile(path, Path(path.name)), Options())


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name[:12])
def test_each_copy_has_its_own_bytes_and_cleans_to_the_original_body(tmp_path, speed, page):
    reference = cleaned(page)
    assert reference.error is None and reference.body
    digests = {reference.source_sha256}
    for number in (0, 1, 2):
        copy = tmp_path / f"{number:03d}" / page.name
        copy.parent.mkdir()
        copy.write_bytes(speed.distinct_copy(page, number))
        assert speed.distinct_copy(page, number) == copy.read_bytes()  # the same copy every time
        doc = cleaned(copy)
        # The reuse of a recent input's result goes by this digest: each copy must have its own.
        digests.add(doc.source_sha256)
        assert doc.body == reference.body
        assert doc.meta.unpacked() == reference.meta.unpacked()
    assert len(digests) == 4
