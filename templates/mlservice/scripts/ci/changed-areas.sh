#!/usr/bin/env bash
# Decides which CI jobs a change needs. Reads the changed paths on stdin, one per line, as
# `git diff --name-only BASE HEAD` prints them, and prints one `area=true|false` line per area for
# $GITHUB_OUTPUT:
#   build      restore, format check, build with warnings as errors, tests with coverage
#   train      train on the sample data and apply the quality gate
#   image      lint the Dockerfile and build the container image
#   manifests  render and validate the Kubernetes manifests
#   docs       build the HTML docs
# and one `models=<JSON array>` line: the models the train job retrains and gates, one matrix entry
# each. A change to one model's own files selects that model only:
#   data/<name>.csv, params/<name>.yaml, src/*.Model/Models/<Name>Model.cs, tests/*/Models/<Name>ModelTests.cs,
#   champions/<name>.json, onnx/<name>.onnx
# a change to shared code (the rest of src/*.Model, src/*.Training, build settings, the pipeline)
# selects every model, as listed by params/*.yaml. `train` is true exactly when `models` is not empty.
# `--all` (or no path at all) selects every area: a new branch, a manual run, a force-push.
# Paths are matched by folder role (src/*.Api, src/*.Model, ...), never by project name, so a project
# or model added later is picked up without editing this script or the workflow.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
all_models=()
for params in "${repo}"/params/*.yaml; do
  [[ -e "${params}" ]] || continue
  all_models+=("$(basename "${params}" .yaml)")
done
declare -A models=()
every_model=false

areas=(build train image docs)
#if (Kubernetes)
areas+=(manifests)
#endif
declare -A selected=()
for area in "${areas[@]}"; do selected[${area}]=false; done

select_areas() {
  local area
  for area in "$@"; do selected[${area}]=true; done
  [[ " $* " == *" train "* ]] && every_model=true
  return 0
}

# select_model <name>: retrain this model only (build and image too); an unknown name retrains all.
select_model() {
  local name="$1" known
  for area in build train image; do selected[${area}]=true; done
  for known in ${all_models[@]+"${all_models[@]}"}; do
    if [[ "${known}" == "${name}" ]]; then
      models[${name}]=true
      return 0
    fi
  done
  every_model=true
}

# lower_first <Name>: the model name of a class-name prefix (Fraud -> fraud).
lower_first() {
  printf '%s%s' "$(printf '%s' "${1:0:1}" | tr '[:upper:]' '[:lower:]')" "${1:1}"
}

if [[ "${1:-}" == "--all" ]]; then
  select_areas "${areas[@]}"
else
  seen_any=false
  while IFS= read -r path || [[ -n "${path}" ]]; do
    [[ -z "${path}" ]] && continue
    seen_any=true
    case "${path}" in
      # Shared build settings, the platform packages and the pipeline itself: everything may be affected.
      Directory.Build.props | Directory.Build.targets | Directory.Packages.props | global.json | nuget.config | packages/*.nupkg | \
        *.slnx | .editorconfig | .config/* | Makefile | .github/workflows/* | scripts/ci/*)
        select_areas "${areas[@]}" ;;
      # One model's definition, data, parameters or tests: retrain and gate that model; the API, the
      # image and the code reference embed the definition.
      src/*.Model/Models/*Model.cs)
        name="${path##*/}"
        select_model "$(lower_first "${name%Model.cs}")"
        select_areas build image docs ;;
      data/*.csv)
        name="${path#data/}"
        if [[ "${name}" == */* ]]; then select_areas build train image; else select_model "${name%.csv}"; fi ;;
      params/*.yaml)
        name="${path#params/}"
        if [[ "${name}" == */* ]]; then select_areas build train image; else select_model "${name%.yaml}"; fi ;;
      # A graph trained elsewhere (make add-model ONNX=): evaluate and gate that model again; the image serves it.
      onnx/*.onnx)
        name="${path#onnx/}"
        if [[ "${name}" == */* ]]; then select_areas build train image; else select_model "${name%.onnx}"; select_areas build image; fi ;;
      tests/*/Models/*ModelTests.cs)
        name="${path##*/}"
        select_model "$(lower_first "${name%ModelTests.cs}")" ;;
      # The champion a model's training is compared with (written by make promote): retrain and gate that model.
      champions/*.json)
        name="${path#champions/}"
        if [[ "${name}" == */* ]]; then select_areas train; else select_model "${name%.json}"; fi ;;
      # Shared model code and training: retrain and gate every model; the API and the image embed them.
      src/*.Model/* | src/*.Training/*) select_areas build train image docs ;;
      # Other training data and parameters: retrain and gate every model; the image bakes them.
      data/* | params/*) select_areas build train image ;;
      dvc.yaml | dvc.lock | .dvc/* | .dvcignore) select_areas train ;;
      # A model's card and example request: docs (the example is also checked by the tests).
      docs/models/*.md) select_areas docs ;;
      src/*.Api/*) select_areas build image docs ;;
      tests/*) select_areas build ;;
      # The API contract and its examples are checked by the tests and rendered in the docs.
      docs/openapi.json | docs/examples/*) select_areas build docs ;;
      Dockerfile | .dockerignore) select_areas image ;;
#if (Kubernetes)
      # The repo's own tests read the manifests too (probe paths, settings).
      deploy/* | scripts/deploy.sh) select_areas build manifests ;;
#endif
      scripts/docs.sh | scripts/docs/* | redocly.yaml) select_areas docs ;;
      # Prose, ownership and editor settings: docs only, no build.
      *.md | docs/* | notebooks/* | CODEOWNERS | LICENSE | .github/* | .devcontainer/* | \
        .gitignore | .gitattributes | .pre-commit-config.yaml)
        select_areas docs ;;
      # Anything unknown: run everything rather than miss a check.
      *) select_areas "${areas[@]}" ;;
    esac
  done
  [[ "${seen_any}" == true ]] || select_areas "${areas[@]}"
fi

if [[ "${every_model}" == true ]]; then
  for name in ${all_models[@]+"${all_models[@]}"}; do models[${name}]=true; done
fi
json=""
while IFS= read -r name; do
  [[ -n "${name}" ]] && json+="${json:+,}\"${name}\""
done < <(printf '%s\n' "${!models[@]}" | LC_ALL=C sort)
# No model to train (a repository without params/): nothing for the train job.
[[ -n "${json}" ]] || selected[train]=false

for area in "${areas[@]}"; do
  echo "${area}=${selected[${area}]}"
done
echo "models=[${json}]"
