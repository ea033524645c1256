#!/usr/bin/env bash
# Shared by build/demo.sh and build/bench.sh: environment, packing into a private hive, and
# starting/stopping a generated API. Source it; it defines functions and variables only.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Same per-checkout package cache as the tests: no global cache pollution, fast re-runs.
export NUGET_PACKAGES="${NUGET_PACKAGES:-${repo_root}/artifacts/nuget-packages}"

api_pid=""
# The generated service requires an API key outside Development (--auth apikey, the default): the key
# it is started with and that callers send in X-Api-Key. A fresh random one per run unless API_KEY is set.
api_key="${API_KEY:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"

step() { printf '\n==> %s\n' "$*"; }

# Work folders live inside this checkout: stop MSBuild and .editorconfig lookups in <dir> from
# walking up into the pack's own settings (as the tests' TestRun.Isolate does for their runs).
isolate() {
  local dir="$1"
  mkdir -p "${dir}"
  echo "root = true" >"${dir}/.editorconfig"
  for file in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    echo "<Project />" >"${dir}/${file}"
  done
}

# Packs the templates (and, inside them, the platform packages) into <dir>/packages and installs them
# into the private hive <dir>/hive. The platform is packed again at the same version each time, so its
# copies in the package cache are dropped first.
pack_and_install() {
  local dir="$1" nupkgs
  hive="${dir}/hive"
  rm -rf "${NUGET_PACKAGES}"/mlops.platform.*
  dotnet pack "${repo_root}/MlOpsTemplates.csproj" -o "${dir}/packages" -nodeReuse:false
  nupkgs=("${dir}"/packages/MlOpsTemplates.*.nupkg)
  dotnet new install "${nupkgs[0]}" --debug:custom-hive "${hive}"
}

# A loopback port nobody listens on (bash's /dev/tcp connect fails on a free port).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      echo "${port}"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}

# Starts the built API of the generated repo <app> (named <name>) on <url> with the key ${api_key},
# serving every model of <app>/models (models/<model>/model.zip), logging to <log>.
start_api() {
  local app="$1" name="$2" url="$3" log="$4"
  (
    cd "${app}/src/${name}.Api/bin/Debug/net10.0" || exit 1
    exec env Model__Directory="${app}/models" Auth__ApiKeys__0="${api_key}" dotnet "${name}.Api.dll" --urls "${url}"
  ) >"${log}" 2>&1 &
  api_pid=$!
}

stop_api() {
  if [[ -n "${api_pid}" ]] && kill -0 "${api_pid}" 2>/dev/null; then
    kill "${api_pid}" 2>/dev/null || true
    wait "${api_pid}" 2>/dev/null || true
    echo "API stopped."
  fi
  api_pid=""
}
