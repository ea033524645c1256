#!/usr/bin/env bash
# The main job, end to end: pack the templates, install them into a private hive, generate
# Acme.Churn, build it, train the model, start the API, wait until ready, call it, stop it.
# Everything lands under artifacts/demo (regenerated on every run).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="${repo_root}/artifacts/demo"
name="Acme.Churn"
app="${demo}/${name}"
hive="${demo}/hive"
packages="${demo}/packages"
api_log="${demo}/api.log"
api_pid=""

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Same per-checkout package cache as the tests: no global cache pollution, fast re-runs.
export NUGET_PACKAGES="${NUGET_PACKAGES:-${repo_root}/artifacts/nuget-packages}"

step() { printf '\n==> %s\n' "$*"; }

stop_api() {
  if [[ -n "${api_pid}" ]] && kill -0 "${api_pid}" 2>/dev/null; then
    kill "${api_pid}" 2>/dev/null || true
    wait "${api_pid}" 2>/dev/null || true
    echo "API stopped."
  fi
}
trap stop_api EXIT

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

step "Packing the templates"
rm -rf "${demo}"
mkdir -p "${demo}"
dotnet pack "${repo_root}/MlOpsTemplates.csproj" -o "${packages}" -nodeReuse:false
nupkgs=("${packages}"/MlOpsTemplates.*.nupkg)
nupkg="${nupkgs[0]}"

step "Installing ${nupkg##*/} into the private hive ${hive}"
dotnet new install "${nupkg}" --debug:custom-hive "${hive}"

step "Generating ${name} into ${app}"
dotnet new mlservice -n "${name}" -o "${app}" --debug:custom-hive "${hive}"
cd "${app}"

step "Building ${name} (warnings are errors)"
dotnet build -warnaserror -nodeReuse:false

step "Training on the sample data"
dotnet run --project "src/${name}.Training" --no-build
echo "Manifest (models/manifest.json):"
cat models/manifest.json
echo

port="$(free_port)"
url="http://127.0.0.1:${port}"
step "Starting the API on ${url} (log: ${api_log})"
(
  cd "src/${name}.Api/bin/Debug/net10.0"
  exec env Model__Path="${app}/models/model.zip" dotnet "${name}.Api.dll" --urls "${url}"
) >"${api_log}" 2>&1 &
api_pid=$!

step "Waiting for ${url}/health/ready"
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "${api_pid}" 2>/dev/null; then
    echo "The API exited before it was ready. Its log:" >&2
    cat "${api_log}" >&2
    exit 1
  fi
  if curl -fsS "${url}/health/ready" >/dev/null 2>&1; then
    ready="yes"
    break
  fi
  sleep 0.5
done
if [[ -z "${ready}" ]]; then
  echo "The API was not ready within 60 s. Its log:" >&2
  cat "${api_log}" >&2
  exit 1
fi
echo "Ready."

step "POST ${url}/v1/models/churn:predict with docs/examples/predict-request.json"
cat docs/examples/predict-request.json
echo
echo "Prediction:"
curl -fsS -H "Content-Type: application/json" --data-binary @docs/examples/predict-request.json \
  "${url}/v1/models/churn:predict"
echo

step "Done: generated repo in ${app}"
