"""Tables a clerk reads at an 80-column terminal: no cell wrapped or cut, whatever the terminal's width.

rich shrinks a table to the terminal by wrapping cells, which splits a Chinese name over two lines
(a name has no spaces to wrap at) or cuts it with an ellipsis. Here no column wraps and the table is
printed at the width it needs, measured in terminal cells (a Chinese character takes two); a terminal
narrower than that scrolls or wraps whole lines, and every name stays whole.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def table(*columns: str, title: str | None = None, **options: Any) -> Table:
    out = Table(title=title, **options)
    for column in columns:
        out.add_column(column, no_wrap=True)
    return out


_UNBOUNDED = 10_000


def print_table(console: Console, out: Table) -> None:
    """`Console.print(width=…)` only ever narrows, so the console itself is widened while it prints."""
    terminal = console.width
    console.width = max(terminal, console.measure(out, options=console.options.update_width(_UNBOUNDED)).maximum)
    try:
        console.print(out, crop=False)
    finally:
        console.width = terminal
