#!/usr/bin/env bash
# Installs what build/bench.sh needs besides the .NET SDK when it is missing (Debian packages):
# wrk (load generator) and the Python peer's FastAPI, uvicorn, scikit-learn and pandas; with the argument
# "log" (the part of bench.sh being run) also PostgreSQL's server (initdb, pg_ctl), for the prediction log's part.
# `apt-get update` runs once, and only when a package has to be installed. Safe to run by hand.
set -euo pipefail

packages=(wrk python3-fastapi python3-uvicorn python3-sklearn python3-pandas)
[[ "${1:-}" == log ]] && packages+=(postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "${package}" >/dev/null 2>&1 || missing+=("${package}")
done

if ((${#missing[@]} > 0)); then
  echo "Installing Debian packages for the benchmark: ${missing[*]}"
  if [[ "$(id -u)" != "0" ]]; then
    echo "Not root: install them yourself (sudo apt-get install ${missing[*]})." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v wrk >/dev/null || { echo "wrk is not on PATH after installing it." >&2; exit 1; }
if [[ "${1:-}" == log ]] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "No PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin after installing postgresql." >&2
  exit 1
fi
/usr/bin/python3 -c "import fastapi, uvicorn, sklearn, pandas, joblib" ||
  { echo "/usr/bin/python3 cannot import fastapi, uvicorn, sklearn, pandas and joblib." >&2; exit 1; }
