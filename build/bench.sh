#!/usr/bin/env bash
# Measures SPEC's quality bars against baselines taken in the same run, and prints the figures:
#   1. new hire: `dotnet new mlservice` (with its restore) + `make test`, warm NuGet cache,
#      against `dotnet new xunit` + `dotnet test`, the smallest test project the SDK makes;
#   2. readiness: process start to /health/ready = 200, against process start to /health/live = 200
#      of the same process (the bare cost of starting ASP.NET Core);
#   3. serving speed and the cost of request logs: the generated service (Release, Production, API key)
#      under wrk against a bare minimal-API endpoint and a FastAPI + scikit-learn peer (build/bench/serving.sh);
#   4. ONNX: a model imported from a PyTorch export against the ML.NET model of the same data and task, served
#      side by side (build/bench/onnx.sh; run with the onnx part only);
#   5. the prediction log's cost: the generated service with the log off, in SQLite and in PostgreSQL (a temporary
#      cluster started on loopback), side by side, with what each log wrote and dropped (build/bench/logging.sh;
#      run with the log part only: `all` is startup and serving).
# Usage: bash build/bench.sh [runs] [all|startup|serving|onnx|log]   (runs default 3; medians are reported;
# BENCH_SECONDS sets the length of one wrk measurement, default 10). Work lands in artifacts/bench.
# Installs wrk and the Python peer's Debian packages when missing, and PostgreSQL's server for the log part
# (build/bench/requirements.sh).
set -euo pipefail

# shellcheck source=build/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=build/bench/serving.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/serving.sh"
# shellcheck source=build/bench/onnx.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/onnx.sh"
# shellcheck source=build/bench/logging.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/logging.sh"

runs="${1:-3}"
parts="${2:-all}"
seconds="${BENCH_SECONDS:-10}"
bench="${repo_root}/artifacts/bench"
name="Bench.Churn"
trap 'stop_api; stop_serving; stop_postgres' EXIT
case "${parts}" in all | startup | serving | onnx | log) ;; *) echo "usage: bash build/bench.sh [runs] [all|startup|serving|onnx|log]" >&2; exit 2 ;; esac

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Seconds from `dotnet new` to a green test run, in a fresh folder <dir>; output goes to <dir>.log.
time_new_hire() {
  local dir="$1" start
  start="$(now)"
  {
    dotnet new mlservice -n "${name}" -o "${dir}" --debug:custom-hive "${hive}"
    make -C "${dir}" test
  } >"${dir}.log" 2>&1 || { echo "new-hire run failed; see ${dir}.log" >&2; return 1; }
  elapsed "${start}" "$(now)"
}

time_baseline() {
  local dir="$1" start
  start="$(now)"
  {
    dotnet new xunit -n Baseline.Tests -o "${dir}"
    dotnet test "${dir}"
  } >"${dir}.log" 2>&1 || { echo "baseline run failed; see ${dir}.log" >&2; return 1; }
  elapsed "${start}" "$(now)"
}

# Polls /health/live and /health/ready of a freshly started API; prints "<live seconds> <ready seconds>".
time_readiness() {
  local app="$1" log="$2" url start live="" ready=""
  url="http://127.0.0.1:$(free_port)"
  start="$(now)"
  start_api "${app}" "${name}" "${url}" "${log}"
  for _ in $(seq 1 3000); do
    if [[ -z "${live}" ]] && curl -fs -o /dev/null "${url}/health/live"; then live="$(elapsed "${start}" "$(now)")"; fi
    if [[ -n "${live}" ]] && curl -fs -o /dev/null "${url}/health/ready"; then ready="$(elapsed "${start}" "$(now)")"; break; fi
    sleep 0.01
  done
  stop_api >/dev/null
  [[ -n "${ready}" ]] || { echo "API not ready within 30 s; see ${log}" >&2; return 1; }
  echo "${live} ${ready}"
}

[[ "${parts}" == startup ]] || bash "${repo_root}/build/bench/requirements.sh" "${parts}"
rm -rf "${bench}"
isolate "${bench}"
step "Packing into ${bench} and warming the NuGet cache (one unmeasured run of each)"
pack_and_install "${bench}" >"${bench}/pack.log" 2>&1
time_new_hire "${bench}/warmup-mlservice" >/dev/null
if [[ "${parts}" == serving ]]; then
  bench_serving "${bench}/warmup-mlservice" "${name}" "${runs}" "${seconds}" "${bench}/serving"
  exit 0
fi
if [[ "${parts}" == onnx ]]; then
  bench_onnx "${bench}/warmup-mlservice" "${name}" "${runs}" "${seconds}" "${bench}/onnx"
  exit 0
fi
if [[ "${parts}" == log ]]; then
  bench_logging "${bench}/warmup-mlservice" "${name}" "${runs}" "${seconds}" "${bench}/log"
  exit 0
fi
time_baseline "${bench}/warmup-xunit" >/dev/null

new_hire=() baseline=() live=() ready=()
for run in $(seq 1 "${runs}"); do
  step "Run ${run} of ${runs}"
  new_hire+=("$(time_new_hire "${bench}/mlservice-${run}")")
  baseline+=("$(time_baseline "${bench}/xunit-${run}")")
  app="${bench}/mlservice-${run}"
  make -C "${app}" train >"${app}.train.log" 2>&1
  read -r live_s ready_s < <(time_readiness "${app}" "${app}.api.log")
  live+=("${live_s}") ready+=("${ready_s}")
  echo "new hire ${new_hire[-1]} s, xunit baseline ${baseline[-1]} s, live ${live_s} s, ready ${ready_s} s"
done

new_hire_median="$(printf '%s\n' "${new_hire[@]}" | median)"
baseline_median="$(printf '%s\n' "${baseline[@]}" | median)"
live_median="$(printf '%s\n' "${live[@]}" | median)"
ready_median="$(printf '%s\n' "${ready[@]}" | median)"

# Size of the default repository: files (git would track) and lines of C# in src/ and tests/ (the code a team owns).
repo_files="$(find "${bench}/mlservice-1" -type f -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/models/*' | wc -l | tr -d ' ')"
repo_cs_lines="$(find "${bench}/mlservice-1/src" "${bench}/mlservice-1/tests" -name '*.cs' -not -path '*/bin/*' -not -path '*/obj/*' -exec cat {} + | wc -l | tr -d ' ')"
repo_tests="$(grep -o 'Total: *[0-9]*' "${bench}/mlservice-1.log" | tail -n 1 | grep -o '[0-9]*$' || echo '?')"

step "Results (medians of ${runs} runs, $(nproc) cores)"
echo "default repo:                      ${repo_files} files, ${repo_cs_lines} lines of C# in src/ and tests/ (target <= 1500), ${repo_tests} tests in make test"
echo "dotnet new mlservice + make test:  ${new_hire_median} s (target < 30 s)"
echo "dotnet new xunit + dotnet test:    ${baseline_median} s (baseline)"
echo "new hire / baseline:               $(ratio "${new_hire_median}" "${baseline_median}")x (target <= 4x)"
echo "process start -> /health/live:     ${live_median} s (baseline: bare ASP.NET Core start)"
echo "process start -> /health/ready:    ${ready_median} s (target < 2 s)"
echo "ready / live:                      $(ratio "${ready_median}" "${live_median}")x"

if [[ "${parts}" == all ]]; then
  bench_serving "${bench}/mlservice-1" "${name}" "${runs}" "${seconds}" "${bench}/serving"
fi
