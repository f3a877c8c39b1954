"""The `lookback` command: run the system, import rosters, act on cases, read reports.

One module per group of commands; this one only mounts them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from apps.cli import audit, cases, imports, issues, keys, reports, system
from apps.cli.http import console
from apps.cli.users import users_app

app = typer.Typer(help="回头看 Lookback: a township's poverty-alleviation look-back review.", no_args_is_help=True)
docs_app = typer.Typer(help="Generate documentation.", no_args_is_help=True)
app.registered_commands += system.app.registered_commands
app.registered_commands += issues.app.registered_commands
app.add_typer(imports.app, name="import")
app.add_typer(reports.app, name="report")
app.add_typer(cases.app, name="case")
app.add_typer(audit.app, name="audit")
app.add_typer(docs_app, name="docs")
app.add_typer(users_app, name="users")
app.add_typer(keys.app, name="keys")


@docs_app.command("asyncapi")
def docs_asyncapi(out: Annotated[Path, typer.Option(help="Where to write it")] = Path("docs/asyncapi.json")) -> None:
    """Write the AsyncAPI document of the events, generated from the four FastStream apps."""
    from apps.asyncapi import document

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    console.print(f"wrote {out}")
