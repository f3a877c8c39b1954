"""One person of each role for the demo town, with a fresh password each time `lookback up --demo`
starts, so a newcomer can sign in to the workbench as the station, a village cadre, a unit officer,
the county and an auditor and see what each of them sees."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lookback.auth.users import Role, UserStore


@dataclass(frozen=True)
class Person:
    name: str
    role: Role
    password: str
    village: str | None = None
    unit: str | None = None


def demo_people(store: UserStore, village: str, unit: str) -> list[Person]:
    """Create (or reset the passwords of) the demo's five people; `station` is also the CLI's token user."""
    wanted = [
        ("station", Role.STATION, None, None),
        ("cadre", Role.VILLAGE, village, None),
        ("officer", Role.UNIT, None, unit),
        ("county", Role.COUNTY, None, None),
        ("auditor", Role.AUDITOR, None, None),
    ]
    known = {u.name: u for u in store.users()}
    people = []
    for name, role, in_village, in_unit in wanted:
        existing = known.get(name)
        if existing is not None and (existing.role, existing.village, existing.unit) != (role, in_village, in_unit):
            store.remove(name)
            existing = None
        if existing is None:
            store.add(name, role, in_village, in_unit)
        password = secrets.token_urlsafe(9)
        store.set_password(name, password)
        people.append(Person(name, role, password, in_village, in_unit))
    return people
