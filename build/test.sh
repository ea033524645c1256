#!/usr/bin/env bash
# Runs the pack's whole test suite: the platform packages' tests, then the template tests (snapshot, option,
# hygiene, package, execution, end-to-end).
# Results: artifacts/test-results/*.trx. Extra arguments go to `dotnet test` (e.g. --filter ...).
# UPDATE_SNAPSHOTS=1 rewrites tests/snapshots from the generated output.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="${repo_root}/artifacts/test-results"

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Validators and tools the tests run (shellcheck, kubectl, npm validators): installed if missing.
bash "${repo_root}/build/install-test-tools.sh"

# dotnet caches where each local tool's package was found, keyed by name and version only: after a run from
# another checkout (another NUGET_PACKAGES) it points at a folder that may be gone, and `dotnet tool run`
# then fails with "Run dotnet tool restore" although restore says all is restored. It is only a cache.
rm -rf "${DOTNET_CLI_HOME:-${HOME}}/.dotnet/toolResolverCache"

rm -rf "${results}"
mkdir -p "${results}"

status=0
# The platform packages' own tests (serving, training, features on the template's sample models), once.
dotnet test "${repo_root}/tests/MlOps.Platform.Tests/MlOps.Platform.Tests.csproj" \
  --logger "trx;LogFileName=MlOps.Platform.Tests.trx" \
  --logger "console;verbosity=normal" \
  --results-directory "${results}" \
  "$@" || status=$?

dotnet test "${repo_root}/tests/MlOpsTemplates.Tests/MlOpsTemplates.Tests.csproj" \
  --logger "trx;LogFileName=MlOpsTemplates.Tests.trx" \
  --logger "console;verbosity=normal" \
  --results-directory "${results}" \
  "$@" || status=$?

if [[ "${UPDATE_SNAPSHOTS:-}" == "1" ]] && command -v git >/dev/null 2>&1; then
  echo "UPDATE_SNAPSHOTS=1: snapshot files changed (review with git diff):"
  git -C "${repo_root}" status --short --untracked-files=all -- tests/snapshots
fi

exit "${status}"
