"""Random walks through the workflow: whatever people ask, in whatever order, the ledger stays true.

Reading of the requirement tested here: 已销号 and 不属实 are final. Only 已整改待验收 can fail
verification (back to 整改中); a verified case is never reopened, so "a closed case stays closed".
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from lookback.cases.state import Case, evolve, is_open, is_overdue
from lookback.clock import start_of_day
from lookback.contracts.envelope import decode, new_envelope
from lookback.contracts.rectify import CaseEvent, CaseOverdue
from services.rectify.domain.commands import (
    AnswerEscalation,
    Assign,
    Command,
    Dismiss,
    Escalate,
    ExtendDeadline,
    ReportRectified,
    StartRectification,
    TransitionRefused,
    Verify,
)
from services.rectify.domain.reminders import due_soon_events, overdue_events
from services.rectify.domain.workflow import decide

from .factories import CLEARED, OPENED_ON, VILLAGE, opened

texts = st.sampled_from(["", "入户核查", "已落实整改", "镇村无力解决"])
days = st.integers(min_value=0, max_value=120).map(lambda n: OPENED_ON + timedelta(days=n))
moves: st.SearchStrategy[Command] = st.one_of(
    st.builds(StartRectification, texts),
    st.builds(ReportRectified, texts),
    st.builds(Verify, passed=st.booleans(), reason=texts),
    st.builds(Escalate, county_unit=st.sampled_from(["", "县危房改造指挥部", "县住建局"]), reason=texts),
    st.builds(AnswerEscalation, accepted=st.booleans(), new_deadline=st.none() | days, note=texts),
)
# Moves are drawn more often than dismissal, which ends a walk at once.
commands: st.SearchStrategy[Command] = st.one_of(
    moves,
    moves,
    moves,
    st.builds(
        Assign,
        lead_unit=st.sampled_from([None, "", "集镇办", "扶贫工作站"]),
        person=st.sampled_from([None, "张三", "李四"]),
        note=texts,
    ),
    st.builds(ExtendDeadline, new_deadline=days, reason=texts),
    st.builds(Dismiss, texts),
    st.just(CLEARED),
)


class CaseWorkflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        first = opened()
        self.today = OPENED_ON
        self.events: list[CaseEvent] = [first]
        self.case: Case = evolve(None, first)

    @rule(elapsed=st.integers(min_value=0, max_value=20))
    def time_passes(self, elapsed: int) -> None:
        self.today += timedelta(days=elapsed)

    @rule(command=commands)
    def ask(self, command: Command) -> None:
        try:
            events = decide(self.case, command, self.today)
        except TransitionRefused as refused:
            assert refused.status == self.case.status
            assert refused.message_zh and refused.message_en
            return
        self.apply(events)

    @rule()
    def watch(self) -> None:
        self.apply([*overdue_events(self.case, self.today), *due_soon_events(self.case, self.today, 3)])
        assert overdue_events(self.case, self.today) == []
        assert due_soon_events(self.case, self.today, 3) == []

    @precondition(lambda self: bool(self.case.extensions))
    @rule(data=st.data())
    def late_overdue_mark(self, data: st.DataObject) -> None:
        """The watch marks a deadline that an extension has since replaced."""
        old = data.draw(st.sampled_from([e.previous for e in self.case.extensions]))
        self.apply([CaseOverdue(case_id=self.case.case_id, deadline=old, village=VILLAGE, item=3)])

    def apply(self, events: list[CaseEvent]) -> None:
        before = self.case
        for event in events:
            self.case = evolve(self.case, event)
        self.events += events
        after = self.case
        if not is_open(before):
            assert after == before, "已销号 and 不属实 are final"
        assert after.extensions[: len(before.extensions)] == before.extensions, "the deadline history only grows"
        assert after.deadline >= before.deadline
        if before.status == "verified":
            assert (after.closed_on, after.on_time) == (before.closed_on, before.on_time)

    @invariant()
    def overdue_only_when_open_and_past_the_deadline(self) -> None:
        if is_overdue(self.case, self.today):
            assert is_open(self.case) and self.today > self.case.deadline

    @invariant()
    def marks_belong_to_the_deadline_in_force_of_an_open_case(self) -> None:
        for mark in (self.case.overdue_for, self.case.due_soon_for):
            assert mark is None or (is_open(self.case) and mark == self.case.deadline)
        if self.case.overdue_for is not None:
            assert is_overdue(self.case, self.today)

    @invariant()
    def closed_exactly_when_it_has_a_close_date(self) -> None:
        assert (self.case.closed_on is None) == is_open(self.case)
        assert (self.case.on_time is not None) == (self.case.status == "verified")
        if self.case.status == "verified":
            assert self.case.closed_on is not None
            assert self.case.on_time == (self.case.closed_on <= self.case.deadline)

    @invariant()
    def escalated_exactly_when_it_remembers_where_from(self) -> None:
        assert (self.case.escalated_from is not None) == (self.case.status == "escalated")
        assert self.case.escalated_from in (None, "pending", "in_progress")

    @invariant()
    def deadline_is_the_last_of_its_history(self) -> None:
        history = [self.case.extensions[0].previous] if self.case.extensions else []
        history += [e.deadline for e in self.case.extensions]
        assert self.case.deadline == (history[-1] if history else opened().deadline)
        assert history == sorted(set(history))

    def teardown(self) -> None:
        """Replaying the log through the envelope gives the same case: the table is only a cache."""
        replayed: Case | None = None
        for event in self.events:
            envelope = new_envelope(event, actor="user:test", business_time=start_of_day(self.today))
            replayed = evolve(replayed, decode(envelope))  # type: ignore[arg-type]
        assert replayed == self.case


CaseWorkflow.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
test_case_workflow = CaseWorkflow.TestCase
