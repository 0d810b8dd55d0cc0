// The browser test of the e2e stage, in Debian's Chromium (headless) driven by
// playwright-core:
//   1. /docs renders the document: the operation "POST /api/v1/orders/checkout"
//      is listed (screenshot docs.png);
//   2. a storefront page served from a second origin (E2E_CORS_ORIGIN, which the
//      stack allows) registers, logs in and reads the cart through the API with
//      CORS (screenshot storefront.png).
//   node browser-test.mjs OUT_DIR      (E2E_BASE_URL, E2E_CORS_ORIGIN; CHROMIUM_BIN)
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const outDir = process.argv[2];
const base = process.env.E2E_BASE_URL;
const origin = process.env.E2E_CORS_ORIGIN;
if (!base || !origin) {
  console.error('E2E_BASE_URL and E2E_CORS_ORIGIN must be set (scripts/test.sh sets them)');
  process.exit(2);
}

// The storefront: one page whose script talks to the API on the other origin
// and shows what it got.
const storefront = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Storefront</title></head>
<body><h1>Storefront on ${origin}</h1><pre id="log"></pre><p id="result">running</p>
<script>
const api = ${JSON.stringify(base)} + '/api/v1';
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; };
async function call(method, path, body, token) {
  const headers = { 'X-Request-Id': 'storefront-' + Date.now() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const r = await fetch(api + path, { method, headers, credentials: 'include',
                                      body: body === undefined ? undefined : JSON.stringify(body) });
  log(method + ' ' + path + ' -> ' + r.status + ' (X-Request-Id ' + r.headers.get('X-Request-Id') + ')');
  return { status: r.status, requestId: r.headers.get('X-Request-Id'), json: await r.json() };
}
(async () => {
  const email = 'storefront-' + Date.now() + '@example.test', password = 'storefront-pass-1';
  const reg = await call('POST', '/auth/register', { email, password });
  const login = await call('POST', '/auth/login', { email, password });
  const cart = await call('GET', '/carts/me', undefined, login.json.data.access_token);
  window.outcome = { register: reg.status, login: login.status, cart: cart.status,
                     cartEmpty: cart.json.data.is_empty, requestId: cart.requestId };
  document.getElementById('result').textContent = 'done: cart ' + cart.status;
})().catch((e) => {
  window.outcome = { error: String(e) };
  document.getElementById('result').textContent = 'failed: ' + e;
});
</script></body></html>`;

const failures = [];
const expect = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'}: ${what}`);
  if (!ok) failures.push(what);
};

const { hostname, port } = new URL(origin);
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(storefront);
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(port), hostname, resolve);
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  // Root in a container: Chromium's sandbox needs namespaces it may not get.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });

  await page.goto(`${base}/docs`);
  const checkout = page.locator('.opblock').filter({
    has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/orders\/checkout$/ }),
  });
  await checkout.first().waitFor({ timeout: 30000 });
  const method = await checkout.first().locator('.opblock-summary-method').first().textContent();
  expect(method?.trim() === 'POST', `/docs lists "POST /api/v1/orders/checkout" (method shown: ${method})`);
  const operations = await page.locator('.opblock-summary-path').count();
  expect(operations >= 30, `/docs lists every operation (${operations})`);
  await page.screenshot({ path: `${outDir}/docs.png` });

  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.outcome !== undefined, null, { timeout: 30000 });
  const outcome = await page.evaluate(() => window.outcome);
  console.log(`storefront: ${JSON.stringify(outcome)}`);
  expect(outcome.register === 201, 'the storefront registered through CORS');
  expect(outcome.login === 200, 'the storefront logged in through CORS');
  expect(outcome.cart === 200 && outcome.cartEmpty === true, 'the storefront read the cart with its token');
  expect(typeof outcome.requestId === 'string' && outcome.requestId.startsWith('storefront-'),
    'the exposed X-Request-Id is readable from the other origin');
  await page.screenshot({ path: `${outDir}/storefront.png` });
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${outDir}`);
process.exit(failures.length > 0 ? 1 : 0);
