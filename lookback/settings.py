"""Settings every service shares, read from the environment (`LOOKBACK_…`) inside each `build_app()`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_NATS_PORT = 14222
DEFAULT_PORTS = {"intake": 18001, "rules": 18002, "rectify": 18003, "reporting": 18004}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOOKBACK_", extra="ignore")

    nats_url: str = Field(f"nats://127.0.0.1:{DEFAULT_NATS_PORT}", description="NATS server with JetStream")
    data_dir: Path = Field(Path(".lookback"), description="Where SQLite read models live by default")
    db_url: str | None = Field(None, description="SQLAlchemy URL of this service's store; SQLite in data_dir if unset")
    host: str = Field("127.0.0.1", description="HTTP bind address")
    port: int | None = Field(None, description="HTTP port; the service's default if unset")
    batch_size: int = Field(500, description="Events fetched and handled per batch")
    stream_replicas: int = Field(1, description="Replicas of the event log when this service creates it")

    def store_url(self, service: str) -> str:
        if self.db_url:
            return self.db_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def http_port(self, service: str) -> int:
        return self.port or DEFAULT_PORTS[service]
