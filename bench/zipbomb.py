"""`python -m bench.zipbomb [--megabytes 300] [--uncapped]`: intake against an .xlsx zip bomb (issue 12, part 5).

The bomb is the one the issue reported: a valid workbook of a few hundred KB whose 人口明细 sheet holds
one inline string of hundreds of MB, written through `zipfile` in chunks so building it costs no
memory. The script starts a nats-server and intake alone on free ports, posts the bomb as a roster
and prints the answer, how long the refusal took, and intake's peak RSS (VmHWM) before and after.
`--uncapped` raises the caps out of the way to show what the bomb did before them (needs GB of RAM).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
from openpyxl.utils import get_column_letter

from apps.runner import SERVICES, NatsServer, System, free_port, wait_for
from bench.system import proc_status

MEGABYTE = 1 << 20
SHEET_XML = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="人口明细" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
}


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_bomb(path: Path, header: list[str], megabytes: int) -> Path:
    """A workbook whose 人口明细 sheet has `header` in row 1 and one cell of `megabytes` MB of text in row 2."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            cells = "".join(_inline(f"{get_column_letter(i)}1", name) for i, name in enumerate(header, start=1))
            sheet.write(f'{SHEET_XML}<row r="1">{cells}</row><row r="2"><c r="A2" t="inlineStr"><is><t>'.encode())
            chunk = b"A" * MEGABYTE
            for _ in range(megabytes):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.zipbomb", description=__doc__.split("\n")[0])
    p.add_argument("--megabytes", type=int, default=300, help="size of the one inline string")
    p.add_argument("--uncapped", action="store_true", help="raise intake's caps to show the bomb without them")
    args = p.parse_args(argv)
    caps = {"LOOKBACK_XLSX_MAX_RATIO": "1e9", "LOOKBACK_XLSX_MAX_UNCOMPRESSED_BYTES": str(1 << 40)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bomb = write_bomb(root / "bomb.xlsx", ["户编号", "行政村", "姓名", "证件号码"], args.megabytes)
        bomb_size = bomb.stat().st_size
        nats = NatsServer(root / "nats", free_port())
        nats.start()
        ports = {s: free_port() for s in SERVICES}
        system = System(root / "data", nats.url, ports=ports, env=caps if args.uncapped else {})
        intake = system.services["intake"]
        try:
            token = system.station_token()
            intake.start()
            wait_for(intake.healthy, 60, "intake did not become healthy")
            assert intake.proc is not None
            before = proc_status(intake.proc.pid, "VmHWM")
            started = time.monotonic()
            reply = httpx.post(
                f"{intake.url}/imports",
                files=[("files", (bomb.name, bomb.read_bytes()))],
                data={"as_of": "2019-12-01"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=None,
            )
            seconds = time.monotonic() - started
            after = proc_status(intake.proc.pid, "VmHWM")
        finally:
            intake.stop()
            nats.stop()
    result = {
        "bomb_bytes": bomb_size,
        "inline_string_mb": args.megabytes,
        "uncapped": args.uncapped,
        "status": reply.status_code,
        "answer": reply.text[:300],
        "seconds": round(seconds, 3),
        "intake_peak_rss_mb_before": round(before / MEGABYTE, 1),
        "intake_peak_rss_mb_after": round(after / MEGABYTE, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
