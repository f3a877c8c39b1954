"""Reported issues published: one at a time (HTTP, `lookback report-issue`) or a whole 问题清单.

An issue's event is stored only while its aggregate is empty (expected last subject sequence 0), so
the same report by the same reporter, sent again or re-imported months later, publishes nothing and
is told apart from a new one without a table that could lag behind the log. A list's rejected rows
are published once per import and row: intake folds them into `KnownRejection` (as for a roster,
the import waits until intake has caught up, so it sees the last import's rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from lookback.catalogue import load as load_catalogue
from lookback.clock import now, start_of_day
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.intake import IssueReported
from lookback.contracts.rules import issue_problem_id
from lookback.messaging import ConcurrencyConflict, Publisher
from lookback.service import Runtime
from services.intake.adapters.tables import KnownVillage
from services.intake.domain.issues import IssueDraft
from services.intake.domain.places import Places, town_places
from services.intake.domain.problem_list import ParsedProblemList
from services.intake.domain.roster_events import rejected_id_parts, row_rejected
from services.intake.importer import caught_up, chained, rejected_rows, rejected_summary, write_reports


def current_places(runtime: Runtime) -> Places:
    """The configured villages, those a 村级信息 sheet declared, and the catalogue's units."""
    with Session(runtime.engine) as session:
        declared = session.exec(select(KnownVillage.village)).all()
    return town_places(load_catalogue(), declared)


def issue_envelope(draft: IssueDraft, reporter: str, import_id: str | None = None) -> Envelope:
    issue_id = draft.issue_id(reporter)
    event = IssueReported(
        issue_id=issue_id,
        import_id=import_id,
        **draft.model_dump(exclude={"row"}),
        row=draft.row if import_id else None,
    )
    return new_envelope(
        event,
        actor=reporter,
        business_time=start_of_day(draft.found_on),
        correlation_id=derived_id("import", import_id) if import_id else None,
        event_id=derived_id("issue", issue_id),
    )


async def publish_first(publisher: Publisher, env: Envelope) -> bool:
    """Store the issue unless it is already in the log; True when this report was its first."""
    try:
        ack = await publisher.publish(env, expected_last_seq=0)
    except ConcurrencyConflict:
        return False
    return not ack.duplicate


async def report_issue(runtime: Runtime, draft: IssueDraft, reporter: str) -> dict[str, Any]:
    env = issue_envelope(draft, reporter)
    new = await publish_first(runtime.publisher(), env)
    return {
        "issue_id": env.aggregate_id,
        "case_id": issue_problem_id(draft.item, env.aggregate_id),
        "new": new,
        "village": draft.village,
        "unit": draft.unit,
        "item": draft.item,
    }


async def import_problem_list(
    runtime: Runtime, parsed: ParsedProblemList, path: Path, import_id: str, reporter: str
) -> dict[str, Any]:
    """Publish what the list adds; the summary accounts for every row: accepted + rejected = rows read."""
    await caught_up(runtime)
    with Session(runtime.engine) as session:
        known_rows = rejected_rows(session, import_id)
    publisher = runtime.publisher()
    issues: list[dict[str, Any]] = []
    new = 0
    for draft in parsed.issues:
        env = issue_envelope(draft, reporter, import_id)
        first = await publish_first(publisher, env)
        new += first
        case_id = issue_problem_id(draft.item, env.aggregate_id)
        issues.append({"row": draft.row, "issue_id": env.aggregate_id, "case_id": case_id, "new": first})
    when, correlation = now(), derived_id("import", import_id)
    rejections = [
        new_envelope(
            row_rejected(import_id, r),
            actor=reporter,
            business_time=when,
            correlation_id=correlation,
            event_id=derived_id(*rejected_id_parts(import_id, r)),
        )
        for r in parsed.rejected
        if (r.sheet, r.row) not in known_rows
    ]
    already = await publisher.publish_batch(chained(runtime.engine, rejections))
    summary = {
        "import_id": import_id,
        "reporter": reporter,
        "file": path.name,
        "rows_read": parsed.rows_read,
        "rows_accepted": len(parsed.issues),
        "rows_rejected": len(parsed.rejected),
        "issues_new": new,
        "issues_known": len(issues) - new,
        "events_published": new + len(rejections) - len(already),
        "issues": issues,
        "rejected": rejected_summary(parsed.rejected),
        "summary_file": str(path.parent / "summary.json"),
        "rejects_file": str(path.parent / "rejects.csv"),
    }
    write_reports(path.parent, summary, parsed.rejected)
    return summary
