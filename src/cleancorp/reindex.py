"""The index and the files in CLEAN: the block evidence a kept story adds, earlier runs' bodies
for exact verification, rebuilding the index from the sidecars, and the clusters of all runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from .dedup import DedupSettings
from .index import INDEX_NAME, CorpusIndex, IndexParams
from .language import block_key
from .memo import Remembered
from .repeated import NOT_EVIDENCE
from .signing import Signed, shingle_array, sign
from .write import iter_sidecars


class EarlierRuns:
    """The index as :class:`cleancorp.dedup.KeptEarlier`: candidates from stored bands, shingles
    from the kept bodies in CLEAN. Ids re-cleaned in this run are left out: they are replaced."""

    def __init__(self, index: CorpusIndex, clean: Path, settings: DedupSettings, exclude: set[str]) -> None:
        self.index, self.clean, self.settings, self.exclude = index, clean, settings, exclude
        self.empty = index.is_empty()  # a first run: nothing to look up (the index is not changed
        # before the run's decisions are made)
        # A story kept earlier is the candidate of each of its reprints, in both dedup passes.
        self._shingles: Remembered[str, np.ndarray | None] = Remembered(EARLIER_BODIES_REMEMBERED)

    def candidates(self, band_keys: Iterable[tuple[int, int]]) -> list[str]:
        if self.empty:
            return []
        return [c for c in self.index.candidates(band_keys) if c not in self.exclude]

    def shingles_of(self, doc_id: str) -> np.ndarray | None:
        """The shingles of a kept body in CLEAN, as :func:`~cleancorp.signing.shingle_array`
        (sorted, unique), or None if it is gone."""
        return self._shingles.get_or(doc_id, lambda: self._read_shingles(doc_id))

    def _read_shingles(self, doc_id: str) -> np.ndarray | None:
        try:
            body = (self.clean / f"{doc_id}.txt").read_text(encoding="utf-8")
        except OSError:
            return None  # the body was deleted by hand: nothing to verify against
        return shingle_array(body, self.settings.shingle_size)


# Shingle arrays of earlier runs' bodies: ~2.9 KB for a 4.8 KB body, so about 12 MB at most.
EARLIER_BODIES_REMEMBERED = 4096


T = TypeVar("T")  # a block's text or key
EDGE_BLOCKS = 10  # boilerplate that survives cleaning sits near the ends of a body
MAX_REMOVED_EVIDENCE = 40  # removed blocks a document adds to the block evidence


def edge_blocks(blocks: Sequence[T]) -> list[T]:
    blocks = list(blocks)
    return blocks if len(blocks) <= 2 * EDGE_BLOCKS else blocks[:EDGE_BLOCKS] + blocks[-EDGE_BLOCKS:]


def block_evidence(body_blocks: Sequence[T], removed: Iterable[tuple[str, T]]) -> list[T]:
    """The blocks (texts or keys) a kept story adds to the index: the edges of its body and what
    cleaning removed from it ((category, block) pairs), per-story lines like bylines aside."""
    return evidence_of(body_blocks, [text for category, text in removed if category not in NOT_EVIDENCE])


def evidence_of(body_blocks: Sequence[T], dropped: Sequence[T]) -> list[T]:
    """:func:`block_evidence` of removed blocks that all count as evidence."""
    return edge_blocks(body_blocks) + list(dropped[:MAX_REMOVED_EVIDENCE])


def document_entry(doc_id: str, signed: Signed) -> tuple[str, int, np.ndarray]:
    return doc_id, signed.chars, signed.band_keys


def rebuild(clean: Path, settings: DedupSettings) -> int:
    """Build the index again from the sidecars and bodies in ``clean``; returns documents indexed."""
    state = clean / ".cleancorp"
    for suffix in ("", "-wal", "-shm"):
        (state / (INDEX_NAME + suffix)).unlink(missing_ok=True)
    entries, seen = [], []
    for sidecar_path, sidecar in iter_sidecars(clean):
        if sidecar.get("status") != "kept":
            continue
        try:
            body = sidecar_path.with_suffix(".txt").read_text(encoding="utf-8")
        except (OSError, ValueError):
            continue
        doc_id = sidecar["id"]
        entries.append(document_entry(doc_id, sign(body, settings)))
        texts = [block for block in body.split("\n\n") if block.strip()]
        removed = [(r.get("category", ""), r.get("text", "")) for r in sidecar.get("removed", [])]
        seen += [(block_key(text), doc_id) for text in block_evidence(texts, removed)]
    with CorpusIndex.open(state, IndexParams.of(settings), clean) as index:
        index.add_documents(entries)
        index.add_blocks(seen)
    return len(entries)


def read_clusters(clean: Path) -> list[dict[str, object]]:
    """Clusters of more than one document, from the sidecars in ``clean`` (all runs), largest
    first: the kept document and each duplicate with its similarity to it."""
    members: dict[str, list[dict[str, object]]] = {}
    for _, sidecar in iter_sidecars(clean):
        if sidecar.get("cluster") and sidecar.get("status") in ("kept", "duplicate"):
            members.setdefault(sidecar["cluster"], []).append(
                {"id": sidecar["id"], "status": sidecar["status"], "similarity": sidecar.get("similarity")}
            )
    clusters = [
        {
            "cluster": cluster,
            "size": len(group),
            "members": sorted(group, key=lambda m: (m["status"] != "kept", m["id"])),
        }
        for cluster, group in members.items()
        if len(group) > 1
    ]
    return sorted(clusters, key=lambda c: (-int(c["size"]), str(c["cluster"])))  # type: ignore[call-overload]
