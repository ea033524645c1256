#!/usr/bin/env bash
# A local PostgreSQL for the prediction log, for development only:
#
#   bash scripts/db-up.sh start|stop      (make db-up, make db-down)
#
# start: a cluster in artifacts/postgres (made on first use), listening on 127.0.0.1 only, port DB_PORT
# (default 55432), with the role and database "predictions" and no password (trust on loopback): exactly the
# connection string of src/Ml-Service.Api/appsettings.Development.json. Then make db-migrate, make run.
# Needs PostgreSQL's server programs (initdb, pg_ctl); says how to get them when they are missing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${repo_root}/artifacts/postgres"
port="${DB_PORT:-55432}"
readonly role=predictions

# initdb and pg_ctl: on the PATH, or where Debian and Ubuntu put them.
find_tool() {
  local tool="$1" candidate
  if command -v "${tool}" >/dev/null 2>&1; then
    command -v "${tool}"
    return
  fi
  for candidate in /usr/lib/postgresql/*/bin/"${tool}"; do
    if [[ -x "${candidate}" ]]; then
      echo "${candidate}"
      return
    fi
  done
  return 1
}

if ! initdb="$(find_tool initdb)" || ! pg_ctl="$(find_tool pg_ctl)"; then
  cat >&2 <<'MESSAGE'
db-up: PostgreSQL's server programs (initdb, pg_ctl) are not installed. Either
  - install them: sudo apt-get install postgresql (Debian/Ubuntu), brew install postgresql (macOS); or
  - use a PostgreSQL you have: export ConnectionStrings__Predictions='Host=...;Port=5432;Database=...;Username=...;Password=...'
    then make db-migrate and make run.
MESSAGE
  exit 127
fi

case "${1:-start}" in
  start)
    if [[ "$(id -u)" == 0 ]]; then
      echo "db-up: PostgreSQL refuses to run as root; run make db-up as your own user." >&2
      exit 1
    fi
    if [[ ! -f "${data}/PG_VERSION" ]]; then
      mkdir -p "$(dirname "${data}")"
      "${initdb}" --pgdata="${data}" --username="${role}" --auth=trust --encoding=UTF8 --no-locale >"${data}.log" 2>&1 \
        || { echo "db-up: initdb failed; see ${data}.log" >&2; exit 1; }
    fi
    if "${pg_ctl}" status --pgdata="${data}" >/dev/null 2>&1; then
      echo "db-up: already running (${data})."
    else
      # Loopback only, the socket in the data folder (not /var/run, which needs root).
      "${pg_ctl}" start --pgdata="${data}" --log="${data}.log" --wait \
        -o "-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories='${data}'" >/dev/null \
        || { echo "db-up: PostgreSQL did not start; see ${data}.log" >&2; exit 1; }
    fi
    psql_exists="$("$(dirname "${pg_ctl}")/psql" --host=127.0.0.1 --port="${port}" --username="${role}" --dbname=postgres \
      --tuples-only --no-align --command="SELECT 1 FROM pg_database WHERE datname = '${role}'")"
    if [[ "${psql_exists}" != 1 ]]; then
      "$(dirname "${pg_ctl}")/createdb" --host=127.0.0.1 --port="${port}" --username="${role}" "${role}"
    fi
    echo "PostgreSQL is up: Host=127.0.0.1;Port=${port};Database=${role};Username=${role}. Next: make db-migrate, make run."
    ;;
  stop)
    if "${pg_ctl}" status --pgdata="${data}" >/dev/null 2>&1; then
      "${pg_ctl}" stop --pgdata="${data}" --wait >/dev/null
      echo "PostgreSQL stopped; its data stays in ${data}."
    else
      echo "db-up: no local PostgreSQL is running (${data})."
    fi
    ;;
  *)
    echo "usage: bash scripts/db-up.sh start|stop" >&2
    exit 2
    ;;
esac
