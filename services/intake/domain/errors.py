"""The one error an import of something that is not a roster ends with."""

from __future__ import annotations


class NotARoster(Exception):
    """The files cannot be read as a roster at all (wrong sheets, no header, not a spreadsheet).

    It is raised instead of whatever the parser underneath failed with, so a town sees one plain
    sentence in both languages rather than a traceback. Messages name files, sheets and columns,
    never cell values, so no personal data can leak through them.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
