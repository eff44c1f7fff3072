// Webhooks and the sender: a receiver on loopback checks every
// signature; failed deliveries are tried again with the same event id
// until one is acknowledged, and never after; the check and the API
// answer as ever while a receiver hangs; the expiry sweep frees expired
// slots on its timer; private addresses are refused unless the
// configuration allows them; every lifecycle action, and every expiry,
// writes its audit row. The stack's configuration is changed for
// this file (loopback and http:// allowed, short pauses) and put back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  VAR, answer, asProvider, closeDb, drifted, install, newLink, newProvider, randomHwid,
  request, script, senderPids, sha256hex, sleep, sql, waitFor, webPost, webSession, workerPids,
} from './lib.mjs';

const CONF = path.join(VAR, 'limited-links.conf');
const TESTING = ['webhook_allow_http = on', 'webhook_allow_private = on',
  'webhook_retry_min = 1', 'webhook_retry_max = 2', 'webhook_timeout = 2',
  'sweep_interval = 1'];
const BODY_KEYS = ['id', 'type', 'created', 'provider_code', 'install_id', 'install_code',
  'hwid', 'device_name', 'install_count', 'install_limit'];

let saved;
let server, receiverUrl;
let secret = null;	// the provider's, once set
const got = [];		// every request the receiver took: { at, id, type, body, sig, ok, answered }
const plan = new Map();	// event id -> statuses still to answer before a 200
let hang = false;	// the receiver holds every request while true
const held = [];

// Rewrites the configuration with lines and reloads: returns once every
// worker and the sender run it.
async function configure(lines) {
  const before = [...workerPids(), ...senderPids()];
  writeFileSync(CONF, `${saved.replace(/\n*$/, '\n')}${lines.join('\n')}\n`);
  script('stack', ['reload']);
  assert.ok(await waitFor(() => {
    const now = [...workerPids(), ...senderPids()];
    return senderPids().length === 1 && now.every((pid) => !before.includes(pid)) &&
      workerPids().length === before.length - 1;
  }, 20000), 'the reload replaced the workers and the sender');
}

function verify(sig, body) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig || '');
  if (!m || secret === null) return false;
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
      const rec = { at: Date.now(), id: ev.id, type: ev.type, ev, body,
        sig: req.headers['x-ll-signature'], ok: verify(req.headers['x-ll-signature'], body),
        method: req.method, ctype: req.headers['content-type'] };
      got.push(rec);
      if (hang) {
        held.push(res);
        return;
      }
      const left = plan.get(ev.id);
      const status = left && left.length > 0 ? left.shift() : 200;
      rec.answered = status;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(status === 200 ? 10 : 100));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${server.address().port}/hook?k=1`;
  await configure(TESTING);
});

after(async () => {
  for (const res of held) res.destroy();
  if (server) await new Promise((r) => server.close(r));
  if (saved !== undefined && readFileSync(CONF, 'utf8') !== saved) {
    writeFileSync(CONF, saved);
    script('stack', ['reload']);
    await waitFor(() => senderPids().length === 1, 10000);
  }
  await closeDb();
});

const received = (pred) => got.filter(pred);
const eventRow = async (id) => (await sql(
  'SELECT state, attempts, last_status FROM webhook_events WHERE event_id = $1', [id]))[0];

async function withWebhook(events) {
  const p = await newProvider();
  const A = asProvider(p);
  const r = await A('set-webhook', events ? { url: receiverUrl, events } : { url: receiverUrl });
  assert.equal(r.json.rc, 1, r.text);
  secret = r.json.secret;
  return { p, A };
}

test('set-webhook answers the secret once; get-webhook shows the rest', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const r = await A('set-webhook', { url: receiverUrl, events: 'device.expired, device.released' });
  assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'url', 'events', 'secret']);
  assert.equal(r.json.url, receiverUrl);
  assert.deepEqual(r.json.events, ['device.released', 'device.expired']);
  assert.match(r.json.secret, /^whsec_[A-Za-z0-9]{32}$/);
  const g = await A('get-webhook');
  assert.deepEqual(Object.keys(g.json), ['rc', 'msg', 'url', 'events', 'created_at']);
  assert.deepEqual(g.json.events, ['device.released', 'device.expired']);
  assert.ok(!g.text.includes(r.json.secret));
  // every set draws a new secret
  const again = await A('set-webhook', { url: receiverUrl });
  assert.notEqual(again.json.secret, r.json.secret);
  assert.equal(again.json.events.length, 5);
  // the secret is not logged
  assert.ok(!readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8').includes(r.json.secret));
  assert.deepEqual((await A('delete-webhook')).json, { rc: 1, msg: 'Ok' });
  assert.deepEqual((await A('delete-webhook')).json, { rc: 0, msg: 'Webhook not found' });
  assert.deepEqual((await A('get-webhook')).json, { rc: 0, msg: 'Webhook not found' });
});

test('a delivery answered 500 twice arrives again with the same id, signed, until a 200; then never again', async () => {
  const { p, A } = await withWebhook();
  const link = await newLink(p, { limit: 2 });
  const hwid = randomHwid();
  assert.equal((await install(link.hash, link.code, hwid)).text, answer(p.provider_code, 10, true));
  const del = await A('delete-hwid', { install_code: link.code, hwid });
  assert.equal(del.text, '{"rc":1,"msg":"Ok","install_count":0}');
  const [row] = await sql(`SELECT event_id, body FROM webhook_events
    WHERE provider_id = $1 AND type = 'device.released'`, [p.id]);
  assert.ok(row, 'the event was written with the delete');
  plan.set(row.event_id, [500, 500]);
  assert.ok(await waitFor(() => received((g) => g.id === row.event_id && g.answered === 200)
    .length === 1, 20000), 'acknowledged');
  const tries = received((g) => g.id === row.event_id);
  assert.deepEqual(tries.map((g) => g.answered), [500, 500, 200]);
  for (const g of tries) {
    assert.equal(g.ok, true, `signature ${g.sig}`);
    assert.equal(g.method, 'POST');
    assert.equal(g.ctype, 'application/json');
    assert.equal(g.body, row.body, 'the very body stored');
  }
  // the pause grows: 1 s, then 2 s
  assert.ok(tries[1].at - tries[0].at >= 900, `${tries[1].at - tries[0].at} ms`);
  assert.ok(tries[2].at - tries[1].at >= 1800, `${tries[2].at - tries[1].at} ms`);
  const ev = tries[0].ev;
  assert.deepEqual(Object.keys(ev), BODY_KEYS);
  assert.match(ev.id, /^evt_[0-9a-f]{32}$/);
  assert.deepEqual({ ...ev, id: 0, created: 0 }, { id: 0, type: 'device.released', created: 0,
    provider_code: p.provider_code, install_id: link.id, install_code: link.code, hwid,
    device_name: 'Pixel 8 (Android 14)', install_count: 0, install_limit: 2 });
  await sleep(3000);
  assert.equal(received((g) => g.id === row.event_id).length, 3, 'no try after the 200');
  assert.deepEqual(await eventRow(row.event_id), { state: 'delivered', attempts: 3, last_status: 200 });
  const tried = await sql(`SELECT d.attempt, d.http_status FROM webhook_deliveries d
    JOIN webhook_events e ON e.id = d.event WHERE e.event_id = $1 ORDER BY d.id`, [row.event_id]);
  assert.deepEqual(tried, [{ attempt: 1, http_status: 500 }, { attempt: 2, http_status: 500 },
    { attempt: 3, http_status: 200 }]);
});

test('reset-install sends device.released for each device freed; types not taken make no event', async () => {
  const { p, A } = await withWebhook('device.released');
  const link = await newLink(p, { limit: 3 });
  const hwids = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of hwids) await install(link.hash, link.code, h);
  const r = await A('reset-install', { install_code: link.code });
  assert.equal(r.text, '{"rc":1,"msg":"Ok","install_count":0,"released":3}');
  assert.ok(await waitFor(() => received((g) => g.ev.install_code === link.code).length === 3, 10000));
  const evs = received((g) => g.ev.install_code === link.code).map((g) => g.ev);
  assert.deepEqual(evs.map((e) => e.hwid).sort(), [...hwids].sort());
  assert.ok(evs.every((e) => e.type === 'device.released' && e.install_count === 0 && e.install_limit === 3));
  assert.equal(new Set(evs.map((e) => e.id)).size, 3);
  // a webhook that takes only device.expired hears nothing of a delete
  await A('set-webhook', { url: receiverUrl, events: 'device.expired' });
  await install(link.hash, link.code, hwids[0]);
  await A('delete-hwid', { install_code: link.code, hwid: hwids[0] });
  const [{ n }] = await sql(`SELECT count(*)::int AS n FROM webhook_events
    WHERE provider_id = $1`, [p.id]);
  assert.equal(n, 3);
});

test('the sweep frees the slots of devices silent past expire_days, each with device.expired; live devices stay', async () => {
  const { p, A } = await withWebhook('device.expired');
  const made = await A('add-install', { install_limit: '3', expire_days: '2' });
  const id = made.json.id;
  const code = made.json.install_code;
  const link = await newLink(p, { limit: 1 });	// for its domain
  const [old1, old2, live] = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of [old1, old2, live]) {
    assert.equal((await install(link.hash, code, h)).text, answer(p.provider_code, 10, true));
  }
  // two days and a minute without a check, and one day
  await sql(`UPDATE devices SET last_seen = now() - interval '2 days 1 minute'
    WHERE link_id = $1 AND hwid = ANY ($2)`, [id, [old1, old2]]);
  await sql(`UPDATE devices SET last_seen = now() - interval '1 day'
    WHERE link_id = $1 AND hwid = $2`, [id, live]);
  assert.ok(await waitFor(async () => (await sql('SELECT install_count FROM links WHERE id = $1',
    [id]))[0].install_count === 1, 10000), 'the sweep ran');
  assert.deepEqual((await sql('SELECT hwid FROM devices WHERE link_id = $1', [id])).map((r) => r.hwid),
    [live]);
  assert.ok(await waitFor(() => received((g) => g.ev.install_code === code).length === 2, 10000));
  const evs = received((g) => g.ev.install_code === code).map((g) => g.ev);
  assert.deepEqual(evs.map((e) => e.hwid).sort(), [old1, old2].sort());
  assert.ok(evs.every((e) => e.type === 'device.expired' && e.install_id === id));
  // each expiry in the provider's audit trail, the server's, before: the device
  const audit = await sql(`SELECT actor, session_id, address, action, target, before, after
    FROM audit_log WHERE link_id = $1 AND action = 'device.expire' ORDER BY before->>'hwid'`, [id]);
  assert.deepEqual(audit.map((a) => [a.actor, a.session_id, a.address, a.action, a.target]),
    [old1, old2].sort().map((h) => ['server', null, null, 'device.expire', `device ${h} on link ${code}`]));
  assert.ok(audit.every((a) => a.before.expire_days === 2 && a.before.model === 'Pixel 8' &&
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(a.before.last_seen)));
  assert.deepEqual(audit.map((a) => a.after.install_count).sort(), [1, 1]);
  assert.deepEqual((await A('list-audit', { install_id: id })).json.data.filter((r) =>
    r.action === 'device.expire').map((r) => [r.actor, r.address]), [['server', ''], ['server', '']]);
  assert.deepEqual(await drifted(), []);
  // the freed slots take new devices up to the limit
  assert.equal((await install(link.hash, code, randomHwid())).text, answer(p.provider_code, 10, true));
  assert.equal((await install(link.hash, code, randomHwid())).text, answer(p.provider_code, 10, true));
  assert.equal((await install(link.hash, code, randomHwid())).text, answer(p.provider_code, 10, false));
  // a link that never expires keeps its silent devices
  const keep = await newLink(p, { limit: 1 });
  const quiet = randomHwid();
  await install(keep.hash, keep.code, quiet);
  await sql(`UPDATE devices SET last_seen = now() - interval '3000 days' WHERE link_id = $1`, [keep.id]);
  await sleep(2500);
  assert.equal((await sql('SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [keep.id]))[0].n, 1);
});

test('each lifecycle action writes one audit row: who, from where, before and after; never a secret or token', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const rows = async () => sql(`SELECT a.actor, a.session_id, a.address, a.action, a.link_id,
      a.target, a.before, a.after FROM audit_log a WHERE a.provider_id = $1 ORDER BY a.id`, [p.id]);
  const added = async (fn) => {
    const n = (await rows()).length;
    await fn();
    return (await rows()).slice(n);
  };
  const hidden = [];	// secrets and tokens no row may hold, nor their hashes
  const tokenOf = (url) => url.split('/my/')[1];
  const link = await newLink(p, { limit: 3 });
  const [h1, h2, h3] = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of [h1, h2]) assert.equal((await install(link.hash, link.code, h)).json.import, true);

  // the API: a webhook set, then replaced, then deleted; the audit rows
  // keep the URL with the values of its query masked
  const masked = (u) => u.replace(/\?(.*)$/, (m, q) => `?${q.replace(/=[^&]*/g, '=…')}`);
  assert.equal(masked(receiverUrl + '&v=2'), receiverUrl.replace(/\?.*$/, '?k=…&v=…'));
  let r;
  let wrote = await added(async () => { r = await A('set-webhook', { url: receiverUrl, events: 'device.released' }); });
  hidden.push(r.json.secret);
  assert.deepEqual(wrote.map((a) => [a.actor, a.session_id, a.address, a.action, a.link_id, a.target]),
    [['api', null, '127.0.0.1', 'webhook.set', null, 'webhook']]);
  assert.deepEqual([wrote[0].before, wrote[0].after], [null, { url: masked(receiverUrl), events: ['device.released'] }]);
  wrote = await added(async () => {
    r = await A('set-webhook', { url: receiverUrl + '&v=2', events: 'link.full,device.released' });
  });
  hidden.push(r.json.secret);
  assert.deepEqual(wrote.map((a) => [a.action, a.before, a.after]), [['webhook.set',
    { url: masked(receiverUrl), events: ['device.released'] },
    { url: masked(receiverUrl + '&v=2'), events: ['link.full', 'device.released'] }]]);
  wrote = await added(async () => assert.equal((await A('delete-webhook')).json.rc, 1));
  assert.deepEqual(wrote.map((a) => [a.actor, a.action, a.target, a.before, a.after]), [['api',
    'webhook.delete', 'webhook', { url: masked(receiverUrl + '&v=2'), events: ['link.full', 'device.released'] },
    null]]);

  // ... a link's self-service page made, renewed, turned off
  wrote = await added(async () => {
    r = await A('self-service', { id: link.id });
    hidden.push(tokenOf(r.json.url));
    r = await A('self-service', { id: link.id, rotate: 1 });
    hidden.push(tokenOf(r.json.url));
    r = await A('self-service', { id: link.id, disable: 1 });
    assert.equal(r.json.rc, 1);
  });
  assert.deepEqual(wrote.map((a) => [a.actor, a.address, a.action, Number(a.link_id), a.target]),
    ['create', 'rotate', 'disable'].map((x) => ['api', '127.0.0.1', `self_service.${x}`, link.id,
      `link ${link.code}`]));
  assert.equal(wrote[0].before, null);
  assert.deepEqual(Object.keys(wrote[0].after).sort(), ['released_at', 'since']);
  assert.equal(wrote[1].after.new_address, true);
  assert.deepEqual([wrote[2].before.since, wrote[2].after], [wrote[1].after.since, null]);
  // ... nothing changed, nothing written: a page made twice, one turned off twice
  wrote = await added(async () => {
    assert.equal((await A('self-service', { id: link.id, disable: 1 })).json.rc, 1);
    r = await A('self-service', { id: link.id });
    hidden.push(tokenOf(r.json.url));
    assert.equal((await A('self-service', { id: link.id })).json.rc, 2);
    assert.equal((await A('reset-install', { id: 999999999 })).json.msg, 'Install not found');
  });
  assert.deepEqual(wrote.map((a) => a.action), ['self_service.create']);

  // ... a reset
  wrote = await added(async () => assert.equal((await A('reset-install', { id: link.id })).json.released, 2));
  assert.deepEqual(wrote.map((a) => [a.actor, a.address, a.action, Number(a.link_id), a.target,
    a.before, a.after]), [['api', '127.0.0.1', 'link.reset', link.id, `link ${link.code}`,
    { install_count: 2 }, { install_count: 0, released: 2 }]]);

  // the web account: its rows name the session
  const s = await webSession(p);
  hidden.push(s.token);
  const [{ id: sessionId }] = await sql('SELECT id FROM sessions WHERE token_hash = $1', [sha256hex(s.token)]);
  for (const h of [h1, h2, h3]) assert.equal((await install(link.hash, link.code, h)).json.import, true);
  let selfPage;
  wrote = await added(async () => {
    const page = await webPost(s, '/account/webhook', { url: receiverUrl, 'e-3': '1' });
    assert.equal(page.status, 200);
    hidden.push(/id="secret" class="mono" value="([^"]+)"/.exec(page.text)[1]);
    secret = hidden.at(-1);
    selfPage = await webPost(s, `/account/links/${link.id}/self-service`, { action: 'rotate' });
    assert.equal(selfPage.status, 200);
  });
  assert.deepEqual(wrote.map((a) => [a.actor, Number(a.session_id), a.address, a.action]), [
    ['web', Number(sessionId), '127.0.0.1', 'webhook.set'],
    ['web', Number(sessionId), '127.0.0.1', 'self_service.rotate']]);
  assert.deepEqual(wrote[0].after, { url: masked(receiverUrl), events: ['device.released'] });
  // the end user's page, from its new address: a release, theirs
  const selfPath = '/my/' + tokenOf(/id="selfurl"[^>]*>([^<]+)</.exec(selfPage.text)[1].trim());
  hidden.push(selfPath.slice(4));
  const mine = await request(selfPath);
  assert.equal(mine.status, 200);
  const cookie = mine.headers.get('set-cookie').split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(mine.text)[1];
  const device = /name="device" value="([^"]+)"/.exec(mine.text)[1];
  wrote = await added(async () => {
    const res = await request(selfPath, { method: 'POST', headers: { Cookie: cookie,
      'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, device }).toString() });
    assert.equal(res.status, 303);
  });
  assert.deepEqual(wrote.map((a) => [a.actor, a.session_id, a.address, a.action, Number(a.link_id)]),
    [['self-service', null, '127.0.0.1', 'device.release', link.id]]);
  const released = wrote[0].before.hwid;
  assert.ok([h1, h2, h3].includes(released));
  assert.equal(wrote[0].target, `device ${released} on link ${link.code}`);
  assert.deepEqual([wrote[0].before.install_count, wrote[0].after], [3, { install_count: 2 }]);
  // the same form again (the device is gone) changes nothing, and writes nothing
  wrote = await added(async () => {
    const again = await request(selfPath, { method: 'POST', headers: { Cookie: cookie,
      'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, device }).toString() });
    assert.equal(again.status, 303);
    assert.match(again.headers.get('location'), /\?m=gone$/);
  });
  assert.deepEqual(wrote, []);
  // its event, sent again from the account; then the reset, and the webhook deleted
  assert.ok(await waitFor(() => received((g) => g.ev.hwid === released).length === 1, 10000));
  const evId = received((g) => g.ev.hwid === released)[0].id;
  wrote = await added(async () => {
    assert.equal((await webPost(s, '/account/webhook/resend', { id: evId })).status, 303);
    assert.equal((await webPost(s, `/account/links/${link.id}/reset`, {})).status, 303);
    assert.equal((await webPost(s, '/account/webhook/delete', {})).status, 303);
  });
  assert.deepEqual(wrote.map((a) => [a.actor, Number(a.session_id), a.address, a.action, a.target]), [
    ['web', Number(sessionId), '127.0.0.1', 'webhook.resend', `event ${evId}`],
    ['web', Number(sessionId), '127.0.0.1', 'link.reset', `link ${link.code}`],
    ['web', Number(sessionId), '127.0.0.1', 'webhook.delete', 'webhook']]);
  assert.equal(Number(wrote[0].link_id), link.id);
  assert.equal(wrote[0].before.type, 'device.released');
  assert.equal(wrote[0].after.state, 'pending');
  assert.deepEqual([wrote[1].before, wrote[1].after], [{ install_count: 2 }, { install_count: 0, released: 2 }]);
  assert.deepEqual(wrote[2].before, { url: masked(receiverUrl), events: ['device.released'] });

  // the activity page names the new actors
  const activity = await request('/account/activity', { headers: { Cookie: s.cookie } });
  assert.match(activity.text, /end user \(self-service page\)/);
  assert.match(activity.text, /<code>webhook\.resend<\/code>/);

  // no secret, token or hash of one anywhere in the trail, whoever's row
  const all = JSON.stringify(await sql('SELECT * FROM audit_log'));
  const [{ token_hash: stored }] = await sql('SELECT token_hash FROM self_service WHERE link_id = $1', [link.id]);
  for (const x of [...hidden, ...hidden.map(sha256hex), stored, p.auth_key])
    assert.equal(all.includes(x), false, 'a secret or token in the audit trail');
});

test('while the receiver hangs, the check and the API answer as ever, at once', async () => {
  const { p, A } = await withWebhook('device.released');
  const link = await newLink(p, { limit: 2 });
  hang = true;
  try {
    const first = randomHwid();
    await install(link.hash, link.code, first);
    await A('delete-hwid', { install_code: link.code, hwid: first });
    assert.ok(await waitFor(() => held.length >= 1, 5000), 'the delivery is in the receiver\'s hands');
    const ok = answer(p.provider_code, 10, true);
    const refused = answer(p.provider_code, 10, false);
    // each answered well within the time a delivery may take (2 s)
    const timed = async (call) => {
      const t0 = Date.now();
      const r = await call();
      assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
      return r.text;
    };
    const a = randomHwid();
    const b = randomHwid();
    assert.equal(await timed(() => install(link.hash, link.code, a)), ok);
    assert.equal(await timed(() => install(link.hash, link.code, b)), ok);
    assert.equal(await timed(() => install(link.hash, link.code, randomHwid())), refused);
    assert.equal(await timed(() => install(link.hash, link.code, a)), ok);
    assert.equal(await timed(() => A('delete-hwid', { install_code: link.code, hwid: b })),
      '{"rc":1,"msg":"Ok","install_count":1}');
  } finally {
    hang = false;
    for (const res of held.splice(0)) res.destroy();
  }
  // the held ones timed out (webhook_timeout) and come again
  assert.ok(await waitFor(() => received((g) => g.ev.install_code === link.code &&
    g.answered === 200).length === 2, 15000), 'delivered after the hang');
});

test('a private address is refused unless the configuration allows it, at set-webhook and at every connection', async () => {
  const { p, A } = await withWebhook('device.released');
  const link = await newLink(p, { limit: 1 });
  await configure([]);
  try {
    const r = await A('set-webhook', { url: receiverUrl });
    assert.deepEqual(r.json, { rc: 0, msg: 'url must start with https://' });
    for (const [url, shown] of [['https://127.0.0.1/hook', '127.0.0.1'], ['https://[::1]:8443/', '::1'],
      ['https://10.1.2.3/x', '10.1.2.3'], ['https://169.254.169.254/latest', '169.254.169.254'],
      ['https://localhost/', null]]) {
      const x = await A('set-webhook', { url });
      assert.equal(x.json.rc, 0, url);
      assert.match(x.json.msg, shown ? new RegExp(`^url must lead to a public address \\(.* is ${shown.replace(/[.[\]]/g, '\\$&')}\\)$`)
        : /^url must lead to a public address|does not resolve/, url);
    }
    assert.equal((await A('get-webhook')).json.url, receiverUrl, 'nothing changed');
    // http:// allowed, private addresses not: the webhook set while they
    // were allowed is refused by the sender, at the connection
    await configure(['webhook_allow_http = on']);
    assert.deepEqual((await A('set-webhook', { url: receiverUrl })).json, { rc: 0,
      msg: 'url must lead to a public address (127.0.0.1 is 127.0.0.1)' });
    const hwid = randomHwid();
    await install(link.hash, link.code, hwid);
    await A('delete-hwid', { install_code: link.code, hwid });
    const [row] = await sql(`SELECT id, event_id FROM webhook_events WHERE provider_id = $1`, [p.id]);
    const tried = await waitFor(async () => (await sql(
      'SELECT error FROM webhook_deliveries WHERE event = $1', [row.id]))[0], 15000);
    assert.ok(tried, 'a try was made');
    assert.equal(tried.error, 'address 127.0.0.1 is not public');
    assert.equal(received((g) => g.id === row.event_id).length, 0);
    assert.equal((await eventRow(row.event_id)).state, 'pending');
  } finally {
    await configure(TESTING);
  }
});
