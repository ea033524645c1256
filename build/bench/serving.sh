#!/usr/bin/env bash
# Serving benchmark of build/bench.sh (source it after build/lib.sh; it defines functions only).
# Four services run side by side on loopback, each measured with wrk at the same load:
#   generated  the generated service, Release build, Production settings, an API key;
#   logged     the same build with a summary line logged for every request (the cost of request logs);
#   bare       build/bench/bare: a minimal-API POST returning a constant prediction, the ceiling;
#   python     build/bench/peer.py: FastAPI + uvicorn (one worker per core) + a scikit-learn pipeline.
# All four serve the churn model (binary) of a default repo (dotnet new mlservice, one model).
# Each is sent one instance and a 64-instance batch; the rounds interleave the services so that
# noise from the machine spreads over all of them; medians of the rounds are reported.

# shellcheck source=build/lib.sh disable=SC2154 # api_key and the helpers come from build/lib.sh
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
serving_pids=()
# The model every service is measured on: the default repo's (binary) churn model.
bench_model="churn"

stop_serving() {
  local pid
  for pid in "${serving_pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then
      kill "${pid}" 2>/dev/null || true
      wait "${pid}" 2>/dev/null || true
    fi
  done
  serving_pids=()
}

# Waits until <url> answers (2xx; any status with a fourth argument "any"), at most 60 s, while <pid> lives.
wait_for() {
  local url="$1" pid="$2" log="$3" fail="-f"
  [[ "${4:-}" == any ]] && fail=""
  for _ in $(seq 1 600); do
    # shellcheck disable=SC2086 # ${fail} is one option or nothing
    curl ${fail} -s -o /dev/null "${url}" && return 0
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  echo "${url} did not answer; see ${log}" >&2
  return 1
}

# Builds the generated API of <app> (project <name>.Api) in Release and trains ${bench_model} when its model is
# missing; logs in <work>.
build_generated() {
  local app="$1" name="$2" work="$3"
  dotnet build "${app}/src/${name}.Api" -c Release -nodeReuse:false >"${work}/build-api.log" 2>&1
  [[ -f "${app}/models/${bench_model}/model.zip" ]] || make -C "${app}" train MODEL="${bench_model}" >"${work}/train.log" 2>&1
}

# Starts the generated API built in Release from <app> (project <name>.Api) on <url> in Production
# with ${api_key}; extra environment assignments follow. Sets started_pid.
start_generated() {
  local app="$1" name="$2" url="$3" log="$4"
  shift 4
  (
    cd "${app}/src/${name}.Api/bin/Release/net10.0" || exit 1
    exec env ASPNETCORE_ENVIRONMENT=Production Model__Directory="${app}/models" Auth__ApiKeys__0="${api_key}" "$@" \
      dotnet "${name}.Api.dll" --urls "${url}"
  ) >"${log}" 2>&1 &
  started_pid=$!
  serving_pids+=("${started_pid}")
  wait_for "${url}/health/ready" "${started_pid}" "${log}"
}

start_bare() {
  local out="$1" url="$2" log="$3"
  dotnet "${out}/Bare.dll" --urls "${url}" >"${log}" 2>&1 &
  started_pid=$!
  serving_pids+=("${started_pid}")
  wait_for "${url}/" "${started_pid}" "${log}" any
}

start_peer() {
  local model="$1" port="$2" log="$3"
  (
    cd "${bench_dir}" || exit 1
    exec env PEER_MODEL="${model}" /usr/bin/python3 -m uvicorn peer:app --host 127.0.0.1 --port "${port}" \
      --workers "$(nproc)" --no-access-log --log-level warning
  ) >"${log}" 2>&1 &
  started_pid=$!
  serving_pids+=("${started_pid}")
  wait_for "http://127.0.0.1:${port}/openapi.json" "${started_pid}" "${log}"
}

# Request bodies: the example's first instance, and 64 instances varied from the example's two.
write_bodies() {
  local example="$1" dir="$2" instances=() i
  mapfile -t instances < <(tr -d '\n ' <"${example}" | grep -o '{"tenure_months"[^}]*}')
  printf '{"instances":[%s]}' "${instances[0]}" >"${dir}/one.json"
  {
    printf '{"instances":['
    for i in $(seq 0 63); do
      ((i > 0)) && printf ','
      sed -E "s/\"tenure_months\":[0-9]+/\"tenure_months\":$(((i * 7) % 72))/; s/\"support_calls\":[0-9]+/\"support_calls\":$((i % 6))/" \
        <<<"${instances[$((i % ${#instances[@]}))]}"
    done
    printf ']}'
  } | tr -d '\n' >"${dir}/batch.json"
}

# CPU time (user + system) of <pid>s so far, in clock ticks.
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/${pid}/stat" 2>/dev/null || echo 0)))
  done
  echo "${total}"
}

# wrk at concurrency 16 for <seconds> against <url>'s predict with <body>, sending <key>; the service's
# processes are <pid>s. Prints "requests_per_s p50_ms p99_ms errors cpu_us_per_request". CPU time per
# request is what the service spent (wrk excluded): unlike requests/s it hardly moves when other
# processes share the machine.
measure() {
  local url="$1" body="$2" seconds="$3" key="$4" result before after
  shift 4
  before="$(cpu_ticks "$@")"
  result="$(BENCH_BODY="${body}" BENCH_KEY="${key}" wrk -t2 -c16 -d"${seconds}s" -s "${bench_dir}/post.lua" \
    "${url}/v1/models/${bench_model}:predict" | grep '^RESULT ')" || { echo "wrk failed against ${url}" >&2; return 1; }
  after="$(cpu_ticks "$@")"
  awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%.1f %.3f %.3f %d %.1f\n", v["requests"] / v["seconds"], v["p50_us"] / 1000, v["p99_us"] / 1000,
      v["non2xx"] + v["socket_errors"], ticks / hz * 1e6 / (v["requests"] > 0 ? v["requests"] : 1)
  }' <<<"${result}"
}

# Peak resident memory (VmHWM) of <pid>s, summed, in MiB.
peak_rss_mib() {
  local pid total=0 kib
  for pid in "$@"; do
    kib="$(awk '/^VmHWM:/ { print $2 }' "/proc/${pid}/status" 2>/dev/null || echo 0)"
    total=$((total + ${kib:-0}))
  done
  awk -v k="${total}" 'BEGIN { printf "%.0f", k / 1024 }'
}

# The uvicorn worker processes under the supervisor <pid> (multiprocessing children running the app).
uvicorn_workers() {
  local pid
  for pid in $(pgrep -P "$1"); do
    grep -q "multiprocessing" "/proc/${pid}/cmdline" 2>/dev/null && grep -q "spawn_main" "/proc/${pid}/cmdline" && echo "${pid}"
  done
}

median_of() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_serving <generated repo> <project name> <rounds> <seconds per measurement> <work dir>
bench_serving() {
  local app="$1" name="$2" rounds="$3" seconds="$4" work="$5"
  local -A rps p50 p99 errors rss log_bytes cpu
  local services=(generated logged bare python) bodies=(one batch) url service body round key figures
  local -A urls pids
  mkdir -p "${work}"

  step "Serving: building the generated API and the bare endpoint in Release, training the Python peer"
  build_generated "${app}" "${name}" "${work}"
  dotnet build "${bench_dir}/bare/Bare.csproj" -c Release -o "${work}/bare" -nodeReuse:false >"${work}/build-bare.log" 2>&1
  (cd "${work}" && /usr/bin/python3 "${bench_dir}/peer.py" train "${app}/data/${bench_model}.csv" "${work}/peer.joblib")
  write_bodies "${app}/docs/examples/${bench_model}.json" "${work}"

  urls[generated]="http://127.0.0.1:$(free_port)"
  start_generated "${app}" "${name}" "${urls[generated]}" "${work}/generated.log"
  pids[generated]="${started_pid}"
  # Every successful request logged, as the template did before: one JSON line per request on stdout.
  urls[logged]="http://127.0.0.1:$(free_port)"
  start_generated "${app}" "${name}" "${urls[logged]}" "${work}/logged.log" \
    "Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware=Debug"
  pids[logged]="${started_pid}"
  urls[bare]="http://127.0.0.1:$(free_port)"
  start_bare "${work}/bare" "${urls[bare]}" "${work}/bare.log"
  pids[bare]="${started_pid}"
  local peer_port
  peer_port="$(free_port)"
  urls[python]="http://127.0.0.1:${peer_port}"
  start_peer "${work}/peer.joblib" "${peer_port}" "${work}/python.log"
  pids[python]="${started_pid}"
  local -A measured
  measured[generated]="${pids[generated]}" measured[logged]="${pids[logged]}" measured[bare]="${pids[bare]}"
  measured[python]="$(uvicorn_workers "${pids[python]}" | tr '\n' ' ')"

  step "Serving: warming up every service (5 s per request shape)"
  for service in "${services[@]}"; do
    for body in "${bodies[@]}"; do
      [[ "${service}" == logged && "${body}" == batch ]] && continue
      # shellcheck disable=SC2086 # one pid per word
      measure "${urls[${service}]}" "${work}/${body}.json" 5 "${api_key}" ${measured[${service}]} >/dev/null
    done
  done

  for round in $(seq 1 "${rounds}"); do
    step "Serving: round ${round} of ${rounds} (wrk -t2 -c16 -d${seconds}s per line)"
    for service in "${services[@]}"; do
      for body in "${bodies[@]}"; do
        [[ "${service}" == logged && "${body}" == batch ]] && continue
        key="${api_key}"
        local before after
        before="$(stat -c %s "${work}/${service}.log")"
        # shellcheck disable=SC2086 # one pid per word
        read -r figures < <(measure "${urls[${service}]}" "${work}/${body}.json" "${seconds}" "${key}" ${measured[${service}]})
        after="$(stat -c %s "${work}/${service}.log")"
        read -r r m50 m99 e c <<<"${figures}"
        rps[${service}.${body}]+="${r} " p50[${service}.${body}]+="${m50} " p99[${service}.${body}]+="${m99} " cpu[${service}.${body}]+="${c} "
        errors[${service}.${body}]=$((${errors[${service}.${body}]:-0} + e))
        log_bytes[${service}.${body}]+="$(awk -v a="${before}" -v b="${after}" -v s="${seconds}" 'BEGIN { printf "%.0f", (b - a) / s }') "
        printf '  %-10s %-6s %9.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  CPU %7.1f us/request\n' \
          "${service}" "${body}" "${r}" "${m50}" "${m99}" "${e}" "${c}"
      done
    done
  done

  rss[generated]="$(peak_rss_mib "${pids[generated]}")"
  rss[logged]="$(peak_rss_mib "${pids[logged]}")"
  rss[bare]="$(peak_rss_mib "${pids[bare]}")"
  # shellcheck disable=SC2086 # one pid per word
  rss[python]="$(peak_rss_mib ${measured[python]})"
  stop_serving

  local -A med
  for service in "${services[@]}"; do
    for body in "${bodies[@]}"; do
      [[ -n "${rps[${service}.${body}]:-}" ]] || continue
      med[rps.${service}.${body}]="$(tr ' ' '\n' <<<"${rps[${service}.${body}]}" | grep . | median_of)"
      med[p50.${service}.${body}]="$(tr ' ' '\n' <<<"${p50[${service}.${body}]}" | grep . | median_of)"
      med[p99.${service}.${body}]="$(tr ' ' '\n' <<<"${p99[${service}.${body}]}" | grep . | median_of)"
      med[cpu.${service}.${body}]="$(tr ' ' '\n' <<<"${cpu[${service}.${body}]}" | grep . | median_of)"
      med[log.${service}.${body}]="$(tr ' ' '\n' <<<"${log_bytes[${service}.${body}]}" | grep . | median_of)"
    done
  done

  step "Serving results (medians of ${rounds} rounds; wrk -t2 -c16 -d${seconds}s; $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'))"
  printf '%-46s %11s %12s %8s %8s %7s %10s %12s\n' "service, instances per request" "requests/s" "instances/s" "p50 ms" "p99 ms" "errors" "peak RSS" "CPU us/req"
  local label n
  for service in generated bare python; do
    for body in "${bodies[@]}"; do
      n=1
      [[ "${body}" == batch ]] && n=64
      case "${service}" in
        generated) label="generated service" ;;
        bare) label="bare minimal API" ;;
        python) label="FastAPI + scikit-learn ($(nproc) workers)" ;;
      esac
      printf '%-46s %11.0f %12.0f %8.2f %8.2f %7d %6s MiB %12.1f\n' "${label}, ${n}" "${med[rps.${service}.${body}]}" \
        "$(awk -v r="${med[rps.${service}.${body}]}" -v n="${n}" 'BEGIN { print r * n }')" \
        "${med[p50.${service}.${body}]}" "${med[p99.${service}.${body}]}" "${errors[${service}.${body}]}" "${rss[${service}]}" \
        "${med[cpu.${service}.${body}]}"
    done
  done

  local ratio_bare ratio_py_one ratio_py_batch ratio_bare_batch
  ratio_bare="$(ratio "${med[rps.generated.one]}" "${med[rps.bare.one]}")"
  ratio_bare_batch="$(ratio "${med[rps.generated.batch]}" "${med[rps.bare.batch]}")"
  ratio_py_one="$(ratio "${med[rps.generated.one]}" "${med[rps.python.one]}")"
  ratio_py_batch="$(ratio "${med[rps.generated.batch]}" "${med[rps.python.batch]}")"
  echo
  echo "generated / bare, requests/s, 1 instance:             ${ratio_bare}x (target >= 0.6x)"
  echo "generated / bare, requests/s, 64 instances:           ${ratio_bare_batch}x (the bare endpoint ignores the body)"
  echo "bare / generated, CPU per request, 1 instance:        $(ratio "${med[cpu.bare.one]}" "${med[cpu.generated.one]}")x (the requests/s ratio when CPU is the only limit)"
  echo "generated / Python, requests/s, 1 instance:           ${ratio_py_one}x (target >= 200x)"
  echo "generated / Python, instances/s, 64 instances:        ${ratio_py_batch}x (target >= 50x)"
  echo "Python / generated, CPU per request, 1 and 64:        $(ratio "${med[cpu.python.one]}" "${med[cpu.generated.one]}")x, $(ratio "${med[cpu.python.batch]}" "${med[cpu.generated.batch]}")x"
  echo "generated p99, 1 and 64 instances:                    ${med[p99.generated.one]} ms, ${med[p99.generated.batch]} ms (target < 5 ms)"
  local total_errors=0 k
  for k in "${!errors[@]}"; do total_errors=$((total_errors + errors[${k}])); done
  echo "errors (non-2xx + socket), all services and rounds:   ${total_errors} (target 0)"

  step "Per-request logging at that load (generated service, 1 instance)"
  printf '%-54s %8.0f req/s  p99 %6.2f ms  CPU %6.1f us/req  log %8.1f KiB/s\n' "Production default (no line per successful request)" \
    "${med[rps.generated.one]}" "${med[p99.generated.one]}" "${med[cpu.generated.one]}" "$(awk -v b="${med[log.generated.one]}" 'BEGIN { print b / 1024 }')"
  printf '%-54s %8.0f req/s  p99 %6.2f ms  CPU %6.1f us/req  log %8.1f KiB/s\n' "every request logged (RequestLoggingMiddleware=Debug)" \
    "${med[rps.logged.one]}" "${med[p99.logged.one]}" "${med[cpu.logged.one]}" "$(awk -v b="${med[log.logged.one]}" 'BEGIN { print b / 1024 }')"
  echo "requests/s with per-request logs / without:           $(ratio "${med[rps.logged.one]}" "${med[rps.generated.one]}")x"
  echo "CPU per request with per-request logs / without:      $(ratio "${med[cpu.logged.one]}" "${med[cpu.generated.one]}")x"
}
