"""Which submissions an owner's digest lists (services/rectify/domain/dues.py): the campaign's ended
half-months, each owner its own, the station its summary and the villages' and units' as one count."""

from __future__ import annotations

from datetime import date

from lookback.calendar import Period
from lookback.catalogue import load as load_catalogue
from lookback.submissions import Org, Submission, lower_orgs
from services.rectify.domain.digest import Owner
from services.rectify.domain.dues import dues, owed_periods

CATALOGUE = load_catalogue()
VILLAGE = CATALOGUE.villages[0]


def test_the_half_months_owed_are_the_campaigns_ended_ones() -> None:
    assert [p.code for p in owed_periods(CATALOGUE, date(2020, 1, 16))] == ["2019-12-H1", "2019-12-H2", "2020-01-H1"]
    assert owed_periods(CATALOGUE, date(2019, 12, 15)) == []  # the first half-month has not ended
    after = owed_periods(CATALOGUE, date(2026, 12, 2))
    assert after[-1] == Period.parse("2020-06-H2")  # the campaign's last, however late the clock runs


def test_each_owner_its_own_and_the_station_the_rest_as_dates() -> None:
    periods = owed_periods(CATALOGUE, date(2020, 1, 1))  # 2019-12-H1 and H2
    subs = [
        Submission("2019-12-H1", Org("village", VILLAGE), state="reviewed"),
        Submission("2019-12-H2", Org("village", VILLAGE), state="returned"),
    ]
    assert dues(Owner("village", VILLAGE), CATALOGUE, periods, subs, 3) == ([date(2020, 1, 3)], [])
    own, lower = dues(Owner("station", "全镇"), CATALOGUE, periods, subs, 3)
    assert own == [date(2019, 12, 18), date(2020, 1, 3)]
    assert len(lower) == 2 * len(lower_orgs(CATALOGUE)) - 1
    assert dues(Owner("county", "县级"), CATALOGUE, periods, subs, 3) == ([], [])
