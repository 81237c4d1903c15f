"""Find input files under RAW and read their bytes into :class:`Document` objects.

>>> input_id(Path("news/2020/story.html.gz"))
'news/2020/story'
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .document import Document

FORMATS = {".txt": "text", ".html": "html", ".htm": "html"}
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # a 16 MB single-line text peaks near 600 MB while cleaned


@dataclass(frozen=True, slots=True, init=False)
class InputFile:
    """One input: where it is, and its path below RAW (which names its outputs).

    Kept as strings: a run holds one for every file under RAW, unchanged ones too, and two Path
    objects took ~1 KB where the strings take ~0.2.

    >>> item = InputFile(Path("/data/raw/2020/a.txt"), Path("2020/a.txt"))
    >>> item.path, item.relative, item.id
    (PosixPath('/data/raw/2020/a.txt'), PosixPath('2020/a.txt'), '2020/a')
    """

    _path: str
    _relative: str

    def __init__(self, path: Path, relative: Path) -> None:
        object.__setattr__(self, "_path", os.fspath(path))
        object.__setattr__(self, "_relative", os.fspath(relative))

    @property
    def path(self) -> Path:
        return Path(self._path)

    @property
    def relative(self) -> Path:
        return Path(self._relative)

    @property
    def id(self) -> str:
        return input_id(self.relative)

    @property
    def format(self) -> str:
        return input_format(self.relative)


def input_format(relative: Path) -> str:
    """``text`` or ``html``, from the name with any ``.gz`` removed."""
    name = relative.name[:-3] if relative.name.endswith(".gz") else relative.name
    return FORMATS[Path(name).suffix.lower()]


def input_id(relative: Path) -> str:
    """The document id: the relative path without its format extension(s), with ``/``."""
    name = relative.name[:-3] if relative.name.endswith(".gz") else relative.name
    stem = name[: -len(Path(name).suffix)]
    return (relative.parent / stem).as_posix().removeprefix("./")


def is_input(name: str) -> bool:
    base = name[:-3] if name.endswith(".gz") else name
    return not name.startswith(".") and Path(base).suffix.lower() in FORMATS


def find_inputs(raw: Path, exclude: Path | None = None) -> Iterator[InputFile]:
    """Every input file below ``raw``, in sorted order, skipping hidden entries and ``exclude``.

    Symlinked directories are not followed, so a link loop cannot hang the walk.
    """
    raw = raw.resolve()
    excluded = exclude.resolve() if exclude is not None else None
    for directory, subdirs, files in os.walk(raw, followlinks=False):
        here = Path(directory)
        subdirs[:] = sorted(
            d for d in subdirs if not d.startswith(".") and (excluded is None or here / d != excluded)
        )
        for name in sorted(files):
            if is_input(name):
                path = here / name
                yield InputFile(path, path.relative_to(raw))


def read_document(item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one input's bytes (decompressing ``.gz``); failures become a document error."""
    relative = item.relative  # one Path for the names below: each costs a few microseconds
    doc = Document(id=input_id(relative), source=display_path(relative), format=input_format(relative))
    if not is_utf8(item._relative):
        doc.fail(
            f"file name is not valid UTF-8 ({doc.source}); rename it, e.g. convmv -f latin1 -t utf8 --notest"
        )
        return doc
    try:
        with open(item._path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_size > max_bytes:
                doc.fail(f"file is {status.st_size:,} bytes, over the --max-bytes limit of {max_bytes:,}")
                return doc
            data = handle.read(max_bytes + 1)
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


def is_utf8(text: str) -> bool:
    """False for names the file system gave as undecodable bytes (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(relative: Path | str) -> str:
    """The path as text that JSON and SQLite can hold: undecodable bytes become ``\\xNN``.

    >>> display_path(Path(os.fsdecode(b"caf\\xe9.txt")))
    'caf\\\\xe9.txt'
    """
    raw = os.fsencode(Path(relative).as_posix())
    return raw.decode("utf-8", errors="backslashreplace")


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        out = stream.read(max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"gzip content is over the --max-bytes limit of {max_bytes:,}")
    return out
