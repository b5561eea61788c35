#!/usr/bin/env bash
# Start a local PostgreSQL server for the storage tests and print its SQLAlchemy URL on stdout.
# Idempotent: installs the Debian package if missing, creates/starts the cluster, creates the role and
# database plangap_test (password plangap_test). Run as root. Usage:
#   export TEST_DATABASE_URL="$(scripts/start_postgres.sh)"
set -euo pipefail

DB_NAME=plangap_test
DB_USER=plangap_test
DB_PASSWORD=plangap_test

log() { echo "$@" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql >&2
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -qx online; then
    log "starting cluster $version/main"
    pg_ctlcluster "$version" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"

as_postgres() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -tAq "$@"; }

# wait until the server accepts connections (fresh clusters take a moment)
for _ in $(seq 1 30); do
    as_postgres -c "select 1" >/dev/null 2>&1 && break
    sleep 1
done

if [ "$(as_postgres -c "select 1 from pg_roles where rolname = '$DB_USER'")" != "1" ]; then
    as_postgres -c "create role $DB_USER login createdb password '$DB_PASSWORD'" >&2
fi
if [ "$(as_postgres -c "select 1 from pg_database where datname = '$DB_NAME'")" != "1" ]; then
    as_postgres -c "create database $DB_NAME owner $DB_USER" >&2
fi

echo "postgresql+psycopg://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
