import gzip
import os
import queue
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cleancorp.read
from cleancorp.read import (
    FORMATS,
    InputFile,
    Prefetch,
    advise_will_read,
    display_path,
    find_inputs,
    input_format,
    input_id,
    read_document,
)


def make(root: Path, name: str, data: bytes = b"text") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_walks_sorted_and_skips_hidden_and_unknown(tmp_path):
    for name in [
        "b.txt",
        "a.html",
        "sub/c.htm",
        "sub/d.txt.gz",
        ".hidden.txt",
        ".git/e.txt",
        "notes.md",
        "x.pdf",
    ]:
        make(tmp_path, name)
    found = [item.relative.as_posix() for item in find_inputs(tmp_path)]
    assert found == ["a.html", "b.txt", "sub/c.htm", "sub/d.txt.gz"]


def test_output_folder_inside_raw_is_skipped(tmp_path):
    make(tmp_path, "a.txt")
    make(tmp_path, "clean/a.txt")
    assert [i.relative.as_posix() for i in find_inputs(tmp_path, exclude=tmp_path / "clean")] == ["a.txt"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b.txt", "a/b"), ("story.html.gz", "story"), ("x.y.HTM", "x.y"), ("deep/er/n.txt.gz", "deep/er/n")],
)
def test_ids_drop_format_extensions(name, expected):
    assert input_id(Path(name)) == expected


def test_reads_gzip_and_hashes_raw_bytes(tmp_path):
    data = gzip.compress(b"hello world")
    path = make(tmp_path, "a.txt.gz", data)
    doc = read_document(InputFile(path, Path("a.txt.gz")))
    assert doc.data == b"hello world"
    assert doc.format == "text"
    import hashlib

    assert doc.source_sha256 == hashlib.sha256(data).hexdigest()


def test_corrupt_gzip_is_a_document_error(tmp_path):
    path = make(tmp_path, "a.html.gz", b"\x1f\x8b\x08\x00garbage")
    doc = read_document(InputFile(path, Path("a.html.gz")))
    assert doc.failed and doc.error.startswith("corrupt gzip file")


def test_size_limit(tmp_path):
    path = make(tmp_path, "big.txt", b"x" * 2000)
    doc = read_document(InputFile(path, Path("big.txt")), max_bytes=1000)
    assert doc.failed and "--max-bytes" in doc.error


@pytest.mark.parametrize("size", [0, 3, 4999, 5000, 70_000, 76_800])  # 76,800: its size
def test_a_file_is_read_to_its_end_whatever_size_it_had(tmp_path, size):
    """The size from fstat is a first guess: a file that grew since is read to its end, and one
    of that size is read in one call."""
    data = bytes(range(256)) * 300
    path = make(tmp_path, "growing.txt", data)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with patch.object(cleancorp.read.os, "read", wraps=os.read) as reads:
            assert cleancorp.read._read_all(descriptor, size, len(data) + 1) == data
        assert (reads.call_count == 1) == (size == len(data))  # else one more read finds the end
        os.lseek(descriptor, 0, os.SEEK_SET)
        assert cleancorp.read._read_all(descriptor, size, 1001) == data[:1001]  # the limit, then stop
    finally:
        os.close(descriptor)


def test_a_directory_named_like_an_input_is_a_document_error(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    doc = read_document(InputFile(tmp_path / "folder.txt", Path("folder.txt")))
    assert doc.error == "cannot read file: Is a directory"


def test_vanished_file(tmp_path):
    doc = read_document(InputFile(tmp_path / "gone.txt", Path("gone.txt")))
    assert doc.error == "file vanished before it could be read"


def test_unreadable_file(tmp_path, monkeypatch):
    # Tests may run as root, whom chmod 000 does not stop: refuse the open itself.
    path = make(tmp_path, "locked.txt")

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if os.fspath(name) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(cleancorp.read.os, "open", refuse)
    doc = read_document(InputFile(path, Path("locked.txt")))
    assert doc.error == "cannot read file: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(tmp_path):
    path = make(tmp_path, "locked.txt")
    path.chmod(0)
    doc = read_document(InputFile(path, Path("locked.txt")))
    assert doc.error == "cannot read file: Permission denied"


def path_input_id(relative: Path) -> str:
    """How ids were made with Path objects, before they were made from strings."""
    name = relative.name[:-3] if relative.name.endswith(".gz") else relative.name
    stem = name[: -len(Path(name).suffix)]
    return (relative.parent / stem).as_posix().removeprefix("./")


NAME_PART = st.text(st.sampled_from("ab.-_ é\udce9"), min_size=1, max_size=6).filter(
    lambda part: part not in (".", "..")
)


@given(
    st.lists(NAME_PART, max_size=3),
    NAME_PART,
    st.sampled_from([*sorted(FORMATS), ".TXT", ".Html"]),
    st.booleans(),
)
def test_names_from_strings_match_the_path_ones(folders, stem, suffix, gzipped):
    relative = Path(*folders, stem + suffix + (".gz" if gzipped else ""))
    item = InputFile(Path("/raw") / relative, relative)
    assert item.relative == relative and item.posix == relative.as_posix()
    assert item.key == os.fsencode(relative.as_posix())
    assert item.id == input_id(relative) == path_input_id(relative)
    assert (
        item.format
        == input_format(relative)
        == FORMATS[Path(relative.name.removesuffix(".gz")).suffix.lower()]
    )
    assert display_path(item.posix) == display_path(relative)


def test_walk_gives_relative_paths_with_slashes(tmp_path):
    make(tmp_path, "top.txt")
    make(tmp_path, "a/b/deep.html.gz", gzip.compress(b"<p>x</p>"))
    items = list(find_inputs(tmp_path))
    assert [(i.posix, i.id, i.format) for i in items] == [
        ("top.txt", "top", "text"),
        ("a/b/deep.html.gz", "a/b/deep", "html"),
    ]
    assert all(i.path == tmp_path.resolve() / i.relative for i in items)


def test_prefetch_asks_for_no_more_than_it_may_ahead_of_the_reads(tmp_path):
    items = [InputFile(tmp_path / f"{n}.txt", Path(f"{n}.txt")) for n in range(10)]
    asked: queue.Queue[str] = queue.Queue()
    with Prefetch(items, ahead=3, advise=asked.put) as prefetch:
        first = [asked.get(timeout=10) for _ in range(3)]
        with pytest.raises(queue.Empty):  # it waits for a read
            asked.get(timeout=0.2)
        for _ in range(7):
            prefetch.done()
        rest = [asked.get(timeout=10) for _ in range(7)]
    assert first + rest == [item._path for item in items]


def test_prefetch_stops_with_its_run_even_while_waiting_for_room(tmp_path):
    items = [InputFile(tmp_path / f"{n}.txt", Path(f"{n}.txt")) for n in range(100)]
    asked: queue.Queue[str] = queue.Queue()
    with Prefetch(items, ahead=2, advise=asked.put) as prefetch:
        [asked.get(timeout=10) for _ in range(2)]
    assert not prefetch._thread.is_alive()
    assert asked.empty()


def test_prefetch_of_a_fifo_a_folder_or_a_missing_file_neither_blocks_nor_fails(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # opened for reading without a writer: a blocking open would hang
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "real.txt").write_text("text")
    names = ["pipe.txt", "folder.txt", "missing.txt", "real.txt"]
    items = [InputFile(tmp_path / name, Path(name)) for name in names]
    asked: queue.Queue[str] = queue.Queue()

    cached: dict[str, bool] = {}

    def advise_and_tell(path: str) -> bool:
        cached[path] = advise_will_read(path)  # returns, whatever the file
        asked.put(path)
        return cached[path]

    with Prefetch(items, advise=advise_and_tell):
        assert [asked.get(timeout=10) for _ in names] == [item._path for item in items]
    # Only the file just written is known to be in the page cache (where the kernel can say).
    assert [cached[item._path] for item in items] == [False, False, False, hasattr(os, "RWF_NOWAIT")]


def test_prefetch_wakes_for_a_sixteenth_of_its_room_at_a_time(tmp_path):
    items = [InputFile(tmp_path / f"{n}.txt", Path(f"{n}.txt")) for n in range(40)]
    asked: queue.Queue[str] = queue.Queue()
    with Prefetch(items, ahead=32, advise=asked.put) as prefetch:
        assert len([asked.get(timeout=10) for _ in range(32)]) == 32
        prefetch.done()
        with pytest.raises(queue.Empty):  # one read does not give the room back yet
            asked.get(timeout=0.2)
        prefetch.done()
        assert [asked.get(timeout=10) for _ in range(2)] == [items[32]._path, items[33]._path]


def test_prefetch_looks_at_few_inputs_while_they_are_all_cached(tmp_path):
    from cleancorp.read import CACHED_IN_A_ROW as ROW

    items = [InputFile(tmp_path / f"{n}.txt", Path(f"{n}.txt")) for n in range(7 * ROW)]
    not_cached = {items[4 * ROW]._path}
    asked: list[str] = []

    def advise(path: str) -> bool:
        asked.append(path)
        return path not in not_cached

    with Prefetch(items, ahead=len(items), advise=advise) as prefetch:
        prefetch._thread.join(timeout=10)
    looked_at = [int(Path(path).stem) for path in asked]
    after_the_miss = list(range(4 * ROW + 1, 5 * ROW + 1))  # each again, until a row is cached
    assert looked_at == [*range(ROW + 1), 2 * ROW, 3 * ROW, 4 * ROW, *after_the_miss, 6 * ROW]
