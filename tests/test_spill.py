"""The spill file gives back every record as it was put, whether it is still in the write buffer
or in the file, in this process or in a forked writer; and it writes a buffer at a time."""

from __future__ import annotations

import os
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleancorp import spill as spill_module
from cleancorp.spill import WRITE_BUFFER_BYTES, Spill

SMALL_BUFFER = 64  # records both smaller and larger than the buffer, and many flushes

RECORDS = st.lists(
    st.one_of(st.binary(max_size=40), st.binary(min_size=SMALL_BUFFER - 8, max_size=3 * SMALL_BUFFER)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, read_every=st.integers(1, 5))
def test_records_read_back_as_put_across_flushes(records, read_every):
    with pytest.MonkeyPatch.context() as patch, Spill() as spill:
        patch.setattr(spill_module, "WRITE_BUFFER_BYTES", SMALL_BUFFER)
        stored = []
        for number, data in enumerate(records):
            stored.append(spill.put(data))
            if number % read_every == 0:  # reads between puts: some records still in the buffer
                assert [s.read() for s in stored] == records[: number + 1]
        assert [s.read() for s in stored] == records
        assert [s.length for s in stored] == [len(data) for data in records]
        assert [s.offset for s in stored] == [sum(map(len, records[:n])) for n in range(len(records))]


@pytest.fixture
def writes(monkeypatch):
    """The sizes of the spill file's writes, in order."""
    sizes: list[int] = []
    real_pwrite = os.pwrite
    monkeypatch.setattr(
        os, "pwrite", lambda fd, data, offset: sizes.append(len(data)) or real_pwrite(fd, data, offset)
    )
    return sizes


def test_small_records_are_written_a_buffer_at_a_time(writes):
    record = b"x" * 1000
    count = 3 * WRITE_BUFFER_BYTES // len(record)
    with Spill() as spill:
        stored = [spill.put(record) for _ in range(count)]
        assert len(writes) == 2  # two full buffers; the rest waits in memory
        assert stored[0].read() == record and stored[-1].read() == record
        spill.flush()
        assert len(writes) == 3 and sum(writes) == count * len(record)
        assert stored[-1].read() == record  # now from the file


def test_a_record_as_large_as_the_buffer_is_written_without_being_buffered(writes):
    large = bytes(range(256)) * (WRITE_BUFFER_BYTES // 256)
    with Spill() as spill:
        small = spill.put(b"before")
        big = spill.put(large)
        assert writes == [len(b"before"), len(large)]  # the buffer first, so the file stays in order
        assert big.read() == large and small.read() == b"before"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the run's writers are forked")
def test_a_forked_writer_reads_records_still_in_the_buffer():
    with Spill() as spill:
        in_file = spill.put(b"a" * WRITE_BUFFER_BYTES)
        buffered = spill.put(b"still buffered")
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                os.write(writing, pickle.dumps((in_file.read()[:3], buffered.read())))
            finally:  # never back into pytest in the child
                os._exit(0)
        os.close(writing)
        with os.fdopen(reading, "rb") as answer:
            assert pickle.loads(answer.read()) == (b"aaa", b"still buffered")
        os.waitpid(child, 0)
