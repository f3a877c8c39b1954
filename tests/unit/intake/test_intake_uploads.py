"""Uploads kept under names the server chooses, and the blank forms a town downloads (issue 14, items 6, 7)."""

import io
import re
from pathlib import Path

import openpyxl
import pytest

from lookback.catalogue import load
from services.intake.adapters.problem_lists import read_problem_list
from services.intake.adapters.sheets import parse_roster
from services.intake.adapters.templates import SHEETS, Form, template
from services.intake.domain.columns import PERSON_COLUMNS, PERSONS, VILLAGE_COLUMNS, VILLAGES
from services.intake.domain.issue_columns import COLUMNS, ISSUES
from services.intake.domain.places import town_places
from services.intake.importer import upload_name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("花名册.xlsx", "01-花名册.xlsx"),
        ("..", "01-file"),
        ("../../etc/passwd", "01-passwd"),
        ("C:\\Users\\站\\问题清单.CSV", "01-问题清单.csv"),
        (".xlsx", "01-xlsx"),
        ("a b;c.csv", "01-a_b_c.csv"),
    ],
)
def test_an_upload_is_kept_under_a_name_the_server_chose(sent, kept):
    assert upload_name(1, sent) == kept


def test_two_files_sent_with_one_name_are_both_kept():
    assert upload_name(1, "roster.csv") != upload_name(2, "roster.csv")


def test_the_roster_template_carries_both_sheets_with_every_column():
    book = openpyxl.load_workbook(io.BytesIO(template(Form.roster)))
    assert book.sheetnames == [PERSONS, VILLAGES]
    assert tuple(c.value for c in book[PERSONS][1]) == PERSON_COLUMNS
    assert tuple(c.value for c in book[VILLAGES][1]) == VILLAGE_COLUMNS


def test_the_templates_are_read_as_the_forms_they_are(tmp_path):
    issues = tmp_path / "问题清单模板.xlsx"
    issues.write_bytes(template(Form.issues))
    assert tuple(c.value for c in openpyxl.load_workbook(issues)[ISSUES][1]) == COLUMNS
    assert read_problem_list(issues, town_places(load())).rows_read == 0
    roster = tmp_path / "花名册模板.xlsx"
    roster.write_bytes(template(Form.roster))
    parsed = parse_roster([roster], load().villages)
    assert (parsed.households, parsed.rejected) == ([], [])


@pytest.mark.parametrize("form", list(Form))
def test_every_column_of_a_form_is_documented_for_the_towns(form):
    documented = (Path(__file__).resolve().parents[3] / "docs" / "forms.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (\S+) \|", documented, re.MULTILINE))
    for columns in SHEETS[form].values():
        assert set(columns) <= rows, set(columns) - rows
