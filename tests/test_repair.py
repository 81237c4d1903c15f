import json

import ftfy
import ftfy.bad_codecs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cleancorp.repair import TEXT_CONFIG, fix_unicode, normalize_line, repair_text

from .conftest import DATA, RAW

CASES = json.loads((DATA / "repair_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_repairs(case):
    text, fixes = repair_text(case["in"])
    assert text == case["out"]
    for fix in case["fixes"]:
        assert fix in fixes


def test_mojibake_copy_of_a_seed_repairs_to_the_original():
    original = (RAW / "004_e21098fcdc1863f3.txt").read_text(encoding="utf-8")
    damaged = original.encode("utf-8").decode("sloppy-windows-1252")
    assert repair_text(damaged)[0] == repair_text(original)[0]


@given(st.text())
def test_ascii_shortcut_matches_ftfy(text):
    """Lines skipped as 'nothing to fix' must be exactly what ftfy would return."""
    assert fix_unicode(text)[0] == ftfy.fix_text(text, TEXT_CONFIG._replace(explain=False))


@given(st.text())
@example("\xa0×²")  # ftfy fixed "×²" only once the edge space was gone: a second run changed it
def test_repair_is_idempotent(text):
    once = repair_text(text)[0]
    assert repair_text(once)[0] == once


@given(st.text())
def test_normalized_lines_have_no_edge_or_double_spaces(text):
    line = normalize_line(text.replace("\n", " "))
    assert line == line.strip()
    assert "  " not in line
