"""Named crash points, so tests can prove that a run killed anywhere recovers.

``CLEANCORP_FAILPOINT=NAME:N`` makes the process kill itself with SIGKILL (no cleanup, no
``finally``: as a power cut or the OOM killer would) the N-th time it passes point ``NAME``.
The variable is read once per process (a run's writers pass three points a document, and
reading the environment each time was 2% of their time): set it before the process starts.
Points: ``cleaned`` (a document is cleaned), ``renaming`` (an output is written to its temporary
name, not yet renamed), ``written`` (a document's outputs are in place), ``committed`` (index and
manifest committed, report not yet).
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENVIRONMENT = "CLEANCORP_FAILPOINT"
_SPEC = os.environ.get(ENVIRONMENT, "")
_passed: Counter[str] = Counter()


def failpoint(name: str) -> None:
    if not _SPEC:
        return
    target, _, count = _SPEC.partition(":")
    if target != name:
        return
    _passed[name] += 1
    if _passed[name] == int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
