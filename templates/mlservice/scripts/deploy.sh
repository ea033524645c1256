#!/usr/bin/env bash
# Deploys the service to one environment with the current kubectl context:
#
#   bash scripts/deploy.sh [--dry-run] ENV IMAGE TAG
#
# ENV is a folder of deploy/overlays (dev, stage, prod). The overlay is rendered with its image
# set to IMAGE:TAG in a temporary folder, so the committed manifests never change; then it is
# applied and the script waits until the new pods are ready. --dry-run prints the manifests
# instead and needs no cluster. make deploy, make deploy-preview and the CD workflows call it.
# ROLLOUT_TIMEOUT (default 5m) bounds the wait.
set -euo pipefail

# The image name in deploy/base/deployment.yaml; the overlays only set its tag.
readonly manifest_image="registry.example.com/ml-team/ml-service"
readonly rollout_timeout="${ROLLOUT_TIMEOUT:-5m}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
overlays="${repo_root}/deploy/overlays"

usage() {
  echo "usage: bash scripts/deploy.sh [--dry-run] ENV IMAGE TAG"
  echo "  ENV    one of: ${environments[*]}"
  echo "  IMAGE  image name without tag, e.g. ${manifest_image}"
  echo "  TAG    image tag to deploy, e.g. the commit sha CD pushed"
}

fail() {
  local code="$1"
  shift
  echo "deploy: $*" >&2
  exit "${code}"
}

environments=()
for overlay in "${overlays}"/*/; do
  if [[ -f "${overlay}kustomization.yaml" ]]; then
    environments+=("$(basename "${overlay}")")
  fi
done
((${#environments[@]} > 0)) || fail 1 "no overlays with a kustomization.yaml in ${overlays}."

dry_run=false
arguments=()
while (($# > 0)); do
  case "$1" in
    --dry-run) dry_run=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      arguments+=("$@")
      break
      ;;
    -*)
      usage >&2
      fail 2 "unknown option '$1'."
      ;;
    *) arguments+=("$1") ;;
  esac
  shift
done

if ((${#arguments[@]} != 3)); then
  usage >&2
  fail 2 "expected ENV IMAGE TAG, got ${#arguments[@]} argument(s)."
fi
environment="${arguments[0]}"
image="${arguments[1]}"
tag="${arguments[2]}"

if [[ " ${environments[*]} " != *" ${environment} "* ]]; then
  fail 2 "unknown environment '${environment}'; valid environments (folders of deploy/overlays): ${environments[*]}."
fi
if [[ ! "${image}" =~ ^[A-Za-z0-9]+([._:/-]+[A-Za-z0-9]+)*$ ]] || [[ "${image##*/}" == *:* ]]; then
  fail 2 "IMAGE '${image}' is not an image name without tag (e.g. ${manifest_image})."
fi
if [[ ! "${tag}" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  fail 2 "TAG '${tag}' is not a valid image tag."
fi

if ! command -v kubectl >/dev/null 2>&1; then
  fail 127 "kubectl is not installed; it renders and applies the manifests. Install it: https://kubernetes.io/docs/tasks/tools/"
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# A copy of deploy/ plus a kustomization on top of the overlay that only swaps the image.
cp -R "${repo_root}/deploy" "${work}/deploy"
mkdir "${work}/release"
cat >"${work}/release/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../deploy/overlays/${environment}
images:
  - name: ${manifest_image}
    newName: "${image}"
    newTag: "${tag}"
EOF

manifests="${work}/manifests.yaml"
if ! kubectl kustomize "${work}/release" >"${manifests}"; then
  fail 1 "could not render deploy/overlays/${environment} (see the kubectl error above)."
fi
if ! grep -Fq "image: ${image}:${tag}" "${manifests}"; then
  fail 1 "no container of deploy/overlays/${environment} uses ${manifest_image}; keep that name in deploy/base and set tags in the overlays."
fi

if [[ "${dry_run}" == true ]]; then
  cat "${manifests}"
  exit 0
fi

# "namespace name" of every Deployment in the rendered manifests, to wait for their rollout.
awk '
  function flush() { if (kind == "Deployment") print namespace, name; kind = ""; name = ""; namespace = "" }
  /^---/ { flush(); next }
  /^kind: / { kind = $2 }
  /^metadata:/ { in_metadata = 1; next }
  /^[^ #]/ { in_metadata = 0 }
  in_metadata && /^  name: / { name = $2 }
  in_metadata && /^  namespace: / { namespace = $2 }
  END { flush() }
' "${manifests}" >"${work}/deployments"
mapfile -t deployments <"${work}/deployments"
((${#deployments[@]} > 0)) || fail 1 "deploy/overlays/${environment} renders no Deployment."

context="$(kubectl config current-context 2>/dev/null || true)"
if [[ -z "${context}" ]]; then
  fail 1 "kubectl has no current context; point it at the cluster first (kubectl config use-context NAME)."
fi

echo "deploy: ${image}:${tag} to ${environment} with kubectl context '${context}'" >&2
kubectl apply -f "${manifests}"

for deployment in "${deployments[@]}"; do
  read -r namespace name <<<"${deployment}"
  if ! kubectl rollout status "deployment/${name}" --namespace "${namespace}" --timeout "${rollout_timeout}"; then
    fail 1 "deployment/${name} in ${namespace} did not become ready within ${rollout_timeout}." \
      "Inspect it with: kubectl --namespace ${namespace} describe deployment/${name}." \
      "Roll back by deploying the previous tag."
  fi
done
echo "deploy: ${environment} runs ${image}:${tag}" >&2
