// Imports one of the dashboard's TypeScript modules into a node test:
// esbuild (from the headless Keplr's packages) compiles and bundles it, and
// the result is imported as a module.
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const esbuild = createRequire(join(here, "keplr/package.json"))("esbuild");

export async function importTypeScript(path) {
  const built = await esbuild.build({
    entryPoints: [path], bundle: true, write: false, format: "esm", platform: "neutral", logLevel: "error",
  });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString("base64")}`);
}
