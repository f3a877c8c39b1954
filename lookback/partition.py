"""Replicas share a service's work by aggregate: replica k of n handles the aggregates that hash to k.

Every event of one household (or one problem and its case, which share an id) goes to the same
replica, so per-aggregate order is kept; each replica reads the whole log but folds only its part,
and keeps its own stream position (`<consumer>-<k>of<n>`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Partition:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Partition:
        """`k/n`, 0 ≤ k < n: the setting `LOOKBACK_PARTITION`."""
        try:
            k, n = (int(part) for part in text.split("/"))
        except ValueError as err:
            raise ValueError(f"分区应为 k/n / partition must be k/n, got {text!r}") from err
        if not 0 <= k < n:
            raise ValueError(f"分区应为 0 ≤ k < n / partition must have 0 ≤ k < n, got {text!r}")
        return cls(k, n)

    def owner(self, aggregate_id: str) -> int:
        return zlib.crc32(aggregate_id.encode()) % self.count

    def owns(self, aggregate_id: str) -> bool:
        return self.owner(aggregate_id) == self.index

    def consumer(self, name: str, index: int | None = None) -> str:
        return f"{name}-{self.index if index is None else index}of{self.count}"
