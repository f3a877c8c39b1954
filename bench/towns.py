"""The benchmark's inputs: a demo roster per size, plus households the roster does not hold yet.

The latency run submits households that are new to the running system. They come from the same
`generate()` call as the roster (a town of `households + extra`, split by household number), so
their people's ID numbers are unique next to the roster's: a second town drawn with another seed
would re-issue the same ID numbers and turn every latency household into a duplicate-ID problem
(R07C) that also touches a roster household.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from apps.demo import PERSON_COLUMNS, VILLAGE_COLUMNS, generate
from apps.demo.town import COUNTY_TOWN

SIZES = {"town": 3_000, "county": 40_000, "large": 400_000}
SEED = 20191201
AS_OF = "2019-12-01"

Rows = list[dict[str, str]]


@dataclass
class Dataset:
    name: str
    households: int
    roster: Path
    villages: Path
    person_rows: int
    village_rows: int
    latency: list[Rows] = field(default_factory=list)  # one entry per new household, its person rows

    @property
    def files(self) -> list[Path]:
        return [self.roster, self.villages]


def write_rows(out: io.TextIOBase, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([row[c] for c in columns])
        count += 1
    return count


def prepare(name: str, households: int, extra: int, folder: Path) -> Dataset:
    """`roster.csv` + `villages.csv` of `households` households, and `extra` new households kept aside."""
    town = generate(households + extra, seed=SEED)
    villages = town.villages
    base, rest = divmod(households, len(villages))
    keep = {index + 1: base + (index < rest) for index in range(len(villages))}  # per village: how many
    folder.mkdir(parents=True, exist_ok=True)
    latency: dict[str, Rows] = {}

    def roster_rows() -> Iterable[dict[str, str]]:
        for row in town.persons():
            hid = row["户编号"]
            village, number = int(hid[len(COUNTY_TOWN) : len(COUNTY_TOWN) + 3]), int(hid[len(COUNTY_TOWN) + 3 :])
            if number <= keep[village]:
                yield row
            else:
                latency.setdefault(hid, []).append(row)

    roster, village_file = folder / "roster.csv", folder / "villages.csv"
    with roster.open("w", encoding="utf-8", newline="") as out:
        person_rows = write_rows(out, PERSON_COLUMNS, roster_rows())
    with village_file.open("w", encoding="utf-8", newline="") as out:
        village_rows = write_rows(out, VILLAGE_COLUMNS, town.village_rows())
    return Dataset(name, households, roster, village_file, person_rows, village_rows, list(latency.values()))
