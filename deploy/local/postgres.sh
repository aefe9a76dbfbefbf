#!/usr/bin/env bash
# PostgreSQL for tests and local runs: installs the Debian package if missing, starts the default
# cluster, and makes the `redress` role. `stop` stops it again if this script started it.
#   deploy/local/postgres.sh start|stop
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
state="$root/.local/postgres-started-by-redress"

install_if_missing() {
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
}

cluster() {  # prints "version name" of the first cluster
  pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}'
}

start() {
  install_if_missing
  if [ -z "$(cluster)" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    pg_createcluster "$version" main >/dev/null
  fi
  read -r version name <<<"$(cluster)"
  if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
    pg_ctlcluster "$version" "$name" start
    mkdir -p "$(dirname "$state")" && echo "$version $name" > "$state"
  fi
  for _ in $(seq 1 30); do
    su postgres -c "pg_isready -q" && break
    sleep 0.5
  done
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='redress'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE redress LOGIN SUPERUSER PASSWORD 'redress'\""
  echo "PostgreSQL ready: postgresql+asyncpg://redress:redress@127.0.0.1:5432/postgres" >&2
}

stop() {
  if [ -f "$state" ]; then
    read -r version name < "$state"
    pg_ctlcluster "$version" "$name" stop || true
    rm -f "$state"
  fi
}

"${1:-start}"
