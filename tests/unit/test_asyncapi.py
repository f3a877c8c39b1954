"""docs/asyncapi.json is what the services declare now: a contract change that is not regenerated
(`lookback docs asyncapi`) fails here instead of leaving the published document behind the code."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from apps.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_the_published_document_is_the_generated_one(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    result = CliRunner().invoke(app, ["docs", "asyncapi", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(DOC.read_text(encoding="utf-8"))
    assert out.read_bytes() == DOC.read_bytes(), "same content, other order: the writer must sort keys"


def test_every_event_the_contracts_declare_is_documented() -> None:
    channels = json.dumps(json.loads(DOC.read_text(encoding="utf-8"))["channels"])
    for event_type in ("household.recorded", "problem.flagged", "case.opened", "case.reopened", "case.verified"):
        aggregate, _, name = event_type.partition(".")
        assert f"{aggregate}.{{{aggregate}_id}}.{name}" in channels, event_type
