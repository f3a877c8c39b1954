"""The lines a form carries around its table when a town files it on paper (plan 四(二)): a title and a
填报单位/期次/填报日期 line above the header, a 合计 row and the 填表人/审核人 line below the data.

Reporting writes them into its .xlsx forms and intake reads past them, so a form exported, signed and
sent back imports as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

TOTAL = "合计"
SIGNATURES = "填表人：＿＿＿＿＿＿        审核人：＿＿＿＿＿＿"
TITLE_LINES_AT_MOST = 10
"""How far down a sheet its header may stand below the title lines."""
_TRAILER_STARTS = (TOTAL, SIGNATURES[:3])


def is_trailer(values: Sequence[str]) -> bool:
    """A row whose first filled cell opens a form's 合计 row or its 填表人 line: the form's, not data."""
    first = next((v.strip() for v in values if v.strip()), "")
    return first.startswith(_TRAILER_STARTS)
