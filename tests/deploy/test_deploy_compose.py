"""docker-compose.yml and the cluster override: valid against the compose-spec schema, and consistent
with the env files, the secrets, the NATS users, the Prometheus targets and the Dockerfile.

tests/deploy/compose-spec.json is schema/compose-spec.json of github.com/compose-spec/compose-spec
(Apache-2.0), commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6: the schema Docker Compose v2 validates
with. There is no Docker engine or compose plugin on the CI machine, so the schema is applied here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .deploy_support import (
    CLUSTER_CONFS,
    CLUSTER_OVERRIDE,
    COMPOSE,
    DEPLOY,
    PROMETHEUS,
    ROOT,
    cluster_ports,
    interpolate,
    load_yaml,
    merge_compose,
    need_module,
)

SCHEMA = Path(__file__).with_name("compose-spec.json")
LOOKBACK_SERVICES = ("intake", "rules", "rectify", "reporting")
# What the image's entrypoint reads besides the settings (deploy/docker/entrypoint.py).
ENTRYPOINT_VARS = {"LOOKBACK_NATS_PASSWORD", "LOOKBACK_DB_PASSWORD"}
# Variables read elsewhere in the code (users file, CLI); each must still occur in lookback/.
OTHER_CODE_VARS = {
    "LOOKBACK_USERS_FILE",
    "LOOKBACK_INTAKE_URL",
    "LOOKBACK_RECTIFY_URL",
    "LOOKBACK_REPORTING_URL",
    "LOOKBACK_SERVICE_URLS",
    "LOOKBACK_TOKEN",
    "LOOKBACK_WORKBENCH_KEY_FILE",
}


def validate(document: Any) -> list[str]:
    jsonschema = need_module("jsonschema")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return interpolate(load_yaml(COMPOSE), {})


@pytest.fixture(scope="module")
def cluster(base: dict[str, Any]) -> dict[str, Any]:
    return merge_compose(base, interpolate(load_yaml(CLUSTER_OVERRIDE), {}))


def env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path}: not KEY=VALUE: {line!r}"
            out[key] = value
    return out


def service_env(compose: dict[str, Any], name: str) -> dict[str, str]:
    service = compose["services"][name]
    env: dict[str, str] = {}
    for path in service.get("env_file", []):
        env |= env_file(ROOT / path)
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return env | {k: str(v) for k, v in environment.items()}


def from_file_vars() -> set[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("lookback_deploy_entrypoint", DEPLOY / "docker" / "entrypoint.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.FROM_FILE)


def known_settings() -> set[str]:
    from lookback.settings import ServiceSettings
    from services.rules.main import RulesServiceSettings
    from services.workbench.settings import WorkbenchSettings

    fields = (
        set(ServiceSettings.model_fields) | set(RulesServiceSettings.model_fields) | set(WorkbenchSettings.model_fields)
    )
    return {f"LOOKBACK_{f.upper()}" for f in fields}


def test_compose_files_match_the_compose_spec_schema(base: dict[str, Any], cluster: dict[str, Any]) -> None:
    assert validate(base) == []
    assert validate(interpolate(load_yaml(CLUSTER_OVERRIDE), {})) == []
    assert validate(cluster) == []


def test_schema_validation_catches_mistakes(base: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(base))
    broken["services"]["intake"]["healthcheck"]["intervall"] = "5s"
    broken["services"]["rules"]["depends_on"]["nats"]["condition"] = "service_ready"
    errors = validate(broken)
    assert any("intervall" in e for e in errors), errors
    assert any("service_ready" in e for e in errors), errors


@pytest.mark.parametrize("which", ["base", "cluster"])
def test_every_long_running_service_has_a_healthcheck(which: str, request: pytest.FixtureRequest) -> None:
    compose = request.getfixturevalue(which)
    for name, service in compose["services"].items():
        if service.get("profiles"):
            continue  # on-demand tools (nats-box)
        test = service.get("healthcheck", {}).get("test")
        assert test and not service["healthcheck"].get("disable"), f"{name} has no healthcheck"


def test_lookback_services_share_one_image_and_run_hardened(base: dict[str, Any]) -> None:
    images = {base["services"][s]["image"] for s in LOOKBACK_SERVICES}
    assert len(images) == 1
    for name in LOOKBACK_SERVICES:
        service = base["services"][name]
        assert service["command"] == [name]
        assert service["build"]["dockerfile"] == "Dockerfile"
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert service["depends_on"]["nats"]["condition"] == "service_healthy"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["healthcheck"]["test"] == ["CMD", "python", "/usr/local/lib/lookback/healthcheck.py"]


def test_env_files_hold_only_known_settings_and_no_secrets(base: dict[str, Any]) -> None:
    from lookback.settings import DEFAULT_PORTS

    known = known_settings() | ENTRYPOINT_VARS | OTHER_CODE_VARS
    secret_files = {f"{v}_FILE" for v in from_file_vars()}
    for name in (*LOOKBACK_SERVICES, "workbench", "cli"):
        env = service_env(base, name)
        for key, value in env.items():
            assert key in known | secret_files, f"{name}: {key} is read by nothing"
            if "PASSWORD" in key or key == "LOOKBACK_TOKEN":
                assert key in secret_files and value.startswith("/run/secrets/"), f"{name}: {key} must be a file"
    for name in LOOKBACK_SERVICES:
        env = service_env(base, name)
        assert env["LOOKBACK_PORT"] == str(DEFAULT_PORTS[name])
        assert env["LOOKBACK_HOST"] == "0.0.0.0"
        assert re.fullmatch(rf"nats://{name}@nats:4222", env["LOOKBACK_NATS_URL"])
        assert env["LOOKBACK_DB_URL"] == f"postgresql+psycopg://{name}@postgres:5432/lookback_{name}"
        published = [p for p in base["services"][name]["ports"]]
        assert published == [f"127.0.0.1:{DEFAULT_PORTS[name]}:{DEFAULT_PORTS[name]}"]


def test_no_password_is_written_into_the_compose_files() -> None:
    for path in (COMPOSE, CLUSTER_OVERRIDE):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"PASSWORD\w*\s*[:=]", line) and not re.search(r"PASSWORD\w*_FILE\s*[:=]|/run/secrets/", line):
                pytest.fail(f"{path.name}:{n} sets a password: {line.strip()}")


def test_secrets_are_defined_mounted_and_gitignored(base: dict[str, Any], cluster: dict[str, Any]) -> None:
    readme = (DEPLOY / "secrets" / "README.md").read_text(encoding="utf-8")
    for compose in (base, cluster):
        defined = compose["secrets"]
        for name, service in compose["services"].items():
            for secret in service.get("secrets", []):
                secret_name = secret if isinstance(secret, str) else secret["source"]
                assert secret_name in defined, f"{name} uses undefined secret {secret_name}"
            # every secret *_FILE variable points at a secret this service mounts
            if name in (*LOOKBACK_SERVICES, "workbench"):
                for key, value in service_env(compose, name).items():
                    if key.removesuffix("_FILE") in from_file_vars() and key.endswith("_FILE"):
                        assert value.removeprefix("/run/secrets/") in service["secrets"], f"{name}: {key}"
    for name, secret in base["secrets"].items():
        assert secret["file"] == f"deploy/secrets/{name}"
        assert f"`{name}`" in readme, f"deploy/secrets/README.md does not explain {name}"
    ignore = (DEPLOY / "secrets" / ".gitignore").read_text().split()
    assert ignore[ignore.index("*") :] == ["*", "!.gitignore", "!README.md"]


def test_nats_and_postgres_get_their_users_passwords(base: dict[str, Any]) -> None:
    nats_secrets = set(base["services"]["nats"]["secrets"])
    assert nats_secrets == {f"nats_{u}_password" for u in (*LOOKBACK_SERVICES, "audit", "admin")}
    assert base["services"]["nats"]["entrypoint"] == ["/bin/sh", "/etc/nats/entrypoint.sh"]
    assert base["services"]["nats"]["command"] == ["-c", "/etc/nats/nats-server.conf", "-sd", "/data"]
    pg = base["services"]["postgres"]
    databases = (*LOOKBACK_SERVICES, "workbench")
    assert set(pg["secrets"]) == {"postgres_password", *(f"db_{s}_password" for s in databases)}
    init = (DEPLOY / "postgres" / "init-databases.sh").read_text(encoding="utf-8")
    assert f"for svc in {' '.join(databases)}; do" in init
    assert pg["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_bind_mounts_exist_in_the_repository(base: dict[str, Any], cluster: dict[str, Any]) -> None:
    for compose in (base, cluster):
        for name, service in compose["services"].items():
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("./deploy"):
                    assert (ROOT / source).exists(), f"{name}: {source} does not exist"
                elif not source.startswith("./"):
                    assert source in compose["volumes"], f"{name}: undeclared volume {source}"


def test_cluster_override_uses_the_three_node_configs(cluster: dict[str, Any]) -> None:
    listen = {}
    for conf in CLUSTER_CONFS:
        listen[conf.stem], _, monitor = cluster_ports(conf)
        node = {"n1": "nats", "n2": "nats-2", "n3": "nats-3"}[conf.stem]
        service = cluster["services"][node]
        assert service["command"][:2] == ["-c", f"/etc/nats/cluster/{conf.name}"]
        assert f"http://127.0.0.1:{monitor}/healthz" in service["healthcheck"]["test"]
        if node != "nats":
            assert service["network_mode"] == "service:nats"
    for name in LOOKBACK_SERVICES:
        env = service_env(cluster, name)
        assert env["LOOKBACK_STREAM_REPLICAS"] == "3"
        m = re.fullmatch(rf"nats://{name}@nats:(\d+)", env["LOOKBACK_NATS_URL"])
        assert m and int(m.group(1)) in listen.values(), env["LOOKBACK_NATS_URL"]


def test_prometheus_and_grafana_mounts(base: dict[str, Any]) -> None:
    prom = base["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prom["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prom["command"]
    assert (PROMETHEUS / "prometheus.yml").exists()
    grafana = base["services"]["grafana"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"
    provider = load_yaml(DEPLOY / "grafana" / "provisioning" / "dashboards" / "lookback.yml")
    assert provider["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"
    assert "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro" in grafana["volumes"]


def test_interpolation_helper() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $$HOME ${SET}", env) == "x d d  $HOME x"
    with pytest.raises(ValueError, match="NEEDED"):
        interpolate("${NEEDED:?set it}", env)


def test_all_deploy_yaml_parses() -> None:
    for path in [COMPOSE, *DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")]:
        assert load_yaml(path) is not None, path


def test_other_variables_are_still_read_by_the_code() -> None:
    files = [p for layer in ("lookback", "apps") for p in (ROOT / layer).rglob("*.py")]
    source = "\n".join(p.read_text(encoding="utf-8") for p in files)
    for var in sorted(OTHER_CODE_VARS):
        assert var in source, f"{var} is set in deploy/env but no longer read in lookback/ or apps/"


def test_users_file_is_shared_read_only(base: dict[str, Any]) -> None:
    for name in LOOKBACK_SERVICES:
        assert "users:/etc/lookback/users:ro" in base["services"][name]["volumes"], name
        assert service_env(base, name)["LOOKBACK_USERS_FILE"] == "/etc/lookback/users/users.json"
    assert "users:/etc/lookback/users" in base["services"]["cli"]["volumes"]
    assert service_env(base, "cli")["LOOKBACK_USERS_FILE"] == "/etc/lookback/users/users.json"


def test_the_workbench_runs_beside_the_services_with_their_shared_key(base: dict[str, Any]) -> None:
    """Without the key the services would refuse every page's call (a 401 for each person)."""
    from lookback.settings import WORKBENCH_PORT

    workbench = base["services"]["workbench"]
    assert workbench["command"] == ["workbench"] and workbench["read_only"] is True
    assert workbench["image"] == base["services"]["intake"]["image"]
    env = service_env(base, "workbench")
    assert env["LOOKBACK_PORT"] == str(WORKBENCH_PORT)
    assert env["LOOKBACK_DB_URL"] == "postgresql+psycopg://workbench@postgres:5432/lookback_workbench"
    assert env["LOOKBACK_COOKIE_SECURE"] == "true"
    assert "LOOKBACK_NATS_URL" not in env
    for name in ("intake", "rectify", "reporting"):
        assert (
            env[f"LOOKBACK_{name.upper()}_URL"] == f"http://{name}:{base['services'][name]['ports'][0].split(':')[-1]}"
        )
    for name in (*LOOKBACK_SERVICES, "workbench"):
        assert service_env(base, name)["LOOKBACK_WORKBENCH_KEY_FILE"] == "/run/secrets/workbench_key", name
        assert "workbench_key" in base["services"][name]["secrets"], name
    assert "users:/etc/lookback/users" in workbench["volumes"]  # the station's users page writes it
    assert workbench["ports"] == [f"127.0.0.1:{WORKBENCH_PORT}:{WORKBENCH_PORT}"]
