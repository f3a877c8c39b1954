"""An import's filed summary, read back for the page that polls it: by whom, and for which ids."""

from __future__ import annotations

import json
from pathlib import Path

from lookback.auth.users import Role, User
from services.intake.importer import read_summary
from services.intake.status_api import readable


def test_an_import_summary_is_read_back_only_for_an_id_an_import_could_have(tmp_path: Path) -> None:
    folder = tmp_path / "imports" / "0123456789abcdef0123"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps({"import_id": "0123456789abcdef0123"}), encoding="utf-8")
    assert read_summary(tmp_path, "0123456789abcdef0123") == {"import_id": "0123456789abcdef0123"}
    assert read_summary(tmp_path, "fedcba98765432100123") is None  # still running, or never sent
    assert read_summary(tmp_path, "../../etc") is None


def test_the_station_reads_every_import_and_others_only_the_lists_they_sent() -> None:
    station = User(name="station", role=Role.STATION)
    cadre = User(name="li", role=Role.VILLAGE, village="桃园村")
    assert readable(station, {"import_id": "x"})
    assert readable(cadre, {"reporter": "user:li"})
    assert not readable(cadre, {"reporter": "user:wang"}) and not readable(cadre, {"import_id": "roster"})
