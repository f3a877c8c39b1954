"""Fictional names and resident ID numbers (GB 11643-1999) for the demo town.

IDs are valid and unique by construction: the 3-digit sequence is counted per area, birth date
and sex, so a duplicate or a bad check character only ever appears where the generator plants
one. The check character comes from partial sums cached per part, because a town of 400,000
households needs over a million of them.
"""

from __future__ import annotations

from datetime import date
from random import Random

from apps.demo.draw import below, pick

AREA = "341523"  # 舒城县
OLD_AREA = "342423"  # 舒城县 under 六安地区, before 2000: older residents still carry it
_SPARE_AREAS = ("341522", "341524", "341502", "341503", "341525", "341526")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PER_DAY = 499  # odd (male) or even (female) sequence numbers 001–998 for one sex on one day

SURNAMES = (
    "储王张李陈刘杨吴黄周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤"
)
_MALE_CHARS = "伟强军勇明杰涛斌超磊鹏华平刚辉俊峰建国志文兵才友成德林海波博飞松和祥生宝山"
_FEMALE_CHARS = "芳娟敏静丽霞燕红梅兰英秀玲凤琴云洁萍翠荣美欢梓婷雪莉娜桂珍香"


def _given_names(chars: str) -> tuple[str, ...]:
    """Two-character names outnumber one-character ones about two to one, as in the countryside."""
    pairs = tuple(a + b for a in chars for b in chars)
    return tuple(chars) * (len(pairs) // len(chars) // 2) + pairs


_GIVEN = {True: _given_names(_MALE_CHARS), False: _given_names(_FEMALE_CHARS)}


def _weighted(digits: str, offset: int) -> int:
    return sum(int(c) * w for c, w in zip(digits, _WEIGHTS[offset:], strict=False))


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643 prescribes."""
    return _CHECK[_weighted(first17, 0) % 11]


_SEQUENCES = [(f"{n:03d}", _weighted(f"{n:03d}", 14)) for n in range(1000)]


class IdIssuer:
    """Hands out one valid, unused ID per call; keeps only counters, not the IDs themselves."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, int, bool], int] = {}
        self._areas = {area: _weighted(area, 0) for area in (AREA, OLD_AREA, *_SPARE_AREAS)}
        self._days: dict[int, tuple[str, int]] = {}

    def issue(self, area: str, birth: date, male: bool) -> str:
        ordinal = birth.toordinal()
        day = self._days.get(ordinal)
        if day is None:
            digits = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
            day = self._days[ordinal] = (digits, _weighted(digits, 6))
        count = self._used.get((area, ordinal, male), 0)
        while count >= _PER_DAY:  # a day with 499 people of one sex: move to the next county's codes
            area = _SPARE_AREAS[_SPARE_AREAS.index(area) + 1 if area in _SPARE_AREAS else 0]
            count = self._used.get((area, ordinal, male), 0)
        self._used[area, ordinal, male] = count + 1
        slot = (ordinal * 7919 + count) % _PER_DAY  # a scattered start, yet distinct for every count
        sequence, weight = _SEQUENCES[2 * slot + (1 if male else 2)]
        total = self._areas[area] + day[1] + weight
        return f"{area}{day[0]}{sequence}{_CHECK[total % 11]}"


def name(rng: Random, surname: str, male: bool) -> str:
    return surname + pick(rng, _GIVEN[male])


def phone(rng: Random) -> str:
    return f"1{pick(rng, '3589')}{below(rng, 10**9):09d}"
