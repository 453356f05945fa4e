"""Who does something: a resident, a staff member with a role and scope, or the system."""
from __future__ import annotations

import dataclasses

RESIDENT = "resident"
SYSTEM = "system"
GRID_WORKER = "grid_worker"
GRID_LEADER = "grid_leader"
COMMAND_CENTRE = "command_centre"


@dataclasses.dataclass(frozen=True)
class Actor:
    id: str
    role: str
    grids: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()

    @classmethod
    def resident(cls, resident_id: str) -> Actor:
        return cls(id=resident_id, role=RESIDENT)

    @classmethod
    def system(cls) -> Actor:
        return cls(id="system", role=SYSTEM)

    @property
    def is_staff(self) -> bool:
        return self.role not in (RESIDENT, SYSTEM)
