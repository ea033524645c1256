// Validates Kubernetes objects against the API schemas of the pinned kubernetes-models package.
//
//   node build/validators/validate-kubernetes.mjs [objects.json]   (stdin when no file is given)
//
// Input: JSON, either one object, an array of objects or a `kind: List` with `items`
// (the pack's tests convert `kubectl kustomize` output to a JSON array). Each object is looked up by
// apiVersion and kind; an apiVersion/kind the package does not know is an error, as is any schema
// violation. Prints one line per object ("ok ..." or "invalid ...") and exits 1 if any is invalid.
import { readFileSync } from "node:fs";

const source = process.argv[2] ?? 0;
const input = readFileSync(source, "utf8");
let parsed;
try {
  parsed = JSON.parse(input);
} catch (error) {
  console.error(`invalid: ${source === 0 ? "stdin" : source} is not JSON: ${error.message}`);
  process.exit(2);
}

const objects = Array.isArray(parsed) ? parsed : parsed?.kind === "List" ? parsed.items ?? [] : [parsed];
if (objects.length === 0) {
  console.error("invalid: no objects in the input");
  process.exit(2);
}

async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new Error("apiVersion and kind must be strings");
  }
  const parts = apiVersion.split("/");
  const wellFormed =
    /^[A-Z][A-Za-z0-9]*$/.test(kind) &&
    parts.length <= 2 &&
    parts.every((part) => /^[a-z0-9][a-z0-9.-]*$/.test(part));
  if (!wellFormed) {
    throw new Error(`unknown apiVersion/kind ${apiVersion}/${kind}`);
  }
  let module;
  try {
    // Core objects (apiVersion v1) live in kubernetes-models/v1, the others in <group>/<version>.
    module = await import(`kubernetes-models/${parts.join("/")}/${kind}`);
  } catch {
    throw new Error(`unknown apiVersion/kind ${apiVersion}/${kind}`);
  }
  const model = module[kind];
  // Only top-level objects declare apiVersion and kind (DeploymentSpec has a module but is no kind).
  if (typeof model !== "function" || model.apiVersion !== apiVersion || model.kind !== kind) {
    throw new Error(`unknown apiVersion/kind ${apiVersion}/${kind}`);
  }
  return model;
}

let invalid = 0;
for (const [index, object] of objects.entries()) {
  const name = `${object?.apiVersion}/${object?.kind} ${object?.metadata?.name ?? `#${index}`}`;
  try {
    if (object === null || typeof object !== "object" || Array.isArray(object)) {
      throw new Error("not an object");
    }
    const Model = await modelOf(object.apiVersion, object.kind);
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    invalid++;
    console.log(`invalid ${name}: ${error.message}`);
  }
}

console.log(`${objects.length - invalid} valid, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);
