"""The roster imports this workbench has sent and is still reading intake's progress lines for.

Intake publishes a roster while it answers the upload (NDJSON, one line per chunk) and stops if its
caller hangs up, so the workbench keeps reading on a thread of its own and hands the page back as soon
as the first line names the import: the page then polls the last line read here. Only the progress of
imports under way is kept; once one is done its summary is intake's (`GET /imports/{id}`), so a
restarted workbench loses nothing but the bar of an import it was reading.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from services.workbench.adapters.services import Service, ServiceDown, error_of

log = logging.getLogger("lookback.workbench.imports")
UNREADABLE = "采集服务应答无法识别 / intake's answer could not be read"


@dataclass(frozen=True)
class Refused:
    """Intake answered the upload with an error before publishing anything (422 refusal, 413 too large)."""

    status: int
    detail: str


Started = str | Refused | ServiceDown


class ImportRuns:
    def __init__(self) -> None:
        self._latest: dict[str, dict[str, Any]] = {}

    def latest(self, import_id: str) -> dict[str, Any] | None:
        """The last progress line of an import under way (`{"error": …}` if it broke off), else None."""
        return self._latest.get(import_id)

    def send(self, api: Service, **request: Any) -> str | Refused:
        """Send a roster (`request` as `Service.post` takes it): its import id once intake has started it."""
        started: queue.Queue[Started] = queue.Queue()
        threading.Thread(target=self.follow, args=(api, request, started), daemon=True).start()
        first = started.get()
        if isinstance(first, ServiceDown):
            raise first
        return first

    def follow(self, api: Service, request: dict[str, Any], started: queue.Queue[Started]) -> None:
        """Read one import's answer to its end (on a thread of its own, by `send`): the first thing put
        in `started` is what `send` returns."""
        import_id: str | None = None
        try:
            with api.stream("/imports", **request) as reply:
                if reply.status_code != 200:
                    reply.read()
                    started.put(Refused(reply.status_code, error_of(reply)))
                    return
                for line in filter(str.strip, reply.iter_lines()):
                    step = json.loads(line)
                    first = import_id is None
                    import_id = import_id or step.get("import_id")
                    if import_id is None:  # it broke off before its first chunk: nothing to poll
                        started.put(Refused(502, str(step.get("error", UNREADABLE))))
                        return
                    if "summary" in step:  # filed by intake before it sent this line
                        self._latest.pop(import_id, None)
                        return
                    self._latest[import_id] = step
                    if first:  # only now: the page polls what is stored above
                        started.put(import_id)
            if import_id is None:  # an answer without a line
                started.put(Refused(502, UNREADABLE))
            elif "error" not in self._latest[import_id]:  # it ended before its summary: no polling forever
                self._latest[import_id] = {"error": "导入中断 / the import stopped before it was done"}
        except Exception as err:  # the page waiting on this thread, or polling it, must hear why it stopped
            if import_id is None:
                started.put(err if isinstance(err, ServiceDown) else Refused(502, UNREADABLE))
                return
            log.warning("stopped reading the progress of import %s: %s", import_id, type(err).__name__)
            self._latest[import_id] = {"error": f"导入中断 / import stopped: {type(err).__name__}"}
