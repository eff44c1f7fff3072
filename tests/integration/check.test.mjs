// The check endpoint, /install and /provider, through nginx.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  install, newLink, newProvider, randomHwid, request, closeDb, sql, script,
  answer, UNKNOWN, rawRequest, sha256hex, APP_HEADERS,
} from './lib.mjs';

after(closeDb);

// The check's answer must be exactly want, with HTTP 200 and JSON type.
async function expectCheck(res, want) {
  const r = await res;
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.text, want);
}

async function linkRow(link) {
  const [row] = await sql('SELECT install_count FROM links WHERE id = $1', [link.id]);
  const [dev] = await sql('SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [link.id]);
  return { count: row.install_count, devices: dev.n };
}

test('a new device is admitted and a known one re-admitted at the limit', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 1 });
  const hw = randomHwid();
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  await expectCheck(install(link.hash, link.code, randomHwid()), answer(p.provider_code, 10, false));
  assert.deepEqual(await linkRow(link), { count: 1, devices: 1 });
});

test('a link admits exactly its limit of devices, and keeps admitting them', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 3 });
  const hws = [randomHwid(), randomHwid(), randomHwid()];
  for (const hw of hws)
    await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  for (let i = 0; i < 3; i++)
    await expectCheck(install(link.hash, link.code, randomHwid()), answer(p.provider_code, 10, false));
  for (const hw of hws.reverse())
    await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  assert.deepEqual(await linkRow(link), { count: 3, devices: 3 });
});

test('a disabled link refuses everyone, even a device that holds a slot', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 5 });
  const hw = randomHwid();
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  await sql('UPDATE links SET status = 5 WHERE id = $1', [link.id]);
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 5, false));
  await expectCheck(install(link.hash, link.code, randomHwid()), answer(p.provider_code, 5, false));
  assert.deepEqual(await linkRow(link), { count: 1, devices: 1 });
  await sql('UPDATE links SET status = 10 WHERE id = $1', [link.id]);
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
});

test('a link created disabled answers status 5', async () => {
  const p = await newProvider();
  const link = await newLink(p, { status: 5 });
  await expectCheck(install(link.hash, link.code, randomHwid()), answer(p.provider_code, 5, false));
  assert.deepEqual(await linkRow(link), { count: 0, devices: 0 });
});

test('an unknown install code answers the empty provider', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  await expectCheck(install(link.hash, 'Zz9Zz9Zz9Zz9', randomHwid()), UNKNOWN);
  await expectCheck(install(link.hash, link.code.toLowerCase() === link.code ?
    link.code.toUpperCase() : link.code.toLowerCase(), randomHwid()), UNKNOWN);
});

test('a domain hash that is not the owner\'s is refused', async () => {
  const owner = await newProvider();
  const other = await newProvider();
  const link = await newLink(owner, { limit: 5 });
  const foreign = await newLink(other);
  const want = answer(owner.provider_code, 10, false);
  // another provider's active domain
  await expectCheck(install(foreign.hash, link.code, randomHwid()), want);
  // a domain nobody registered
  await expectCheck(install(sha256hex('nobody.example.org'), link.code, randomHwid()), want);
  // the owner's own domain, deleted (status 0)
  const hw = randomHwid();
  await expectCheck(install(link.hash, link.code, hw), answer(owner.provider_code, 10, true));
  await sql('UPDATE domains SET status = 0 WHERE provider_id = $1 AND domain_hash = $2',
    [owner.id, link.hash]);
  await expectCheck(install(link.hash, link.code, hw), want);
  await expectCheck(install(link.hash, link.code, randomHwid()), want);
  assert.deepEqual(await linkRow(link), { count: 1, devices: 1 });
});

test('a missing or invalid HWID is never admitted and takes no slot', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 5 });
  const want = answer(p.provider_code, 10, false);
  await expectCheck(install(link.hash, link.code, null), want);
  await expectCheck(install(link.hash, link.code, ''), want);
  await expectCheck(install(link.hash, link.code, 'x'.repeat(129)), want);
  for (const bad of ['a b', 'a/b', 'a@b', 'a,b', 'a+b', 'a;b', 'a"b', 'dev\tice', '%41'])
    await expectCheck(install(link.hash, link.code, bad), want);
  assert.deepEqual(await linkRow(link), { count: 0, devices: 0 });
  // the longest and the oddest valid ones
  await expectCheck(install(link.hash, link.code, 'x'.repeat(128)), answer(p.provider_code, 10, true));
  await expectCheck(install(link.hash, link.code, 'A.b_c:d=e-9'), answer(p.provider_code, 10, true));
  assert.deepEqual(await linkRow(link), { count: 2, devices: 2 });
});

test('a HWID with non-ASCII bytes is no HWID', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const r = await rawRequest(`GET /install?id=${link.hash}&installid=${link.code} HTTP/1.0\r\n` +
    'Host: x\r\nX-HWID: dev\xe9ice\r\n\r\n');
  assert.equal(r.status, 200);
  assert.equal(r.text, answer(p.provider_code, 10, false));
  assert.deepEqual(await linkRow(link), { count: 0, devices: 0 });
});

test('a disabled provider is refused and /provider answers 0', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 5 });
  const hw = randomHwid();
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  assert.equal((await request(`/provider?id=${p.provider_code}`)).text, '{"status":1}');
  script('provider', ['disable', p.provider_code]);
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, false));
  await expectCheck(install(link.hash, link.code, randomHwid()), answer(p.provider_code, 10, false));
  const st = await request(`/provider?id=${p.provider_code}`);
  assert.equal(st.status, 200);
  assert.equal(st.text, '{"status":0}');
  script('provider', ['enable', p.provider_code]);
  assert.equal((await request(`/provider?id=${p.provider_code}`)).text, '{"status":1}');
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  assert.deepEqual(await linkRow(link), { count: 1, devices: 1 });
});

test('/provider answers 1 for an active provider, 0 for anything else', async () => {
  const p = await newProvider();
  const ok = await request(`/provider?id=${p.provider_code}`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'application/json');
  assert.equal(ok.text, '{"status":1}');
  for (const q of ['id=Zz9Zz9Zz', '', 'id=', `id=${p.provider_code}&id=${p.provider_code}`,
    `id=${p.provider_code.toLowerCase()}x`, `id=${p.provider_code}%00`, 'id=%zz', 'id=abc'])
    assert.equal((await request(`/provider?${q}`)).text, '{"status":0}', q);
});

test('the device\'s metadata is stored', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const hw = randomHwid();
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  const [d] = await sql(`SELECT device_os, os_version, model, app_version, user_agent
    FROM devices WHERE link_id = $1 AND hwid = $2`, [link.id, hw]);
  assert.deepEqual(d, { device_os: APP_HEADERS['X-Device-OS'], os_version: APP_HEADERS['X-Ver-OS'],
    model: APP_HEADERS['X-Device-Model'], app_version: APP_HEADERS['X-App-Version'],
    user_agent: APP_HEADERS['User-Agent'] });
});

test('a device without metadata headers is admitted with NULL metadata', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const hw = randomHwid();
  const r = await request(`/install?id=${link.hash}&installid=${link.code}`,
    { headers: { 'X-HWID': hw, 'User-Agent': '' } });
  assert.equal(r.text, answer(p.provider_code, 10, true));
  const [d] = await sql(`SELECT device_os, os_version, model, app_version
    FROM devices WHERE link_id = $1 AND hwid = $2`, [link.id, hw]);
  assert.deepEqual(d, { device_os: null, os_version: null, model: null, app_version: null });
});

test('invalid UTF-8 and control characters in headers do not stop admission', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const hw = randomHwid();
  // 'a' and 100 two-byte characters: cut to 128 bytes on a character boundary
  const longModel = 'a' + '\xc3\xa9'.repeat(100);
  const r = await rawRequest(`GET /install?id=${link.hash}&installid=${link.code} HTTP/1.0\r\n` +
    `Host: x\r\nX-HWID: ${hw}\r\nX-Device-OS: And\xffroid\r\nX-Ver-OS: 1\x804\r\n` +
    `X-Device-Model: ${longModel}\r\nX-App-Version: 4.0\t.1\r\n` +
    'User-Agent: Happ/\xc3\x28/\xed\xa0\x80\r\n\r\n');
  assert.equal(r.status, 200);
  assert.equal(r.text, answer(p.provider_code, 10, true));
  const [d] = await sql(`SELECT device_os, os_version, model, app_version, user_agent
    FROM devices WHERE link_id = $1 AND hwid = $2`, [link.id, hw]);
  assert.equal(d.device_os, 'And?roid');
  assert.equal(d.os_version, '1?4');
  assert.equal(d.model, 'a' + '\u00e9'.repeat(63));
  assert.equal(Buffer.byteLength(d.model), 127);
  assert.equal(d.app_version, '4.0?.1');
  assert.equal(d.user_agent, 'Happ/?(/???');
});

test('last_seen is not rewritten on every re-check, only when it is old', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const hw = randomHwid();
  const seen = async () => (await sql(
    'SELECT first_seen, last_seen, app_version FROM devices WHERE link_id = $1 AND hwid = $2',
    [link.id, hw]))[0];
  await expectCheck(install(link.hash, link.code, hw), answer(p.provider_code, 10, true));
  const first = await seen();
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 3; i++)
    await expectCheck(install(link.hash, link.code, hw, { 'X-App-Version': '4.0.2' }),
      answer(p.provider_code, 10, true));
  const again = await seen();
  assert.equal(again.last_seen.getTime(), first.last_seen.getTime());
  assert.equal(again.app_version, '4.0.1');
  // an hour old: the next check refreshes it and the metadata
  await sql(`UPDATE devices SET last_seen = last_seen - interval '1 hour'
    WHERE link_id = $1 AND hwid = $2`, [link.id, hw]);
  await expectCheck(install(link.hash, link.code, hw, { 'X-App-Version': '4.0.2' }),
    answer(p.provider_code, 10, true));
  const fresh = await seen();
  assert.ok(fresh.last_seen.getTime() >= first.last_seen.getTime());
  assert.equal(fresh.first_seen.getTime(), first.first_seen.getTime());
  assert.equal(fresh.app_version, '4.0.2');
});

test('other methods and paths do not reach the check', async () => {
  const p = await newProvider();
  const link = await newLink(p);
  const post = await request(`/install?id=${link.hash}&installid=${link.code}`,
    { method: 'POST', headers: { 'X-HWID': randomHwid() } });
  // refused in the contract's shape, which the app parses only on a 2xx
  assert.equal(post.status, 200);
  assert.equal(post.text, UNKNOWN);
  assert.equal((await request('/install/x')).status, 404);
  assert.deepEqual(await linkRow(link), { count: 0, devices: 0 });
});
