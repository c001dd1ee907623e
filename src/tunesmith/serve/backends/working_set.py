"""Which adapters stay attached when more are registered than fit: a least-recently-used working set."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable


class WorkingSet:
    """The attached adapters in order of last use; at most `capacity` of them (None: no limit, nothing evicted)."""

    def __init__(self, capacity: int | None = None):
        if capacity is not None and capacity < 1:
            raise ValueError(f"a working set holds at least one adapter, got {capacity}")
        self.capacity = capacity
        self._order: OrderedDict[str, None] = OrderedDict()  # least recently used first

    def __contains__(self, name: str) -> bool:
        return name in self._order

    def __len__(self) -> int:
        return len(self._order)

    def names(self) -> list[str]:
        """Attached adapters, least recently used first."""
        return list(self._order)

    def use(self, name: str) -> None:
        """`name` is attached and was just used: it is now the most recently used."""
        self._order[name] = None
        self._order.move_to_end(name)

    def forget(self, name: str) -> None:
        """`name` is no longer attached."""
        self._order.pop(name, None)

    def victims(self, needed: Iterable[str]) -> list[str]:
        """The adapters to detach so that every name in `needed` fits, least recently used first; never one of
        `needed` (the batch about to run). Fewer than asked when `needed` alone is over capacity."""
        needed = set(needed)
        if self.capacity is None:
            return []
        overflow = len(self._order) + len(needed - self._order.keys()) - self.capacity
        return [name for name in self._order if name not in needed][: max(overflow, 0)]
