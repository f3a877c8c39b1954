"""A bad roster cannot wipe the town; uploads are bounded (issue 12, parts 1 and 5), over the real system.

The sample town is imported once; each broken roster of the issue is then sent as a full roster, and
must be refused with a reason in both languages while the log (events of each type), the problem
counts, the half-month report and the cases stay exactly as they were (`Town.outcome`). The zip bomb
is the issue's own: a ~300 KB workbook holding one 300 MB inline string, built here with `zipfile`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lookback_town import Town

from bench.system import proc_status
from bench.zipbomb import write_bomb
from services.intake.importer import upload_name

pytestmark = pytest.mark.system

UPLOAD_CAP = 1 << 20  # the town's upload cap: above the sample files, below the junk upload
MEGABYTE = 1 << 20


@pytest.fixture(scope="module")
def sample_town(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Iterator[Town]:
    town = Town(tmp_path_factory.mktemp("refusals") / "town", env={"LOOKBACK_UPLOAD_MAX_BYTES": str(UPLOAD_CAP)})
    try:
        summary = town.import_roster(sample_dir / "roster-utf8.csv", sample_dir / "villages-utf8.csv")
        assert summary["households_added"] == 300
        town.wait_idle()
        yield town
    finally:
        town.stop()


def rewrite(src: Path, dst: Path, keep_row: Any = lambda row: True, drop: str | None = None) -> Path:
    """The sample roster with some rows kept (`keep_row(cells)`) and perhaps one column deleted."""
    with open(src, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    index = header.index(drop) if drop else None
    with open(dst, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        for row in [header, *(r for r in rows if keep_row(dict(zip(header, r, strict=True))))]:
            writer.writerow([cell for i, cell in enumerate(row) if i != index])
    return dst


def broken(name: str, sample_dir: Path, folder: Path) -> Path:
    roster = sample_dir / "roster-utf8.csv"
    folder.mkdir(parents=True, exist_ok=True)
    if name == "no-id":
        return rewrite(roster, folder / "no-id.csv", drop="证件号码")
    if name == "header-only":
        return rewrite(roster, folder / "header-only.csv", keep_row=lambda row: False)
    return rewrite(roster, folder / "two-villages.csv", keep_row=lambda row: row["行政村"] in ("桃园村", "新河村"))


REFUSALS = {
    "no-id": ("missing_columns", "花名册人口明细表缺少必需列：证件号码", "lacks the required column: 证件号码"),
    "header-only": ("nothing_accepted", "人口明细表没有可接受的行（读取0行）", "can be accepted (0 read)"),
    "two-villages": ("too_many_removed", "超过20%的上限", "more than 20%; import again with --allow-removal"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_broken_full_roster_is_refused_and_changes_nothing(
    sample_town: Town, sample_dir: Path, tmp_path: Path, name: str
) -> None:
    code, zh, en = REFUSALS[name]
    roster = broken(name, sample_dir, tmp_path)
    before = sample_town.outcome()

    result = sample_town.cli(
        "import", "roster", str(roster), str(sample_dir / "villages-utf8.csv"), "--as-of", "2019-12-01", check=False
    )

    assert result.returncode != 0
    assert flat(zh) in flat(result.stderr) and flat(en) in flat(result.stderr)
    assert sample_town.outcome() == before
    records = [json.loads(p.read_text("utf-8")) for p in (sample_town.root / "imports").glob("*/summary.json")]
    [record] = [r for r in records if upload_name(1, roster.name) in r["files"] and "refused" in r]
    assert record["refused"]["code"] == code and record["events_published"] == 0


def test_the_same_refusal_over_http_is_a_422_in_both_languages(
    sample_town: Town, sample_dir: Path, tmp_path: Path
) -> None:
    roster = broken("no-id", sample_dir, tmp_path)
    before = sample_town.outcome()

    reply = post_import(sample_town, [roster, sample_dir / "villages-utf8.csv"])

    assert reply.status_code == 422
    assert reply.json()["detail"] == (
        "花名册人口明细表缺少必需列：证件号码 / the roster's 人口明细 sheet lacks the required column: 证件号码"
    )
    assert sample_town.outcome() == before


def test_a_zip_bomb_is_refused_from_its_directory_and_intake_memory_stays_flat(
    sample_town: Town, tmp_path: Path
) -> None:
    bomb = write_bomb(tmp_path / "roster.xlsx", ["户编号", "行政村", "姓名", "证件号码"], 300)
    assert bomb.stat().st_size < 400_000
    intake = sample_town.system.services["intake"].proc
    assert intake is not None
    peak = proc_status(intake.pid, "VmHWM")
    before = sample_town.outcome()

    reply = post_import(sample_town, [bomb])

    assert reply.status_code == 413
    assert "roster.xlsx的压缩比超过100倍" in reply.json()["detail"]
    assert "roster.xlsx inflates more than 100 times" in reply.json()["detail"]
    assert proc_status(intake.pid, "VmHWM") - peak < 50 * MEGABYTE  # parsed, the string took it to 1.5 GB
    assert sample_town.outcome() == before


def test_an_upload_over_the_cap_is_refused_before_it_is_parsed(sample_town: Town, tmp_path: Path) -> None:
    junk = tmp_path / "roster.csv"
    junk.write_bytes(b"x" * (UPLOAD_CAP + 1))
    before = sample_town.outcome()

    result = sample_town.cli("import", "roster", str(junk), "--as-of", "2019-12-01", check=False)

    assert result.returncode != 0
    assert flat("413: 上传文件超过1 MB的上限 / the upload exceeds the 1 MB limit") in flat(result.stderr)
    assert sample_town.outcome() == before


def test_a_partial_roster_removes_nothing_and_an_allowed_removal_goes_through(
    town: Town, sample_dir: Path, tmp_path: Path
) -> None:
    villages = sample_dir / "villages-utf8.csv"
    town.import_roster(sample_dir / "roster-utf8.csv", villages)
    part = broken("two-villages", sample_dir, tmp_path)

    partial = json.loads(
        town.cli("import", "roster", str(part), str(villages), "--as-of", "2019-12-01", "--partial").stdout
    )
    allowed = json.loads(
        town.cli("import", "roster", str(part), str(villages), "--as-of", "2019-12-01", "--allow-removal").stdout
    )
    town.wait_idle()

    kept = partial["households_unchanged"] + partial["households_changed"]  # a few also had rows elsewhere
    assert partial["households_removed"] == 0 and 0 < kept < 0.8 * 300
    assert allowed["households_removed"] == 300 - kept
    assert allowed["events_published"] > 300 - kept  # the removals and the import's own event


def flat(text: str) -> str:
    """Text without white space: the console wraps long lines wherever it likes."""
    return "".join(text.split())


def post_import(town: Town, paths: list[Path]) -> httpx.Response:
    return httpx.post(
        f"{town.system.url('intake')}/imports",
        files=[("files", (p.name, p.read_bytes())) for p in paths],
        data={"as_of": "2019-12-01"},
        headers={"Authorization": f"Bearer {town.system.station_token()}"},
        timeout=120,
    )
