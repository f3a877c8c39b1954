#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). One database per service, each owned by a role of the same name
# whose password is the compose secret db_<service>_password: a service can read and write only
# its own read model, and each database can be dumped, restored or moved on its own.
set -eu
secrets_dir="${SECRETS_DIR:-/run/secrets}"
for svc in intake rules rectify reporting; do
  file="$secrets_dir/db_${svc}_password"
  if [ ! -r "$file" ]; then
    echo "init-databases: cannot read $file (see deploy/secrets/README.md)" >&2
    exit 1
  fi
  password="$(cat "$file")"
  # The password goes in as a psql variable (:'pw' quotes it), never spliced into SQL text.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$svc" -v db="lookback_$svc" -v pw="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
\connect :"db"
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done
