#!/usr/bin/env bash
# Measures the service the way it runs in production: builds the API in Release, trains the models
# if one of them has no models/<name>/model.zip (the service is ready only with all of them), starts
# the service in Production on a free loopback port, sends one model's example request
# (docs/examples/<name>.json) to POST /v1/models/<name>:predict with wrk for DURATION seconds over
# CONNECTIONS connections, prints requests/s, p50/p99 latency and errors, and stops the service.
# The model is MODEL (make loadtest MODEL=<name>), by default the first of params/*.yaml in name order.
# Usage: bash scripts/loadtest.sh [duration-seconds] [connections] [model] [request-file]   (make loadtest)
set -euo pipefail

duration="${1:-10}"
connections="${2:-16}"
model="${3:-}"
request="${4:-}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${request}" ]]; then
  [[ -f "${request}" ]] || { echo "loadtest: request file '${request}' not found." >&2; exit 2; }
  request="$(cd "$(dirname "${request}")" && pwd)/$(basename "${request}")"
fi
cd "${repo_root}"

models=()
for params in params/*.yaml; do
  [[ -f "${params}" ]] && models+=("$(basename "${params}" .yaml)")
done
[[ ${#models[@]} -gt 0 ]] || { echo "loadtest: no model in params/ (params/<name>.yaml)." >&2; exit 2; }
model="${model:-${models[0]}}"
[[ " ${models[*]} " == *" ${model} "* ]] ||
  { echo "loadtest: no model named '${model}'; this repository has: ${models[*]}." >&2; exit 2; }
request="${request:-${repo_root}/docs/examples/${model}.json}"
[[ -f "${request}" ]] || { echo "loadtest: request file '${request}' not found." >&2; exit 2; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "loadtest: 'wrk' is not installed. Install it with 'sudo apt-get install wrk' (Debian/Ubuntu) or 'brew install wrk' (macOS)." >&2
  exit 127
fi
[[ "${duration}" =~ ^[1-9][0-9]*$ ]] || { echo "loadtest: DURATION must be a whole number of seconds, got '${duration}'." >&2; exit 2; }
[[ "${connections}" =~ ^[1-9][0-9]*$ ]] || { echo "loadtest: CONNECTIONS must be a whole number, got '${connections}'." >&2; exit 2; }

work="$(mktemp -d)"
service_pid=""
cleanup() {
  if [[ -n "${service_pid}" ]] && kill -0 "${service_pid}" 2>/dev/null; then
    kill "${service_pid}" 2>/dev/null || true
    wait "${service_pid}" 2>/dev/null || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

echo "Building the API in Release"
dotnet build "src/Ml-Service.Api" -c Release -warnaserror -nologo -v quiet >"${work}/build.log" 2>&1 || { cat "${work}/build.log" >&2; exit 1; }
for name in "${models[@]}"; do
  if [[ ! -f "models/${name}/model.zip" ]]; then
    echo "No models/${name}/model.zip: training every model (the service is ready only with all of them)"
    dotnet run --project "src/Ml-Service.Training" -- train
    break
  fi
done

port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/${candidate}") 2>/dev/null; then
    port="${candidate}"
    break
  fi
done
[[ -n "${port}" ]] || { echo "loadtest: no free loopback port found." >&2; exit 1; }
url="http://127.0.0.1:${port}"
#if (ApiKeyAuth)
# A throwaway key for this run only; Production refuses to start without one.
LOADTEST_API_KEY="loadtest-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export LOADTEST_API_KEY
#endif

echo "Starting the service in Production on ${url}"
(
  cd "src/Ml-Service.Api/bin/Release/net10.0"
#if (ApiKeyAuth)
  export Auth__ApiKeys__0="${LOADTEST_API_KEY}"
#endif
  exec env ASPNETCORE_ENVIRONMENT=Production Model__Directory="${repo_root}/models" \
    dotnet "Ml-Service.Api.dll" --urls "${url}"
) >"${work}/service.log" 2>&1 &
service_pid=$!

ready=""
for _ in $(seq 1 600); do
  if curl -fs -o /dev/null "${url}/health/ready"; then
    ready=yes
    break
  fi
  kill -0 "${service_pid}" 2>/dev/null || break
  sleep 0.1
done
[[ -n "${ready}" ]] || { echo "loadtest: the service did not become ready; its log:" >&2; cat "${work}/service.log" >&2; exit 1; }

# POSTs the request body; done() prints one parseable line (latencies in microseconds).
cat >"${work}/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("LOADTEST_REQUEST"), "rb"))
wrk.body = file:read("*a")
file:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
#if (ApiKeyAuth)
echo 'wrk.headers["X-Api-Key"] = os.getenv("LOADTEST_API_KEY")' >>"${work}/post.lua"
#endif

# Instances per request: how often the first field of the first instance (the key after "instances") occurs.
first_field="$(grep -o '"[^"]*"[[:space:]]*:' "${request}" | sed -n 2p | grep -o '"[^"]*"')"
instances="$(grep -oF -- "${first_field}" "${request}" | wc -l)"
echo "Warming up for 2 s, then measuring ${duration} s with ${connections} connections (model ${model}, $(basename "${request}"), ${instances} instance(s) per request)"
export LOADTEST_REQUEST="${request}"
wrk -t2 -c"${connections}" -d2s -s "${work}/post.lua" "${url}/v1/models/${model}:predict" >/dev/null
threads=2
((connections < threads)) && threads="${connections}"
wrk -t"${threads}" -c"${connections}" -d"${duration}s" -s "${work}/post.lua" "${url}/v1/models/${model}:predict" >"${work}/wrk.txt"
result="$(grep '^RESULT ' "${work}/wrk.txt")" || { cat "${work}/wrk.txt" >&2; exit 1; }

field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"${result}"; }
requests="$(field requests)" seconds="$(field seconds)"
errors=$(($(field non2xx) + $(field socket_errors)))
awk -v r="${requests}" -v s="${seconds}" -v n="${instances}" -v p50="$(field p50_us)" -v p99="$(field p99_us)" -v e="${errors}" 'BEGIN {
  printf "requests/s:   %.0f\n", r / s
  printf "instances/s:  %.0f\n", r * n / s
  printf "latency p50:  %.2f ms\n", p50 / 1000
  printf "latency p99:  %.2f ms\n", p99 / 1000
  printf "errors:       %d\n", e
}'
if ((errors > 0)); then
  echo "loadtest: ${errors} request(s) failed; the service log is below." >&2
  tail -n 20 "${work}/service.log" >&2
  exit 1
fi
