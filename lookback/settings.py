"""Settings every service shares, read from the environment (`LOOKBACK_…`) inside each `build_app()`."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lookback.partition import Partition

DEFAULT_NATS_PORT = 14222
DEFAULT_PORTS = {"intake": 18001, "rules": 18002, "rectify": 18003, "reporting": 18004}
WORKBENCH_PORT = 18005  # the workbench's pages; not in DEFAULT_PORTS: it consumes no events, so wait-idle skips it


def nats_servers(url: str) -> list[str]:
    """The servers of a `LOOKBACK_NATS_URL`: one URL, or several separated by commas (the nodes of a cluster).

    The NATS client takes the list as its server pool: when the node it is connected to dies it reconnects
    to another one, each with the credentials written in its own URL (a server the client merely discovers
    from the cluster gets none, so name every node). Blanks around commas are forgiven.
    """
    servers = [part.strip() for part in url.split(",") if part.strip()]
    if not servers:
        raise ValueError("LOOKBACK_NATS_URL names no NATS server")
    return servers


class NatsCredentials(NamedTuple):
    user: str
    password: str

    def __repr__(self) -> str:
        return f"NatsCredentials({self.user!r}, '***')"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOOKBACK_", extra="ignore")

    nats_url: str = Field(
        f"nats://127.0.0.1:{DEFAULT_NATS_PORT}",
        description="NATS server with JetStream; the nodes of a cluster as a comma-separated list of URLs",
    )
    nats_user: str | None = Field(None, description="NATS user of this process (each service has its own)")
    nats_password: SecretStr | None = Field(None, description="That user's password")
    data_dir: Path = Field(Path(".lookback"), description="Where SQLite read models live by default")
    db_url: str | None = Field(None, description="SQLAlchemy URL of this service's store; SQLite in data_dir if unset")
    host: str = Field("127.0.0.1", description="HTTP bind address")
    port: int | None = Field(None, description="HTTP port; the service's default if unset")
    batch_size: int = Field(500, description="Events fetched and handled per batch")
    stream_replicas: int = Field(1, description="Replicas of the event log when this service creates it")
    signing_key: Path | None = Field(
        None, description="This service's Ed25519 private key (PEM, 0600); DATA_DIR/keys/<service>.key if unset"
    )
    submission_due_days: int = Field(
        3, ge=0, description="A half-month's forms are due this many days after the period's last day (报送期限)"
    )
    partition: str | None = Field(
        None, description="k/n: this process is replica k of n and handles the aggregates that hash to k"
    )
    evidence_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest photo or document rectify accepts as evidence (整改佐证), in bytes"
    )
    report_max_bytes: int = Field(
        20 * 1024 * 1024, description="Largest written report (书面报告) reporting accepts from a village, in bytes"
    )

    def replica(self) -> Partition | None:
        return Partition.parse(self.partition) if self.partition else None

    @property
    def nats_servers(self) -> list[str]:
        """`nats_url` as the client's server list (see `nats_servers`)."""
        return nats_servers(self.nats_url)

    def nats_credentials(self) -> NatsCredentials | None:
        if self.nats_user is None:
            return None
        return NatsCredentials(self.nats_user, self.nats_password.get_secret_value() if self.nats_password else "")

    def store_url(self, service: str) -> str:
        if self.db_url:
            return self.db_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def signing_key_path(self, service: str) -> Path:
        return self.signing_key or self.data_dir / "keys" / f"{service}.key"

    def http_port(self, service: str) -> int:
        return self.port or DEFAULT_PORTS[service]
