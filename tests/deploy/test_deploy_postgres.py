"""deploy/postgres/init-databases.sh against a private, throw-away PostgreSQL cluster.

The script is what the postgres container runs on first start; here it runs with the same
environment (POSTGRES_USER, secrets in a folder) against a cluster made with initdb on a free
loopback port, owned by the `postgres` system user. Skipped where PostgreSQL's server binaries or
that user are missing. The machine's own PostgreSQL (5432) is not touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from lookback.store import make_engine

from .deploy_support import DEPLOY

pytestmark = [pytest.mark.postgres, pytest.mark.system]
# Each owns a database: the four services and the workbench (its sessions).
SERVICES = ("intake", "rules", "rectify", "reporting", "workbench")


def server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[int, Path, dict[str, str], Any]]:
    bin_dir = server_bin()
    runuser = shutil.which("runuser")
    if os.geteuid() != 0 or not runuser:
        pytest.skip("needs root and runuser to run initdb as the postgres user")
    try:
        postgres = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres system user")
    root = Path(tempfile.mkdtemp(prefix="lookback-pg-"))
    os.chown(root, postgres.pw_uid, postgres.pw_gid)
    data = root / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [runuser, "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=120, cwd=root
        )

    result = as_postgres(
        str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256"
    )
    assert result.returncode == 0, result.stderr
    result = as_postgres(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(root / "log"),
        "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
        "start",
    )
    assert result.returncode == 0, result.stderr + (root / "log").read_text()
    secrets_dir = root / "secrets"
    secrets_dir.mkdir()
    passwords = {s: f"{s}-pw:@/%'\"" for s in SERVICES}  # characters that need quoting everywhere
    for name, pw in passwords.items():
        (secrets_dir / f"db_{name}_password").write_text(pw + "\n")
    os.chmod(secrets_dir, 0o755)
    try:
        env = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "POSTGRES_USER": "postgres",
            "PGHOST": str(root),
            "PGPORT": str(port),
            "SECRETS_DIR": str(secrets_dir),
        }
        # the postgres user runs a copy it can read: the checkout may sit in a folder only root can enter
        script = root / "init-databases.sh"
        shutil.copy(DEPLOY / "postgres" / "init-databases.sh", script)
        os.chmod(script, 0o755)

        def run_script(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [runuser, "-u", "postgres", "--", "sh", str(script), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                cwd=root,
            )

        result = run_script()
        assert result.returncode == 0, result.stdout + result.stderr
        yield port, root, passwords, run_script
    finally:
        as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(root, ignore_errors=True)


def url(name: str, password: str, port: int, database: str) -> str:
    from urllib.parse import quote

    return f"postgresql+psycopg://{name}:{quote(password, safe='')}@127.0.0.1:{port}/{database}"


def test_each_service_owns_its_database(cluster: tuple[int, Path, dict[str, str], Any]) -> None:
    port, _, passwords, _ = cluster
    for name, pw in passwords.items():
        engine = make_engine(url(name, pw, port, f"lookback_{name}"))
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE positions_probe (n int)"))
                conn.execute(text("INSERT INTO positions_probe VALUES (1)"))
                assert conn.execute(text("SELECT count(*) FROM positions_probe")).scalar() == 1
        finally:
            engine.dispose()


def test_a_service_cannot_open_another_services_database(cluster: tuple[int, Path, dict[str, str], Any]) -> None:
    port, _, passwords, _ = cluster
    engine = make_engine(url("rules", passwords["rules"], port, "lookback_reporting"))
    try:
        with pytest.raises(OperationalError, match="permission denied"), engine.connect():
            pass
    finally:
        engine.dispose()
    engine = make_engine(url("rules", "wrong", port, "lookback_rules"))
    try:
        with pytest.raises(OperationalError, match="password authentication failed"), engine.connect():
            pass
    finally:
        engine.dispose()


def test_passwords_can_be_rotated_from_the_files(cluster: tuple[int, Path, dict[str, str], Any]) -> None:
    port, root, passwords, run_script = cluster
    secret = root / "secrets" / "db_reporting_password"
    secret.write_text("new reporting password\n")  # in place, as docs/operations.md says
    try:
        result = run_script("--update-passwords")
        assert result.returncode == 0, result.stdout + result.stderr
        for pw, works in (("new reporting password", True), (passwords["reporting"], False)):
            engine = make_engine(url("reporting", pw, port, "lookback_reporting"))
            try:
                if works:
                    with engine.connect() as conn:
                        assert conn.execute(text("SELECT current_user")).scalar() == "reporting"
                else:
                    with pytest.raises(OperationalError, match="password authentication failed"), engine.connect():
                        pass
            finally:
                engine.dispose()
    finally:
        secret.write_text(passwords["reporting"] + "\n")
        assert run_script("--update-passwords").returncode == 0
