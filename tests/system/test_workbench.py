"""The workbench in a real browser (Debian's chromium driven by playwright) over the real system: the
services and the workbench as processes on a runner-started nats-server. Pages are driven as a
person would, by roles and labels; each start page is saved as a screenshot in tests/artifacts/."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from lookback_town import Town
from PIL import Image

from apps import demo
from apps.demo.people import Person, demo_people
from apps.runner import wait_for
from lookback.auth.users import UserStore

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (it is in the dev extras)")
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CLOCK = {"LOOKBACK_NOW": "2019-12-10"}
TOWN = {"households": 80, "seed": 5}
ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")


class Desk:
    """The running town, its people, and a browser to sign them in with."""

    def __init__(self, town: Town, people: dict[str, Person], browser: Browser, villages: tuple[str, ...]) -> None:
        self.town, self.people, self.browser, self.villages = town, people, browser, villages

    @property
    def url(self) -> str:
        assert self.town.system.workbench is not None
        return self.town.system.workbench.url

    def page(self, name: str, width: int = 1024, **options: Any) -> Page:
        """`options` go to the browser context as playwright takes them (e.g. `geolocation=`)."""
        context = self.browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN", **options)
        page: Page = context.new_page()
        sign_in(page, self.url, name, self.people[name].password)
        return page

    def api(self, method: str, path: str, **body: Any) -> httpx.Response:
        return self.town.call(method, "rectify", path, **body)

    def cases(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.town.get("rectify", "/worklist", **params)["cases"])


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does")
    town = Town(tmp_path_factory.mktemp("workbench") / "town", env=CLOCK, workbench=True)
    try:
        made = demo.generate(TOWN["households"], seed=TOWN["seed"])
        roster, villages = demo.write_csv(made, town.root / "demo")
        town.import_roster(roster, villages)
        town.wait_idle()
        village = made.villages[0]
        first = town.get("rectify", "/worklist", village=village, limit=1)["cases"][0]
        people = {p.name: p for p in demo_people(UserStore(town.root / "users.json"), village, first["lead_unit"])}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            yield Desk(town, people, browser, made.villages)
            browser.close()
    finally:
        town.stop()


def open_first_case(page: Page, status_label: str) -> str:
    page.get_by_label("状态").select_option(label=status_label)
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile("status="))
    page.get_by_role("link", name=re.compile(r"^第\d+项")).first.click()
    expect(page.get_by_role("heading", name="办理进程")).to_be_visible()
    return page.url


@pytest.mark.parametrize("name", ["station", "cadre", "officer", "county", "auditor"])
def test_each_role_signs_in_and_lands_on_their_own_work(desk: Desk, name: str) -> None:
    page = desk.page(name)
    cards = page.get_by_role("list", name="统计")
    for label in ("待整改", "整改中", "待验收", "逾期", "三日内到期", "上报县级"):
        expect(cards.get_by_role("link", name=re.compile(label))).to_be_visible()
    listed = page.get_by_role("region", name="案件列表").get_by_role("listitem")
    expect(listed.first).to_be_visible()
    person = desk.people[name]
    if person.village:
        others = [v for v in desk.villages if v != person.village]
        text = page.get_by_role("region", name="案件列表").inner_text()
        assert person.village in text and not any(v in text for v in others)
    if person.unit:
        assert all(person.unit in t for t in listed.all_inner_texts() if "第" in t)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"workbench-start-{person.role.value}.png"), full_page=True)
    page.context.close()


def test_a_cadre_walks_a_case_to_rectified_with_a_photo_and_the_station_verifies_it(desk: Desk, tmp_path: Path) -> None:
    photo = tmp_path / "复学证明.png"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(photo)
    cadre = desk.page("cadre", geolocation={"latitude": 26.5783, "longitude": 106.7135, "accuracy": 12})
    cadre.context.grant_permissions(["geolocation"])
    case_url = open_first_case(cadre, "待整改")
    cadre.get_by_label("整改措施").fill("联系学校送教上门")
    cadre.get_by_role("button", name="开始整改").click()
    expect(cadre.get_by_text("当前状态：整改中")).to_be_visible()
    page_as_photo = tmp_path / "证明.jpg"
    page_as_photo.write_bytes(b"<html><script>alert(1)</script></html>")
    cadre.get_by_label("整改情况").fill("已复学")
    cadre.get_by_label(re.compile("整改照片或文件")).set_input_files(page_as_photo)
    cadre.get_by_role("button", name="报告整改完成").click()
    expect(cadre.get_by_role("alert")).to_contain_text("只能上传照片")  # refused by rectify, nothing reported
    expect(cadre.get_by_text("当前状态：整改中")).to_be_visible()
    cadre.get_by_label("整改情况").fill("已复学，附复学证明")
    cadre.get_by_label(re.compile("整改照片或文件")).set_input_files(photo)
    cadre.get_by_label("附上位置").check()
    expect(cadre.get_by_role("status")).to_contain_text("已获取位置")
    cadre.get_by_role("button", name="报告整改完成").click()
    expect(cadre.get_by_text("当前状态：已整改待验收")).to_be_visible()
    expect(cadre.get_by_role("button", name="验收通过（销号）")).to_have_count(0)  # only the station closes
    cadre.context.close()

    station = desk.page("station")
    station.goto(case_url)
    timeline = station.get_by_role("list", name="办理进程")
    shown = timeline.get_by_role("img", name="整改照片 1")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64  # the photo itself loads
    src = shown.get_attribute("src")
    assert src
    served = station.request.get(f"{desk.url}{src}")  # through the workbench, as the station
    assert served.headers["content-type"] == "image/jpeg" and served.headers["x-content-type-options"] == "nosniff"
    photo_bytes = served.body()
    expect(timeline.get_by_text("位置：纬度 26.57830，经度 106.71350（误差约 12 米）")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    station.screenshot(path=str(ARTIFACTS / "workbench-case-evidence.png"), full_page=True)
    station.get_by_role("button", name="验收通过（销号）").click()
    expect(station.get_by_text("当前状态：已销号")).to_be_visible()
    for step in ("立案", "开始整改", "已整改待验收", "验收销号"):
        expect(timeline.get_by_text(step, exact=True)).to_be_visible()
    expect(timeline.get_by_text("cadre", exact=True).first).to_be_visible()  # the station reads who did it
    expect(station.get_by_role("button")).not_to_contain_text(["开始整改"])
    station.context.close()

    case_id = case_url.rsplit("/", 1)[1]
    reported = next(e for e in desk.api("GET", f"/cases/{case_id}/history").json() if e["type"] == "case.rectified")
    (evidence,) = reported["payload"]["evidence"]
    assert src.endswith(evidence["sha256"]) and evidence["media_type"] == "image/jpeg"
    assert hashlib.sha256(photo_bytes).hexdigest() == evidence["sha256"]
    assert reported["payload"]["location"] == {"lat": 26.5783, "lon": 106.7135, "accuracy_m": 12.0}


def test_the_station_escalates_and_the_county_answers(desk: Desk) -> None:
    station = desk.page("station")
    case_url = open_first_case(station, "待整改")
    expect(station.get_by_role("form", name="录入县级答复")).to_have_count(0)  # nothing to answer yet
    station.get_by_label("县级单位").fill("县住建局")
    station.get_by_label("上报理由").fill("需县级资金")
    station.get_by_role("button", name="上报县级").click()
    expect(station.get_by_text("当前状态：已上报县级")).to_be_visible()
    expect(station.get_by_role("form", name="录入县级答复")).to_be_visible()  # only a paper answer, named
    station.context.close()

    county = desk.page("county")
    county.get_by_role("link", name=re.compile("上报县级")).click()
    expect(county.get_by_role("link", name=re.compile(r"^第\d+项")).first).to_be_visible()
    county.goto(case_url)
    county.get_by_label("县级意见").fill("列入县级项目")
    county.get_by_role("button", name="受理").click()
    expect(county.get_by_text("当前状态：县级已受理")).to_be_visible()
    expect(county.get_by_role("list", name="办理进程").get_by_text("县级受理", exact=True)).to_be_visible()
    county.context.close()


def test_a_cadre_sees_no_case_household_or_id_number_of_another_village(desk: Desk) -> None:
    cadre = desk.page("cadre")
    own = desk.people["cadre"].village
    other = next(v for v in desk.villages if v != own)
    foreign = desk.cases(village=other, limit=1)[0]
    cadre.goto(f"{desk.url}/work?village={other}")
    expect(cadre.get_by_text("共 0 件", exact=False)).to_be_visible()
    cadre.goto(f"{desk.url}/cases/{foreign['case_id']}")
    expect(cadre.get_by_role("alert")).to_contain_text("无权")
    assert other not in cadre.get_by_role("main").inner_text()
    cadre.goto(f"{desk.url}/work")
    open_first_case(cadre, "待整改")
    assert not ID_NUMBER.search(cadre.content())
    cadre.context.close()


def test_a_conflict_is_shown_with_what_changed_and_retried(desk: Desk) -> None:
    cadre = desk.page("cadre")
    case_url = open_first_case(cadre, "待整改")
    case_id = case_url.rsplit("/", 1)[1]
    deadline = desk.api("GET", f"/cases/{case_id}").json()["deadline"]
    later = f"{int(deadline[:4]) + 1}{deadline[4:]}"
    assert desk.api("POST", f"/cases/{case_id}/extend", new_deadline=later, reason="雨季施工").status_code == 200

    cadre.get_by_label("整改措施").fill("筹集资金维修")
    cadre.get_by_role("button", name="开始整改").click()
    conflict = cadre.get_by_role("alert", name="案件已被他人更新")
    expect(conflict).to_contain_text("延期")
    expect(conflict).to_contain_text(later)
    expect(cadre.get_by_label("整改措施")).to_have_value("筹集资金维修")
    cadre.get_by_role("button", name="开始整改").click()
    expect(cadre.get_by_text("当前状态：整改中")).to_be_visible()
    cadre.context.close()


def test_the_start_page_shows_the_latest_digest_of_the_persons_village(desk: Desk) -> None:
    # the station's (全镇) is composed after every village's and folded in stream order
    wait_for(lambda: desk.api("GET", "/digests/mine").json()["digest"] is not None, 60, "no digest was composed")
    page = desk.page("cadre")
    panel = page.get_by_role("region", name="今日提醒")
    expect(panel).to_contain_text(CLOCK["LOOKBACK_NOW"])
    for label in ("新分派", "三日内到期", "逾期", "上报县级", "待报送"):
        expect(panel).to_contain_text(label)
    expect(panel).not_to_contain_text("村和单位未报送")  # the station's count, not a village's
    assert not ID_NUMBER.search(panel.inner_text())
    page.context.close()


def test_the_phone_layout_has_no_horizontal_scroll(desk: Desk) -> None:
    phone = desk.page("cadre", width=375)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "workbench-phone-work.png"), full_page=True)
    open_first_case(phone, "整改中")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(ARTIFACTS / "workbench-phone-case.png"), full_page=True)
    phone.context.close()


def download(page: Page, link: str) -> tuple[str, io.BytesIO]:
    """The file a link downloads: its name as the browser would save it, and its bytes."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link).click()
    return started.value.suggested_filename, io.BytesIO(Path(started.value.path()).read_bytes())


def test_a_cadre_downloads_its_own_ledger_and_the_station_the_summary(desk: Desk) -> None:
    cadre, village = desk.page("cadre", width=375), desk.people["cadre"].village
    cadre.get_by_role("link", name="报表下载").click()
    expect(cadre.get_by_role("heading", name="报表下载")).to_be_visible()
    assert cadre.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    cadre.screenshot(path=str(ARTIFACTS / "workbench-phone-forms.png"), full_page=True)
    expect(cadre.get_by_role("link", name=re.compile("汇总表"))).to_have_count(0)  # the town's, not a village's
    name, file = download(cadre, "下载2019年12月上半月整改台帐Excel")
    assert name == f"整改台帐-{village}-2019-12-H1.xlsx"
    ledger = openpyxl.load_workbook(file)["整改台帐"]
    assert ledger["A1"].value == f"干汊河镇{village}脱贫攻坚“回头看”整改台帐"
    header = [c.value for c in ledger[3]]
    rows = [r for r in ledger.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert rows and {r[header.index("行政村")] for r in rows} == {village}
    cadre.context.close()

    station = desk.page("station")
    station.goto(f"{desk.url}/forms")
    sheet = openpyxl.load_workbook(download(station, "下载2019年12月上半月问题排查情况汇总表Excel")[1])[
        "问题排查情况汇总表"
    ]
    assert sheet["A1"].value == "干汊河镇脱贫攻坚“回头看”问题排查情况汇总表"
    assert [c.value for c in sheet[3]][:3] == ["问题类别", "行政村", "发现问题"]
    assert {r[1] for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]} >= {*desk.villages, "合计"}
    station.context.close()


def test_repeated_wrong_passwords_lock_the_name(desk: Desk) -> None:
    with httpx.Client(base_url=desk.url, timeout=30) as client:
        codes = []
        for password in ["wrong-one", "wrong-two", "wrong-three", "wrong-four", "wrong-five"]:
            client.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert csrf
            reply = client.post("/login", data={"csrf": csrf[1], "name": "auditor", "password": password})
            codes.append(reply.status_code)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert csrf
        right = client.post(
            "/login", data={"csrf": csrf[1], "name": "auditor", "password": desk.people["auditor"].password}
        )
    assert codes == [401, 401, 401, 401, 401] and right.status_code == 429


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found[1]


def test_a_password_change_and_signing_out_end_the_old_sessions(desk: Desk) -> None:
    officer = desk.people["officer"]
    with httpx.Client(base_url=desk.url, timeout=30) as phone, httpx.Client(base_url=desk.url, timeout=30) as pc:
        for client in (phone, pc):
            form = csrf_of(client.get("/login").text)
            assert (
                client.post(
                    "/login", data={"csrf": form, "name": officer.name, "password": officer.password}
                ).status_code
                == 303
            )
        work = pc.get("/work")
        assert work.status_code == 200
        no_token = pc.post(
            "/password", data={"current": officer.password, "new": "a new one 2020", "repeat": "a new one 2020"}
        )
        assert no_token.status_code == 403  # a form without the session's CSRF token changes nothing
        changed = pc.post(
            "/password",
            data={
                "csrf": csrf_of(work.text),
                "current": officer.password,
                "new": "a new one 2020",
                "repeat": "a new one 2020",
            },
        )
        assert changed.status_code == 200 and "密码已修改" in changed.text
        assert phone.get("/work").status_code == 303  # the other device is signed out
        assert pc.get("/work").status_code == 200
        assert pc.post("/logout", data={"csrf": csrf_of(pc.get("/work").text)}).status_code == 303
        assert pc.get("/work").headers["location"].startswith("/login")
    desk.people["officer"] = Person(officer.name, officer.role, "a new one 2020", officer.village, officer.unit)


def with_two_bad_rows(book_path: Path) -> tuple[int, int]:
    """The desk town's own roster as a workbook, with two rows appended that the import must refuse: a
    copy of the first person with a 性别 outside its list, and one placed in a village the town lacks.
    Every other row is as on record, so the re-upload changes and removes no household."""
    demo.write_xlsx(demo.generate(TOWN["households"], seed=TOWN["seed"]), book_path)
    book = openpyxl.load_workbook(book_path)
    persons = book["人口明细"]
    header = [c.value for c in persons[1]]
    first = [c.value for c in persons[2]]
    for column, value in (("性别", "未知"), ("行政村", "不存在村")):
        row = list(first)
        row[header.index(column)] = value
        persons.append(row)
    book.save(book_path)
    return persons.max_row - 1, persons.max_row


def test_a_roster_upload_shows_its_rejects_and_hands_them_out_as_xlsx(desk: Desk, tmp_path: Path) -> None:
    bad_sex, bad_village = with_two_bad_rows(tmp_path / "花名册.xlsx")
    station = desk.page("station")
    station.get_by_role("link", name="花名册导入").click()
    station.get_by_label("花名册文件").set_input_files(tmp_path / "花名册.xlsx")
    station.get_by_label("基准日期").fill("2019-12-01")
    station.get_by_role("button", name="上传并导入").click()
    table = station.get_by_role("table", name="被拒行")
    expect(table).to_be_visible(timeout=120_000)  # the page polls the import until intake has filed it
    expect(table.get_by_role("row", name=f"人口明细 {bad_sex} 性别")).to_contain_text("性别不在可选值")
    expect(table.get_by_role("row", name=f"人口明细 {bad_village} 行政村")).to_contain_text("行政村不属于本镇")
    stats = dict(
        zip(
            station.get_by_role("term").all_inner_texts(),
            station.get_by_role("definition").all_inner_texts(),
            strict=True,
        )
    )
    assert stats["移除户"] == "0" and stats["变更户"] == "0"  # the town's own roster: no household changes
    assert not ID_NUMBER.search(station.get_by_role("region", name="导入结果").inner_text())
    expect(station.get_by_role("progressbar", name="上传进度")).to_have_attribute("value", "100")

    with station.expect_download() as download:
        station.get_by_role("link", name="下载被拒行 (xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    listed = [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert {("人口明细", bad_sex, "性别"), ("人口明细", bad_village, "行政村")} <= set(listed)
    assert stats["被拒"] == str(len(listed))  # the demo roster has a bad row of its own
    expect(table.get_by_role("row")).to_have_count(1 + len(listed))

    station.set_viewport_size({"width": 375, "height": 800})
    assert station.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    station.screenshot(path=str(ARTIFACTS / "workbench-roster-rejects.png"), full_page=True)
    station.context.close()


def test_a_roster_refused_whole_says_why_and_that_nothing_was_published(desk: Desk, tmp_path: Path) -> None:
    roster, villages = demo.write_csv(demo.generate(TOWN["households"], seed=TOWN["seed"]), tmp_path)
    with roster.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    lost = rows[0].index("性别")
    with roster.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([c for n, c in enumerate(row) if n != lost] for row in rows)
    station = desk.page("station")
    station.goto(f"{desk.url}/imports/roster")
    expect(station.get_by_text("允许移除大量农户")).to_be_visible()
    station.get_by_label("花名册文件").set_input_files([roster, villages])
    station.get_by_label("基准日期").fill("2019-12-01")
    station.get_by_role("button", name="上传并导入").click()
    refusal = station.get_by_role("alert")
    expect(refusal).to_contain_text("缺少必需列：性别")
    expect(refusal).to_contain_text("未发布任何数据")
    station.context.close()


def test_a_cadre_reports_a_problem_that_becomes_a_case_of_their_village(desk: Desk) -> None:
    cadre = desk.page("cadre")
    own = desk.people["cadre"].village
    cadre.get_by_role("link", name="上报问题").click()
    form = cadre.get_by_role("form", name="上报一个问题")
    expect(form.get_by_text(f"行政村：{own}")).to_be_visible()  # a cadre reports for their own village only
    cadre.set_viewport_size({"width": 375, "height": 800})
    assert cadre.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    cadre.screenshot(path=str(ARTIFACTS / "workbench-phone-issues.png"), full_page=True)
    form.get_by_label("问题条目").select_option(value="32")
    form.get_by_label("问题描述").fill("村部会议过多，影响入户走访")
    form.get_by_role("button", name="上报").click()
    expect(cadre.get_by_role("status")).to_contain_text("已上报")
    desk.town.cli("wait-idle", "--timeout", "120")  # the CLI: this thread runs the browser's event loop

    cadre.goto(f"{desk.url}/work?item=32")
    case = cadre.get_by_role("region", name="案件列表").get_by_role("link", name=re.compile(r"^第32项"))
    expect(case).to_have_count(1)
    case.click()
    expect(cadre.get_by_text("当前状态：待整改")).to_be_visible()
    assert own is not None and own in cadre.get_by_role("definition").all_inner_texts()
    cadre.context.close()


def test_a_problem_list_upload_shows_its_bad_row(desk: Desk, tmp_path: Path) -> None:
    station = desk.page("station")
    station.get_by_role("link", name="上报问题").click()
    with station.expect_download() as download:
        station.get_by_role("link", name="下载问题清单模板 (xlsx)").click()
    template = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    header = [c.value for c in template["问题清单"][1]]
    assert header[:4] == ["行政村或单位", "问题条目", "问题描述", "发现日期"]

    problems = tmp_path / "问题清单.csv"
    problems.write_text(
        "行政村或单位,问题条目,问题描述,发现日期\n"
        f"{desk.villages[1]},33,督查检查过多,2019-12-05\n"
        f"{desk.villages[1]},99,没有这个条目,2019-12-05\n",
        encoding="utf-8",
    )
    station.get_by_label("问题清单文件").set_input_files(problems)
    station.get_by_role("button", name="上传问题清单").click()
    rows = station.get_by_role("table", name="被拒行").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("问题清单3问题条目")
    stats = dict(
        zip(
            station.get_by_role("term").all_inner_texts(),
            station.get_by_role("definition").all_inner_texts(),
            strict=True,
        )
    )
    assert stats["接受"] == "1" and stats["被拒"] == "1"
    station.context.close()


def tick(page: Page, case_ids: list[str]) -> None:
    for case_id in case_ids:
        page.get_by_role("checkbox", name=re.compile(case_id[:8])).check()


def outcomes(page: Page) -> dict[str, str]:
    """The bulk answer page: each case's id prefix and what became of it."""
    rows = page.get_by_role("list", name="办理结果").get_by_role("listitem")
    expect(rows.first).to_be_visible()
    return {t.split()[1]: t for t in rows.all_inner_texts()}


def test_the_station_bulk_assigns_three_cases_each_its_own_event(desk: Desk) -> None:
    village = desk.villages[-1]
    chosen = [c["case_id"] for c in desk.cases(village=village, status="pending", limit=3)]
    assert len(chosen) == 3
    station = desk.page("station", width=375)
    station.goto(f"{desk.url}/work?status=pending&village={village}")
    assert station.evaluate("document.documentElement.scrollWidth") <= 375  # the bar fits a phone
    tick(station, chosen)
    station.get_by_label("责任人").fill("批量责任人")
    station.get_by_role("button", name="批量改派").click()
    done = outcomes(station)
    assert sorted(done) == sorted(c[:12] for c in chosen) and all("已办理" in t for t in done.values())
    events = []
    for case_id in chosen:
        history = desk.api("GET", f"/cases/{case_id}/history").json()
        assigned = [e for e in history if e["type"] == "case.assigned"]
        assert [e["payload"]["person"] for e in assigned] == ["批量责任人"]
        events.append(assigned[0]["id"])
    assert len(set(events)) == 3  # one event per case
    station.context.close()


def test_a_bulk_extend_says_which_case_could_not_and_does_the_others(desk: Desk) -> None:
    village = desk.villages[-2]
    chosen = desk.cases(village=village, status="pending", limit=3)
    assert len(chosen) == 3
    closed = chosen[1]["case_id"]
    assert desk.api("POST", f"/cases/{closed}/dismiss", reason="核实不属实").status_code == 200
    station = desk.page("station")
    station.goto(f"{desk.url}/work?status=all&village={village}")
    rows = station.get_by_role("checkbox", name=re.compile("^选择"))
    station.get_by_label("全选本页").focus()
    station.keyboard.press("Space")  # by keyboard: every row of the page is ticked, then cleared
    expect(rows.last).to_be_checked()
    station.keyboard.press("Space")
    expect(rows.first).not_to_be_checked()
    tick(station, [c["case_id"] for c in chosen])
    station.get_by_label("或延期天数").fill("15")
    station.get_by_label("延期理由").fill("雨季施工")
    station.get_by_role("button", name="批量延期").click()
    expect(station.get_by_role("status")).to_contain_text("已办理 2 件，未办理 1 件")
    done = outcomes(station)
    assert "不能延期" in done[closed[:12]] and "未办理" in done[closed[:12]]
    for case in (chosen[0], chosen[2]):
        assert "已办理" in done[case["case_id"][:12]]
        moved = desk.api("GET", f"/cases/{case['case_id']}").json()["deadline"]
        assert date.fromisoformat(moved) == date.fromisoformat(case["deadline"]) + timedelta(days=15)
    station.context.close()


def test_the_station_adds_a_village_user_who_sets_a_password_and_sees_only_their_village(desk: Desk) -> None:
    village = desk.villages[-1]
    station = desk.page("station", width=375)
    station.get_by_role("link", name="用户管理").click()
    expect(station.get_by_role("heading", name="用户管理")).to_be_visible()
    assert station.evaluate("document.documentElement.scrollWidth") <= 375
    assert "hash" not in station.content() and "token" not in station.content()
    station.get_by_label("用户名").fill("wang")
    station.get_by_label("角色").select_option(label="村干部")
    station.get_by_label("行政村（村干部）").select_option(village)
    station.get_by_role("button", name="添加并生成设置密码链接").click()
    expect(station.get_by_role("main")).to_contain_text("已添加 wang")
    link = station.locator("#setup-link").get_attribute("href")
    assert link and "/setup/" in link

    newcomer = desk.browser.new_context(locale="zh-CN").new_page()
    newcomer.goto(link)
    newcomer.get_by_label("密码（至少 8 位）").fill("wang's own 2020")
    newcomer.get_by_label("再次输入密码").fill("wang's own 2020")
    newcomer.get_by_role("button", name="设置密码").click()
    sign_in(newcomer, desk.url, "wang", "wang's own 2020")
    text = newcomer.get_by_role("region", name="案件列表").inner_text()
    assert village in text and not any(v in text for v in desk.villages if v != village)
    expect(newcomer.get_by_role("button", name="批量改派")).to_have_count(0)  # a cadre gets no bulk bar

    station.reload()
    station.get_by_role("form", name="停用 wang").get_by_role("button", name="停用").click()
    expect(station.get_by_role("status", name="办理结果")).to_contain_text("已停用 wang")
    newcomer.reload()
    expect(newcomer.get_by_role("button", name="登录")).to_be_visible()  # the open session ended
    newcomer.context.close()
    station.context.close()


def test_a_village_cadre_has_no_users_page(desk: Desk) -> None:
    cadre = desk.page("cadre")
    expect(cadre.get_by_role("link", name="用户管理")).to_have_count(0)
    expect(cadre.get_by_role("checkbox", name=re.compile("^选择"))).to_have_count(0)
    with httpx.Client(base_url=desk.url, timeout=30) as client:
        for cookie in cadre.context.cookies():
            client.cookies.set(cookie["name"], cookie["value"])
        assert client.get("/users").status_code == 403
        csrf = csrf_of(client.get("/work").text)
        refused = client.post("/users", data={"csrf": csrf, "name": "evil", "role": "station"})
        assert refused.status_code == 403
        assert client.post("/work/bulk", data={"csrf": csrf, "action": "assign"}).status_code == 403
    assert "evil" not in {u.name for u in UserStore(desk.town.root / "users.json").users()}
    cadre.context.close()
