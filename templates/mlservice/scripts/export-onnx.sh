#!/usr/bin/env bash
# Exports a model trained here to ONNX, for any ONNX runtime (run by `make export-onnx MODEL=<name>`):
#
#   bash scripts/export-onnx.sh TRAINING [MODEL [ARGUMENTS...]]
#
# TRAINING is the training project's folder (src/<repo>.Training), MODEL the model's name (needed when the repository
# has several), ARGUMENTS more options of the training app (--file <path> writes the graph elsewhere).
#
# ML.NET's ONNX converter and ONNX Runtime come with the platform's ONNX package, which a repository references only
# where it needs it: the first export adds <PackageReference Include="MlOps.Platform.Onnx" /> to the training project,
# next to MlOps.Platform.Training (commit it). The model and API projects are left alone, so the service and its image
# do not grow. Then the training app's export-onnx command converts the serving model (models/<name>/model.zip),
# scores every row of data/<name>.csv through the ML.NET pipeline and through the ONNX graph, and writes
# models/<name>/model.onnx only when both agree (probabilities within 1e-4, values within 1e-4 relative). It exits 1,
# saying why, when they do not, when a step of the pipeline cannot be converted, or for an imported ONNX model (which
# already is ONNX: onnx/<name>.onnx).
set -euo pipefail

fail() {
  echo "make export-onnx: $*" >&2
  exit 2
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"

[[ $# -ge 1 && -n "$1" ]] || fail "usage: bash scripts/export-onnx.sh <training project folder> [MODEL [ARGUMENTS...]]"
training="$1"
model="${2:-}"
shift
[[ $# -gt 0 ]] && shift

project="${training}/$(basename "${training}").csproj"
[[ -f "${project}" ]] || fail "${project} is missing: restore it from git."

if ! grep -q 'Include="MlOps.Platform.Onnx"' "${project}"; then
  grep -q '<PackageReference Include="MlOps.Platform.Training" />' "${project}" ||
    fail "${project} has no PackageReference to MlOps.Platform.Training to add MlOps.Platform.Onnx beside: add <PackageReference Include=\"MlOps.Platform.Onnx\" /> to it yourself."
  sed -i 's|^\( *\)<PackageReference Include="MlOps.Platform.Training" />|&\n\1<PackageReference Include="MlOps.Platform.Onnx" />|' "${project}"
  echo "Added <PackageReference Include=\"MlOps.Platform.Onnx\" /> to ${project}: ML.NET's ONNX converter and ONNX Runtime, for export-onnx only (the API and its image stay without them). Commit it."
fi

command=(dotnet run --project "${training}" -- export-onnx)
[[ -n "${model}" ]] && command+=(--model "${model}")
exec "${command[@]}" "$@"
