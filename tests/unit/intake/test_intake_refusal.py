"""A full roster is refused whole when it would wipe the town (issue 12, part 1): the pure decision."""

from __future__ import annotations

import pytest

from services.intake.domain.columns import ID_NUMBER, PERSONS, VILLAGES
from services.intake.domain.refusal import REQUIRED_COLUMNS, RosterOutcome, refuse_full_roster
from services.intake.domain.roster import ParsedRoster

from .builders import HEAD_ROW, parse, person, village

SHARE = 0.2


def outcome(parsed: ParsedRoster, on_record: int = 300, removed: int = 0) -> RosterOutcome:
    return RosterOutcome(parsed.headers, parsed.rows_read[PERSONS], parsed.persons_accepted, on_record, removed)


def counts(on_record: int, removed: int) -> RosterOutcome:
    return RosterOutcome({PERSONS: list(HEAD_ROW)}, 1000, 1000, on_record, removed)


def test_a_whole_roster_is_accepted() -> None:
    assert refuse_full_roster(outcome(parse([person()], [village()])), SHARE, False) is None


def test_the_required_columns_are_those_the_spec_requires_of_every_valid_row() -> None:
    assert set(REQUIRED_COLUMNS[PERSONS]) - {"行政村", "户编号"} <= set(HEAD_ROW)
    assert set(REQUIRED_COLUMNS[VILLAGES]) == {"行政村", "村卫生室", "合格村医"}


def test_a_roster_without_its_id_column_is_refused_naming_the_column_not_a_value() -> None:
    without_id = {k: v for k, v in person().items() if k != ID_NUMBER}
    refusal = refuse_full_roster(outcome(parse([without_id])), SHARE, True)

    assert refusal is not None and refusal.code == "missing_columns"
    assert refusal.reason_zh == "花名册人口明细表缺少必需列：证件号码"
    assert refusal.reason_en == "the roster's 人口明细 sheet lacks the required column: 证件号码"
    assert HEAD_ROW["姓名"] not in str(refusal)


def test_every_missing_column_is_named_and_the_village_sheet_is_checked_too() -> None:
    persons = {k: v for k, v in person().items() if k not in ("性别", "户属性")}
    assert "性别、户属性" in str(refuse_full_roster(outcome(parse([persons])), SHARE, False))
    no_doctor = {k: v for k, v in village().items() if k != "合格村医"}
    refusal = refuse_full_roster(outcome(parse([person()], [no_doctor])), SHARE, False)
    assert refusal is not None and refusal.reason_zh == "花名册村级信息表缺少必需列：合格村医"


@pytest.mark.parametrize(
    "rows",
    [[], [person(行政村="不存在村")], [person(姓名=""), person(户编号="")]],
    ids=["header only", "one rejected row", "every row rejected"],
)
def test_a_roster_with_no_acceptable_row_is_refused(rows: list[dict[str, str]]) -> None:
    refusal = refuse_full_roster(outcome(parse(rows), on_record=0), SHARE, True)

    assert refusal is not None and refusal.code == "nothing_accepted"
    assert f"读取{len(rows)}行" in refusal.reason_zh and f"({len(rows)} read)" in refusal.reason_en


@pytest.mark.parametrize(
    ("on_record", "removed", "share", "refused"),
    [
        (300, 60, 0.2, False),  # exactly the share is allowed
        (300, 61, 0.2, True),
        (300, 300, 0.2, True),
        (300, 150, 0.5, False),
        (300, 151, 0.5, True),
        (5, 1, 0.2, False),
        (5, 2, 0.2, True),
        (0, 0, 0.2, False),  # a first roster removes nothing
        (10, 1, 0.0, True),
    ],
)
def test_removing_more_than_the_share_of_the_households_on_record_is_refused(
    on_record: int, removed: int, share: float, refused: bool
) -> None:
    refusal = refuse_full_roster(counts(on_record, removed), share, False)

    assert (refusal is not None) is refused
    if refusal:
        assert refusal.code == "too_many_removed"
        assert f"在册{on_record}户中的{removed}户" in refusal.reason_zh
        assert "--allow-removal" in refusal.reason_zh and "--allow-removal" in refusal.reason_en


def test_the_user_may_allow_the_removal_but_not_a_missing_column() -> None:
    assert refuse_full_roster(counts(300, 300), SHARE, True) is None
    without_id = {k: v for k, v in person().items() if k != ID_NUMBER}
    refusal = refuse_full_roster(outcome(parse([without_id]), removed=300), SHARE, True)
    assert refusal is not None and refusal.code == "missing_columns"
