"""How verify and history print: plain lines and tables, personal data masked unless revealed.

Values from the database or the log are printed as text objects, never as console markup, so a
bracket in a village's name cannot restyle the output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rich.table import Table
from rich.text import Text

from apps.audit.changes import ABSENT, Change
from apps.audit.checksum import Key, Row
from apps.audit.history import Entry
from apps.audit.masking import mask_field, mask_tree
from apps.audit.verify import Detail, ProjectionCheck
from lookback.clock import CST
from lookback.contracts.envelope import event_types

WIDE = 80
SHORT_SUM = 12


def show(value: Any, width: int = WIDE) -> str:
    """∅ for a value that is not there, null for one that is there and empty, text as itself."""
    text = "∅" if value is ABSENT else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def change_line(change: Change, reveal: bool) -> str:
    c = change if reveal else change.masked()
    if c.before is ABSENT:
        return f"{c.path}: + {show(c.after)}"
    return f"{c.path}: {show(c.before)} → {show(c.after)}"


def key_text(names: tuple[str, ...], key: Key, reveal: bool) -> str:
    return ", ".join(f"{n}={v if reveal else mask_field(n, v)}" for n, v in zip(names, key, strict=True))


def row_text(row: Row, reveal: bool) -> str:
    shown = row if reveal else {k: mask_field(k, v) for k, v in row.items()}
    return show({k: _maybe_json(v, reveal, k) for k, v in shown.items()}, 4 * WIDE)


def _maybe_json(value: Any, reveal: bool, name: str) -> Any:
    if isinstance(value, str) and value[:1] == "{":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if reveal else mask_tree(parsed, name)
    return value


def verify_lines(checks: list[ProjectionCheck], details: dict[str, Detail], reveal: bool = False) -> Iterator[Text]:
    for check in checks:
        for name in check.missing:
            yield Text(f"✗ {check.name:<9} {name}: missing from the live database", style="red")
        for diff in check.diffs:
            live, rebuilt = diff.live, diff.rebuilt
            if diff.equal:
                yield Text(f"✓ {check.name:<9} {diff.table:<22} {live.count:>7} rows  {live.checksum[:SHORT_SUM]}")
                continue
            counts = (
                f"{len(diff.changed)} changed, {len(diff.only_live)} only live, {len(diff.only_rebuilt)} only in log"
            )
            yield Text(
                f"✗ {check.name:<9} {diff.table:<22} live {live.count} rows {live.checksum[:SHORT_SUM]}, "
                f"log {rebuilt.count} rows {rebuilt.checksum[:SHORT_SUM]}: {counts}",
                style="red",
            )
            detail = details.get(f"{check.name}/{diff.table}")
            if detail is not None:
                yield from _detail_lines(detail, reveal)


def _detail_lines(detail: Detail, reveal: bool) -> Iterator[Text]:
    for key, column_changes in detail.changed:
        yield Text(f"    changed  {detail.table} {key_text(detail.key, key, reveal)} (log → live)")
        for change in column_changes:
            yield Text(f"        {change_line(change, reveal)}")
    for key, row in detail.only_live:
        yield Text(f"    only live {detail.table} {key_text(detail.key, key, reveal)}: {row_text(row, reveal)}")
    for key, row in detail.only_rebuilt:
        yield Text(f"    only in log {detail.table} {key_text(detail.key, key, reveal)}: {row_text(row, reveal)}")


def history_table(title: str, entries: list[Entry], reveal: bool = False, max_changes: int = 30) -> Table:
    table = Table(title=title, show_lines=True)
    table.add_column("seq", justify="right", no_wrap=True)
    table.add_column("记录 recorded\n业务 business", no_wrap=True)
    table.add_column("操作人 actor", no_wrap=True)
    table.add_column("事件 event", no_wrap=True)
    table.add_column("变更 changes", overflow="fold")
    for entry in entries:
        env = entry.envelope
        if entry.first:
            lines = first_lines(entry.payload, env.aggregate_id, reveal)
        else:
            lines = [change_line(c, reveal) for c in entry.changes]
        if len(lines) > max_changes:
            lines = [*lines[:max_changes], f"… {len(lines) - max_changes} more (--max-changes)"]
        version = f"\n(stored v{env.schema_version})" if env.schema_version != current_version(env.type) else ""
        table.add_row(
            str(entry.seq),
            f"{env.recorded_time.astimezone(CST):%Y-%m-%d %H:%M}\n{env.business_time.astimezone(CST):%Y-%m-%d}",
            Text(env.actor),
            Text(f"{entry.label}\n{env.type}{version}"),
            Text("\n".join(lines)),
        )
    return table


def first_lines(payload: dict[str, Any], aggregate_id: str, reveal: bool) -> list[str]:
    """What a first event says, one line a field: lists (a household's persons) as their length; nulls and the
    aggregate's own id (the title names it) left out."""
    lines = []
    for name, value in payload.items():
        if value is None or value in ([], {}) or value == aggregate_id:
            continue
        if isinstance(value, list):
            lines.append(f"{name}: {len(value)} 条 rows")
            continue
        shown = value if reveal else mask_tree(value, name)
        lines.append(f"{name} = {show(shown)}")
    return lines


def current_version(event_type: str) -> int | None:
    cls = event_types().get(event_type)
    return cls.schema_version if cls else None


def history_json(entries: list[Entry], reveal: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "seq": e.seq,
            "type": e.envelope.type,
            "label": e.label,
            "schema_version": e.envelope.schema_version,
            "aggregate": f"{e.envelope.aggregate_type}:{e.envelope.aggregate_id}",
            "actor": e.envelope.actor,
            "business_time": e.envelope.business_time.isoformat(),
            "recorded_time": e.envelope.recorded_time.isoformat(),
            "changes": [
                {"path": c.path, "before": _plain(c.before), "after": _plain(c.after)}
                for c in (e.changes if reveal else [c.masked() for c in e.changes])
            ],
        }
        for e in entries
    ]


def _plain(value: Any) -> Any:
    return None if value is ABSENT else value
