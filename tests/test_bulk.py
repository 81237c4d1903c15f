"""Many rows a statement: the same rows, in the same order, as one statement a row."""

import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp import bulk

# Around a statement's rows and a batch of statements' worth (GROUPS_AT_ONCE statements).
BATCH = bulk.ROWS_PER_STATEMENT * bulk.GROUPS_AT_ONCE
COUNTS = [0, 1, 2, 99, 100, 101, 250, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + 37]


def table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a INTEGER, b, c TEXT)")
    return db


@pytest.mark.parametrize("count", COUNTS)
def test_insert_rows_puts_every_row_in_its_order(count):
    rows = [(n, n * 3 if n % 2 else None, f"row {n}") for n in range(count)]
    db = table()
    bulk.insert_rows(db, "INSERT INTO t", iter(rows))
    assert db.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == rows


@pytest.mark.parametrize("count", COUNTS)
def test_insert_columns_puts_every_row_in_its_order(count):
    first = np.arange(count, dtype=np.uint32)[::-1]
    second = np.arange(count, dtype=np.int64) - (1 << 62)
    db = table()
    bulk.insert_columns(db, "INSERT INTO t (a, b)", first, second)
    rows = db.execute("SELECT a, b FROM t ORDER BY rowid").fetchall()
    assert rows == list(zip(first.tolist(), second.tolist(), strict=True))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-(2**63), 2**63 - 1), st.integers(0, 9)), max_size=450))
def test_insert_or_ignore_keeps_the_first_of_equal_rows_as_executemany_does(rows):
    one_by_one, grouped = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for db in (one_by_one, grouped):
        db.execute("CREATE TABLE k (key INTEGER PRIMARY KEY, n INTEGER)")
    one_by_one.executemany("INSERT OR IGNORE INTO k VALUES (?, ?)", rows)
    bulk.insert_rows(grouped, "INSERT OR IGNORE INTO k", rows)
    query = "SELECT key, n FROM k ORDER BY key"
    assert grouped.execute(query).fetchall() == one_by_one.execute(query).fetchall()
