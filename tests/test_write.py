"""Sidecars are the same bytes whether orjson (cleancorp[fast]) or the standard json writes them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp import write
from cleancorp.write import sidecar_json

pytest.importorskip("orjson")


def standard(fields: dict) -> str:
    return json.dumps(fields, ensure_ascii=False, indent=2) + "\n"


# Any text but lone surrogates (tested below): controls, quotes, backslashes, astral characters.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
REMOVAL = st.fixed_dictionaries(
    {"category": TEXT, "rule": TEXT, "text": TEXT}, optional={"count": st.integers(0, 10**9)}
)
SIDECAR = st.fixed_dictionaries(
    {
        "schema": st.integers(1, 3),
        "id": TEXT,
        "source_sha256": st.none() | TEXT,
        "status": st.sampled_from(["kept", "duplicate", "empty", "error"]),
        "title": st.none() | TEXT,
        "tags": st.lists(TEXT, max_size=4),
        "cluster": st.none() | TEXT,
        "similarity": st.none() | st.floats(0, 1).map(lambda x: round(x, 4)) | st.floats(0, 1e-4),
        "removed": st.lists(REMOVAL, max_size=4),
        "encoding": st.fixed_dictionaries(
            {"detected": st.none() | TEXT, "fixes": st.lists(TEXT, max_size=3)}
        ),
        "stats": st.dictionaries(TEXT, st.integers(-(2**53), 2**53), max_size=5),
    }
)


@settings(max_examples=500, deadline=None)
@given(SIDECAR)
def test_orjson_writes_the_bytes_json_writes(fields):
    assert sidecar_json(fields) == standard(fields)


def test_a_float_json_writes_with_an_exponent_takes_the_standard_path():
    fields = {"similarity": 1e-05}
    assert sidecar_json(fields) == standard(fields) == '{\n  "similarity": 1e-05\n}\n'


def test_a_lone_surrogate_takes_the_standard_path():
    fields = {"source": "caf\udce9.txt"}
    assert sidecar_json(fields) == standard(fields)


def test_without_orjson_the_standard_encoder_writes(monkeypatch):
    monkeypatch.setattr(write, "orjson", None)
    fields = {"id": "a", "removed": [{"category": "byline", "rule": "by", "text": "By Ann"}]}
    assert sidecar_json(fields) == standard(fields)
