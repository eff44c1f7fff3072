// Secrets stay out of the logs: nginx's access log masks every auth_key
// and csrf value however the request spells the name, every access log
// the project ships uses that format, and the logs are not readable by
// other users.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, VAR, api, asProvider, closeDb, newProvider, randomCode, request, waitFor,
} from './lib.mjs';

after(closeDb);

const ACCESS = path.join(VAR, 'log/nginx-access.log');
const key = () => randomCode(32);

test('no auth_key or csrf value reaches the access log, however the name is written', async () => {
  const p = await newProvider();
  const P = p.provider_code;
  const run = randomCode(8);
  const keys = [];
  const fresh = () => { const k = key(); keys.push(k); return k; };
  // [what, path and query, extra request options]
  const cases = [
    ['plain', `/api/list-install?provider_code=${P}&auth_key=${p.auth_key}`],
    ['repeated', `/api/list-install?auth_key=${fresh()}&provider_code=${P}&auth_key=${fresh()}`],
    ['encoded _', `/api/list-install?provider_code=${P}&auth%5Fkey=${fresh()}`],
    ['encoded lower', `/api/list-install?provider_code=${P}&auth%5fkey=${fresh()}`],
    ['encoded all', `/api/list-install?%61%75%74%68%5F%6B%65%79=${fresh()}&provider_code=${P}`],
    ['encoded first', `/api/list-install?%61uth_key=${fresh()}`],
    ['many', `/api/list-install?${Array.from({ length: 6 }, () => `auth_key=${fresh()}`).join('&')}`],
    ['masked-looking', `/api/list-install?auth_key=***&auth_key=${fresh()}`],
    ['csrf', `/account/links?csrf=${fresh()}&q=x`],
    ['csrf encoded', `/account/links?q=x&%63srf=${fresh()}`],
    ['post', `/api/list-install?auth_key=${fresh()}`, { method: 'POST',
      body: `provider_code=${P}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
    ['referer', '/api/list-install', { headers: { Referer: `https://x.example/a?auth_key=${fresh()}` } }],
  ];
  keys.push(p.auth_key);
  for (const [i, [, url, opts = {}]] of cases.entries()) {
    const r = await request(url, { ...opts, headers: { ...opts.headers, 'User-Agent': `logs-${run}-${i}` } });
    assert.ok(r.status > 0 && r.status < 500, `${url}: ${r.status} ${r.text}`);
  }
  // the good call was answered, so its key was really in use
  assert.equal((await asProvider(p)('list-install')).json.rc, 1);

  // nginx flushes its log buffer every second
  const lines = await waitFor(() => {
    const text = readFileSync(ACCESS, 'utf8');
    const got = cases.map((_, i) => text.split('\n').find((l) => l.includes(`"logs-${run}-${i}"`)));
    return got.every(Boolean) && got;
  }, 5000, 200);
  assert.ok(lines, 'the requests are in the access log');
  const text = readFileSync(ACCESS, 'utf8');
  for (const k of keys) assert.equal(text.includes(k), false, `a key is in the log: ${k}`);
  // what is not secret stays, so the log is still worth reading
  assert.match(lines[0], new RegExp(`"GET /api/list-install\\?provider_code=${P}&auth_key=\\*\\*\\* HTTP/1.1" 200 `));
  assert.match(lines[1], new RegExp(`auth_key=\\*\\*\\*&provider_code=${P}&auth_key=\\*\\*\\* `));
  assert.match(lines[2], /auth%5Fkey=\*\*\* /);
  assert.match(lines[8], /"GET \/account\/links\?csrf=\*\*\*&q=x HTTP/);
  assert.match(lines[11], /" 200 \d+ "\*\*\*" "logs-/);
});

test('the logs and their folder are not readable by other users', () => {
  const dir = path.join(VAR, 'log');
  assert.equal(statSync(dir).mode & 0o777, 0o750);
  const files = readdirSync(dir);
  for (const f of ['nginx-access.log', 'nginx-error.log', 'limited-links.log', 'postgresql.log'])
    assert.ok(files.includes(f), f);
  for (const f of files) {
    const mode = statSync(path.join(dir, f)).mode;
    assert.equal(mode & 0o027, 0, `${f} is mode ${(mode & 0o777).toString(8)}`);
  }
});

// The access_log lines of an nginx config, without comments.
function accessLogs(file) {
  return readFileSync(path.join(ROOT, file), 'utf8').split('\n')
    .map((l) => l.replace(/#.*/, '').trim()).filter((l) => /^access_log\s/.test(l));
}

test('every access log the project ships uses the masking format', () => {
  const local = accessLogs('nginx/limited-links.conf.in');
  const prod = accessLogs('nginx/production.conf');
  assert.ok(local.length >= 1 && prod.length >= 1);
  for (const l of [...local, ...prod])
    assert.match(l, /^access_log\s+(off|\S+\s+limited_links(\s.*)?);$/, l);
  // each production site sets its own, or it inherits nginx.conf's "combined"
  const conf = readFileSync(path.join(ROOT, 'nginx/production.conf'), 'utf8').replace(/#.*/g, '');
  const servers = conf.split(/\bserver\s*\{/).slice(1);
  assert.ok(servers.length >= 2);
  for (const s of servers) assert.match(s, /access_log\s+\S+\s+limited_links/);
  assert.match(conf, /include\s+\S*log-format\.conf;/);
  assert.doesNotMatch(conf, /\bcombined\b/);
});
