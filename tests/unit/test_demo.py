import csv
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from apps.demo import DemoTown, correct, generate, write_csv, write_xlsx
from apps.demo import writers as demo_writers
from lookback import catalogue

# The columns as the roster spec lists them, restated here so the generator is checked against the spec.
ROSTER_PERSON_COLUMNS = (
    "乡镇", "行政村", "村民组", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期", "在校生状况",
    "健康状况", "残疾等级", "参加城乡居民基本医疗保险", "慢性病卡", "家庭医生签约", "重度残疾护理补贴", "户属性",
    "脱贫状态", "脱贫年度", "家庭人口数", "人均纯收入", "上年人均纯收入", "住房安全等级", "饮水水量", "饮水水质",
    "取水方便", "供水保证率", "帮扶责任人", "帮扶单位", "帮扶计划", "公益岗位", "公益岗位工资按时发放",
    "光伏收益到户", "小额信贷余额", "小额信贷到期日", "小额信贷结清", "贷款使用方式", "联系电话",
)  # fmt: skip
ROSTER_VILLAGE_COLUMNS = (
    "行政村",
    "是否贫困村",
    "出列年度",
    "村卫生室",
    "合格村医",
    "集体经济收入",
    "上年集体经济收入",
)
AS_OF = date(2019, 12, 1)
VILLAGES = ("桃园村", "新河村", "杨店村", "新塘村", "松林村", "茶山村")
FIXABLE = {
    "在校生状况", "参加城乡居民基本医疗保险", "慢性病卡", "家庭医生签约", "重度残疾护理补贴", "住房安全等级",
    "饮水水量", "饮水水质", "取水方便", "供水保证率", "帮扶责任人", "帮扶计划", "公益岗位工资按时发放",
    "光伏收益到户", "小额信贷余额", "小额信贷结清",
}  # fmt: skip
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(text: str) -> bool:
    """GB 11643-1999 written out independently of the generator."""
    text = text.strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return False
    if id_birth(text) is None:
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(text[:17], WEIGHTS, strict=True)) % 11] == text[17]


def id_birth(text: str) -> date | None:
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def read_date(text: str) -> date:
    if "/" in text:
        year, month, day = map(int, text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text if "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}")


def age(born: date) -> int:
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def town() -> DemoTown:
    return generate(3000, seed=11, as_of=AS_OF, villages=VILLAGES, town="干汊河镇")


@pytest.fixture(scope="module")
def rows(town: DemoTown) -> list[dict[str, str]]:
    return list(town.persons())


def households(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["户编号"]].append(row)
    return grouped


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first, again, other = (tmp_path / name for name in ("a", "b", "c"))
    write_csv(generate(300, seed=5, villages=VILLAGES), first)
    write_csv(generate(300, seed=5, villages=VILLAGES), again)
    write_csv(generate(300, seed=6, villages=VILLAGES), other)
    for name in ("roster.csv", "villages.csv"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / "roster.csv").read_bytes() != (other / "roster.csv").read_bytes()


def test_every_roster_column_is_present(town: DemoTown, rows: list[dict[str, str]]) -> None:
    assert set(ROSTER_PERSON_COLUMNS) <= set(rows[0])
    assert all(row.keys() == rows[0].keys() for row in rows)
    assert all(set(ROSTER_VILLAGE_COLUMNS) == set(row) for row in town.village_rows())


def test_counts_and_household_numbers(town: DemoTown, rows: list[dict[str, str]]) -> None:
    grouped = households(rows)
    assert len(grouped) == 3000
    assert all(1 <= len(members) <= 6 for members in grouped.values())
    assert all(key.isdigit() and len(key) == 16 and key.startswith("341523001") for key in grouped)
    assert [row["行政村"] for row in town.village_rows()] == list(VILLAGES)
    per_village = Counter(members[0]["户编号"][9:12] for members in grouped.values())
    assert sorted(per_village.values()) == [500] * 6


def test_exactly_one_head_per_household(rows: list[dict[str, str]]) -> None:
    for members in households(rows).values():
        assert [m["与户主关系"].strip() for m in members].count("户主") == 1


def test_ids_are_valid_unique_and_consistent_except_the_planted_few(rows: list[dict[str, str]]) -> None:
    invalid = [row for row in rows if not valid_id(row["证件号码"])]
    assert 0 < len(invalid) < 0.01 * len(rows)
    assert all(row["出生日期"] and age(read_date(row["出生日期"])) >= 18 for row in invalid)
    valid = [row for row in rows if valid_id(row["证件号码"])]
    mismatched = [
        row for row in valid
        if (int(row["证件号码"][16]) % 2 == 1) != (row["性别"] == "男")
        or (row["出生日期"] and read_date(row["出生日期"]) != id_birth(row["证件号码"]))
    ]  # fmt: skip
    assert 0 < len(mismatched) < 0.01 * len(rows)
    assert all(age(read_date(row["出生日期"])) >= 18 for row in mismatched)
    repeats = Counter(row["证件号码"].upper() for row in valid)
    duplicated = [id_number for id_number, count in repeats.items() if count > 1]
    assert 0 < len(duplicated) < 0.01 * len(rows)
    assert any(row["证件号码"].endswith("x") for row in valid)


def test_planted_problems_make_every_roster_rule_fire(town: DemoTown, rows: list[dict[str, str]]) -> None:
    found: Counter[str] = Counter()
    for row in rows:
        born = read_date(row["出生日期"]) if row["出生日期"] else id_birth(row["证件号码"])
        years = age(born) if born else 99
        status = row["在校生状况"]
        school_age = 6 <= years <= 15
        found["R01"] += (school_age and status in ("辍学", "非在校生", "")) or (
            school_age and years >= 7 and status == "学龄前"
        )
        found["R02"] += row["参加城乡居民基本医疗保险"] == "否"
        found["R22A"] += row["健康状况"] == "长期慢性病" and row["慢性病卡"] == "否"
        found["R22B"] += row["家庭医生签约"] == "否"
        found["R27"] += row["残疾等级"] in ("一级", "二级") and row["重度残疾护理补贴"] == "否"
        found["rejected"] += row["行政村"].strip() not in VILLAGES
        found["spaces"] += row["行政村"] != row["行政村"].strip()
    for members in households(rows).values():
        head = next(m for m in members if m["与户主关系"] == "户主")
        edge = head["户属性"] == "边缘户"
        exited = head["脱贫状态"] == "已脱贫"
        found["R03"] += head["住房安全等级"] in ("C", "D")
        found["R04"] += "不达标" in (head["饮水水量"], head["饮水水质"], head["取水方便"], head["供水保证率"])
        found["R05"] += int(head["家庭人口数"]) != len(members)
        found["R06"] += exited and float(head["人均纯收入"]) < 4000
        found["R12"] += not edge and not head["帮扶责任人"]
        found["R13"] += not edge and head["帮扶计划"] != "是"
        found["R15"] += edge and (not head["帮扶责任人"] or head["帮扶计划"] != "是")
        last_year = head["上年人均纯收入"]
        found["R18"] += exited and last_year != "" and float(head["人均纯收入"]) < float(last_year)
        found["R20"] += head["公益岗位"] == "是" and head["公益岗位工资按时发放"] == "否"
        found["R23"] += head["住房安全等级"] == "未鉴定"
        found["R24"] += head["光伏收益到户"] == "否"
        found["R25A"] += (
            head["小额信贷余额"] not in ("", "0") and head["小额信贷结清"] == "否"
            and read_date(head["小额信贷到期日"]) < AS_OF
        )  # fmt: skip
        found["R25B"] += head["贷款使用方式"] == "户贷企用"
        found["head not first"] += members[0] is not head
    villages = town.village_rows()
    found["R02V"] = sum(v["合格村医"] == "无" or v["村卫生室"] == "无" for v in villages)
    found["R17V"] = sum(float(v["集体经济收入"]) < float(v["上年集体经济收入"]) for v in villages)
    assert found["R02V"] == found["R17V"] == 1
    assert all(found[kind] > 0 for kind in (*found, "R01", "R25A")), found
    assert 0.001 * len(rows) < found["rejected"] < 0.006 * len(rows)
    assert found["R01"] < 0.01 * len(rows)


def test_csv_reads_back_in_utf8_and_gbk(town: DemoTown, rows: list[dict[str, str]], tmp_path: Path) -> None:
    for encoding in ("utf-8", "gbk"):
        roster, villages = write_csv(town, tmp_path / encoding, encoding=encoding)
        with roster.open(encoding=encoding, newline="") as source:
            assert list(csv.DictReader(source)) == rows
        with villages.open(encoding=encoding, newline="") as source:
            assert list(csv.DictReader(source)) == town.village_rows()
    assert any("," in row["备注"] and '"' in row["备注"] for row in rows)


def test_a_small_town_is_small_and_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    roster, _ = write_csv(generate(300, villages=VILLAGES), tmp_path)
    assert time.perf_counter() - started < 2
    assert roster.stat().st_size < 400_000


def test_workbook_has_both_sheets_with_typed_cells(tmp_path: Path) -> None:
    demo = generate(300, seed=3, villages=VILLAGES)
    book = load_workbook(write_xlsx(demo, tmp_path / "roster.xlsx"), read_only=True)
    assert book.sheetnames == ["人口明细", "村级信息"]
    persons = list(book["人口明细"].iter_rows(values_only=True))
    header, first = persons[0], dict(zip(persons[0], persons[1], strict=True))
    assert set(ROSTER_PERSON_COLUMNS) <= set(header)
    assert len(persons) - 1 == sum(1 for _ in demo.persons())
    assert isinstance(first["证件号码"], str) and isinstance(first["家庭人口数"], int)
    assert len(list(book["村级信息"].iter_rows(values_only=True))) == len(VILLAGES) + 1


def test_workbook_refuses_more_rows_than_a_sheet_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_writers, "EXCEL_MAX_ROWS", 50)
    with pytest.raises(ValueError, match="more person rows than an Excel sheet holds"):
        write_xlsx(generate(100, villages=VILLAGES), tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()


def test_a_corrected_roster_only_fixes_what_data_can_fix(town: DemoTown, rows: list[dict[str, str]]) -> None:
    later = list(correct(town, 0.5, seed=2).persons())
    assert len(later) == len(rows)
    changed = {column for before, after in zip(rows, later, strict=True) for column in before
               if before[column] != after[column]}  # fmt: skip
    assert changed and changed <= FIXABLE
    dropouts = sum(row["在校生状况"] == "辍学" for row in rows)
    assert sum(row["在校生状况"] == "辍学" for row in later) < dropouts
    unsafe = sum(row["住房安全等级"] in ("C", "D") for row in rows)
    assert sum(row["住房安全等级"] in ("C", "D") for row in later) < unsafe
    assert list(correct(town, 0.0, seed=2).persons()) == rows


def test_a_larger_fraction_fixes_a_superset(town: DemoTown) -> None:
    def fixed_households(fraction: float) -> set[str]:
        later = correct(town, fraction, seed=4).persons()
        return {a["户编号"] for a, b in zip(town.persons(), later, strict=True) if a != b}

    some, more = fixed_households(0.3), fixed_households(0.6)
    assert some and some < more


def test_everything_fixable_is_fixed_at_fraction_one(town: DemoTown) -> None:
    later = list(correct(town, 1.0, seed=1).persons())
    assert not any(row["住房安全等级"] in ("C", "D", "未鉴定") or "不达标" in row.values() for row in later)
    assert not any(row["参加城乡居民基本医疗保险"] == "否" or row["在校生状况"] == "辍学" for row in later)


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_a_fraction_outside_zero_to_one_is_refused(town: DemoTown, fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        correct(town, fraction, seed=1)


def test_defaults_come_from_the_catalogue() -> None:
    configured = catalogue.load()
    demo = generate(12)
    assert (demo.villages, demo.town, demo.as_of, demo.seed) == (configured.villages, configured.town, AS_OF, 1)
    assert {row["乡镇"] for row in demo.persons()} == {configured.town}


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate(-1, villages=VILLAGES)
    with pytest.raises(ValueError, match="village"):
        generate(10, villages=())
    assert list(generate(0, villages=VILLAGES).persons()) == []
