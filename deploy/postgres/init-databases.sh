#!/bin/sh
# One database per service (and the workbench's sessions), each owned by a role of the same name whose password is the compose
# secret db_<service>_password: a service can read and write only its own read model, and each
# database can be dumped, restored or moved on its own.
#
# The postgres container runs this once, when it initialises an empty data directory
# (/docker-entrypoint-initdb.d). Later, after a db_*_password file has been changed in place, set the
# roles' passwords from the files again with:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-init-databases.sh --update-passwords
set -eu
secrets_dir="${SECRETS_DIR:-/run/secrets}"
mode="${1:-create}"
for svc in intake rules rectify reporting workbench; do
  file="$secrets_dir/db_${svc}_password"
  if [ ! -r "$file" ]; then
    echo "init-databases: cannot read $file (see deploy/secrets/README.md)" >&2
    exit 1
  fi
  password="$(cat "$file")"
  if [ -z "$password" ]; then
    echo "init-databases: $file is empty" >&2
    exit 1
  fi
  # The password goes in as a psql variable (:'pw' quotes it), never spliced into SQL text.
  if [ "$mode" = "--update-passwords" ]; then
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres -q \
         -v role="$svc" -v pw="$password" <<'SQL'
ALTER ROLE :"role" PASSWORD :'pw';
SQL
    echo "init-databases: password of role $svc set from $file"
  else
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres -q \
         -v role="$svc" -v db="lookback_$svc" -v pw="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
\connect :"db"
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
  fi
done
