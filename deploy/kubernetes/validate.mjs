// Checks every manifest here against the Kubernetes OpenAPI schemas, without a cluster (kubectl's client dry run
// still asks an API server). Run from a folder with the two npm packages installed:
//   npm install kubernetes-models@5.1.0 js-yaml@4 && kubectl kustomize deploy/kubernetes > /tmp/all.yaml
//   node deploy/kubernetes/validate.mjs /tmp/all.yaml          (NODE_PATH=<that folder>/node_modules)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// kubernetes-models is ESM with an exports map; its files are imported by path from NODE_PATH.
const modules = process.env.NODE_PATH ?? "node_modules";
const require = createRequire(join(modules, "noop.js"));
const yaml = require("js-yaml");
const load = (sub) => import(pathToFileURL(join(modules, "kubernetes-models", sub, "index.js")).href);
const core = await load("v1");
const apps = await load("apps/v1");
const models = {
  "v1/ConfigMap": core.ConfigMap,
  "v1/Secret": core.Secret,
  "v1/Service": core.Service,
  "apps/v1/Deployment": apps.Deployment,
  "apps/v1/StatefulSet": apps.StatefulSet,
};

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!doc) continue;
    const name = `${doc.kind}/${doc.metadata?.name}`;
    const Model = models[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) { console.log(`no schema here for ${doc.apiVersion} ${doc.kind} (${name})`); failed++; continue; }
    try { new Model(doc).validate(); console.log(`ok   ${name}`); }
    catch (e) { console.log(`FAIL ${name}: ${e.message}`); failed++; }
  }
}
console.log(failed ? `${failed} invalid` : "all valid");
process.exit(failed ? 1 : 0);
