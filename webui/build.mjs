// Bundles the web UI: src/app.js (with uPlot) into dist/app.js, src/app.css (with uPlot's CSS) into dist/app.css,
// and copies src/index.html. dist/ is committed and embedded in Tsdb.Server, so building the server needs no Node.js.
// `node build.mjs --check` builds in memory and fails when dist/ differs (WebUiTests runs it in the test suite).
import * as esbuild from "esbuild";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");

const common = {
  bundle: true,
  minify: true,
  write: false,
  legalComments: "eof",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  logLevel: "warning",
  absWorkingDir: root,
};
const js = await esbuild.build({ ...common, entryPoints: ["src/app.js"], format: "iife", outfile: "dist/app.js" });
const css = await esbuild.build({ ...common, entryPoints: ["src/app.css"], outfile: "dist/app.css" });
const outputs = new Map([
  ["dist/app.js", js.outputFiles[0].contents],
  ["dist/app.css", css.outputFiles[0].contents],
  ["dist/index.html", await readFile(path.join(root, "src/index.html"))],
]);

if (check) {
  const stale = [];
  for (const [file, bytes] of outputs) {
    const existing = await readFile(path.join(root, file)).catch(() => null);
    if (existing === null || Buffer.compare(Buffer.from(bytes), existing) !== 0) stale.push(file);
  }
  if (stale.length > 0) {
    console.error(`webui: ${stale.join(", ")} out of date with src/; run 'npm run build' in webui/ and commit dist/`);
    process.exit(1);
  }
  console.log("webui: dist/ is up to date");
} else {
  await mkdir(path.join(root, "dist"), { recursive: true });
  for (const [file, bytes] of outputs) await writeFile(path.join(root, file), bytes);
  for (const [file, bytes] of outputs) console.log(`${file} ${bytes.length} bytes`);
}
