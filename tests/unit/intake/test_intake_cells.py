"""Cell text as the rules compare it (docs/rules.md, "Reading the roster")."""

import pytest

from lookback.dates import SHEET_FORMS, iso_date
from services.intake.domain.cells import RowReader, cells_of, decimal_text, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1974-06-22", "1974-06-22"),
        ("1974/6/22", "1974-06-22"),
        ("1974/06/02", "1974-06-02"),
        ("19740622", "1974-06-22"),
        (" 2018/9/7 ", "2018-09-07"),
        ("2020-02-29", "2020-02-29"),
    ],
)
def test_every_date_form_becomes_iso_text(raw, expected):
    assert normalise("出生日期", raw) == expected
    assert normalise("小额信贷到期日", raw) == expected


@pytest.mark.parametrize(
    "raw", ["2019-02-29", "19741322", "1974/6/31", "74-6-22", "1974.6.22", "不详", "2018-09-07 10:00"]
)
def test_a_date_that_does_not_parse_is_kept_as_written(raw):
    assert normalise("出生日期", f" {raw} ") == raw
    assert iso_date(raw, SHEET_FORMS) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 3 ", "3"),
        ("3.0", "3"),
        ("4000.00", "4000"),
        ("5200.50", "5200.5"),
        ("+7", "7"),
        ("-0", "0"),
        ("0.00", "0"),
        (".5", "0.5"),
        ("007", "7"),
        ("100", "100"),
        ("12345678901234567890", "12345678901234567890"),
        ("123456789012345678901234567890.10", "123456789012345678901234567890.1"),
    ],
)
def test_numbers_become_plain_decimal_text(raw, expected):
    assert normalise("人均纯收入", raw) == expected
    assert decimal_text(raw.strip()) == expected


@pytest.mark.parametrize("raw", ["1e3", "1,000", "4000元", "NaN", "inf", "３", "1 000", "-"])
def test_text_that_is_not_a_plain_number_is_kept_for_the_rules_to_judge(raw):
    assert normalise("家庭人口数", raw) == raw
    assert decimal_text(raw) is None


@pytest.mark.parametrize("column", ["户编号", "证件号码", "联系电话", "备注", "村民组"])
def test_only_date_and_number_columns_are_read_as_such(column):
    assert normalise(column, " 20180907 ") == "20180907"
    assert normalise(column, "0012.50") == "0012.50"


@pytest.mark.parametrize("raw", ["", " ", "   ", "\t", "\u3000", "\xa0 \n"])
def test_a_cell_of_only_spaces_is_empty(raw):
    assert normalise("姓名", raw) == ""
    assert normalise("出生日期", raw) == ""
    assert normalise("家庭人口数", raw) == ""


def test_surrounding_white_space_is_trimmed_and_inner_text_kept():
    assert normalise("行政村", "\u3000桃园村 ") == "桃园村"
    assert normalise("与户主关系", " 户主") == "户主"
    assert normalise("帮扶单位", " 舒城县 住建局 ") == "舒城县 住建局"


def test_rows_are_padded_to_the_header_and_cells_beyond_it_get_a_name():
    reader = RowReader(["户编号", "姓名", "行政村"])
    short = reader.values(["1", " 张三 "])
    assert short == ("1", "张三", "")
    long = reader.values(["1", "李四", "桃园村", "", " 多出来的 "])
    assert reader.columns == ["户编号", "姓名", "行政村", "第4列", "第5列"]
    assert cells_of(reader.columns, long) == {"户编号": "1", "姓名": "李四", "行政村": "桃园村", "第5列": "多出来的"}
    assert cells_of(reader.columns, short) == {"户编号": "1", "姓名": "张三"}


def test_repeated_cells_share_one_string():
    reader = RowReader(["饮水水量"])
    first, second = reader.values([" 达标 "]), reader.values([" 达标 "])
    assert first[0] is second[0]
