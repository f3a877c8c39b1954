"""The one error an import of files that are not what it expects ends with."""

from __future__ import annotations


class NotImportable(Exception):
    """The files cannot be read as the kind of list the import expects (wrong sheets, no header, not a
    spreadsheet).

    It is raised instead of whatever the parser underneath failed with, so a town sees one plain
    sentence in both languages rather than a traceback. Messages name files, sheets and columns,
    never cell values, so no personal data can leak through them.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class NotARoster(NotImportable):
    """The files are not a roster (人口明细 and 村级信息)."""


class NotAProblemList(NotImportable):
    """The file is not a problem list (问题清单)."""
