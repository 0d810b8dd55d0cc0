// Validates the answers the end-to-end suite received against the OpenAPI
// document: for each recorded answer, the operation of its method and path
// must document its status, and a JSON body must match that status's schema.
//   node validate-answers.mjs docs/openapi.yaml RECORD_FILE
// RECORD_FILE has one JSON object per line: {method, path, status,
// content_type, content_encoding, body?} (tests/support/http_client.cc).
// Prints every mismatch and exits 1 when there is one.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const [documentFile, recordFile] = process.argv.slice(2);
const doc = parse(readFileSync(documentFile, 'utf8'));

// Schemas refer to '#/components/schemas/X'; each compiled schema carries the
// components as $defs, so the references are rewritten to '#/$defs/X'.
const SCHEMA_REF = '#/components/schemas/';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF)
      ? '#/$defs/' + value.slice(SCHEMA_REF.length)
      : rewriteRefs(value);
  }
  return out;
}
const defs = rewriteRefs(doc.components?.schemas ?? {});

// A response or parameter object that is itself a $ref into the document.
function resolve(node) {
  while (node && typeof node.$ref === 'string') {
    node = node.$ref.slice(2).split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, part) => at?.[part], doc);
  }
  return node;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map();
function validatorFor(key, schema) {
  if (!validators.has(key)) {
    validators.set(key, ajv.compile({ ...rewriteRefs(schema), $defs: defs }));
  }
  return validators.get(key);
}

// Path templates as regular expressions; templates with fewer parameters
// first, so that a literal segment wins over a parameter.
const routes = Object.keys(doc.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    regex: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+') + '$'),
  }))
  .sort((a, b) => a.params - b.params);

const errorEnvelope = { $ref: '#/components/schemas/ErrorEnvelope' };
const lines = readFileSync(recordFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
const failures = [];
let validated = 0;
let outside = 0;

function check(answer, where, schema, key) {
  let body;
  try {
    body = JSON.parse(answer.body);
  } catch {
    failures.push(`${where}: the body is not JSON: ${String(answer.body).slice(0, 200)}`);
    return;
  }
  const validate = validatorFor(key, schema);
  if (!validate(body)) {
    failures.push(`${where}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}\n    body: ${answer.body.slice(0, 300)}`);
  }
  validated += 1;
}

for (const line of lines) {
  const answer = JSON.parse(line);
  const method = answer.method.toUpperCase();
  const path = answer.path.split('?')[0];
  const where = `${method} ${answer.path} -> ${answer.status}`;
  const mediaType = (answer.content_type ?? '').split(';')[0].trim();
  const isJson = mediaType === 'application/json' && typeof answer.body === 'string';
  // CORS preflights are nginx's, answered before any route.
  if (method === 'OPTIONS' && answer.status === 204) continue;
  const route = routes.find((r) => r.regex.test(path));
  const operation = route && doc.paths[route.template][method === 'HEAD' ? 'get' : method.toLowerCase()];
  if (!operation) {
    // Unknown paths and methods are answered in the error envelope.
    if (answer.status >= 400 && isJson) check(answer, where, errorEnvelope, 'ErrorEnvelope');
    else outside += 1;
    continue;
  }
  const responses = operation.responses ?? {};
  const status = String(answer.status);
  const response = resolve(responses[status] ?? responses[status[0] + 'XX'] ?? responses.default);
  if (!response) {
    failures.push(`${where}: status ${status} is not documented for ${method} ${route.template}`);
    continue;
  }
  if (!isJson || method === 'HEAD') {
    if (answer.body && !answer.content_encoding && response.content && !response.content[mediaType]) {
      failures.push(`${where}: content type ${mediaType} is not documented`);
    }
    continue;
  }
  const media = response.content?.['application/json'];
  if (!media) {
    failures.push(`${where}: a JSON body is not documented for this status`);
    continue;
  }
  check(answer, where, media.schema ?? {}, `${method} ${route.template} ${status}`);
}

for (const f of failures) console.error(`mismatch: ${f}`);
console.log(`answers: ${lines.length} recorded, ${validated} validated against docs/openapi.yaml, ` +
  `${outside} outside it (test-only routes, non-JSON), ${failures.length} mismatches`);
if (lines.length > 0 && validated === 0) {
  console.error('no answer could be validated: is the recording broken?');
  process.exit(1);
}
process.exit(failures.length > 0 ? 1 : 0);
