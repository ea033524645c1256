#!/usr/bin/env bash
# The main job, end to end: pack the templates, install them into a private hive, generate
# Acme.Churn, build it, train the model, start the API, wait until ready, call it, stop it.
# Everything lands under artifacts/demo (regenerated on every run).
set -euo pipefail

# shellcheck source=build/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo="${repo_root}/artifacts/demo"
name="Acme.Churn"
app="${demo}/${name}"
api_log="${demo}/api.log"
trap stop_api EXIT

step "Packing the templates and installing them into a private hive under ${demo}"
rm -rf "${demo}"
mkdir -p "${demo}"
pack_and_install "${demo}"

step "Generating ${name} into ${app}"
dotnet new mlservice -n "${name}" -o "${app}" --debug:custom-hive "${hive}"
cd "${app}"

step "Building ${name} (warnings are errors)"
dotnet build -warnaserror -nodeReuse:false

step "Training on the sample data"
dotnet run --project "src/${name}.Training" --no-build
echo "Manifest (models/churn/manifest.json):"
cat models/churn/manifest.json
echo

port="$(free_port)"
url="http://127.0.0.1:${port}"
step "Starting the API on ${url} (log: ${api_log})"
start_api "${app}" "${name}" "${url}" "${api_log}"

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

step "POST ${url}/v1/models/churn:predict with docs/examples/churn.json"
cat docs/examples/churn.json
echo
echo "Prediction (with the service's API key in X-Api-Key):"
curl -fsS -H "X-Api-Key: ${api_key}" -H "Content-Type: application/json" --data-binary @docs/examples/churn.json \
  "${url}/v1/models/churn:predict"
echo

step "The same call without an API key"
status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Content-Type: application/json" \
  --data-binary @docs/examples/churn.json "${url}/v1/models/churn:predict")"
echo "HTTP ${status} (refused: every /v1 call needs the key; the probes do not)"
if [[ "${status}" != "401" ]]; then
  echo "Expected 401 without an API key. The API log:" >&2
  cat "${api_log}" >&2
  exit 1
fi

step "Done: generated repo in ${app}"
