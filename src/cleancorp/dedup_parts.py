"""A deduplication pass in two parts that share no band key, one decided in a forked process.

A pass checks documents one after the other, each against the documents kept before it, so it
looks serial; but a document's candidates are only documents it shares a band key with, and so
its verdict depends only on the documents linked to it through shared keys
(:meth:`~cleancorp.dedup.SharedBands.parts`). Two parts with no key in common are two passes that
cannot affect each other: a forked child decides one while this process decides the other, each
in the pass's order, and the verdicts are those of one pass over all of them. On 80,000 documents
that is most of the corpus stage, which otherwise leaves the second core idle.

If the child fails, its part is decided here afterwards: the result never depends on it.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection

from .dedup import Match, NearDuplicates
from .signing import Signed

FORK = "fork" in multiprocessing.get_all_start_methods()
# Fewest documents a pass is split for, half of them in each part: the second pass on the 80,338
# documents (4,221, and one part of 179) took 0.2 s in one process, too little to share.
MIN_DOCUMENTS = 4000

Checked = tuple[list[Match | None], list[tuple[tuple[int, int], Match | None]]]


def check_in_parts(
    finder: NearDuplicates,
    signed: Sequence[tuple[str, Signed]],
    part_of: Mapping[str, int],
    min_documents: int | None = None,
) -> list[Match | None]:
    """``finder.check_signed`` of every (id, signed body) in order; those of part 1 (ids not in
    ``part_of`` are in part 0) in a forked child, if there are enough of them to be worth it.
    ``finder.verdicts`` gets the child's comparisons too. ``min_documents``: the fewest documents
    worth a child (:data:`MIN_DOCUMENTS`), half of them in each part."""
    min_documents = MIN_DOCUMENTS if min_documents is None else min_documents
    theirs = [number for number, (doc_id, _) in enumerate(signed) if part_of.get(doc_id, 0) == 1]
    ours = sorted(set(range(len(signed))) - set(theirs))
    if not FORK or min(len(ours), len(theirs)) < min_documents // 2:  # too few, or one story's copies
        return [finder.check_signed(doc_id, body) for doc_id, body in signed]
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_check_and_send,
        args=(finder, [signed[number] for number in theirs], send),
        name="cleancorp-dedup-part",
    )
    child.start()
    send.close()  # the child holds its end: a child that dies closes the pipe
    matches: list[Match | None] = [None] * len(signed)
    for number in ours:
        matches[number] = finder.check_signed(*signed[number])
    try:
        checked: Checked | None = receive.recv()
    except EOFError:
        checked = None
    finally:
        receive.close()
        child.join()
    if checked is None or child.exitcode:
        for number in theirs:  # decided here, after our part: the two share no candidate
            matches[number] = finder.check_signed(*signed[number])
        return matches
    their_matches, their_verdicts = checked
    for number, match in zip(theirs, their_matches, strict=True):
        matches[number] = match
    if finder.verdicts is not None:
        finder.verdicts.update(their_verdicts)
    return matches


def _check_and_send(finder: NearDuplicates, signed: list[tuple[str, Signed]], send: Connection) -> None:
    """In the forked child: decide ``signed`` and send the matches and the new comparisons."""
    gc.disable()  # a collection would touch every object inherited, copying their pages
    made_before = len(finder.verdicts) if finder.verdicts is not None else 0
    matches = [finder.check_signed(doc_id, body) for doc_id, body in signed]
    verdicts = finder.verdicts or {}
    send.send((matches, list(itertools.islice(verdicts.items(), made_before, None))))  # dicts keep order
    send.close()
