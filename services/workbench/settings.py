"""The workbench's settings: where the services' APIs are, and how sessions and sign-in behave."""

from __future__ import annotations

from pydantic import Field

from lookback.settings import DEFAULT_PORTS, WORKBENCH_PORT, ServiceSettings


def _local(service: str) -> str:
    return f"http://127.0.0.1:{DEFAULT_PORTS[service]}"


class WorkbenchSettings(ServiceSettings):
    intake_url: str = Field(_local("intake"), description="intake's HTTP API (rosters, 问题清单), called as the person")
    rectify_url: str = Field(_local("rectify"), description="rectify's HTTP API, called as the signed-in person")
    reporting_url: str = Field(_local("reporting"), description="reporting's HTTP API (forms), called as the person")
    workbench_url: str | None = Field(
        None,
        description="The address people open the workbench at, for the setup links 用户管理 shows (as "
        "`lookback users add` reads it); default: the address the page was opened at",
    )
    session_hours: float = Field(10, description="A session ends this long after sign-in")
    cookie_secure: bool = Field(False, description="Mark cookies Secure: set it when the workbench is behind TLS")
    lockout_attempts: int = Field(5, description="Failed sign-ins in a row that lock a name")
    lockout_minutes: int = Field(15, description="How long a locked name stays locked")

    def http_port(self, service: str = "workbench") -> int:
        return self.port or WORKBENCH_PORT
