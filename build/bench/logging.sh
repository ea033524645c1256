#!/usr/bin/env bash
# Prediction-log benchmark of build/bench.sh (source it after build/lib.sh and build/bench/serving.sh; functions only).
# The same Release build of the default repo's service (the churn model, Production, an API key), three ways side by side:
#   off       PredictionLog__Enabled=false: no ids, no queue, no writes (the baseline);
#   sqlite    the log in a SQLite file in the work dir (the template's default database);
#   postgres  the log in PostgreSQL: a temporary cluster started here on a free loopback port (Debian's server
#             binaries, the server's default durability settings), sharing the machine's cores with the service.
# Each is sent one instance and a 64-instance batch with wrk; the rounds interleave the services; medians are reported.
# After each measurement of a logging service the script waits until its log has accounted for every prediction it
# served (ml_prediction_log_written_total + ml_prediction_log_dropped_total = ml_predictions_total), so that a backlog
# is neither written during the next service's measurement nor left unseen; the written and dropped counts of /metrics
# are reported with requests/s, as a log that dropped most rows would look cheap. CPU per request counts the service and,
# for postgres, the database server's processes, from the start of the measurement to the end of that wait.

# shellcheck source=build/lib.sh disable=SC2154 # api_key, ratio, now, elapsed and the helpers come from the sourcing scripts

pg_bin=""
pg_dir=""

# Runs a PostgreSQL server binary, as the postgres user when this script is root (initdb and postgres refuse root).
as_postgres() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Starts a new PostgreSQL cluster (in a temporary folder, pg_dir) on 127.0.0.1:<port>, server log in <log>, with an
# empty database "predictions". Debian's server binaries: the newest /usr/lib/postgresql/<version>/bin.
start_postgres() {
  local port="$1" log="$2"
  pg_bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "${pg_bin}/initdb" && -x "${pg_bin}/pg_ctl" ]] ||
    { echo "no initdb and pg_ctl under /usr/lib/postgresql/<version>/bin: apt-get install postgresql" >&2; return 1; }
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/bench-pg.XXXXXX")"
  mkdir -p "${pg_dir}/data"
  : >"${log}"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "${pg_dir}" "${log}"; fi
  as_postgres "${pg_bin}/initdb" -D "${pg_dir}/data" -A trust -U postgres -E UTF8 --locale=C >"${log%.log}-initdb.log" 2>&1
  as_postgres "${pg_bin}/pg_ctl" -D "${pg_dir}/data" -l "${log}" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=${port} -k ${pg_dir}" start >/dev/null
  "${pg_bin}/createdb" -h 127.0.0.1 -p "${port}" -U postgres predictions
}

# Stops the cluster of start_postgres and deletes it (called by bench.sh's EXIT trap too).
stop_postgres() {
  [[ -n "${pg_dir}" ]] || return 0
  if [[ -f "${pg_dir}/data/postmaster.pid" ]]; then
    as_postgres "${pg_bin}/pg_ctl" -D "${pg_dir}/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "${pg_dir}"
  pg_dir=""
}

# CPU time (user + system) of the PostgreSQL cluster so far, in clock ticks: the postmaster, its live children, and
# (through the postmaster's cutime and cstime) its children that have exited.
postgres_ticks() {
  local master total child
  master="$(head -n 1 "${pg_dir}/data/postmaster.pid")"
  total="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/${master}/stat")"
  for child in $(pgrep -P "${master}"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/${child}/stat" 2>/dev/null || echo 0)))
  done
  echo "${total}"
}

# The prediction log's counters in <url>/metrics: "<served> <written> <queue_full> <write_failed> <shutdown>", served being
# ml_predictions_total summed over models and labels (the instances answered); a missing series counts 0.
log_counts() {
  curl -fs "$1/metrics" | awk '
    /^ml_predictions_total\{/ { served += $NF }
    /^ml_prediction_log_written_total / { written = $NF }
    /^ml_prediction_log_dropped_total\{.*reason="queue_full"/ { full = $NF }
    /^ml_prediction_log_dropped_total\{.*reason="write_failed"/ { failed = $NF }
    /^ml_prediction_log_dropped_total\{.*reason="shutdown"/ { shutdown = $NF }
    END { printf "%.0f %.0f %.0f %.0f %.0f\n", served, written, full, failed, shutdown }'
}

# Waits until the log of the service at <url> has written or dropped every prediction it served (at most 60 s, or until
# nothing was written for 2 s); prints the seconds waited.
wait_drained() {
  local url="$1" start counts served written full failed shutdown last="" still=0
  start="$(now)"
  for _ in $(seq 1 300); do
    counts="$(log_counts "${url}")"
    read -r served written full failed shutdown <<<"${counts}"
    ((written + full + failed + shutdown >= served)) && break
    if [[ "${written}" == "${last}" ]]; then
      still=$((still + 1))
      ((still >= 10)) && break
    else
      still=0
    fi
    last="${written}"
    sleep 0.2
  done
  elapsed "${start}" "$(now)"
}

# Rows of the table predictions: in the SQLite file <file>, or with a port, in the cluster's database.
stored_rows() {
  if [[ "$1" == sqlite ]]; then
    /usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from predictions").fetchone()[0])' "$2"
  else
    "${pg_bin}/psql" -h 127.0.0.1 -p "$2" -U postgres -d predictions -tAc "select count(*) from predictions"
  fi
}

# bench_logging <generated repo> <project name> <rounds> <seconds per measurement> <work dir>
bench_logging() {
  local app="$1" name="$2" rounds="$3" seconds="$4" work="$5"
  local dbs=(off sqlite postgres) bodies=(one batch) db body round n figures counts r m50 m99 e c pg_port
  local -A urls pids rps p50 p99 cpu drain errors served written full failed shutdown rss
  local hz
  hz="$(getconf CLK_TCK)"
  mkdir -p "${work}"
  # shellcheck disable=SC2034 # the model measure() of serving.sh sends requests to
  bench_model="churn"

  step "Prediction log: building the generated API in Release, training ${bench_model} if needed, starting PostgreSQL"
  build_generated "${app}" "${name}" "${work}"
  write_bodies "${app}/docs/examples/${bench_model}.json" "${work}"
  pg_port="$(free_port)"
  start_postgres "${pg_port}" "${work}/postgres.log"
  rm -f "${work}/predictions.db"*

  urls[off]="http://127.0.0.1:$(free_port)"
  start_generated "${app}" "${name}" "${urls[off]}" "${work}/off.log" PredictionLog__Enabled=false
  pids[off]="${started_pid}"
  urls[sqlite]="http://127.0.0.1:$(free_port)"
  start_generated "${app}" "${name}" "${urls[sqlite]}" "${work}/sqlite.log" PredictionLog__Enabled=true \
    PredictionLog__Provider=sqlite "ConnectionStrings__Predictions=Data Source=${work}/predictions.db" PredictionLog__MigrateOnStart=true
  pids[sqlite]="${started_pid}"
  urls[postgres]="http://127.0.0.1:$(free_port)"
  start_generated "${app}" "${name}" "${urls[postgres]}" "${work}/postgres-service.log" PredictionLog__Enabled=true \
    PredictionLog__Provider=postgres "ConnectionStrings__Predictions=Host=127.0.0.1;Port=${pg_port};Database=predictions;Username=postgres" \
    PredictionLog__MigrateOnStart=true
  pids[postgres]="${started_pid}"

  step "Prediction log: warming up every service (5 s per request shape, then the log's backlog)"
  for db in "${dbs[@]}"; do
    for body in "${bodies[@]}"; do
      measure "${urls[${db}]}" "${work}/${body}.json" 5 "${api_key}" "${pids[${db}]}" >/dev/null
      [[ "${db}" == off ]] || wait_drained "${urls[${db}]}" >/dev/null
    done
  done

  # CPU ticks of a service: its process, and for postgres the database server's too.
  service_ticks() {
    local ticks
    ticks="$(cpu_ticks "${pids[$1]}")"
    [[ "$1" == postgres ]] && ticks=$((ticks + $(postgres_ticks)))
    echo "${ticks}"
  }

  local before_counts before_ticks after_ticks s0 w0 f0 x0 h0 s1 w1 f1 x1 h1 wait_s requests key order
  for round in $(seq 1 "${rounds}"); do
    step "Prediction log: round ${round} of ${rounds} (wrk -t2 -c16 -d${seconds}s per line, then the wait for the log's backlog)"
    # Each round starts with the next service, so that none is always measured right after the same one.
    order=("${dbs[@]:$(((round - 1) % ${#dbs[@]}))}" "${dbs[@]:0:$(((round - 1) % ${#dbs[@]}))}")
    for db in "${order[@]}"; do
      for body in "${bodies[@]}"; do
        n=1
        [[ "${body}" == batch ]] && n=64
        key="${db}.${body}"
        before_counts="$(log_counts "${urls[${db}]}")"
        before_ticks="$(service_ticks "${db}")"
        figures="$(measure "${urls[${db}]}" "${work}/${body}.json" "${seconds}" "${api_key}" "${pids[${db}]}")"
        wait_s=0
        [[ "${db}" == off ]] || wait_s="$(wait_drained "${urls[${db}]}")"
        after_ticks="$(service_ticks "${db}")"
        counts="$(log_counts "${urls[${db}]}")"
        read -r r m50 m99 e c <<<"${figures}"
        read -r s0 w0 f0 x0 h0 <<<"${before_counts}"
        read -r s1 w1 f1 x1 h1 <<<"${counts}"
        requests=$(((s1 - s0) / n))
        c="$(awk -v t="$((after_ticks - before_ticks))" -v hz="${hz}" -v q="${requests}" 'BEGIN { printf "%.1f", t / hz * 1e6 / (q > 0 ? q : 1) }')"
        rps[${key}]+="${r} " p50[${key}]+="${m50} " p99[${key}]+="${m99} " cpu[${key}]+="${c} " drain[${key}]+="${wait_s} "
        errors[${key}]=$((${errors[${key}]:-0} + e))
        served[${key}]=$((${served[${key}]:-0} + s1 - s0)) written[${key}]=$((${written[${key}]:-0} + w1 - w0))
        full[${key}]=$((${full[${key}]:-0} + f1 - f0)) failed[${key}]=$((${failed[${key}]:-0} + x1 - x0))
        shutdown[${key}]=$((${shutdown[${key}]:-0} + h1 - h0))
        printf '  %-8s %-6s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  CPU %7.1f us/req  served %7d  written %7d  dropped %6d  wait %5.2f s\n' \
          "${db}" "${body}" "${r}" "${m50}" "${m99}" "${e}" "${c}" "$((s1 - s0))" "$((w1 - w0))" "$((f1 - f0 + x1 - x0 + h1 - h0))" "${wait_s}"
      done
    done
  done

  step "Prediction log: each service's /metrics after the rounds (warm-up included)"
  for db in "${dbs[@]}"; do
    read -r s1 w1 f1 x1 h1 <<<"$(log_counts "${urls[${db}]}")"
    printf '  %-8s served %9d instances  written %9d  dropped: queue_full %d, write_failed %d, shutdown %d\n' "${db}" "${s1}" "${w1}" "${f1}" "${x1}" "${h1}"
    rss[${db}]="$(peak_rss_mib "${pids[${db}]}")"
  done
  stop_serving
  local stored_sqlite stored_postgres
  stored_sqlite="$(stored_rows sqlite "${work}/predictions.db")"
  stored_postgres="$(stored_rows postgres "${pg_port}")"
  echo "  rows in the table predictions after the services stopped: sqlite ${stored_sqlite}, postgres ${stored_postgres}"
  stop_postgres

  local -A med
  local k
  for k in "${!rps[@]}"; do
    med[rps.${k}]="$(tr ' ' '\n' <<<"${rps[${k}]}" | grep . | median_of)"
    med[p50.${k}]="$(tr ' ' '\n' <<<"${p50[${k}]}" | grep . | median_of)"
    med[p99.${k}]="$(tr ' ' '\n' <<<"${p99[${k}]}" | grep . | median_of)"
    med[cpu.${k}]="$(tr ' ' '\n' <<<"${cpu[${k}]}" | grep . | median_of)"
    med[drain.${k}]="$(tr ' ' '\n' <<<"${drain[${k}]}" | grep . | median_of)"
  done

  step "Prediction log results (medians of ${rounds} rounds; wrk -t2 -c16 -d${seconds}s; $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'))"
  printf '%-26s %10s %8s %8s %7s %10s %9s %8s %12s %12s %8s %9s\n' "database, instances/req" "requests/s" "/ off" "p50 ms" "p99 ms" \
    "CPU us/req" "peak RSS" "errors" "written" "dropped" "written %" "wait s"
  local share verdict worst="" unshown=""
  for db in "${dbs[@]}"; do
    for body in "${bodies[@]}"; do
      n=1
      [[ "${body}" == batch ]] && n=64
      k="${db}.${body}"
      if [[ "${db}" == off ]]; then
        share="-"
      else
        share="$(awk -v w="${written[${k}]}" -v s="${served[${k}]}" 'BEGIN { if (s > 0) printf "%.1f%%", 100 * w / s; else print "-" }')"
      fi
      printf '%-26s %10.0f %7.2fx %8.2f %7.2f %10.1f %5s MiB %8d %12d %12d %8s %9.2f\n' "${db}, ${n}" "${med[rps.${k}]}" \
        "$(ratio "${med[rps.${k}]}" "${med[rps.off.${body}]}")" "${med[p50.${k}]}" "${med[p99.${k}]}" "${med[cpu.${k}]}" "${rss[${db}]}" \
        "${errors[${k}]}" "${written[${k}]}" "$((full[${k}] + failed[${k}] + shutdown[${k}]))" "${share}" "${med[drain.${k}]}"
    done
  done
  echo
  echo "written/dropped count instances (64 per batch request) over the measured rounds; written % = written / served;"
  echo "'wait s' is how long after the load the log took to write its backlog; CPU per request includes that wait (and PostgreSQL's processes)."
  for db in sqlite postgres; do
    for body in "${bodies[@]}"; do
      k="${db}.${body}"
      n=1
      [[ "${body}" == batch ]] && n=64
      # A ratio is only a price of the log when the log kept (nearly) everything: one that dropped rows did less work.
      if ! awk -v a="${med[rps.${k}]}" -v b="${med[rps.off.${body}]}" 'BEGIN { exit !(a / b >= 0.85) }'; then
        verdict="missed"
        worst+=" ${db}/${n}"
      elif awk -v w="${written[${k}]}" -v s="${served[${k}]}" 'BEGIN { exit !(s > 0 && w / s >= 0.99) }'; then
        verdict="met"
      else
        verdict="not shown: the log dropped $(awk -v w="${written[${k}]}" -v s="${served[${k}]}" 'BEGIN { printf "%.1f%%", (s > 0) ? 100 - 100 * w / s : 0 }') of the predictions"
        unshown+=" ${db}/${n}"
      fi
      printf 'requests/s with the %-8s log / without, %2d instance(s): %sx (target >= 0.85x: %s); dropped: queue_full %d, write_failed %d, shutdown %d\n' \
        "${db}" "${n}" "$(ratio "${med[rps.${k}]}" "${med[rps.off.${body}]}")" "${verdict}" "${full[${k}]}" "${failed[${k}]}" "${shutdown[${k}]}"
    done
  done
  local summary="met"
  [[ -n "${unshown}" ]] && summary="not shown where the log dropped predictions (${unshown# })"
  [[ -n "${worst}" ]] && summary="missed (${worst# })${unshown:+; not shown where the log dropped predictions (${unshown# })}"
  echo "the prediction log costs at most 15% of requests/s at full load: ${summary}"
}
