"""Upcasters: how a payload stored by an older model reads under today's.

The log is never rewritten, so when an event's model changes, its old payloads stay in the stream as
they were written. Each change comes with a function from version n to n+1 of that event's payload
dict, registered under `(event_type, n)`; `decode()` applies them in turn until the payload reaches the
payload class's `schema_version`. A payload from a newer model than this code knows is refused, not
guessed at (the consumer sets it aside with the reason).

Upcasters work on plain dicts and import no payload class: they describe the stored past, which must
not move when today's classes do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnknownSchemaVersion(ValueError):
    """No way from the stored version to the current one: a missing upcaster, or a payload from newer code."""


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        if (event_type, from_version) in UPCASTERS:
            raise TypeError(f"two upcasters for {event_type} v{from_version}")
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def upcast(event_type: str, version: int, current: int, payload: Payload) -> Payload:
    """`payload` of `event_type` stored at `version`, raised to `current`; the stored dict is left as it was."""
    if version > current:
        raise UnknownSchemaVersion(f"{event_type} v{version} is newer than this code (v{current})")
    while version < current:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownSchemaVersion(f"no upcaster for {event_type} v{version}")
        payload = step(payload)
        version += 1
    return payload


FIRST_PERSON_ROW = 2
"""The header is row 1 of a sheet (PersonRow.row), so the first person is row 2."""


@upcaster("household.recorded", 0)
def number_person_rows(payload: Payload) -> Payload:
    """v0 kept a household's persons as plain cell dicts, in sheet order, without row numbers; v1 keeps
    `{"row", "cells"}`. The sheet rows are lost, so persons are numbered in their stored order as if the
    household were alone on its sheet (2, 3, …): order and cells, which the roster fingerprint and the
    rules read, are exactly as stored; a problem's `person_row` then names the row within the household."""
    persons = [{"row": FIRST_PERSON_ROW + n, "cells": dict(cells)} for n, cells in enumerate(payload["persons"])]
    return {**payload, "persons": persons}


@upcaster("case.opened", 1)
def own_village_and_co_units(payload: Payload) -> Payload:
    """v1 stored the plan's placeholder 各村 as the lead unit of items 12 and 13; it always meant the
    case's own village, which the payload holds. v1 knew no 配合单位, so a v1 case has none (各指挥部
    needs the town's map, which a stored past must not depend on: such a case keeps it as stored)."""
    lead = payload["village"] if payload["lead_unit"] == "各村" else payload["lead_unit"]
    return {**payload, "lead_unit": lead, "co_units": []}


@upcaster("case.escalation_accepted", 1)
@upcaster("case.escalation_returned", 1)
def answered_by_the_actor(payload: Payload) -> Payload:
    """v1 had no way to say an answer was entered for the county: it was the actor's own."""
    return {**payload, "entered_for": None}
