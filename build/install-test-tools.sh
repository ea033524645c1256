#!/usr/bin/env bash
# Installs what the pack's tests run besides the .NET SDK, from the package registries this
# machine reaches: Debian packages (when missing) and the pinned npm validators of
# build/validators (into build/validators/node_modules, never globally). Idempotent and quick
# when everything is present. Called by build/test.sh; safe to run by hand.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# command -> Debian package providing it
declare -A debian_packages=(
  [make]=make
  [curl]=curl
  [git]=git
  [node]=nodejs
  [npm]=npm
  [shellcheck]=shellcheck
  [kubectl]=kubernetes-client
  # Prometheus server and promtool: the monitoring tests check, unit-test and scrape with them.
  [prometheus]=prometheus
  [promtool]=prometheus
  # HTTP load generator: the hardening tests and make loadtest (LoadTestTargetTests) use it.
  [wrk]=wrk
)

missing=()
for command in "${!debian_packages[@]}"; do
  command -v "${command}" >/dev/null 2>&1 || missing+=("${debian_packages[${command}]}")
done

# LightGBM's native library needs the GNU OpenMP runtime (the LightGBM scenarios train and serve with it).
dpkg -s libgomp1 >/dev/null 2>&1 || missing+=(libgomp1)
# Real public datasets (iris, wine, breast cancer, diabetes; Fair's affairs, Spector): the platform tests
# train and check fixture models on them.
# The ONNX tests export models with PyTorch and build/check ONNX graphs with the onnx package.
for package in python3-sklearn python3-statsmodels python3-torch python3-onnx; do
  dpkg -s "${package}" >/dev/null 2>&1 || missing+=("${package}")
done

# PostgreSQL server binaries (initdb, pg_ctl): the prediction log's tests start their own temporary cluster.
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)

if ((${#missing[@]} > 0)); then
  echo "Installing Debian packages: ${missing[*]}"
  if [[ "$(id -u)" != "0" ]]; then
    echo "Not root: install ${missing[*]} yourself (apt-get install ${missing[*]})." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

validators="${repo_root}/build/validators"
if [[ ! -f "${validators}/node_modules/.package-lock.json" ]] ||
  [[ "${validators}/package-lock.json" -nt "${validators}/node_modules/.package-lock.json" ]]; then
  echo "Installing the npm validators (build/validators/package-lock.json)"
  npm ci --prefix "${validators}" --no-audit --no-fund --ignore-scripts --loglevel=error
fi
