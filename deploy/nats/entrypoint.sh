#!/bin/sh
# Entry point of the nats container (nats:*-alpine): exports each user's password, which
# accounts.conf reads as $INTAKE_PASSWORD …, from its compose secret, then runs nats-server with
# the arguments given. A variable already set in the environment wins over the secret file.
set -eu
secrets_dir="${SECRETS_DIR:-/run/secrets}"
for user in intake rules rectify reporting audit admin; do
  var="$(printf '%s' "$user" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  eval "current=\${$var:-}"
  if [ -z "$current" ]; then
    file="$secrets_dir/nats_${user}_password"
    if [ ! -r "$file" ]; then
      echo "nats entrypoint: cannot read $file (see deploy/secrets/README.md)" >&2
      exit 78
    fi
    value="$(cat "$file")"
    if [ -z "$value" ]; then
      echo "nats entrypoint: $file is empty" >&2
      exit 78
    fi
    export "$var=$value"
  fi
done
exec nats-server "$@"
