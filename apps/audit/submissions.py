"""Every submitted form, rebuilt from the log at the position it was built at and compared by sha256.

A submission names, for each form, its cutoff (the log position reporting had folded) and the digest of
the bytes handed in. Reading the log once, this keeps what a form reads (the problem and case facts, the
households' 户主, the running log digest its 校验码 is made from) and builds each form again with the
function reporting built it with (services/reporting/domain/forms.py): equal bytes mean the log still
holds what was handed in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg

from apps.audit.reader import read_log
from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.consumer import Delivered, decode
from lookback.contracts.intake import HouseholdRecorded
from lookback.contracts.reporting import SubmissionSubmitted
from lookback.contracts.subjects import PREFIX, STREAM
from lookback.logdigest import GENESIS, advance, check_code
from lookback.submissions import Org
from services.reporting.adapters.factlog import household_row, person_rows
from services.reporting.adapters.writers import to_xlsx
from services.reporting.domain.facts import Fact, fact_of, is_reported, known
from services.reporting.domain.forms import submitted_form
from services.reporting.domain.measures import lines
from services.reporting.domain.sheets import People
from services.reporting.domain.state import fold


@dataclass(frozen=True)
class FormCheck:
    seq: int
    submission_id: str
    kind: str
    cutoff: int
    expected: str
    found: str

    @property
    def equal(self) -> bool:
        return self.expected == self.found


@dataclass
class LogCopy:
    """What the forms read, kept in stream order."""

    facts: list[Fact] = field(default_factory=list)
    heads: list[tuple[int, str, str]] = field(default_factory=list)
    persons: list[tuple[int, str, str, str]] = field(default_factory=list)
    states: dict[int, bytes] = field(default_factory=dict)
    submitted: list[tuple[int, SubmissionSubmitted]] = field(default_factory=list)

    def feed(self, delivered: Delivered, state: bytes) -> None:
        env, seq = delivered.envelope, delivered.seq
        event = env.event()
        if is_reported(env):
            self.facts.append(fact_of(seq, env))
            self.states[seq] = state
        elif isinstance(event, HouseholdRecorded):
            row = household_row(event)
            self.heads.append((seq, row["household_id"], row["head_name"]))
            self.persons += [(seq, p["household_id"], p["id_number"], p["name"]) for p in person_rows(event)]
        elif isinstance(event, SubmissionSubmitted):
            self.submitted.append((seq, event))

    def checks(self, catalogue: Catalogue) -> list[FormCheck]:
        out = []
        for seq, event in self.submitted:
            period = Period.parse(event.period)
            org = Org(event.org_kind, event.org)
            for form in event.forms:
                used = known([f for f in self.facts if f.seq <= form.cutoff], period.last_day)
                names = People(
                    {h: name for s, h, name in self.heads if s <= form.cutoff},
                    {(h, number): name for s, h, number, name in self.persons if s <= form.cutoff},
                )
                last = max((f.seq for f in used), default=0)
                code = check_code(STREAM, last, self.states[last]) if used else None
                sheet = submitted_form(lines(fold(used)), form.kind, period, catalogue, names, org)
                found = hashlib.sha256(to_xlsx(sheet, code)).hexdigest()
                out.append(FormCheck(seq, event.submission_id, form.kind, form.cutoff, form.sha256, found))
        return out


async def check_submissions(nc: Client, catalogue: Catalogue, stream: str = STREAM) -> list[FormCheck]:
    copy = LogCopy()
    state = GENESIS

    async def sink(batch: list[Msg]) -> bool:
        nonlocal state
        for msg in batch:
            state = advance(state, msg.metadata.sequence.stream, msg.subject, msg.data)
            delivered = decode(msg)
            if isinstance(delivered, Delivered):
                copy.feed(delivered, state)
        return True

    await read_log(nc, [f"{PREFIX}.>"], sink, stream=stream)
    return copy.checks(catalogue)
