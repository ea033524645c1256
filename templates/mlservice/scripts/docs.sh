#!/usr/bin/env bash
# Builds the engineering docs into artifacts/docs/ (run by `make docs`); open artifacts/docs/index.html.
# Every page works offline:
#   index.html             start page linking everything below
#   api/index.html         HTTP API reference rendered from docs/openapi.json (Redocly CLI)
#   code/reference/        code reference from the XML doc comments of the Model, Training and Api projects (fsdocs)
#   README.html, *.html    README.md and docs/*.md as HTML (fsdocs), with the files docs/ links to;
#                          their ```mermaid blocks are drawn as diagrams (Mermaid)
#   models/<name>.html     the card of every model, docs/models/*.md (found by name: a model added
#                          with make add-model is listed without editing this script)
# docs/openapi.json is linted first, with the rules of redocly.yaml; a lint error stops the build.
# Tools: Redocly CLI and Mermaid from the npm registry, pinned below (needs Node.js), and fsdocs-tool
# from the .NET tool manifest .config/dotnet-tools.json. Intermediate files go to artifacts/obj/docs/.
set -euo pipefail

redocly_cli="@redocly/cli@2.77.0"
mermaid="mermaid@12.3.0"
name="Ml-Service"
projects=(Model Training Api)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
out="${repo}/artifacts/docs"
work="${repo}/artifacts/obj/docs"

fail() {
  echo "make docs: $*" >&2
  exit 1
}

# Redocly CLI 2.x supports Node.js 20.19+ and 22.12+.
if ! command -v node >/dev/null 2>&1 || ! command -v npx >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "make docs: Node.js (node, npm and npx) is not installed; install Node.js 20+ (22 LTS recommended): https://nodejs.org/en/download" >&2
  exit 127
fi
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
  process.exit(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19) ? 0 : 1)'; then
  fail "Node.js $(node --version) is too old for Redocly CLI; install Node.js 20+ (20.19 or later, 22 LTS recommended): https://nodejs.org/en/download"
fi

# No usage data sent to Redocly, no update banners.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
redocly() {
  npx --yes "${redocly_cli}" "$@"
}

echo "==> Linting docs/openapi.json (rules: redocly.yaml)"
redocly lint docs/openapi.json || fail "docs/openapi.json breaks the lint rules above (configured in redocly.yaml)."

# artifacts/obj/docs/bin/ is kept between runs: the next build only refreshes it.
rm -rf "${out}" "${work}/code" "${work}/guides"
mkdir -p "${out}" "${work}"

echo "==> HTTP API reference: artifacts/docs/api/index.html"
redocly build-docs docs/openapi.json --inlineBundle --output "${out}/api/index.html"

echo "==> Building the projects in Release with their XML docs"
dotnet tool restore >/dev/null
# One folder with the assemblies, their XML docs and everything they reference (NuGet packages and
# the ASP.NET Core reference assemblies), so fsdocs can resolve every type in a public signature.
bin="${work}/bin/"
for project in Api Training; do
  dotnet build "src/${name}.${project}/${name}.${project}.csproj" --configuration Release -nologo -v:q \
    -p:OutDir="${bin}" -p:CopyLocalLockFileAssemblies=true -p:PreserveCompilationReferences=true
done
for reference in "${bin}refs/"*.dll; do
  [[ -e "${bin}$(basename "${reference}")" ]] || cp "${reference}" "${bin}"
done

# fsdocs keeps a cache in its working directory: run it inside artifacts/obj/docs. Its detailed output
# goes to a log, printed when it fails.
fsdocs() {
  local log="$1"
  shift
  if ! (cd "${work}" && dotnet tool run fsdocs -- build --strict "$@") >"${log}" 2>&1; then
    cat "${log}" >&2
    fail "fsdocs failed; its output is above and in ${log#"${repo}/"}."
  fi
  # Members fsdocs could not read are left out of the pages; say which.
  grep -o "^Could not read comments from entity '[^']*'" "${log}" |
    sed -e "s/^Could not read comments from entity /warning: the code reference leaves out /" \
      -e "s#\$# (fsdocs cannot read its attributes; see ${log#"${repo}/"})#" >&2 || true
}

echo "==> Code reference: artifacts/docs/code/reference/index.html"
mkdir -p "${work}/code"
cp scripts/docs/_template.html "${work}/code/"
project_files=()
for project in "${projects[@]}"; do
  project_files+=("${repo}/src/${name}.${project}/${name}.${project}.csproj")
done
fsdocs "${work}/fsdocs-code.log" --input "${work}/code" --output "${out}/code" --projects "${project_files[@]}" \
  --properties Configuration=Release "OutDir=${bin}" FsDocsAllowExecutableProject=true \
  --parameters root ../ docs-home ../../ fsdocs-collection-name "${name}"

echo "==> Guides: README.md and docs/*.md"
# Mermaid's browser bundle, from the package tarball (kept in artifacts/obj/docs/ for the next run).
mermaid_js="${work}/${mermaid}/package/dist/mermaid.min.js"
if [[ ! -f "${mermaid_js}" ]]; then
  mkdir -p "${work}/${mermaid}"
  tarball="$(cd "${work}/${mermaid}" && npm pack --silent "${mermaid}")"
  tar -xzf "${work}/${mermaid}/${tarball}" -C "${work}/${mermaid}" package/dist/mermaid.min.js
  rm "${work}/${mermaid}/${tarball}"
fi
guides="${work}/guides"
mkdir -p "${guides}"
cp -R docs/. "${guides}/"
cp scripts/docs/_template.html scripts/docs/_body.html "${guides}/"

# The guides sit side by side in artifacts/docs/. Links from docs/ to the repository root and from the
# README into docs/ are rewritten to match; links to other files of the repository lead into the checkout.
# Front matter orders them in the menu: README first, then docs/*.md by file name.
stage() {
  local source="$1" index="$2"
  shift 2
  stage_as "${source}" "$(basename "${source}")" Guides 1 "${index}" "$@"
}
# stage_as <source> <target under the guides> <menu category> <category index> <index> <sed args...>
stage_as() {
  local source="$1" target="$2" category="$3" category_index="$4" index="$5"
  shift 5
  mkdir -p "$(dirname "${guides}/${target}")"
  {
    printf -- '---\ncategory: %s\ncategoryindex: %s\nindex: %s\n---\n' "${category}" "${category_index}" "${index}"
    sed "$@" "${source}"
  } >"${guides}/${target}"
}
stage README.md 0 -e 's#](\([A-Za-z0-9_.][^):]*\))#](../../\1)#g' -e 's#](\.\./\.\./docs/#](#g'
guide_files=()
for guide in docs/*.md; do
  [[ -e "${guide}" ]] || continue
  guide_files+=("${guide}")
  stage "${guide}" "${#guide_files[@]}" -e 's#](\.\./README\.md#](README.md#g' -e 's#](\.\./#](../../#g'
done

# Model cards sit in artifacts/docs/models/: links to docs/*.md stay, links to the README and to other
# files of the repository are rewritten.
model_cards=()
for card in docs/models/*.md; do
  [[ -e "${card}" ]] || continue
  model_cards+=("${card}")
  stage_as "${card}" "models/$(basename "${card}")" Models 2 "${#model_cards[@]}" \
    -e 's#](\.\./\.\./README\.md#](../README.md#g' -e 's#](\.\./\.\./#](../../../#g'
done

title_of() {
  local heading
  heading="$(grep -m 1 '^# ' "$1" || true)"
  if [[ -n "${heading}" ]]; then echo "${heading#\# }"; else basename "$1" .md; fi
}
{
  echo "# ${name} engineering docs"
  echo
  echo "Built by \`make docs\` from this repository: rebuild them after changing the code or the docs."
  echo
  echo "- [HTTP API reference](api/index.html): endpoints, requests, responses and problem documents, from \`docs/openapi.json\` ([raw](openapi.json))."
  echo "- [Code reference](code/reference/index.html): namespaces and types of the Model, Training and Api projects, from their XML doc comments."
  echo
  echo "## Guides"
  echo
  echo "- [$(title_of README.md)](README.md)"
  # (Written so that an empty list also works with macOS's bash 3.2 and set -u.)
  for guide in ${guide_files[@]+"${guide_files[@]}"}; do
    echo "- [$(title_of "${guide}")]($(basename "${guide}"))"
  done
  echo
  echo "## Models"
  echo
  echo "One card per model of the repository (\`docs/models/<name>.md\`): intended use, data, metrics, limits."
  echo
  for card in ${model_cards[@]+"${model_cards[@]}"}; do
    echo "- [$(title_of "${card}")](models/$(basename "${card}"))"
  done
} >"${guides}/index.md"

fsdocs "${work}/fsdocs-guides.log" --input "${guides}" --output "${out}" --noapidocs --ignoreprojects \
  --parameters root ./ docs-home ./ fsdocs-collection-name "${name}"

cp "${mermaid_js}" "${out}/content/"
# The tab icon of every page (linked by scripts/docs/_template.html).
cp scripts/docs/favicon.png "${out}/favicon.png"

# fsdocs also writes Markdown copies, an index for its online search, a NuGet.config and a copy of the
# page footer: the pages use none of them.
find "${out}" -maxdepth 1 -type f \( -name '*.md' -o -name 'index.json' -o -name 'llms*.txt' -o -name 'NuGet.config' -o -name '_body.html' \) -delete
find "${out}/code" -maxdepth 1 -type f \( -name 'index.json' -o -name 'llms*.txt' -o -name 'NuGet.config' \) -delete

echo "Docs ready: open artifacts/docs/index.html"
