"""Cheap random draws: `Random.choice` and `randrange` cost more than the rest of a row put together.

Both helpers scale one `random()`; the bias this leaves is far below anything a demo town shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def pick(rng: Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]


def below(rng: Random, bound: int) -> int:
    return int(rng.random() * bound)


def planted(rng: Random, share: float, fixed: bool) -> bool:
    """Draws whether or not the household is fixed, so fixing one household changes no other."""
    return rng.random() < share and not fixed
