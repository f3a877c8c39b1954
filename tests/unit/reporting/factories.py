"""A small campaign written as events: one problem per call, and the steps its case takes.

Every event is recorded at noon (China) of its business day unless a test records it late, so
"as known at" a day's evening sees exactly the events of that day and before.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

from lookback.clock import CST, start_of_day
from lookback.contracts.envelope import Envelope, Event, new_envelope
from lookback.contracts.rectify import (
    CaseDismissed,
    CaseEscalated,
    CaseOpened,
    CaseRectified,
    CaseVerified,
    DeadlineExtended,
    RectificationStarted,
    VerificationFailed,
)
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from services.reporting.domain.facts import Fact, fact_of

ITEM_UNITS = {1: "干汊河中心校", 3: "集镇办", 7: "扶贫工作站"}
RULES = {1: "R01", 3: "R03", 7: "R07A"}


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), CST)


class Log:
    """Facts in the order a stream would hold them; `recorded` defaults to the business day's noon."""

    def __init__(self) -> None:
        self.seq = count(1)
        self.facts: list[Fact] = []
        self.envelopes: list[tuple[int, Envelope]] = []

    def add(self, event: Event, day: date, recorded: datetime | None = None) -> Fact:
        env = new_envelope(event, actor="test", business_time=start_of_day(day), recorded_time=recorded or noon(day))
        seq = next(self.seq)
        self.envelopes.append((seq, env))
        fact = fact_of(seq, env)
        self.facts.append(fact)
        return fact

    def problem(
        self,
        pid: str,
        found: date,
        *,
        village: str = "桃园村",
        item: int = 3,
        deadline: date | None = None,
        household: str | None = "341523001001",
        id_number: str | None = None,
    ) -> str:
        rule = RULES[item]
        flagged = ProblemFlagged(
            problem_id=pid,
            rule=rule,
            item=item,
            village=village,
            household_id=household,
            person_id_number=id_number,
            subject_key=pid,
            as_of=found,
            description=f"{rule} 问题 {pid}",
        )
        self.add(flagged, found)
        opened = CaseOpened(
            case_id=pid,
            problem_id=pid,
            rule=rule,
            item=item,
            village=village,
            lead_unit=ITEM_UNITS[item],
            co_responsible=village,
            policy="immediate",
            assigned_on=found,
            deadline=deadline or found + timedelta(days=15),
        )
        self.add(opened, found)
        return pid

    def start(self, pid: str, on: date, **kw: object) -> None:
        self.add(RectificationStarted(case_id=pid, on=on, measures="入户核查"), on, **kw)  # type: ignore[arg-type]

    def rectify(self, pid: str, on: date, by: str = "person", **kw: object) -> None:
        self.add(CaseRectified(case_id=pid, on=on, measures="已整改", by=by), on, **kw)  # type: ignore[arg-type]

    def fail(self, pid: str, on: date) -> None:
        self.add(VerificationFailed(case_id=pid, on=on, reason="资料不全"), on)

    def verify(self, pid: str, on: date, deadline: date, recorded: datetime | None = None) -> None:
        event = CaseVerified(case_id=pid, on=on, deadline=deadline, on_time=on <= deadline)
        self.add(event, on, recorded)

    def dismiss(self, pid: str, on: date) -> None:
        self.add(CaseDismissed(case_id=pid, on=on, reason="经核实不属实"), on)

    def escalate(self, pid: str, on: date) -> None:
        self.add(CaseEscalated(case_id=pid, on=on, county_unit="县住建局", reason="需县级资金"), on)

    def extend(self, pid: str, on: date, old: date, new: date) -> None:
        self.add(DeadlineExtended(case_id=pid, on=on, old_deadline=old, new_deadline=new, reason="春节"), on)

    def clear(self, pid: str, on: date) -> None:
        self.add(ProblemClearedByData(problem_id=pid, rule="R03", village="桃园村", as_of=on), on)
