"""Entry point of the Lookback image: read secrets from files, then run the service.

The services read only `LOOKBACK_*` environment variables (lookback/settings.py), and their NATS and
database passwords travel inside LOOKBACK_NATS_URL and LOOKBACK_DB_URL. So that no password has to
sit in a compose file or `docker inspect`, this entry point:

1. replaces `LOOKBACK_<NAME>_FILE=/path` with `LOOKBACK_<NAME>=<the file's content>` (trailing
   newline removed), the convention of the official database images, for the variables that carry
   secrets (FROM_FILE below; `LOOKBACK_USERS_FILE`, say, is a setting of its own and left alone);
2. puts LOOKBACK_NATS_PASSWORD into each URL of LOOKBACK_NATS_URL and LOOKBACK_DB_PASSWORD into
   LOOKBACK_DB_URL, whose user names are already in the URL (`nats://rules@nats:4222`,
   `postgresql+psycopg://rules@postgres:5432/lookback_rules`), then drops both variables;
3. runs `python -m services.<name>` when the command is a service name, else the command as given.

Standard library only: it runs before anything else and must not fail on an import.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

SERVICES = ("intake", "rules", "rectify", "reporting", "workbench")
PREFIX = "LOOKBACK_"
# Variables that may be given as `<name>_FILE`.
FROM_FILE = ("LOOKBACK_NATS_URL", "LOOKBACK_DB_URL", "LOOKBACK_NATS_PASSWORD", "LOOKBACK_DB_PASSWORD", "LOOKBACK_TOKEN")
# nats-py takes the password from the URL without percent-decoding it: only unreserved characters
# survive that unchanged. `openssl rand -hex 32` gives such passwords.
NATS_SAFE = re.compile(r"[A-Za-z0-9._~-]+")

USAGE = f"""usage: <image> {{{"|".join(SERVICES)}}}   run one Lookback service
       <image> COMMAND [ARG…]              run a command (e.g. lookback --help)

Secrets: <NAME>_FILE=/run/secrets/… sets <NAME> from the file, for {", ".join(FROM_FILE)}.
LOOKBACK_NATS_PASSWORD and LOOKBACK_DB_PASSWORD are put into LOOKBACK_NATS_URL and LOOKBACK_DB_URL,
which name the user. See docs/operations.md.
"""


class ConfigError(Exception):
    """A setting is missing or malformed; the message never contains a secret."""


def read_secret_files(env: Mapping[str, str]) -> dict[str, str]:
    out = dict(env)
    for target in FROM_FILE:
        key = f"{target}_FILE"
        if key not in env:
            continue
        if target in env:
            raise ConfigError(f"both {target} and {key} are set: set one of them")
        path = Path(env[key])
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as err:
            raise ConfigError(f"{key}: cannot read {path}: {err.strerror}") from None
        if not value:
            raise ConfigError(f"{key}: {path} is empty")
        out[target] = value
        del out[key]
    return out


def with_password(url: str, password: str, variable: str) -> str:
    """`scheme://user@host…` with the password inserted after the user name."""
    parts = urlsplit(url.strip())
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or not userinfo:
        raise ConfigError(f"{variable} must name the user (scheme://USER@host…) when a password is given")
    if ":" in userinfo:
        raise ConfigError(f"{variable} already holds a password: give it either in the URL or as a secret")
    return urlunsplit(parts._replace(netloc=f"{userinfo}:{password}@{host}"))


def resolve_env(env: Mapping[str, str]) -> dict[str, str]:
    out = read_secret_files(env)
    nats_password = out.pop(f"{PREFIX}NATS_PASSWORD", None)
    if nats_password is not None:
        if not NATS_SAFE.fullmatch(nats_password):
            raise ConfigError(
                "LOOKBACK_NATS_PASSWORD may hold only letters, digits and . _ ~ - "
                "(generate it with `openssl rand -hex 32`)"
            )
        url = out.get(f"{PREFIX}NATS_URL")
        if not url:
            raise ConfigError("LOOKBACK_NATS_PASSWORD is set but LOOKBACK_NATS_URL is not")
        out[f"{PREFIX}NATS_URL"] = ",".join(
            with_password(u, nats_password, "LOOKBACK_NATS_URL") for u in url.split(",")
        )
    db_password = out.pop(f"{PREFIX}DB_PASSWORD", None)
    if db_password is not None:
        url = out.get(f"{PREFIX}DB_URL")
        if not url:
            raise ConfigError("LOOKBACK_DB_PASSWORD is set but LOOKBACK_DB_URL is not")
        # SQLAlchemy percent-decodes the password of a URL, so any character is fine here.
        out[f"{PREFIX}DB_URL"] = with_password(url, quote(db_password, safe=""), "LOOKBACK_DB_URL")
    return out


def command_for(argv: Sequence[str]) -> list[str] | None:
    if not argv or argv[0] in ("-h", "--help", "help"):
        return None
    if argv[0] in SERVICES:
        return [sys.executable, "-m", f"services.{argv[0]}"]
    return list(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = command_for(args)
    if command is None:
        print(USAGE, end="")
        return 0 if args else 64
    try:
        env = resolve_env(os.environ)
    except ConfigError as err:
        print(f"lookback-entrypoint: {err}", file=sys.stderr)
        return 78  # EX_CONFIG
    os.execvpe(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
