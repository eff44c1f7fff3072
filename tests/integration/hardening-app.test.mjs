// What an attacker or a fault could do around the check and the account:
// sessions of a disabled provider, HEAD and other methods, sign-in
// failures after a success, tokens in the URL, nginx's own redirects and
// errors, a held row lock, a statement that times out or fails, and the
// CHECK backstop at count == limit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  PORT, VAR, UNKNOWN, answer, asProvider, closeDb, db, fcgiConnect, install, newLink,
  newProvider, randomCode, randomHwid, rawRequest, request, script, sleep, sql,
  workersWanted, APP_HEADERS,
} from './lib.mjs';

after(closeDb);

const SERVER_LOG = path.join(VAR, 'log/limited-links.log');
const PG_LOG = path.join(VAR, 'log/postgresql.log');
const JSON_TYPE = 'application/json';

// What a log gained since mark = logMark(file).
const logMark = (file) => statSync(file).size;
const logSince = (file, mark) => readFileSync(file).subarray(mark).toString('utf8');

// A request from a loopback address of our choosing (failed sign-ins are
// counted per address), with any Host header. Returns { status, headers, text }.
function from(addr, pathname, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': Buffer.byteLength(body), ...headers } : headers;
    const req = http.request({ host: '127.0.0.1', port: PORT, path: pathname, method,
      localAddress: addr, headers: h }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const randomAddr = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
const cookieOf = (res, name) =>
  (res.headers['set-cookie'] || []).find((c) => c.startsWith(`${name}=`))?.split(';')[0];
const form = (o) => new URLSearchParams(o).toString();

// The sign-in form's cookie and token, as a browser gets them.
async function signinForm(addr) {
  const res = await from(addr, '/account/');
  return { cookie: cookieOf(res, 'll_signin'), csrf: /name="csrf" value="([^"]+)"/.exec(res.text)[1] };
}
// Signs p in from addr; key defaults to the right one. Returns the answer.
async function signIn(addr, p, key = p.auth_key) {
  const f = await signinForm(addr);
  return from(addr, '/account/signin', { method: 'POST', headers: { Cookie: f.cookie },
    body: form({ csrf: f.csrf, provider_code: p.provider_code, auth_key: key }) });
}
// A signed-in session of p: its cookie and the CSRF token of its forms.
async function session(p) {
  const addr = randomAddr();
  const res = await signIn(addr, p);
  assert.equal(res.status, 303);
  const cookie = cookieOf(res, 'll_session');
  const page = await from(addr, '/account/links', { headers: { Cookie: cookie } });
  assert.equal(page.status, 200);
  return { addr, cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)[1] };
}
const sessionRows = async (p) => Number((await sql(
  'SELECT count(*) AS n FROM sessions WHERE provider_id = $1', [p.id]))[0].n);

test('disabling a provider ends its web sessions, and enabling it does not bring them back', async () => {
  const p = await newProvider();
  const s = await session(p);
  assert.equal(await sessionRows(p), 1);
  script('provider', ['disable', p.provider_code]);
  assert.equal(await sessionRows(p), 0, 'the disable left sessions behind');
  script('provider', ['enable', p.provider_code]);
  const res = await from(s.addr, '/account/links', { headers: { Cookie: s.cookie } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/account/');
  // a fresh sign-in works again
  assert.equal((await signIn(randomAddr(), p)).status, 303);
});

test('HEAD and other methods run no handler of the check or the API', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 5 });
  const A = asProvider(p);
  const q = `/install?id=${link.hash}&installid=${link.code}`;
  const slots = async () => (await sql(`SELECT install_count, (SELECT count(*)::int
    FROM devices WHERE link_id = $1) AS rows FROM links WHERE id = $1`, [link.id]))[0];
  for (const method of ['HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']) {
    const r = await request(q, { method, headers: { ...APP_HEADERS, 'X-HWID': randomHwid() } });
    assert.deepEqual(await slots(), { install_count: 0, rows: 0 }, `${method} took a slot`);
    assert.equal(r.status, 200, method);
    assert.equal(r.headers.get('content-type'), JSON_TYPE, method);
    assert.equal(r.text, method === 'HEAD' ? '' : UNKNOWN, method);
  }

  const before = await sql('SELECT count(*)::int AS n FROM links WHERE provider_id = $1', [p.id]);
  const head = await request(`/api/add-install?provider_code=${p.provider_code}` +
    `&auth_key=${p.auth_key}&install_limit=3`, { method: 'HEAD' });
  assert.equal(head.status, 405);
  assert.equal(head.headers.get('allow'), 'GET, POST');
  assert.equal(head.headers.get('content-type'), JSON_TYPE);
  assert.deepEqual(await sql('SELECT count(*)::int AS n FROM links WHERE provider_id = $1',
    [p.id]), before, 'HEAD /api/add-install created a link');
  // what the body says, as a client that sends another method sees it
  for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
    const r = await request(`/api/add-install?provider_code=${p.provider_code}` +
      `&auth_key=${p.auth_key}&install_limit=3`, { method });
    assert.equal(r.status, 200, method);
    assert.equal(r.text, '{"rc":0,"msg":"Method not allowed: use GET or POST"}', method);
  }
  assert.deepEqual(await sql('SELECT count(*)::int AS n FROM links WHERE provider_id = $1',
    [p.id]), before);
  assert.equal((await A('add-install', { install_limit: '3' })).json.rc, 1);

  const prov = await request(`/provider?id=${p.provider_code}`, { method: 'POST' });
  assert.equal(prov.status, 200);
  assert.equal(prov.text, '{"status":0}');
  // the account's pages change nothing on GET, so HEAD may show them
  assert.equal((await request('/account/', { method: 'HEAD' })).status, 200);
});

test('a successful sign-in forgives the address its failed ones', async () => {
  const p = await newProvider();
  const addr = randomAddr();
  const wrong = 'w'.repeat(32);
  for (let i = 1; i <= 4; i++)
    assert.equal((await signIn(addr, p, wrong)).status, 403, `failure ${i}`);
  assert.equal((await signIn(addr, p)).status, 303);
  assert.deepEqual(await sql('SELECT failures FROM signin_failures WHERE addr = $1', [addr]), []);
  // one slip after it is one failure, not the fifth
  const res = await signIn(addr, p, wrong);
  assert.equal(res.status, 403);
  assert.match(res.text, /Wrong provider code or auth key/);
  assert.deepEqual(await sql('SELECT failures FROM signin_failures WHERE addr = $1', [addr]),
    [{ failures: 1 }]);
});

test('CSRF tokens, codes and keys are taken from the form body only', async () => {
  const p = await newProvider();
  const s = await session(p);
  const signout = (query, body) => from(s.addr, `/account/signout${query}`,
    { method: 'POST', headers: { Cookie: s.cookie }, body });
  // the token in the query string, or in both places, is no token
  let res = await signout(`?csrf=${s.csrf}`, '');
  assert.equal(res.status, 403);
  res = await signout(`?csrf=${s.csrf}`, form({ csrf: s.csrf }));
  assert.equal(res.status, 403);
  assert.equal(await sessionRows(p), 1, 'a token from the URL signed out');
  res = await signout('', form({ csrf: s.csrf }));
  assert.equal(res.status, 303);
  assert.equal(await sessionRows(p), 0);

  // the sign-in form: its token, then the code and key, in the URL
  let addr = randomAddr();
  let f = await signinForm(addr);
  res = await from(addr, `/account/signin?csrf=${encodeURIComponent(f.csrf)}`, { method: 'POST',
    headers: { Cookie: f.cookie },
    body: form({ provider_code: p.provider_code, auth_key: p.auth_key }) });
  assert.equal(res.status, 403);
  assert.match(res.text, /sign-in form has expired/);
  assert.equal(cookieOf(res, 'll_session'), undefined);
  addr = randomAddr();
  f = await signinForm(addr);
  res = await from(addr, `/account/signin?${form({ provider_code: p.provider_code,
    auth_key: p.auth_key })}`, { method: 'POST', headers: { Cookie: f.cookie },
    body: form({ csrf: f.csrf }) });
  assert.equal(res.status, 403);
  assert.equal(cookieOf(res, 'll_session'), undefined);
  assert.equal(await sessionRows(p), 0);
});

test('nginx\'s own redirects are relative: Location never repeats the client\'s Host', async () => {
  for (const [p, want] of [['/account', '/account/'], ['/', '/account/']]) {
    const res = await from('127.0.0.1', p, { headers: { Host: 'evil.example:4444' } });
    assert.ok(res.status === 301 || res.status === 302, String(res.status));
    assert.equal(res.headers.location, want);
  }
});

// [what, request head, for each caller what it must answer]
const API_BAD = '{"rc":0,"msg":"Bad request"}';
const API_LARGE = '{"rc":0,"msg":"Request too large"}';
const API_METHOD = '{"rc":0,"msg":"Method not allowed: use GET or POST"}';
const PROV_NO = '{"status":0}';

test('errors nginx makes are answered in each caller\'s shape, with HTTP 200', async () => {
  const long = 'a'.repeat(20000);
  const big = 'm'.repeat(20000);
  const cases = [
    // 414: a request line too long to read; nginx has no path to go by
    ['a URI too long (414)', (u) => `GET ${u}?id=${long} HTTP/1.0\r\n\r\n`,
      { install: UNKNOWN, api: UNKNOWN, provider: UNKNOWN }],
    ['a header too large (494/400)', (u) => `GET ${u}?id=1 HTTP/1.0\r\nX-Device-Model: ${big}\r\n\r\n`,
      { install: UNKNOWN, api: API_LARGE, provider: PROV_NO }],
    ['a malformed header (400)', (u) => `GET ${u}?id=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`,
      { install: UNKNOWN, api: API_BAD, provider: PROV_NO }],
    ['a NUL in a header (400)', (u) => `GET ${u}?id=1 HTTP/1.0\r\nX-HWID: a\x00b\r\n\r\n`,
      { install: UNKNOWN, api: API_BAD, provider: PROV_NO }],
    ['an unknown transfer coding (501)', (u) => `GET ${u}?id=1 HTTP/1.1\r\nHost: a\r\n` +
      'Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n',
      { install: UNKNOWN, api: API_BAD, provider: PROV_NO }],
    // 505: the version is checked before nginx takes the URI, so again no path
    ['an unknown HTTP version (505)', (u) => `GET ${u}?id=1 HTTP/3.0\r\n\r\n`,
      { install: UNKNOWN, api: UNKNOWN, provider: UNKNOWN }],
    ['TRACE (405)', (u) => `TRACE ${u}?id=1 HTTP/1.0\r\n\r\n`,
      { install: UNKNOWN, api: API_METHOD, provider: PROV_NO }],
    ['a body too large (413)', (u) => `POST ${u}?id=1 HTTP/1.0\r\nContent-Length: 70000\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\n\r\n${'x'.repeat(70000)}`,
      { install: UNKNOWN, api: API_LARGE, provider: PROV_NO }],
  ];
  for (const [what, head, want] of cases) {
    for (const [caller, u] of [['install', '/install'], ['api', '/api/list-domain'],
      ['provider', '/provider']]) {
      const r = await rawRequest(head(u));
      assert.equal(r.status, 200, `${what} on ${u}: ${r.status} ${r.text.slice(0, 80)}`);
      assert.equal(r.text, want[caller], `${what} on ${u}`);
    }
  }
  // a garbled request line: nothing to go by, so the check's refusal
  const g = await rawRequest('GARBAGE\r\n\r\n');
  assert.equal(g.status, 200);
  assert.equal(g.text, UNKNOWN);
  // the account keeps nginx's own errors
  const acc = await rawRequest(`GET /account/ HTTP/1.0\r\nX-Device-Model: ${big}\r\n\r\n`);
  assert.equal(acc.status, 400);
});

test('errors the workers make are answered in each caller\'s shape, with HTTP 200', async () => {
  // straight on the workers' socket: nginx would stop these itself
  const ask = async (uri, env) => {
    const c = fcgiConnect({ REQUEST_METHOD: 'POST', DOCUMENT_URI: uri, QUERY_STRING: '',
      CONTENT_TYPE: 'application/x-www-form-urlencoded', ...env });
    await c.connected;
    c.sendBegin();
    c.sendRest();
    const out = await c.response;
    c.close();
    return out;
  };
  const shape = (status, body) => `Status: ${status}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\n`;
  const tooLarge = { CONTENT_LENGTH: '100000' };
  const cut = { CONTENT_LENGTH: '10' };
  let out = await ask('/install', tooLarge);
  assert.ok(out.startsWith(shape('200 OK', UNKNOWN)), out);
  assert.ok(out.endsWith(`\r\n\r\n${UNKNOWN}`), out);
  out = await ask('/install', cut);
  assert.ok(out.endsWith(`\r\n\r\n${UNKNOWN}`) && out.startsWith('Status: 200'), out);
  out = await ask('/provider', tooLarge);
  assert.ok(out.endsWith(`\r\n\r\n${PROV_NO}`) && out.startsWith('Status: 200'), out);
  out = await ask('/api/list-domain', tooLarge);
  assert.ok(out.endsWith(`\r\n\r\n${API_LARGE}`) && out.startsWith('Status: 200'), out);
  out = await ask('/api/list-domain', cut);
  assert.ok(out.endsWith('\r\n\r\n{"rc":0,"msg":"Request body incomplete"}') &&
    out.startsWith('Status: 200'), out);
  out = await ask('/install', { REQUEST_METHOD: 'BREW', QUERY_STRING: 'id=1' });
  assert.ok(out.endsWith(`\r\n\r\n${UNKNOWN}`) && out.startsWith('Status: 200'), out);
});

// A held row lock: the check waits at most lock_timeout (1 s) for it.
test('a row lock held elsewhere costs a check about lock_timeout, and other links are not held up', async () => {
  const WORKERS = workersWanted();
  const p = await newProvider();
  const locked = await newLink(p, { limit: 100 });
  const others = await Promise.all(Array.from({ length: WORKERS }, () => newLink(p, { limit: 100 })));
  const ok = answer(p.provider_code, 10, true);
  const mark = logMark(SERVER_LOG);
  const timed = async (link) => {
    const t0 = Date.now();
    const r = await install(link.hash, link.code, randomHwid());
    return { status: r.status, text: r.text, ms: Date.now() - t0 };
  };
  const client = await db().connect();
  let stuck, fine;
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM links WHERE id = $1 FOR UPDATE', [locked.id]);
    // more waiting checks than workers, then checks of other links
    const waiting = Promise.all(Array.from({ length: WORKERS * 2 }, () => timed(locked)));
    await sleep(100);
    const rest = Promise.all([...others, ...others].map(timed));
    [stuck, fine] = await Promise.all([waiting, rest]);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  for (const r of stuck) {
    assert.equal(r.status, 200);
    assert.equal(r.text, UNKNOWN);
    assert.ok(r.ms >= 900, `refused after ${r.ms} ms, before the lock wait was up`);
  }
  const slowest = Math.max(...stuck.map((r) => r.ms), ...fine.map((r) => r.ms));
  // two rounds of 1 s waits on the workers (about 2 s, more on a loaded
  // machine); without the lock bound, the 5 s statement timeout would make
  // it two rounds of 5 s
  assert.ok(slowest < 8000, `a check took ${slowest} ms`);
  assert.deepEqual(fine.filter((r) => r.text !== ok), []);
  assert.deepEqual(await sql('SELECT install_count FROM links WHERE id = $1', [locked.id]),
    [{ install_count: 0 }]);
  const log = logSince(SERVER_LOG, mark);
  const lines = log.split('\n').filter((l) => l.includes(`check: ${locked.code}: import:false`));
  assert.equal(lines.length, stuck.length, log);
  for (const l of lines) assert.match(l, /import:false, lock timeout$/);
  assert.match(log, /db: check: lock timeout: 55P03 /);
});

// A trigger of the test's own on devices, for the statements below: an
// HWID starting "sleep-" outlasts the statement timeout, "raise-" fails.
async function withDeviceTrigger(fn) {
  await sql(`CREATE FUNCTION ll_test_device_trap() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.hwid LIKE 'sleep-%' THEN PERFORM pg_sleep(10); END IF;
      IF NEW.hwid LIKE 'raise-%' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF;
      RETURN NEW;
    END $$`);
  try {
    await sql(`CREATE TRIGGER ll_test_device_trap BEFORE INSERT ON devices
      FOR EACH ROW EXECUTE FUNCTION ll_test_device_trap()`);
    await fn();
  } finally {
    await sql('DROP TRIGGER IF EXISTS ll_test_device_trap ON devices');
    await sql('DROP FUNCTION IF EXISTS ll_test_device_trap()');
  }
}

test('a check whose statement times out or fails answers import:false and logs what happened', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 5 });
  const mark = logMark(SERVER_LOG);
  await withDeviceTrigger(async () => {
    const t0 = Date.now();
    let r = await install(link.hash, link.code, `sleep-${randomCode(8)}`);
    const ms = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(r.text, UNKNOWN);
    assert.ok(ms >= 4500, `answered after ${ms} ms, before the statement timeout`);
    r = await install(link.hash, link.code, `raise-${randomCode(8)}`);
    assert.equal(r.status, 200);
    assert.equal(r.text, UNKNOWN);
  });
  // nothing of either stayed
  assert.deepEqual(await sql(`SELECT install_count, (SELECT count(*)::int FROM devices
    WHERE link_id = $1) AS rows FROM links WHERE id = $1`, [link.id]),
  [{ install_count: 0, rows: 0 }]);
  const log = logSince(SERVER_LOG, mark);
  assert.match(log, new RegExp(`check: ${link.code}: import:false, statement timeout\\n`));
  assert.match(log, /db: check: statement timeout: 57014 canceling statement due to statement timeout/);
  assert.match(log, new RegExp(`check: ${link.code}: import:false, statement failed\\n`));
  assert.match(log, /error: db: check: statement failed: P0001 refused by the test trigger/);
  assert.doesNotMatch(log, new RegExp(`check: ${link.code}: import:false, database unavailable`));
  // the ordinary check works again
  assert.equal((await install(link.hash, link.code, randomHwid())).text,
    answer(p.provider_code, 10, true));
});

const VIOLATION = /links_count_within_limit|violates check constraint|23514/;

// The trigger of the test's own that makes the check over-admit link id:
// the CHECK backstop then fires, as it would on a real over-admission.
async function withOverAdmission(id, fn) {
  await sql(`CREATE FUNCTION ll_test_overadmit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.install_count := NEW.install_limit + 1; RETURN NEW; END $$`);
  try {
    await sql(`CREATE TRIGGER ll_test_overadmit BEFORE UPDATE ON links FOR EACH ROW
      WHEN (NEW.id = ${Number(id)}) EXECUTE FUNCTION ll_test_overadmit()`);
    await fn();
  } finally {
    await sql('DROP TRIGGER IF EXISTS ll_test_overadmit ON links');
    await sql('DROP FUNCTION IF EXISTS ll_test_overadmit()');
  }
}

test('racing new devices at count == limit: no violation logged, the count equals the rows and the limit', async () => {
  const p = await newProvider();
  // first the proof that the logs would show a violation: make one happen
  const trap = await newLink(p, { limit: 2 });
  let marks = [logMark(SERVER_LOG), logMark(PG_LOG)];
  await withOverAdmission(trap.id, async () => {
    const r = await install(trap.hash, trap.code, randomHwid());
    assert.equal(r.status, 200);
    assert.equal(r.text, UNKNOWN);
  });
  assert.match(logSince(SERVER_LOG, marks[0]),
    /error: db: check: statement failed: 23514 new row for relation "links" violates check constraint "links_count_within_limit"/);
  assert.match(logSince(PG_LOG, marks[1]), VIOLATION);

  const limit = 3;
  const link = await newLink(p, { limit });
  const ok = answer(p.provider_code, 10, true);
  const full = answer(p.provider_code, 10, false);
  marks = [logMark(SERVER_LOG), logMark(PG_LOG)];
  const race = (n) => Promise.all(Array.from({ length: n }, () =>
    install(link.hash, link.code, randomHwid()).then((r) => r.text)));
  // from empty to full, then again and again at count == limit
  const first = await race(40);
  assert.equal(first.filter((t) => t === ok).length, limit);
  assert.equal(first.filter((t) => t === full).length, 40 - limit);
  for (let round = 0; round < 3; round++) {
    const again = await race(40);
    assert.deepEqual(again.filter((t) => t !== full), [], `round ${round}`);
  }
  assert.deepEqual(await sql(`SELECT install_count, (SELECT count(*)::int FROM devices
    WHERE link_id = $1) AS rows FROM links WHERE id = $1`, [link.id]),
  [{ install_count: limit, rows: limit }]);
  const server = logSince(SERVER_LOG, marks[0]);
  assert.doesNotMatch(server, VIOLATION);
  assert.doesNotMatch(logSince(PG_LOG, marks[1]), VIOLATION);
  assert.doesNotMatch(server, new RegExp(`check: ${link.code}:`));
});
