#!/usr/bin/env bash
# ONNX benchmark of build/bench.sh (source it after build/lib.sh and build/bench/serving.sh; functions only).
# One binary model of the same data and the same 30 features, served two ways side by side:
#   mlnet   trained here: make add-model NAME=cancer DATA=<breast cancer CSV> LABEL=diagnosis, then make train;
#   onnx    a PyTorch network trained on that data elsewhere and imported: make add-model ... ONNX=<its export>.
# The graph and its evaluation rows come from tests/MlOps.Platform.Tests/Onnx/Producers/make_models.py.
# Each service (Release, Production, an API key) is sent one instance and a 64-instance batch of real rows; the
# rounds interleave the two; medians are reported, with the peak resident memory of each process.

# shellcheck source=build/lib.sh disable=SC2154 # api_key, hive, ratio and the helpers come from the sourcing scripts

# bench_onnx <generated repo> <project name> <rounds> <seconds per measurement> <work dir>
bench_onnx() {
  local app="$1" name="$2" rounds="$3" seconds="$4" work="$5"
  local cases="${work}/cases" shim="${work}/shim" kind body round figures r m50 m99 e c
  local kinds=(mlnet onnx) bodies=(one batch)
  local -A repos urls pids rps p99 cpu errors rss
  mkdir -p "${work}" "${shim}"
  # shellcheck disable=SC2034 # the model measure() of serving.sh sends requests to
  bench_model="cancer"

  step "ONNX: producing the graph, importing it and its CSV into two copies of the repo, training, building in Release"
  /usr/bin/python3 "${repo_root}/tests/MlOps.Platform.Tests/Onnx/Producers/make_models.py" "${cases}" >"${work}/produce.log"
  # make add-model renders the mlmodel template: from the bench's private hive.
  # shellcheck disable=SC2016 # the shim's own "$@" and ${1:-}, written as they are
  printf '#!/usr/bin/env bash\nif [[ "${1:-}" == new ]]; then exec %q "$@" --debug:custom-hive %q; fi\nexec %q "$@"\n' \
    "$(command -v dotnet)" "${hive}" "$(command -v dotnet)" >"${shim}/dotnet"
  chmod +x "${shim}/dotnet"
  for kind in "${kinds[@]}"; do
    repos[${kind}]="${work}/${kind}"
    rm -rf "${repos[${kind}]}"
    cp -a "${app}" "${repos[${kind}]}"
    local import=(NAME=cancer "DATA=${cases}/torch_binary/eval.csv" LABEL=diagnosis)
    [[ "${kind}" == onnx ]] && import+=("ONNX=${cases}/torch_binary/model.onnx")
    PATH="${shim}:${PATH}" make -C "${repos[${kind}]}" add-model "${import[@]}" >"${work}/${kind}-add.log" 2>&1
    # Every model: the service is ready only when all of its models are.
    make -C "${repos[${kind}]}" train >"${work}/${kind}-train.log" 2>&1
    dotnet build "${repos[${kind}]}/src/${name}.Api" -c Release -nodeReuse:false >"${work}/${kind}-build.log" 2>&1
  done
  onnx_bodies "${cases}/torch_binary/eval.csv" diagnosis "${work}"

  for kind in "${kinds[@]}"; do
    urls[${kind}]="http://127.0.0.1:$(free_port)"
    start_generated "${repos[${kind}]}" "${name}" "${urls[${kind}]}" "${work}/${kind}.log"
    pids[${kind}]="${started_pid}"
    for body in "${bodies[@]}"; do
      measure "${urls[${kind}]}" "${work}/${body}.json" 5 "${api_key}" "${pids[${kind}]}" >/dev/null
    done
  done

  for round in $(seq 1 "${rounds}"); do
    step "ONNX: round ${round} of ${rounds} (wrk -t2 -c16 -d${seconds}s per line)"
    for kind in "${kinds[@]}"; do
      for body in "${bodies[@]}"; do
        read -r figures < <(measure "${urls[${kind}]}" "${work}/${body}.json" "${seconds}" "${api_key}" "${pids[${kind}]}")
        read -r r m50 m99 e c <<<"${figures}"
        rps[${kind}.${body}]+="${r} " p99[${kind}.${body}]+="${m99} " cpu[${kind}.${body}]+="${c} "
        errors[${kind}.${body}]=$((${errors[${kind}.${body}]:-0} + e))
        printf '  %-7s %-6s %9.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  CPU %7.1f us/request\n' "${kind}" "${body}" "${r}" "${m50}" "${m99}" "${e}" "${c}"
      done
    done
  done
  for kind in "${kinds[@]}"; do rss[${kind}]="$(peak_rss_mib "${pids[${kind}]}")"; done
  stop_serving

  local -A med
  local key
  for key in "${!rps[@]}"; do
    med[rps.${key}]="$(tr ' ' '\n' <<<"${rps[${key}]}" | grep . | median_of)"
    med[p99.${key}]="$(tr ' ' '\n' <<<"${p99[${key}]}" | grep . | median_of)"
    med[cpu.${key}]="$(tr ' ' '\n' <<<"${cpu[${key}]}" | grep . | median_of)"
  done

  step "ONNX results (medians of ${rounds} rounds; the breast cancer model, 30 features; $(nproc) cores)"
  printf '%-36s %11s %12s %8s %7s %10s %12s\n' "model kind, instances per request" "requests/s" "instances/s" "p99 ms" "errors" "peak RSS" "CPU us/req"
  local n
  for kind in "${kinds[@]}"; do
    for body in "${bodies[@]}"; do
      n=1
      [[ "${body}" == batch ]] && n=64
      printf '%-36s %11.0f %12.0f %8.2f %7d %6s MiB %12.1f\n' "${kind}, ${n}" "${med[rps.${kind}.${body}]}" \
        "$(awk -v r="${med[rps.${kind}.${body}]}" -v n="${n}" 'BEGIN { print r * n }')" "${med[p99.${kind}.${body}]}" \
        "${errors[${kind}.${body}]}" "${rss[${kind}]}" "${med[cpu.${kind}.${body}]}"
    done
  done
  echo
  echo "mlnet / onnx, requests/s, 1 instance:          $(ratio "${med[rps.mlnet.one]}" "${med[rps.onnx.one]}")x (target <= 1.5x)"
  echo "mlnet / onnx, requests/s, 64 instances:        $(ratio "${med[rps.mlnet.batch]}" "${med[rps.onnx.batch]}")x (target <= 1.5x)"
  echo "onnx / mlnet, CPU per request, 1 and 64:       $(ratio "${med[cpu.onnx.one]}" "${med[cpu.mlnet.one]}")x, $(ratio "${med[cpu.onnx.batch]}" "${med[cpu.mlnet.batch]}")x"
  echo "onnx / mlnet, p99, 1 and 64 instances:         $(ratio "${med[p99.onnx.one]}" "${med[p99.mlnet.one]}")x, $(ratio "${med[p99.onnx.batch]}" "${med[p99.mlnet.batch]}")x"
  echo "onnx - mlnet, peak RSS (the runtime, the graph):  $((rss[onnx] - rss[mlnet])) MiB"
}

# Request bodies of real rows: the first evaluation row, and the first 64, every column but <label>.
onnx_bodies() {
  local csv="$1" label="$2" dir="$3"
  /usr/bin/python3 - "${csv}" "${label}" "${dir}" <<'PY'
import csv, json, sys
path, label, out = sys.argv[1:4]
rows = [{k: float(v) for k, v in r.items() if k != label} for r in csv.DictReader(open(path))]
json.dump({"instances": rows[:1]}, open(f"{out}/one.json", "w"))
json.dump({"instances": rows[:64]}, open(f"{out}/batch.json", "w"))
PY
}
