#!/usr/bin/env bash
# Decides which CI jobs a change needs. Reads the changed paths on stdin, one per line, as
# `git diff --name-only BASE HEAD` prints them, and prints one `area=true|false` line per area for
# $GITHUB_OUTPUT:
#   build      restore, format check, build with warnings as errors, tests with coverage
#   train      train on the sample data and apply the quality gate
#   image      lint the Dockerfile and build the container image
#   manifests  render and validate the Kubernetes manifests
#   docs       build the HTML docs
# `--all` (or no path at all) selects every area: a new branch, a manual run, a force-push.
# Paths are matched by folder role (src/*.Api, src/*.Model, ...), never by project name, so a project
# added later is picked up without editing this script or the workflow.
set -euo pipefail

areas=(build train image docs)
#if (Kubernetes)
areas+=(manifests)
#endif
declare -A selected=()
for area in "${areas[@]}"; do selected[${area}]=false; done

select_areas() {
  local area
  for area in "$@"; do selected[${area}]=true; done
}

if [[ "${1:-}" == "--all" ]]; then
  select_areas "${areas[@]}"
else
  seen_any=false
  while IFS= read -r path || [[ -n "${path}" ]]; do
    [[ -z "${path}" ]] && continue
    seen_any=true
    case "${path}" in
      # Shared build settings and the pipeline itself: everything may be affected.
      Directory.Build.props | Directory.Build.targets | Directory.Packages.props | global.json | nuget.config | \
        *.slnx | .editorconfig | .config/* | Makefile | .github/workflows/* | scripts/ci/*)
        select_areas "${areas[@]}" ;;
      # Model code and training: retrain and gate; the API and the image embed them.
      src/*.Model/* | src/*.Training/*) select_areas build train image docs ;;
      # Training data and parameters: retrain and gate; the model-quality tests read them; the image bakes the model.
      data/* | params.yaml) select_areas build train image ;;
      dvc.yaml | dvc.lock | .dvc/* | .dvcignore) select_areas train ;;
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

for area in "${areas[@]}"; do
  echo "${area}=${selected[${area}]}"
done
