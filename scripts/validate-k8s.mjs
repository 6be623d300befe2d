// Validates Kubernetes manifests against the OpenAPI schemas of kubernetes-models (a current
// Kubernetes release). Usage: node scripts/validate-k8s.mjs <dir-or-files…>; exits 1 listing every
// object that fails. Run as a child process by the tests: the package is ESM-only.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const files = process.argv.slice(2).flatMap((p) =>
  statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(p, f)) : [p],
);
const failures = [];
let count = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const obj = doc.toJS();
    if (obj === null) continue;
    count += 1;
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
    const modulePath = group === null ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
    const id = `${file}: ${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    let Model;
    try {
      Model = (await import(modulePath))[obj.kind];
    } catch {
      Model = undefined;
    }
    if (Model === undefined) {
      failures.push(`${id}: no schema for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      failures.push(`${id}: ${err.message}`);
    }
  }
}
if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.error(`${failures.length} of ${count} objects are invalid`);
  process.exit(1);
}
console.log(`${count} objects valid`);
