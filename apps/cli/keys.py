"""`lookback keys …`: the services' signing keys (apps/keys.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apps.cli.http import console

app = typer.Typer(help="The services' signing keys (签名密钥).", no_args_is_help=True)


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="Where to write <service>.key (0600) and <service>.pub")],
) -> None:
    """Make a key pair for every service that appends (intake, rules, rectify); existing keys are kept."""
    from apps.keys import SIGNERS, ensure_keys

    made = ensure_keys(folder)
    for name in SIGNERS:
        console.print(f"{name}: {'made' if name in made else 'kept'} {folder / name}.key, {folder / name}.pub")
