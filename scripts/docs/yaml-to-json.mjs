// Converts the OpenAPI document from YAML (written for people) to the JSON that
// nginx serves at /openapi.json. Fails on anything the YAML parser warns about
// (duplicate keys, tabs), so a sloppy edit cannot reach clients.
//   node yaml-to-json.mjs docs/openapi.yaml OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const [source, target] = process.argv.slice(2);
const doc = parseDocument(readFileSync(source, 'utf8'), { uniqueKeys: true, prettyErrors: true });
const problems = [...doc.errors, ...doc.warnings];
if (problems.length > 0) {
  for (const p of problems) console.error(`${source}: ${p.message}`);
  process.exit(1);
}
writeFileSync(target, JSON.stringify(doc.toJS(), null, 2) + '\n');
