"""docs/operations.md stays true to the code: every setting, its default, and the tools it names."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic.fields import FieldInfo

from .deploy_support import ROOT

DOC = ROOT / "docs" / "operations.md"


def table_rows(markdown: str) -> dict[str, list[str]]:
    """First cell (without backticks) -> cells, for every row of every table."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0].strip("`")] = cells
    return rows


def default_text(field: FieldInfo) -> str | None:
    if field.default_factory is not None:
        return json.dumps(field.default_factory())  # type: ignore[call-arg]
    value: Any = field.default
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def settings_fields() -> list[tuple[str, FieldInfo]]:
    from lookback.settings import ServiceSettings
    from services.intake.main import IntakeSettings
    from services.rules.main import RulesServiceSettings
    from services.workbench.settings import WorkbenchSettings

    fields = (
        dict(ServiceSettings.model_fields)
        | dict(RulesServiceSettings.model_fields)
        | dict(IntakeSettings.model_fields)
        | dict(WorkbenchSettings.model_fields)
    )
    return sorted(fields.items())


@pytest.mark.parametrize(("name", "field"), settings_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_setting_is_documented_with_its_default(name: str, field: FieldInfo) -> None:
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    variable = f"LOOKBACK_{name.upper()}"
    assert variable in rows, f"{variable} is missing from the settings tables of docs/operations.md"
    documented = rows[variable][1]
    expected = default_text(field)
    if expected is None:
        assert documented.startswith("unset"), (variable, documented)
    else:
        assert f"`{expected}`" in documented, (variable, documented, expected)


def test_documented_files_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    for path in sorted(set(re.findall(r"`((?:deploy|tests/deploy|lookback|services)/[\w./-]+)`", text))):
        if "<" in path or "*" in path or (path.startswith("deploy/secrets/") and not path.endswith(".md")):
            continue  # placeholders, and secret files the operator creates
        assert (ROOT / path).exists(), f"docs/operations.md names {path}, which does not exist"


def test_what_exists_is_not_called_planned() -> None:
    """The guide says what is true now: the replay command and the unit gauges exist."""
    text = DOC.read_text(encoding="utf-8")
    assert "lookback audit replay --into" in text and "planned, not implemented" not in text
    for metric in ("lookback_cases_overdue_by_unit", "lookback_cases_due_soon"):
        line = next(line for line in text.splitlines() if metric in line and line.startswith("| `Lookback"))
        assert "planned" not in line, line


def test_secrets_readme_names_every_secret_of_compose() -> None:
    readme = (ROOT / "deploy" / "secrets" / "README.md").read_text(encoding="utf-8")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in re.findall(r"file: deploy/secrets/(\w+)", compose):
        assert f"`{name}`" in readme and name in readme.split("## Create them")[1], name
