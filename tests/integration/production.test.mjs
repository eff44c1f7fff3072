// nginx/production.conf as `make install` installs it, run for real: a
// self-signed certificate made here, its ports moved to loopback, its
// upstream pointed at the test stack's workers; everything else as
// shipped. nginx -t passes on it; TLS 1.2/1.3 and HTTP/2 on the apex and
// api. names; plain HTTP answers the app's check (never a redirect) and
// refuses the API; the rate limits answer in each caller's shape and
// count the client's own address behind a trusted proxy (real-ip.conf);
// the access log carries the request's and the upstream's time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {
  AS_ROOT, PORT, ROOT, STACK_USER, VAR, answer, asProvider, asStackUser, bounded, closeDb,
  install, newLink, newProvider, randomHwid, sleep, waitFor,
} from './lib.mjs';

// nginx's configuration is under test, not the build: once is enough
const SKIP = process.env.LL_BUILD === 'asan' ? 'runs with the release build only' : false;
const HTTP = Number(PORT) + 11;
const TLS = Number(PORT) + 12;
let dir;
let nginxPid;
let p, link, hwid, ok;

const uid = (flag) => Number(execFileSync('id', [flag, STACK_USER], { encoding: 'utf8' }));

// Replaces each [from, to] in text, failing when one is not there: a
// change to production.conf must show up here, not pass unnoticed.
function edit(text, pairs) {
  for (const [from, to] of pairs) {
    assert.ok(text.includes(from), `production.conf no longer holds: ${from}`);
    text = text.split(from).join(to);
  }
  return text;
}

function nginx(args) {
  return asStackUser(['nginx', '-p', dir, '-c', path.join(dir, 'nginx.conf'),
    '-e', path.join(dir, 'error.log'), ...args]);
}

before(async () => {
  if (SKIP) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'll-production-'));
  execFileSync('make', ['-s', '-C', ROOT, 'install', `PREFIX=${dir}/usr/local`,
    `SYSCONFDIR=${dir}/etc`], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=example.com', '-addext', 'subjectAltName=DNS:example.com,DNS:api.example.com',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  mkdirSync(path.join(dir, 'tmp'));
  const share = path.join(dir, 'usr/local/share/limited-links');
  const site = edit(readFileSync(path.join(share, 'nginx/production.conf'), 'utf8'), [
    ['listen       80;', `listen       127.0.0.1:${HTTP};`],
    ['listen       [::]:80;\n', ''],
    ['listen       443 ssl http2;', `listen       127.0.0.1:${TLS} ssl http2;`],
    ['listen       [::]:443 ssl http2;\n', ''],
    ['/etc/letsencrypt/live/example.com/fullchain.pem', path.join(dir, 'cert.pem')],
    ['/etc/letsencrypt/live/example.com/privkey.pem', path.join(dir, 'key.pem')],
    ['/var/log/nginx/limited-links-access.log', path.join(dir, 'access.log')],
    ['unix:/run/limited-links/fcgi.sock', `unix:${path.join(VAR, 'run/fcgi.sock')}`],
    [`# include  ${share}/nginx/real-ip.conf;`, `include  ${share}/nginx/real-ip.conf;`],
  ]);
  writeFileSync(path.join(dir, 'site.conf'), site);
  // what Debian's nginx.conf holds around a site, in a prefix of the test's
  const tmp = path.join(dir, 'tmp');
  writeFileSync(path.join(dir, 'nginx.conf'), `
worker_processes  1;
pid        ${dir}/nginx.pid;
error_log  ${dir}/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path  ${tmp}/body;
    fastcgi_temp_path      ${tmp}/fastcgi;
    proxy_temp_path        ${tmp}/proxy;
    uwsgi_temp_path        ${tmp}/uwsgi;
    scgi_temp_path         ${tmp}/scgi;
    types { text/css css; text/javascript js; image/svg+xml svg; }
    default_type  application/octet-stream;
    # this test speaks for clients behind a proxy on loopback
    set_real_ip_from  127.0.0.1;
    include  ${dir}/site.conf;
}
`);
  if (AS_ROOT) {
    for (const f of ['.', 'tmp', 'key.pem']) chownSync(path.join(dir, f), uid('-u'), uid('-g'));
  }

  p = await newProvider();
  link = await newLink(p, { limit: 3 });
  hwid = randomHwid();
  ok = answer(p.provider_code, 10, true);
  assert.equal((await install(link.hash, link.code, hwid)).text, ok);
});

after(async () => {
  if (SKIP) return;
  if (nginxPid) {
    try { process.kill(nginxPid, 'SIGQUIT'); } catch { /* gone */ }
    await waitFor(() => { try { process.kill(nginxPid, 0); return false; } catch { return true; } }, 5000);
  }
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

// One HTTPS request to the TLS port as host (SNI and Host): { status, headers, text, json }.
const agent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });
function get(pathAndQuery, { host = 'example.com', method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: TLS, servername: host, agent, method,
      path: pathAndQuery, headers: { Host: host, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
// The same over plain HTTP, to the port-80 server.
async function plain(pathAndQuery, { host = 'example.com', headers = {} } = {}) {
  const r = await fetch(`http://127.0.0.1:${HTTP}${pathAndQuery}`,
    { headers: { Host: host, ...headers }, redirect: 'manual' });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text };
}
// curl on the TLS port as example.com; returns { status, out }.
function curl(args) {
  const r = spawnSync('curl', ['-sS', '-k', '--max-time', '10', '--resolve',
    `example.com:${TLS}:127.0.0.1`, '--resolve', `api.example.com:${TLS}:127.0.0.1`, ...args],
  { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
const check = () => `/install?id=${link.hash}&installid=${link.code}`;

test('nginx -t passes on the installed production site with a self-signed certificate', { skip: SKIP }, async () => {
  const t = nginx(['-t']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stderr, /syntax is ok/);
  const r = nginx([]);
  assert.equal(r.status, 0, r.stderr);
  nginxPid = Number(readFileSync(path.join(dir, 'nginx.pid'), 'utf8'));
  assert.ok(await waitFor(async () => (await get('/provider?id=x').catch(() => ({}))).status === 200,
    5000), 'the production site answers');
});

test('TLS 1.2 and 1.3 only, HTTP/2, HSTS, on the apex and api. names alike', { skip: SKIP }, async () => {
  for (const host of ['example.com', 'api.example.com']) {
    const r = curl(['--http2', '-o', '/dev/null', '-w', '%{http_version} %{http_code}',
      `https://${host}:${TLS}/provider?id=${p.provider_code}`]);
    assert.equal(r.out, '2 200', `${host}: ${r.out}`);
    const api = await get(`/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`,
      { host });
    assert.equal(api.json?.rc, 1, `${host}: ${api.text}`);
  }
  assert.equal(curl(['--tls-max', '1.2', '--tlsv1.2', '-o', '/dev/null',
    `https://example.com:${TLS}/provider`]).status, 0);
  assert.notEqual(curl(['--tls-max', '1.1', '--tlsv1', '-o', '/dev/null',
    `https://example.com:${TLS}/provider`]).status, 0, 'TLS 1.1 was accepted');
  for (const where of [check(), '/static/style.css', '/account/', '/api/list-domain']) {
    const r = await get(where, { headers: { 'X-HWID': hwid } });
    assert.equal(r.headers['strict-transport-security'], 'max-age=63072000', where);
  }
  const css = await get('/static/style.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers['x-content-type-options'], 'nosniff');
  // pages keep the workers' own headers, once each
  const page = await get('/account/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-security-policy'], /default-src 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal((await get(check(), { headers: { 'X-HWID': hwid } })).text, ok);
});

test('plain HTTP answers the check and refuses the API, in their shapes; only the rest is redirected', { skip: SKIP }, async () => {
  let r = await plain(check(), { headers: { 'X-HWID': hwid } });
  assert.equal(r.status, 200);
  assert.equal(r.text, ok);
  r = await plain(`/provider?id=${p.provider_code}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"status":1}');
  r = await plain(`/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"rc":0,"msg":"HTTPS required"}');
  r = await plain('/account/', { host: 'evil.example' });
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), 'https://example.com/account/');
  // an error nginx makes on the plain port keeps the check's shape too
  r = await plain(`${check()}&pad=${'x'.repeat(9000)}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, answer('', 0, false));
  // and plain HTTP sent to the TLS port (497)
  const raw = await fetch(`http://127.0.0.1:${TLS}${check()}`, { headers: { Host: 'example.com' } });
  assert.equal(raw.status, 200);
  assert.equal(await raw.text(), answer('', 0, false));
});

test('beyond the rate limits: the check refuses with HTTP 200, the API says so in its JSON, sign-in gets 429', { skip: SKIP }, async () => {
  // each burst from an address of its own, as a proxy on loopback says
  const from = (ip) => ({ 'X-Forwarded-For': ip, 'X-HWID': hwid });
  const checks = await bounded(16, Array.from({ length: 800 }),
    () => get(check(), { headers: from('198.51.100.1') }));
  assert.deepEqual([...new Set(checks.map((r) => r.status))], [200]);
  const refused = checks.filter((r) => r.text === answer('', 0, false)).length;
  assert.ok(refused > 0, 'the check was never limited');
  assert.equal(checks.filter((r) => r.text === ok).length + refused, checks.length,
    'every answer is the admission or the refusal');

  const call = `/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`;
  const calls = await bounded(16, Array.from({ length: 300 }),
    () => get(call, { headers: from('198.51.100.2') }));
  assert.deepEqual([...new Set(calls.map((r) => r.status))], [200]);
  const many = calls.filter((r) => r.text === '{"rc":0,"msg":"Too many requests, try again later"}');
  assert.ok(many.length > 0, 'the API was never limited');
  assert.equal(calls.filter((r) => r.json?.rc === 1).length + many.length, calls.length);
  // the limit is the client's, not the proxy's: another address still gets in
  assert.equal((await get(call, { headers: from('198.51.100.3') })).json?.rc, 1);
  assert.equal((await get(call, { headers: from('198.51.100.2') })).json?.rc, 0);

  // sign-ins: nginx's own 429 (the workers refuse these token-less
  // posts with 403 before looking at anything)
  const signins = await bounded(8, Array.from({ length: 30 }), () => get('/account/signin',
    { method: 'POST', headers: { ...from('198.51.100.4'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'x=1' }));
  const limited = signins.filter((r) => r.status === 429 && /nginx/.test(r.text)).length;
  assert.ok(limited > 0, `sign-in was never limited: ${signins.map((r) => r.status)}`);
  assert.equal(signins.filter((r) => r.status === 403).length + limited, signins.length);
});

test('the access log has the request\'s and the upstream\'s time, and masks the key', { skip: SKIP }, async () => {
  const mark = `ua-${randomHwid()}`;
  await get(`/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`,
    { headers: { 'User-Agent': mark } });
  await get('/nothing-here', { headers: { 'User-Agent': mark } });
  const lines = await waitFor(() => {
    const got = readFileSync(path.join(dir, 'access.log'), 'utf8').split('\n')
      .filter((l) => l.includes(`"${mark}"`));
    return got.length === 2 && got;
  }, 5000, 100);
  assert.ok(lines, 'both requests are in the log');
  assert.match(lines[0], /auth_key=\*\*\* HTTP\/1\.1" 200 /);
  assert.equal(lines[0].includes(p.auth_key), false);
  assert.match(lines[0], new RegExp(`"${mark}" rt=\\d+\\.\\d{3} urt="\\d+\\.\\d{3}" ua="unix:${VAR}/run/fcgi.sock"$`));
  // nginx answered the other itself: no upstream
  assert.match(lines[1], /" 404 .* rt=\d+\.\d{3} urt="-" ua="-"$/);
});
