// Shared by the integration tests: the throwaway stack that tests/run
// started (LL_VAR, LL_PORT), an HTTP client, the database, and fixtures.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VAR = process.env.LL_VAR;
export const PORT = process.env.LL_PORT;
export const BASE = `http://127.0.0.1:${PORT}`;
export const OUT = process.env.LL_TEST_OUT || path.join(ROOT, 'tests/out');
if (!VAR || !PORT) throw new Error('run through tests/run: LL_VAR and LL_PORT are unset');

export const APP_HEADERS = {
  'X-Device-OS': 'Android',
  'X-Ver-OS': '14',
  'X-Device-Model': 'Pixel 8',
  'X-App-Version': '4.0.1',
  'User-Agent': 'Happ/4.0.1/Android/1581',
  'X-Credential': 'eyJhbGciOiJIUzI1NiJ9.e30.ignored',
};

export const sha256hex = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomCode(n = 12) {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[b[i] % ALNUM.length];
  return s;
}
export const randomHwid = () => 'hw-' + randomBytes(8).toString('hex');

// GET or POST through nginx. Returns { status, headers, text, json }.
export async function request(pathAndQuery, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(BASE + pathAndQuery, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// Signs provider p in to the web account over plain HTTP:
// { cookie, csrf, token }.
export async function webSession(p) {
  const form = await request('/account/');
  const pre = form.headers.get('set-cookie').split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)[1];
  const res = await request('/account/signin', { method: 'POST', headers: { Cookie: pre,
    'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf, provider_code: p.provider_code, auth_key: p.auth_key }).toString() });
  assert.equal(res.status, 303);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ll_session=')).split(';')[0];
  const page = await request('/account/links', { headers: { Cookie: cookie } });
  return { cookie, token: cookie.slice('ll_session='.length),
    csrf: /name="csrf" value="([^"]+)"/.exec(page.text)[1] };
}

// A form posted in web session s; the answer's status and Location.
export function webPost(s, where, form) {
  return request(where, { method: 'POST', headers: { Cookie: s.cookie,
    'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf: s.csrf, ...form }).toString() });
}

// The app's check, with the app's headers; hwid null sends no X-HWID.
export function install(hash, code, hwid, extra = {}) {
  const headers = { ...APP_HEADERS, ...extra };
  if (hwid !== null && hwid !== undefined) headers['X-HWID'] = hwid;
  return request(`/install?id=${hash}&installid=${code}`, { headers });
}

// The password of user in a libpq passfile of the stack's (admin.pgpass:
// the cluster's superuser; app.pgpass: the workers' role, ll_app).
export function pgpass(file, user) {
  const text = readFileSync(path.join(VAR, file), 'utf8');
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length === 5 && f[3] === user) return f[4];
  }
  throw new Error(`no password for ${user} in ${file}`);
}

// The database as the cluster's superuser, which the tests use to set up
// and inspect what the API cannot; the workers' role may do far less.
let pool;
export function db() {
  if (!pool) {
    pool = new pg.Pool({ host: path.join(VAR, 'run'), user: 'limitedlinks',
      password: pgpass('admin.pgpass', 'limitedlinks'), database: 'limitedlinks', max: 4 });
    pool.on('error', () => {});
  }
  return pool;
}
export async function sql(text, params = []) {
  return (await db().query(text, params)).rows;
}
export async function closeDb() {
  if (pool) { const p = pool; pool = undefined; await p.end(); }
}

// Runs one of the operator scripts against the test stack.
export function script(name, args = [], opts = {}) {
  return execFileSync(path.join(ROOT, 'scripts', name), args,
    { env: { ...process.env }, encoding: 'utf8', ...opts });
}

// A new provider through scripts/provider: { provider_code, auth_key, id }.
export async function newProvider(name = 'Test ' + randomCode(4)) {
  const p = JSON.parse(script('provider', ['add', name]));
  const [row] = await sql('SELECT id FROM providers WHERE code = $1', [p.provider_code]);
  return { ...p, id: Number(row.id) };
}

// A domain and a link straight in the database, for tests of the check.
export async function newLink(provider, { limit = 1, status = 10,
    domain = `sub-${randomCode(6).toLowerCase()}.example.com` } = {}) {
  const hash = sha256hex(domain);
  await sql(`INSERT INTO domains (provider_id, domain_hash, domain_name)
    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [provider.id, hash, domain.slice(0, 10)]);
  const code = randomCode(12);
  const [row] = await sql(`INSERT INTO links (provider_id, install_code, install_limit, status)
    VALUES ($1, $2, $3, $4) RETURNING id`, [provider.id, code, limit, status]);
  return { id: Number(row.id), code, hash, domain, limit };
}

// The stack's user (root runs the stack as it), and argv run as that
// user: { status, stdout, stderr }. Not root, the caller is that user.
export const AS_ROOT = process.getuid() === 0;
export const STACK_USER = AS_ROOT ? (process.env.LL_USER || 'limitedlinks')
  : execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
export function asStackUser(argv, opts = {}) {
  const all = AS_ROOT ? ['runuser', '-u', STACK_USER, '--', ...argv] : argv;
  return spawnSync(all[0], all.slice(1), { encoding: 'utf8', ...opts });
}

// The stack's programs, as its user.
export function pgctl(args) {
  const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'],
    { encoding: 'utf8' }).trim();
  const cmd = [path.join(bin, 'pg_ctl'), '-D', path.join(VAR, 'pg'), ...args];
  const argv = process.getuid() === 0 ? ['runuser', '-u', 'limitedlinks', '--', ...cmd] : cmd;
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The provider API. path is a method ("add-install") or a full path;
// params is an object or [name, value] pairs (pairs may repeat a name).
// GET sends them as the query string, POST as an urlencoded form.
export function api(path, params = {}, { method = 'GET', query } = {}) {
  const p = path.startsWith('/') ? path : '/api/' + path;
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const enc = new URLSearchParams(pairs).toString();
  if (method === 'GET') return request(p + (p.includes('?') ? '&' : '?') + enc);
  const q = query ? '?' + new URLSearchParams(query).toString() : '';
  return request(p + q, { method, body: enc,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

// The API as provider p: its code and key go first.
export function asProvider(p) {
  return (path, params = {}, opts = {}) => {
    const pairs = Array.isArray(params) ? params : Object.entries(params);
    return api(path, [['provider_code', p.provider_code],
      ['auth_key', p.auth_key], ...pairs], opts);
  };
}

// Everything stored for a provider, to prove a call changed nothing.
export async function snapshot(providerId) {
  return {
    provider: await sql('SELECT code, key_hash, status, link_cap FROM providers WHERE id = $1',
      [providerId]),
    links: await sql(`SELECT id, install_code, install_limit, install_count, status, note,
      created_at FROM links WHERE provider_id = $1 ORDER BY id`, [providerId]),
    devices: await sql(`SELECT d.* FROM devices d JOIN links l ON l.id = d.link_id
      WHERE l.provider_id = $1 ORDER BY d.link_id, d.hwid`, [providerId]),
    domains: await sql('SELECT * FROM domains WHERE provider_id = $1 ORDER BY id',
      [providerId]),
  };
}

// Links whose install_count differs from their device rows (should be none).
export async function drifted() {
  return sql(`SELECT l.id, l.install_count, l.install_limit,
      (SELECT count(*)::int FROM devices d WHERE d.link_id = l.id) AS rows
    FROM links l
    WHERE l.install_count <> (SELECT count(*) FROM devices d WHERE d.link_id = l.id)
      OR l.install_count > l.install_limit`);
}

// Sends head (one char per byte) as one HTTP/1.0 request, for what fetch refuses to send
// (invalid UTF-8 in headers, raw bytes in the request line). Returns
// { status, text }.
export function rawRequest(head) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    // no half-close: nginx takes an early EOF for a client that gave up
    const sock = net.connect(Number(PORT), '127.0.0.1',
      () => sock.write(Buffer.from(head, 'latin1')));
    sock.setTimeout(10000, () => sock.destroy(new Error('raw request timed out')));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all);
      const at = all.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, text: at >= 0 ? all.slice(at + 4) : '' });
    });
  });
}

// Runs fn over items with at most limit calls in flight; keeps order.
export async function bounded(limit, items, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

// Polls fn until it returns a truthy value or ms pass; returns the value.
export async function waitFor(fn, ms = 5000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

// The prefork master and its workers, from the pid file.
export function masterPid() {
  return Number(readFileSync(path.join(VAR, 'run/fcgi.pid'), 'utf8').trim());
}
// The master's other child, the sender, names itself.
export const SENDER_NAME = 'll-sender';
export function isSender(pid) {
  try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === SENDER_NAME; } catch { return false; }
}
export function childPids(master = masterPid()) {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' });
  } catch { /* pgrep exits 1 when there are none */ }
  return out.split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
}
export function workerPids() {
  return childPids().filter((pid) => !isSender(pid));
}
export function senderPids() {
  return childPids().filter(isSender);
}
// Workers the configuration asks for.
export function workersWanted() {
  const m = /^workers\s*=\s*(\d+)/m.exec(readFileSync(path.join(VAR, 'limited-links.conf'), 'utf8'));
  return Number(m[1]);
}
// CPU seconds a process has used (user + system).
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
export function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

// The check's answers, as exact text.
export const answer = (providerid, status, admitted) =>
  JSON.stringify({ providerid, status, import: admitted });
export const UNKNOWN = answer('', 0, false);

// pg_ctl without blocking the event loop, so that requests keep flowing
// while PostgreSQL stops or starts.
export function pgctlAsync(args) {
  return new Promise((resolve, reject) => {
    const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'],
      { encoding: 'utf8' }).trim();
    const cmd = [path.join(bin, 'pg_ctl'), '-D', path.join(VAR, 'pg'), ...args];
    const argv = process.getuid() === 0 ? ['runuser', '-u', 'limitedlinks', '--', ...cmd] : cmd;
    execFile(argv[0], argv.slice(1), { encoding: 'utf8' },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}${errOut}`)) : resolve(out)));
  });
}
export const pgStart = () => pgctlAsync(['start', '-w', '-t', '60', '-l',
  path.join(VAR, 'log/postgresql.log')]);
export const pgStop = () => pgctlAsync(['stop', '-m', 'fast', '-w', '-t', '60']);

// A FastCGI client straight on the workers' socket, one request, sent in
// two parts (begin, rest) so that a test can act while a worker waits
// for the rest. response resolves to the stdout text, or null when the
// connection closes without an end-of-request record.
function fcgiRecord(type, body) {
  const pad = (8 - (body.length % 8)) % 8;
  const h = Buffer.from([1, type, 0, 1, body.length >> 8, body.length & 255, pad, 0]);
  return Buffer.concat([h, body, Buffer.alloc(pad)]);
}
function fcgiLen(n) {
  return n < 128 ? Buffer.from([n]) : Buffer.from([(n >>> 24) | 128, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
}
export function fcgiConnect(env) {
  const begin = fcgiRecord(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]));
  const pairs = Buffer.concat(Object.entries(env).map(([k, v]) => Buffer.concat([
    fcgiLen(Buffer.byteLength(k)), fcgiLen(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])));
  const rest = Buffer.concat([fcgiRecord(4, pairs), fcgiRecord(4, Buffer.alloc(0)),
    fcgiRecord(5, Buffer.alloc(0))]);
  const sock = net.connect(path.join(VAR, 'run/fcgi.sock'));
  const chunks = [];
  const connected = new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const response = new Promise((resolve) => {
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => {});
    sock.on('close', () => resolve(fcgiStdout(Buffer.concat(chunks))));
  });
  return {
    connected,
    response,
    sendBegin: () => sock.write(begin),
    sendRest: () => sock.write(rest),
    close: () => sock.destroy(),
  };
}
// A FastCGI connection straight on the workers' socket that asks to be
// kept open (FCGI_KEEP_CONN), as nginx's are: ask(env) sends one request
// and resolves to its stdout text once its end-of-request record has
// come, or to null if the connection closes first; requests go one after
// another.
export function fcgiKept() {
  const sock = net.connect(path.join(VAR, 'run/fcgi.sock'));
  let buf = Buffer.alloc(0);
  let waiting = null;
  const connected = new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.on('error', () => {});
  sock.on('data', (c) => {
    buf = Buffer.concat([buf, c]);
    let at = 0;
    let end = -1;
    while (at + 8 <= buf.length) {
      const len = buf.readUInt16BE(at + 4);
      const next = at + 8 + len + buf[at + 6];
      if (next > buf.length) break;
      if (buf[at + 1] === 3) { end = next; break; }
      at = next;
    }
    if (end >= 0 && waiting) {
      const w = waiting;
      waiting = null;
      w(fcgiStdout(buf.subarray(0, end)));
      buf = buf.subarray(end);
    }
  });
  sock.on('close', () => { if (waiting) { const w = waiting; waiting = null; w(null); } });
  const begin = fcgiRecord(1, Buffer.from([0, 1, 1, 0, 0, 0, 0, 0]));
  return {
    connected,
    ask(env) {
      const pairs = Buffer.concat(Object.entries(env).map(([k, v]) => Buffer.concat([
        fcgiLen(Buffer.byteLength(k)), fcgiLen(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])));
      const p = new Promise((resolve) => { waiting = resolve; });
      sock.write(Buffer.concat([begin, fcgiRecord(4, pairs), fcgiRecord(4, Buffer.alloc(0)),
        fcgiRecord(5, Buffer.alloc(0))]));
      return p;
    },
    close: () => sock.destroy(),
  };
}

function fcgiStdout(all) {
  let out = '';
  let ended = false;
  for (let at = 0; at + 8 <= all.length;) {
    const type = all[at + 1];
    const len = all.readUInt16BE(at + 4);
    if (type === 6) out += all.subarray(at + 8, at + 8 + len).toString('utf8');
    if (type === 3) ended = true;
    at += 8 + len + all[at + 6];
  }
  return ended ? out : null;
}

// The contract's date format: UTC "YYYY-MM-DD HH:MM:SS".
export const DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

// Asserts that an API call by provider p is refused with msg, as JSON with
// HTTP 200, and changes nothing stored for p.
export async function refused(p, call, msg) {
  const before = await snapshot(p.id);
  const r = await call();
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.deepEqual(r.json, { rc: 0, msg }, `answer: ${r.text}`);
  assert.deepEqual(await snapshot(p.id), before);
}
