"""Find input files under RAW and read their bytes into :class:`Document` objects.

>>> input_id(Path("news/2020/story.html.gz"))
'news/2020/story'
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from .document import Document

FORMATS = {".txt": "text", ".html": "html", ".htm": "html"}
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # a 16 MB single-line text peaks near 600 MB while cleaned


@dataclass(frozen=True, slots=True, init=False)
class InputFile:
    """One input: where it is, and its path below RAW (which names its outputs).

    Kept as strings (the relative path with ``/``): a run holds one for every file under RAW,
    unchanged ones too, and two Path objects took ~1 KB where the strings take ~0.2. Its names
    are worked out from the strings too: a Path costs microseconds, which add up to seconds
    over a hundred thousand inputs.

    >>> item = InputFile(Path("/data/raw/2020/a.txt"), Path("2020/a.txt"))
    >>> item.path, item.relative, item.id, item.posix, item.key
    (PosixPath('/data/raw/2020/a.txt'), PosixPath('2020/a.txt'), '2020/a', '2020/a.txt', b'2020/a.txt')
    """

    _path: str
    posix: str  # the path below RAW, with ``/``

    def __init__(self, path: str | Path, relative: str | Path) -> None:
        relative = os.fspath(relative)
        if os.sep != "/" or "//" in relative or relative.startswith("./"):  # as Path would spell it
            relative = PurePath(relative).as_posix()
        object.__setattr__(self, "_path", os.fspath(path))
        object.__setattr__(self, "posix", relative)

    @property
    def path(self) -> Path:
        return Path(self._path)

    def __fspath__(self) -> str:
        """Its path, for ``os`` functions: making a Path costs microseconds for every input.

        >>> os.fspath(InputFile("/data/raw/a.txt", "a.txt"))
        '/data/raw/a.txt'
        """
        return self._path

    @property
    def relative(self) -> Path:
        return Path(self.posix)

    @property
    def id(self) -> str:
        return input_id(self.posix)

    @property
    def key(self) -> bytes:
        """The path below RAW as bytes (the manifest's key: a file name need not be UTF-8)."""
        return os.fsencode(self.posix)

    @property
    def format(self) -> str:
        return input_format(self.posix)


def _name_and_suffix(relative: str | PurePath) -> tuple[str, str, str]:
    """(folder, name without ``.gz``, its suffix as Path gives it), of a ``/`` path."""
    folder, _, name = (relative.as_posix() if isinstance(relative, PurePath) else relative).rpartition("/")
    if name.endswith(".gz"):
        name = name[:-3]
    dot = name.rfind(".")
    return folder, name, name[dot:] if 0 < dot < len(name) - 1 else ""


def input_format(relative: str | PurePath) -> str:
    """``text`` or ``html``, from the name with any ``.gz`` removed."""
    return FORMATS[_name_and_suffix(relative)[2].lower()]


def input_id(relative: str | PurePath) -> str:
    """The document id: the relative path without its format extension(s), with ``/``.

    >>> input_id("a.txt"), input_id(Path("x/b.HTML.gz")), input_id("c.d.htm")
    ('a', 'x/b', 'c.d')
    """
    folder, name, suffix = _name_and_suffix(relative)
    stem = name[: len(name) - len(suffix)]
    return f"{folder}/{stem}".removeprefix("./") if folder else stem


def is_input(name: str) -> bool:
    base = name[:-3] if name.endswith(".gz") else name
    return not name.startswith(".") and os.path.splitext(base)[1].lower() in FORMATS


def find_inputs(raw: Path, exclude: Path | None = None) -> Iterator[InputFile]:
    """Every input file below ``raw``, in sorted order, skipping hidden entries and ``exclude``.

    Symlinked directories are not followed, so a link loop cannot hang the walk.
    """
    root = os.fspath(raw.resolve())
    excluded = os.fspath(exclude.resolve()) if exclude is not None else None
    for directory, subdirs, files in os.walk(root, followlinks=False):
        subdirs[:] = sorted(
            d for d in subdirs if not d.startswith(".") and os.path.join(directory, d) != excluded
        )
        below = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if below == "." else below + "/"
        for name in sorted(files):
            if is_input(name):
                yield InputFile(os.path.join(directory, name), prefix + name)


def read_document(item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one input's bytes (decompressing ``.gz``); failures become a document error."""
    relative = item.posix
    doc = Document(id=input_id(relative), source=display_path(relative), format=input_format(relative))
    if not is_utf8(relative):
        doc.fail(
            f"file name is not valid UTF-8 ({doc.source}); rename it, e.g. convmv -f latin1 -t utf8 --notest"
        )
        return doc
    try:
        descriptor = os.open(item._path, os.O_RDONLY)
        try:
            status = os.fstat(descriptor)
            if status.st_size > max_bytes:
                doc.fail(f"file is {status.st_size:,} bytes, over the --max-bytes limit of {max_bytes:,}")
                return doc
            data = _read_all(descriptor, status.st_size, max_bytes + 1)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        doc.fail("file vanished before it could be read")
        return doc
    except OSError as exc:
        doc.fail(f"cannot read file: {exc.strerror or exc}")
        return doc
    if len(data) > max_bytes:  # it grew while being read
        doc.fail(f"file is over the --max-bytes limit of {max_bytes:,}")
        return doc
    doc.source_sha256 = hashlib.sha256(data).hexdigest()
    doc.source_size, doc.source_mtime_ns = len(data), status.st_mtime_ns
    if item._path.endswith(".gz"):
        try:
            data = _gunzip(data, max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            doc.fail(f"corrupt gzip file: {exc}")
            return doc
        except ValueError as exc:
            doc.fail(str(exc))
            return doc
    doc.data = data
    return doc


PREFETCH_AHEAD = 1024  # inputs asked for ahead of the last one cleaned: more than the workers hold
# Inputs read from the page cache need no asking (a scrape just written, a second run): after this
# many in a row, only one input in this many is looked at, until one is not there.
CACHED_IN_A_ROW = 64
_NOWAIT = getattr(os, "RWF_NOWAIT", None)


def advise_will_read(path: str) -> bool:
    """Ask the kernel to start reading ``path`` into its page cache, and return at once: True if
    its start was in the page cache already (then nothing was asked), False if not or unknown.

    Opened without blocking (a FIFO among the inputs must not hang this); any failure is left for
    the reader of the file to report.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if _NOWAIT is not None:
            with contextlib.suppress(OSError):  # BlockingIOError: not cached; others: cannot tell
                return os.preadv(descriptor, [bytearray(1)], 0, _NOWAIT) >= 0
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(descriptor)
    return False


class Prefetch:
    """Has the next inputs read from disk while the current ones are cleaned.

    Inputs that are not in the page cache cost a worker a wait on the disk for each file (about
    100 us here, the core idle meanwhile); a thread asks the kernel for the files ahead of the
    workers, at most ``ahead`` beyond the last one :meth:`done` counted, so a corpus larger than
    the page cache does not evict itself. Where the system has no ``posix_fadvise``, nothing is done.

    The thread is woken once for every sixteenth of ``ahead`` inputs read, not for each; and
    once ``CACHED_IN_A_ROW`` inputs in a row were cached already, it looks at only one input in
    that many until one is not (asking costs the run's process ~8 us an input, for nothing when
    they are all cached).

    >>> import queue
    >>> asked = queue.Queue()
    >>> items = [InputFile(Path(f"/raw/{n}.txt"), Path(f"{n}.txt")) for n in range(5)]
    >>> with Prefetch(items, ahead=2, advise=asked.put) as prefetch:
    ...     first_two = [asked.get(timeout=10) for _ in range(2)]
    ...     prefetch.done()  # one input was read: one more may be asked for
    ...     third = asked.get(timeout=10)
    >>> first_two, third, asked.empty()
    (['/raw/0.txt', '/raw/1.txt'], '/raw/2.txt', True)
    """

    def __init__(
        self,
        items: Sequence[InputFile],
        ahead: int = PREFETCH_AHEAD,
        advise: Callable[[str], bool | None] | None = None,
    ) -> None:
        self._paths = [item._path for item in items]
        self._advise = advise or (advise_will_read if hasattr(os, "posix_fadvise") else None)
        self._room = threading.Semaphore(ahead)
        self._release_every = max(1, ahead // 16)
        self._read = 0  # since room was last given back
        self._stopped = False
        self._thread = threading.Thread(target=self._ask, name="cleancorp-prefetch", daemon=True)

    def _ask(self) -> None:
        cached_in_a_row = 0
        for number, path in enumerate(self._paths):
            self._room.acquire()
            if self._stopped:
                return
            if cached_in_a_row >= CACHED_IN_A_ROW and number % CACHED_IN_A_ROW:
                continue
            cached = self._advise(path)  # type: ignore[misc]  # only started with one
            cached_in_a_row = cached_in_a_row + 1 if cached else 0

    def done(self) -> None:
        """One more input was read: the thread may ask for one more."""
        self._read += 1
        if self._read >= self._release_every:
            self._room.release(self._read)
            self._read = 0

    def __enter__(self) -> Prefetch:
        if self._advise is not None and self._paths:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped = True
        self._room.release()  # wakes the thread if it waits for room
        if self._thread.is_alive():
            self._thread.join()


def _read_all(descriptor: int, size: int, limit: int) -> bytes:
    """The file's bytes up to ``limit``, read to its end (it may have grown since ``size``).

    ``BufferedReader.read(limit)`` allocates ``limit`` bytes first: with the 16 MB default that
    cost four times the read of a news text. A first read that asked for a byte more than the
    size and got the size ends at the file's end: asking again only to be told so cost a third of
    a read's kernel time (9 of 27 us a file here).
    """
    chunks = [os.read(descriptor, min(size + 1, limit))]
    total = len(chunks[0])
    if total == size and size < limit:
        return chunks[0]
    while chunks[-1] and total < limit:
        chunks.append(os.read(descriptor, min(max(size, 1 << 16), limit - total)))
        total += len(chunks[-1])
    if not chunks[-1]:
        chunks.pop()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def is_utf8(text: str) -> bool:
    """False for names the file system gave as undecodable bytes (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(relative: PurePath | str) -> str:
    """The path as text that JSON and SQLite can hold: undecodable bytes become ``\\xNN``.

    >>> display_path(Path(os.fsdecode(b"caf\\xe9.txt")))
    'caf\\\\xe9.txt'
    """
    raw = os.fsencode(relative.as_posix() if isinstance(relative, PurePath) else relative)
    return raw.decode("utf-8", errors="backslashreplace")


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        out = stream.read(max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"gzip content is over the --max-bytes limit of {max_bytes:,}")
    return out
