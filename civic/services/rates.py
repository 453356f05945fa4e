"""三率: response, resolution and satisfaction rates, from the cases' history."""
from __future__ import annotations

import dataclasses

from civic.adapters.repository import rate_counts


@dataclasses.dataclass(frozen=True)
class ThreeRates:
    dispatched: int
    responded: int
    rated: int
    solved: int
    satisfied: int

    @staticmethod
    def _ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response_rate(self) -> float | None:
        """Signed for and contacted within their deadlines / dispatched."""
        return self._ratio(self.responded, self.dispatched)

    @property
    def resolution_rate(self) -> float | None:
        """Rated 解决了 / rated."""
        return self._ratio(self.solved, self.rated)

    @property
    def satisfaction_rate(self) -> float | None:
        """Rated 满意 or 基本满意 / rated."""
        return self._ratio(self.satisfied, self.rated)


def three_rates(uow, **filters) -> ThreeRates:
    """Filters: grid_id, community_id, category, start, end (none: the whole street)."""
    return ThreeRates(**rate_counts(uow.connection, **filters))
