"""One instance of each equal immutable value a process decodes again and again.

Every workflow carries in its input the same few holiday schedules, the sources of its figures
(a paragraph each) and, a case, its region's checklist; each decoded its own copy, kilobytes a
cached workflow (issue 21, figure 4). A value shared is frozen and equal to the copy it replaces,
so nothing a workflow does can tell them apart. Only for values whose equality is exact: not for
one holding a Decimal (8000 equals 8000.00 but is written otherwise). The values are kept for the
process's life: they come from the data files and an admin's loads (a year's schedule, a region's
checklist), so they are few.
"""

from typing import Any, TypeVar

T = TypeVar("T")

_SHARED: dict[Any, Any] = {}


def shared(value: T) -> T:
    """`value`, or the equal one shared before it (`value` frozen and hashable)."""
    found: T = _SHARED.setdefault(value, value)
    return found


def share_fields(obj: Any, *names: str) -> None:
    """Point each named field of the frozen dataclass `obj` at the shared equal value (from its
    `__post_init__`; a None stays None)."""
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            object.__setattr__(obj, name, shared(value))
