"""The image: Dockerfile, .dockerignore, and the entrypoint and healthcheck it installs.

No Docker engine runs here, so the Dockerfile is checked by reading it, and the two scripts it copies
are run directly with this Python.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest

from .deploy_support import DEPLOY, ROOT

DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = DEPLOY / "docker" / "entrypoint.py"
HEALTHCHECK = DEPLOY / "docker" / "healthcheck.py"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"lookback_deploy_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def entrypoint() -> ModuleType:
    return load(ENTRYPOINT)


@pytest.fixture(scope="module")
def healthcheck() -> ModuleType:
    return load(HEALTHCHECK)


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_builds_one_non_root_image_from_the_lock() -> None:
    steps = instructions()
    froms = [rest for kw, rest in steps if kw == "FROM"]
    assert froms and all(f.startswith("python:3.11-slim") for f in froms)
    runs = " ".join(rest for kw, rest in steps if kw == "RUN")
    assert "pip install --no-deps -r requirements.lock" in runs
    assert "pip install --no-deps ." in runs
    users = [rest for kw, rest in steps if kw == "USER"]
    assert users and not users[-1].startswith(("root", "0")), users
    (health,) = [rest for kw, rest in steps if kw == "HEALTHCHECK"]
    assert "/usr/local/lib/lookback/healthcheck.py" in health and "curl" not in health
    (entry,) = [rest for kw, rest in steps if kw == "ENTRYPOINT"]
    assert "/usr/local/lib/lookback/entrypoint.py" in entry


def test_dockerignore_lets_through_what_the_dockerfile_copies() -> None:
    patterns = [
        p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and not p.startswith("#")
    ]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!").rstrip("/")
            parts = path.split("/")
            if any(fnmatch.fnmatch("/".join(parts[: i + 1]), pat) for i in range(len(parts))):
                result = not negate
        return result

    sources = []
    for keyword, rest in instructions():
        if keyword == "COPY" and "--from" not in rest:
            sources += rest.split()[:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source.rstrip("/")), f".dockerignore excludes {source}"
    assert ignored(".venv") and ignored(".git") and ignored("tests") and ignored("deploy/secrets")


def test_scripts_agree_with_the_code(entrypoint: ModuleType, healthcheck: ModuleType) -> None:
    from apps.runner import SERVICES, WORKBENCH
    from lookback.settings import DEFAULT_PORTS

    assert tuple(entrypoint.SERVICES) == (*SERVICES, WORKBENCH)
    assert healthcheck.DEFAULT_PORTS == DEFAULT_PORTS


def test_secret_files_become_settings(entrypoint: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "nats").write_text("0123abcd\n")
    (tmp_path / "db").write_text("p@ss:w/rd%\n")
    (tmp_path / "token").write_text("tok\n")
    env = entrypoint.resolve_env(
        {
            "LOOKBACK_NATS_URL": "nats://rules@nats:4222",
            "LOOKBACK_NATS_PASSWORD_FILE": str(tmp_path / "nats"),
            "LOOKBACK_DB_URL": "postgresql+psycopg://rules@postgres:5432/lookback_rules",
            "LOOKBACK_DB_PASSWORD_FILE": str(tmp_path / "db"),
            "LOOKBACK_TOKEN_FILE": str(tmp_path / "token"),
            "LOOKBACK_USERS_FILE": "/etc/lookback/users/users.json",
            "PATH": "/bin",
        }
    )
    assert env["LOOKBACK_NATS_URL"] == "nats://rules:0123abcd@nats:4222"
    db_url = f"postgresql+psycopg://rules:{quote('p@ss:w/rd%', safe='')}@postgres:5432/lookback_rules"
    assert env["LOOKBACK_DB_URL"] == db_url
    assert env["LOOKBACK_TOKEN"] == "tok"
    assert env["LOOKBACK_USERS_FILE"] == "/etc/lookback/users/users.json"  # a setting, not a secret file
    assert "LOOKBACK_USERS" not in env
    assert env["PATH"] == "/bin"
    assert not {k for k in env if k.endswith("_PASSWORD") or (k.endswith("_FILE") and k != "LOOKBACK_USERS_FILE")}

    from sqlalchemy.engine import make_url

    url = make_url(env["LOOKBACK_DB_URL"])
    assert (url.username, url.password, url.host, url.database) == ("rules", "p@ss:w/rd%", "postgres", "lookback_rules")


def test_nats_password_goes_into_every_url(entrypoint: ModuleType) -> None:
    env = entrypoint.resolve_env({"LOOKBACK_NATS_URL": "nats://r@a:1,nats://r@b:2", "LOOKBACK_NATS_PASSWORD": "x"})
    assert env["LOOKBACK_NATS_URL"] == "nats://r:x@a:1,nats://r:x@b:2"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"LOOKBACK_NATS_URL": "nats://rules@nats:4222", "LOOKBACK_NATS_PASSWORD": "zq secretzq"}, "only letters"),
        ({"LOOKBACK_NATS_URL": "nats://nats:4222", "LOOKBACK_NATS_PASSWORD": "zqsecretzq"}, "must name the user"),
        ({"LOOKBACK_NATS_URL": "nats://u:zqoldzq@nats:4222", "LOOKBACK_NATS_PASSWORD": "zqsecretzq"}, "already holds"),
        ({"LOOKBACK_DB_PASSWORD": "zqsecretzq"}, "LOOKBACK_DB_URL is not"),
        ({"LOOKBACK_DB_URL": "x", "LOOKBACK_DB_URL_FILE": "/dev/null"}, "both"),
        ({"LOOKBACK_DB_PASSWORD_FILE": "/nonexistent/secret"}, "cannot read"),
    ],
)
def test_bad_settings_are_refused_without_showing_the_secret(
    entrypoint: ModuleType, env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(entrypoint.ConfigError, match=complaint) as err:
        entrypoint.resolve_env(env)
    assert "zq" not in str(err.value)


def test_empty_secret_file_is_refused(entrypoint: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(entrypoint.ConfigError, match="empty"):
        entrypoint.resolve_env({"LOOKBACK_DB_PASSWORD_FILE": str(tmp_path / "empty")})


def test_command_picks_the_service(entrypoint: ModuleType) -> None:
    assert entrypoint.command_for(["rules"]) == [sys.executable, "-m", "services.rules"]
    assert entrypoint.command_for(["lookback", "--help"]) == ["lookback", "--help"]
    assert entrypoint.command_for([]) is None
    assert entrypoint.command_for(["--help"]) is None


def test_entrypoint_runs_the_command_with_the_resolved_environment(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKBACK_")} | {
        "LOOKBACK_NATS_URL": "nats://intake@nats:4222",
        "LOOKBACK_NATS_PASSWORD_FILE": str(tmp_path / "pw"),
    }
    script = "import os; print(os.environ['LOOKBACK_NATS_URL']); print('LOOKBACK_NATS_PASSWORD_FILE' in os.environ)"
    result = subprocess.run(
        [sys.executable, str(ENTRYPOINT), sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["nats://intake:s3cret@nats:4222", "False"]
    usage = subprocess.run([sys.executable, str(ENTRYPOINT)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 64 and "intake" in usage.stdout
    bad = subprocess.run(
        [sys.executable, str(ENTRYPOINT), "true"],
        env=env | {"LOOKBACK_NATS_PASSWORD": "x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 78 and "both" in bad.stderr


def test_healthcheck_finds_the_port(healthcheck: ModuleType) -> None:
    assert healthcheck.service_port({"LOOKBACK_PORT": "9000"}, ["python", "-m", "services.rules"]) == 9000
    assert healthcheck.service_port({}, ["python", "-m", "services.rectify"]) == 18003
    assert healthcheck.service_port({}, ["python", "/usr/local/lib/lookback/entrypoint.py", "reporting"]) == 18004
    assert healthcheck.service_port({}, ["python", "-m", "http.server"]) is None


def test_healthcheck_asks_healthz(tmp_path: Path) -> None:
    """Against a stand-in server that answers /healthz with 200, then 503."""
    server = tmp_path / "server.py"
    server.write_text(
        "import http.server, sys\n"
        "status = int(sys.argv[1])\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(status if self.path == '/healthz' else 404); self.end_headers()\n"
        "    def log_message(self, *a): pass\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
        "print(s.server_address[1], flush=True)\n"
        "s.serve_forever()\n"
    )
    for status, expected in ((200, 0), (503, 1)):
        proc = subprocess.Popen([sys.executable, str(server), str(status)], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            port = proc.stdout.readline().strip()
            result = subprocess.run(
                [sys.executable, str(HEALTHCHECK)],
                env=os.environ | {"LOOKBACK_PORT": port},
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert result.returncode == expected, result.stderr
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_shell_scripts_parse() -> None:
    for script in DEPLOY.rglob("*.sh"):
        shell = "bash" if script.read_text().startswith("#!/usr/bin/env bash") else "sh"
        result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{script}: {result.stderr}"
