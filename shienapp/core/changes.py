"""What a mutating service changed, so each tab can decide whether to refresh.

Every service call that writes returns a ``Changes``; the GUI broadcasts it on one application
signal (after Anki's ``OpChanges``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Changes:
    districts: bool = False
    statistics: bool = False
    councils: bool = False
    people: bool = False
    meetings: bool = False
    maps: bool = False
    conflicts: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NOTHING = Changes()
DISTRICTS = Changes(districts=True)
MEETINGS = Changes(meetings=True)
