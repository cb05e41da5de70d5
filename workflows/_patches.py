"""A workflow born with a set of patches asks for them once, as one baseline patch.

Each `workflow.patched()` a new run asks records a marker, and the SDK pairs each marker with a
search-attribute upsert (`TemporalChangeVersion`), a visibility write on the server: a new case
asked for five at its start and one more at its first action. A run whose first task records the
baseline's marker takes every patch the baseline names as applied without asking for it. A run
recorded before the baseline replays without its marker and asks for each patch as it did
(docs/patches.md). A patch added after a baseline is asked for on its own until the next one.
"""

from __future__ import annotations

from temporalio import workflow


class Patches:
    """`patches(name)` answers as `workflow.patched(name)` would, for the run's lifetime.

    `baselines` newest first: a new run records the newest's marker only; a run recorded with an
    older one finds that one's marker (the newer are not in its history, so they answer False)."""

    def __init__(self, *baselines: tuple[str, frozenset[str]]) -> None:
        # Asked in the run's first task, before any other command.
        self._covered: frozenset[str] = frozenset()
        for baseline, covers in baselines:
            if workflow.patched(baseline):
                self._covered = covers
                break

    def __call__(self, patch_id: str) -> bool:
        return patch_id in self._covered or workflow.patched(patch_id)
