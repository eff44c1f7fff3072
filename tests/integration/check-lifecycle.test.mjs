// The lifecycle inside the check: a new device on a full link that
// expires silent devices takes the slot of the longest-silent expired one,
// in its admission (exactly one winner when many race for it, never a
// live device, never on a link that does not expire); the check writes
// device.admitted, link.full, device.refused and device.expired, and
// re-checks write nothing; a device whose row went between two checks asks
// as a new one. The stack's configuration is changed for this file
// (loopback and http:// allowed for the receiver, and the sweep held off,
// so that only the admission frees expired slots) and put back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  VAR, answer, asProvider, bounded, closeDb, db, drifted, install, newLink, newProvider,
  randomHwid, script, senderPids, sql, waitFor, workerPids,
} from './lib.mjs';

const CONF = path.join(VAR, 'limited-links.conf');
// the sender sweeps once, a second after it starts, then not for a day
const TESTING = ['webhook_allow_http = on', 'webhook_allow_private = on',
  'webhook_retry_min = 1', 'webhook_retry_max = 2', 'webhook_timeout = 2',
  'sweep_interval = 86400'];
const BODY_KEYS = ['id', 'type', 'created', 'provider_code', 'install_id', 'install_code',
  'hwid', 'device_name', 'install_count', 'install_limit'];
const NAME = 'Pixel 8 (Android 14)';	// the device name of lib.mjs's app headers

let saved;
let server, receiverUrl;
const secrets = new Map();	// provider code -> its webhook's secret
const got = [];			// every event the receiver took: { ev, body, ok }

// Writes text as the configuration and reloads: returns once every
// worker and the sender run it, and the ones they replaced are gone.
async function reloadWith(text) {
  const before = [...workerPids(), ...senderPids()];
  writeFileSync(CONF, text);
  script('stack', ['reload']);
  return waitFor(() => {
    const now = [...workerPids(), ...senderPids()];
    return senderPids().length === 1 && now.every((pid) => !before.includes(pid)) &&
      workerPids().length === before.length - 1;
  }, 20000);
}
async function configure(lines) {
  assert.ok(await reloadWith(`${saved.replace(/\n*$/, '\n')}${lines.join('\n')}\n`),
    'the reload replaced the workers and the sender');
}

function verify(sig, body, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig || '');
  if (!m || !secret) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
  return m[2] === want && Math.abs(Number(m[1]) - Date.now() / 1000) < 60;
}

before(async () => {
  saved = readFileSync(CONF, 'utf8');
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      let ev = {};
      try { ev = JSON.parse(body); } catch { /* recorded as it came */ }
      got.push({ ev, body, ok: verify(req.headers['x-ll-signature'], body,
        secrets.get(ev.provider_code)) });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${server.address().port}/hook`;
  // a device silent past its link's expire_days, which the sender's one
  // sweep after the reload frees: once it is gone, no sweep comes again
  // while this file runs
  const p = await newProvider();
  const sentinel = await newLink(p, { limit: 1 });
  await install(sentinel.hash, sentinel.code, randomHwid());
  await sql(`UPDATE links SET expire_days = 1 WHERE id = $1`, [sentinel.id]);
  await sql(`UPDATE devices SET last_seen = now() - interval '2 days' WHERE link_id = $1`,
    [sentinel.id]);
  await configure(TESTING);
  assert.ok(await waitFor(async () => (await sql(
    'SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [sentinel.id]))[0].n === 0,
  20000, 100), 'the sender swept once after the reload');
});

after(async () => {
  if (server) await new Promise((r) => server.close(r));
  if (saved !== undefined && readFileSync(CONF, 'utf8') !== saved) await reloadWith(saved);
  await closeDb();
});

// A provider with a webhook for events (all when absent), and a link of
// it with limit and expireDays.
async function setup({ limit, expireDays = 0, events } = {}) {
  const p = await newProvider();
  const A = asProvider(p);
  const r = await A('set-webhook', events ? { url: receiverUrl, events } : { url: receiverUrl });
  assert.equal(r.json.rc, 1, r.text);
  secrets.set(p.provider_code, r.json.secret);
  const link = await newLink(p, { limit });
  if (expireDays > 0) {
    await sql('UPDATE links SET expire_days = $2 WHERE id = $1', [link.id, expireDays]);
  }
  return { p, A, link };
}

const ok = (p) => answer(p.provider_code, 10, true);
const no = (p) => answer(p.provider_code, 10, false);
const hwidsOf = async (link) => (await sql(
  'SELECT hwid FROM devices WHERE link_id = $1 ORDER BY hwid', [link.id])).map((r) => r.hwid);
const countOf = async (link) => (await sql(
  'SELECT install_count FROM links WHERE id = $1', [link.id]))[0].install_count;
const silent = (link, hwid, age) => sql(`UPDATE devices SET last_seen = now() - $3::interval
  WHERE link_id = $1 AND hwid = $2`, [link.id, hwid, age]);
// the outbox rows of a link, in the order they were written
const outbox = async (link) => (await sql(`SELECT body FROM webhook_events
  WHERE body::json ->> 'install_code' = $1 ORDER BY id`, [link.code]))
  .map((r) => JSON.parse(r.body));
const brief = (evs) => evs.map((e) => `${e.type} ${e.hwid} ${e.install_count}/${e.install_limit}`);
// the decisions the workers counted one by one for a link, once n are
// flushed, as "1 HWID" (admitted_new) and "3 HWID" (refused_limit), sorted
// (two checks may fall in one millisecond)
const decided = async (link, n) => {
  let rows = [];
  await waitFor(async () => {
    rows = await sql('SELECT decision, hwid FROM check_events WHERE link_id = $1', [link.id]);
    return rows.length >= n;
  }, 8000, 100);
  return rows.map((r) => `${r.decision} ${r.hwid}`).sort();
};

test('a new device on a full link takes the slot of the longest-silent expired device, and only that one', async () => {
  const { p, link } = await setup({ limit: 3, expireDays: 2 });
  const [a, b, c, d, e, f] = Array.from({ length: 6 }, randomHwid);
  for (const h of [a, b, c]) assert.equal((await install(link.hash, link.code, h)).text, ok(p));
  await silent(link, a, '3 days');
  await silent(link, b, '5 days');			// the longest silent
  await silent(link, c, '1 day 23 hours');		// silent, not yet expired
  assert.equal((await install(link.hash, link.code, d)).text, ok(p));
  assert.deepEqual(await hwidsOf(link), [a, c, d].sort());
  assert.equal(await countOf(link), 3);
  // the next one takes the next expired slot; then only live devices are left
  assert.equal((await install(link.hash, link.code, e)).text, ok(p));
  assert.deepEqual(await hwidsOf(link), [c, d, e].sort());
  assert.equal((await install(link.hash, link.code, f)).text, no(p));
  assert.deepEqual(await hwidsOf(link), [c, d, e].sort());
  assert.equal(await countOf(link), 3);
  assert.deepEqual(await drifted(), []);
  // the device that took the slot is one like any other: its re-check admits
  assert.equal((await install(link.hash, link.code, d)).text, ok(p));
  const evs = await outbox(link);
  assert.deepEqual(brief(evs).slice(4), [
    `device.expired ${b} 3/3`, `device.admitted ${d} 3/3`,
    `device.expired ${a} 3/3`, `device.admitted ${e} 3/3`,
    `device.refused ${f} 3/3`]);
  // the link was full before and stays full: no link.full from a swap
  assert.deepEqual(evs.filter((x) => x.type === 'link.full').map((x) => x.hwid), [c]);
  assert.ok(evs.every((x) => x.device_name === NAME && x.install_id === link.id));
  // each expired device taken leaves an audit row, as the sweep's do
  const audited = await sql(`SELECT actor, address, action, target, before ->> 'hwid' AS hwid,
      after ->> 'install_count' AS count FROM audit_log WHERE link_id = $1 AND action = 'device.expire'
    ORDER BY id`, [link.id]);
  assert.deepEqual(audited.map((x) => [x.actor, x.address, x.hwid, x.target, Number(x.count)]), [
    ['server', null, b, `device ${b} on link ${link.code}`, 3],
    ['server', null, a, `device ${a} on link ${link.code}`, 3]]);
  // both swaps are counted as admissions of new devices
  assert.deepEqual(await decided(link, 6),
    [`1 ${a}`, `1 ${b}`, `1 ${c}`, `1 ${d}`, `1 ${e}`, `3 ${f}`].sort());
  // and the receiver gets each, signed
  assert.ok(await waitFor(() => got.filter((g) => g.ev.install_code === link.code).length ===
    evs.length, 15000), 'every event delivered');
  assert.ok(got.filter((g) => g.ev.install_code === link.code).every((g) => g.ok));
});

test('a full link whose devices are all live refuses a new device and evicts nothing', async () => {
  const { p, link } = await setup({ limit: 2, expireDays: 1 });
  const [a, b, c] = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of [a, b]) assert.equal((await install(link.hash, link.code, h)).text, ok(p));
  // a minute short of a day, and one re-checked just now
  await silent(link, a, '23 hours 59 minutes');
  const before = await sql('SELECT * FROM devices WHERE link_id = $1 ORDER BY hwid', [link.id]);
  const row = () => sql('SELECT xmin, xmax FROM links WHERE id = $1', [link.id]);
  const linkRow = await row();
  for (let i = 0; i < 3; i++) {
    assert.equal((await install(link.hash, link.code, c)).text, no(p));
  }
  assert.deepEqual(await sql('SELECT * FROM devices WHERE link_id = $1 ORDER BY hwid', [link.id]),
    before);
  // nothing expired: refused after a plain read, the link row not even locked
  assert.deepEqual(await row(), linkRow);
  assert.equal(await countOf(link), 2);
  assert.deepEqual(brief(await outbox(link)).slice(3),
    [`device.refused ${c} 2/2`, `device.refused ${c} 2/2`, `device.refused ${c} 2/2`]);
});

test('50 new devices racing for one expired slot: exactly one is admitted', async () => {
  const { p, link } = await setup({ limit: 3, expireDays: 1 });
  const held = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of held) assert.equal((await install(link.hash, link.code, h)).text, ok(p));
  await silent(link, held[1], '1 day 1 minute');
  const racers = Array.from({ length: 50 }, randomHwid);
  const answers = await bounded(50, racers, (h) => install(link.hash, link.code, h));
  const won = racers.filter((h, i) => answers[i].text === ok(p));
  assert.equal(won.length, 1, `admitted: ${won.length}`);
  assert.ok(answers.every((r) => r.text === ok(p) || r.text === no(p)));
  assert.deepEqual(await hwidsOf(link), [held[0], held[2], won[0]].sort());
  assert.equal(await countOf(link), 3);
  assert.deepEqual(await drifted(), []);
  const evs = await outbox(link);
  const types = evs.slice(4).map((e) => e.type).sort();
  assert.deepEqual(evs.slice(0, 4).map((e) => e.type),
    ['device.admitted', 'device.admitted', 'device.admitted', 'link.full']);
  assert.deepEqual(types, ['device.admitted', 'device.expired',
    ...Array(49).fill('device.refused')]);
  assert.equal(evs.find((e) => e.type === 'device.expired').hwid, held[1]);
  assert.equal(evs.find((e, i) => i >= 4 && e.type === 'device.admitted').hwid, won[0]);
});

test('a link with expire_days 0 never takes a slot, however long its devices were silent', async () => {
  const { p, link } = await setup({ limit: 1 });
  const [a, b] = [randomHwid(), randomHwid()];
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  await silent(link, a, '3650 days');
  assert.equal((await install(link.hash, link.code, b)).text, no(p));
  assert.deepEqual(await hwidsOf(link), [a]);
  // the silent device itself is still admitted, and its last check refreshed
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  const [{ fresh }] = await sql(`SELECT last_seen > now() - interval '1 minute' AS fresh
    FROM devices WHERE link_id = $1`, [link.id]);
  assert.equal(fresh, true);
  assert.deepEqual(brief(await outbox(link)), [`device.admitted ${a} 1/1`, `link.full ${a} 1/1`,
    `device.refused ${b} 1/1`]);
});

test('the check sends device.admitted, link.full and device.refused, signed, with their fields; re-checks send nothing', async () => {
  const { p, link } = await setup({ limit: 2 });
  const [a, b, c] = [randomHwid(), randomHwid(), randomHwid()];
  const iphone = { 'X-Device-OS': 'iOS', 'X-Ver-OS': '17.4', 'X-Device-Model': 'iPhone15,2' };
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  assert.equal((await install(link.hash, link.code, b, iphone)).text, ok(p));
  assert.equal((await install(link.hash, link.code, c)).text, no(p));
  const want = [
    ['device.admitted', a, NAME, 1], ['device.admitted', b, 'iPhone15,2 (iOS 17.4)', 2],
    ['link.full', b, 'iPhone15,2 (iOS 17.4)', 2], ['device.refused', c, NAME, 2]];
  assert.ok(await waitFor(() => got.filter((g) => g.ev.install_code === link.code).length >= 4,
    15000), 'the four events delivered');
  const mine = got.filter((g) => g.ev.install_code === link.code);
  assert.ok(mine.every((g) => g.ok), 'every signature checks');
  assert.deepEqual(mine.map((g) => [g.ev.type, g.ev.hwid, g.ev.device_name, g.ev.install_count]),
    want);
  for (const g of mine) {
    assert.deepEqual(Object.keys(g.ev), BODY_KEYS);
    assert.match(g.ev.id, /^evt_[0-9a-f]{32}$/);
    assert.equal(g.ev.provider_code, p.provider_code);
    assert.equal(g.ev.install_id, link.id);
    assert.equal(g.ev.install_limit, 2);
    assert.match(g.ev.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  }
  assert.equal(new Set(mine.map((g) => g.ev.id)).size, 4);
  // re-checks, also one that refreshes last_seen, write no event
  await silent(link, a, '10 minutes');
  for (const h of [a, b, a, b]) assert.equal((await install(link.hash, link.code, h)).text, ok(p));
  const [{ fresh }] = await sql(`SELECT last_seen > now() - interval '1 minute' AS fresh
    FROM devices WHERE link_id = $1 AND hwid = $2`, [link.id, a]);
  assert.equal(fresh, true, 'the re-check refreshed last_seen');
  assert.equal((await outbox(link)).length, 4);
  // a webhook that takes none of the check's types gets no row from it
  const other = await setup({ limit: 1, events: 'device.released' });
  assert.equal((await install(other.link.hash, other.link.code, randomHwid())).text, ok(other.p));
  assert.equal((await install(other.link.hash, other.link.code, randomHwid())).text, no(other.p));
  assert.deepEqual(await outbox(other.link), []);
});

test('the check writes events while the provider has a webhook: not after delete-webhook, again after set-webhook', async () => {
  const { p, A, link } = await setup({ limit: 3 });
  const [a, b, c] = [randomHwid(), randomHwid(), randomHwid()];
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  assert.deepEqual((await A('delete-webhook')).json, { rc: 1, msg: 'Ok' });
  assert.equal((await install(link.hash, link.code, b)).text, ok(p));
  const r = await A('set-webhook', { url: receiverUrl, events: 'device.admitted' });
  assert.equal(r.json.rc, 1, r.text);
  secrets.set(p.provider_code, r.json.secret);
  assert.equal((await install(link.hash, link.code, c)).text, ok(p));
  assert.deepEqual(brief(await outbox(link)), [`device.admitted ${a} 1/3`,
    `device.admitted ${c} 3/3`]);
  // what the check reads of it, on every provider's row
  assert.deepEqual(await sql(`SELECT p.id FROM providers p
    WHERE p.webhook <> EXISTS (SELECT 1 FROM webhooks w WHERE w.provider_id = p.id)`), []);
});

test('a device whose row went between two checks asks again as a new device', async () => {
  const { p, A, link } = await setup({ limit: 1 });
  const [a, b] = [randomHwid(), randomHwid()];
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  assert.equal((await A('delete-hwid', { install_code: link.code, hwid: a })).json.rc, 1);
  // released: it takes a slot again, as a new device
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  assert.deepEqual(await hwidsOf(link), [a]);
  assert.equal((await A('delete-hwid', { install_code: link.code, hwid: a })).json.rc, 1);
  assert.equal((await install(link.hash, link.code, b)).text, ok(p));
  // its slot taken meanwhile: refused
  assert.equal((await install(link.hash, link.code, a)).text, no(p));
  assert.deepEqual(await hwidsOf(link), [b]);
  assert.deepEqual(brief(await outbox(link)).filter((e) => !e.startsWith('device.released')), [
    `device.admitted ${a} 1/1`, `link.full ${a} 1/1`, `device.admitted ${a} 1/1`,
    `link.full ${a} 1/1`, `device.admitted ${b} 1/1`, `link.full ${b} 1/1`,
    `device.refused ${a} 1/1`]);
  assert.deepEqual(await decided(link, 4), [`1 ${a}`, `1 ${a}`, `1 ${b}`, `3 ${a}`].sort());
});

test('a re-check whose row is deleted while it goes to refresh it asks as a new device', async () => {
  const { p, link } = await setup({ limit: 2 });
  const a = randomHwid();
  assert.equal((await install(link.hash, link.code, a)).text, ok(p));
  await silent(link, a, '10 minutes');	// so its re-check refreshes the row
  const client = await db().connect();
  let check;
  try {
    // the device's slot freed as a delete frees it, not yet committed:
    // the re-check reads the row, then waits for it
    await client.query('BEGIN');
    await client.query('UPDATE links SET install_count = install_count - 1 WHERE id = $1', [link.id]);
    await client.query('DELETE FROM devices WHERE link_id = $1 AND hwid = $2', [link.id, a]);
    check = install(link.hash, link.code, a);
    assert.ok(await waitFor(async () => (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE wait_event_type = 'Lock' AND query LIKE '%ll_check(%'`))[0].n > 0, 10000, 20),
    'the re-check waits for the row');
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  assert.equal((await check).text, ok(p));
  // it holds a slot again, counted: not an answer without a row
  assert.deepEqual(await hwidsOf(link), [a]);
  assert.equal(await countOf(link), 1);
  assert.deepEqual(await drifted(), []);
  assert.deepEqual(brief(await outbox(link)), [`device.admitted ${a} 1/2`,
    `device.admitted ${a} 1/2`]);
});

test('ll_check\'s row in pg_proc keeps its argument lists uncompressed, read on every call', async () => {
  // a longer body made PostgreSQL compress them to fit the row, and then
  // decompress them several times per check (sql/functions/check.sql)
  const [r] = await sql(`SELECT pg_column_compression(p.proargnames) AS names,
      pg_column_compression(p.proallargtypes) AS types,
      pg_column_compression(p.proargmodes) AS modes
    FROM pg_proc p WHERE p.oid = 'll_check(text, text, text, text, text, text, text, text)'::regprocedure`);
  assert.deepEqual(r, { names: null, types: null, modes: null });
});
