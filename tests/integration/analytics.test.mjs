// What the checks decide, counted (by the workers, flushed every second
// in the tests); the audit trail of every management action; the API's
// stats, list-refused and list-audit; the views for BI tools and their
// read-only role; the retention of the check events; the dashboard in
// headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import {
  APP_HEADERS, BASE, OUT, VAR, api, asProvider, asStackUser, closeDb, db, install, newLink,
  newProvider, pgpass, randomCode, randomHwid, request, script, sha256hex, sql, waitFor, webPost,
  webSession,
} from './lib.mjs';

const SHOTS = path.join(OUT, 'screenshots', process.env.LL_BUILD || 'local');
const DECISIONS = ['admitted_new', 'admitted_known', 'refused_limit', 'refused_disabled',
  'refused_domain', 'refused_hwid'];
const day = (offset = 0) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const state = {};	// what one test leaves for the next

// dates as the database writes them, whatever this machine's time zone
pg.types.setTypeParser(1082, (v) => v);

after(closeDb);

// A provider's per-link counts, summed over the days, by link id.
async function linkCounts(providerId) {
  const rows = await sql(`SELECT link_id, sum(admitted_new)::int AS admitted_new,
      sum(admitted_known)::int AS admitted_known, sum(refused_limit)::int AS refused_limit,
      sum(refused_disabled)::int AS refused_disabled, sum(refused_domain)::int AS refused_domain,
      sum(refused_hwid)::int AS refused_hwid
    FROM stats_link_daily WHERE provider_id = $1 GROUP BY link_id`, [providerId]);
  return Object.fromEntries(rows.map((r) => [Number(r.link_id), { ...r, link_id: undefined }]));
}
const counts = (over = {}) => ({ ...Object.fromEntries(DECISIONS.map((d) => [d, 0])), ...over,
  link_id: undefined });

test('each decision of the check is counted once, with its provider, link, OS and app version', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const osName = `TestOS-${randomCode(6)}`;
  const app = `9.${randomCode(4)}`;
  const h = { 'X-Device-OS': osName, 'X-App-Version': app };
  const link = await newLink(p, { limit: 1 });
  const other = await newLink(p, { limit: 5 });
  const [first, second] = [randomHwid(), randomHwid()];
  const expect = async (r, admitted) => assert.equal((await r).json.import, admitted);
  // a request too malformed to name a link is counted with no client
  const malformed = async () => Number((await sql(`SELECT coalesce(sum(refused_unknown), 0) AS n
    FROM stats_provider_daily WHERE provider_id = 0 AND os = '' AND app_version = ''`))[0].n);
  const malformedBefore = await malformed();

  await expect(install(link.hash, link.code, first, h), true);		// admitted_new
  await expect(install(link.hash, link.code, first, h), true);		// admitted_known
  await expect(install(link.hash, link.code, second, h), false);	// refused_limit
  await expect(install(sha256hex('not-registered.example'), link.code, randomHwid(), h), false);
  await expect(install(link.hash, link.code, null, h), false);		// refused_hwid
  await expect(install(link.hash, link.code, 'not a hwid!', h), false);	// refused_hwid
  assert.equal((await A('update-install', { id: other.id, status: 5 })).json.rc, 1);
  await expect(install(other.hash, other.code, randomHwid(), h), false);	// refused_disabled
  await expect(install(link.hash, randomCode(12), randomHwid(), h), false);	// refused_unknown
  const bad = await request('/install?id=zz&installid=yy', { headers: { ...APP_HEADERS, ...h } });
  assert.equal(bad.json.import, false);					// refused_unknown
  assert.equal(bad.text, '{"providerid":"","status":0,"import":false}');

  const want = {
    [link.id]: counts({ admitted_new: 1, admitted_known: 1, refused_limit: 1, refused_domain: 1,
      refused_hwid: 2 }),
    [other.id]: counts({ refused_disabled: 1 }),
  };
  const client = async () => sql(`SELECT provider_id, os, app_version, admitted_new::int,
      admitted_known::int, refused_limit::int, refused_disabled::int, refused_domain::int,
      refused_hwid::int, refused_unknown::int
    FROM stats_provider_daily WHERE os = $1 ORDER BY provider_id`, [osName]);
  // the checks went to several workers: each flushes within a second
  await waitFor(async () => JSON.stringify(await linkCounts(p.id)) === JSON.stringify(want)
    && (await client()).reduce((n, r) => n + r.refused_unknown, 0) === 1
    && await malformed() > malformedBefore, 8000, 200);
  assert.ok(await malformed() > malformedBefore);
  assert.deepEqual(await linkCounts(p.id), want);
  assert.deepEqual(await client(), [
    { provider_id: '0', os: osName, app_version: app, admitted_new: 0, admitted_known: 0,
      refused_limit: 0, refused_disabled: 0, refused_domain: 0, refused_hwid: 0, refused_unknown: 1 },
    { provider_id: String(p.id), os: osName, app_version: app, admitted_new: 1, admitted_known: 1,
      refused_limit: 1, refused_disabled: 1, refused_domain: 1, refused_hwid: 2, refused_unknown: 0 },
  ]);
  // the admission and the refusal for the limit, one by one
  const events = await sql(`SELECT decision, hwid, device_os, os_version, model, app_version
    FROM check_events WHERE link_id = $1 ORDER BY at, decision`, [link.id]);
  assert.deepEqual(events, [
    { decision: 1, hwid: first, device_os: osName, os_version: '14', model: 'Pixel 8', app_version: app },
    { decision: 3, hwid: second, device_os: osName, os_version: '14', model: 'Pixel 8', app_version: app },
  ]);
  // a refusal for the limit is listed, newest first
  const refused = await A('list-refused', { install_code: link.code });
  assert.equal(refused.json.rc, 1, refused.text);
  assert.equal(refused.json.data.length, 1);
  assert.equal(refused.json.data[0].hwid, second);
  assert.equal(refused.json.data[0].device_name, `Pixel 8 (${osName} 14)`);
  assert.match(refused.json.data[0].date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  // flushed once: later flushes add nothing
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(await linkCounts(p.id), want);
  Object.assign(state, { p, A, link, other, osName, app, second });
});

test('GET /api/stats answers every day of the period, zeros included, for the provider alone', async () => {
  const { p, A, link, other, osName, app } = state;
  const r = await A('stats');
  assert.equal(r.json.rc, 1, r.text);
  assert.equal(r.json.msg, 'Ok');
  const d = r.json.data;
  assert.deepEqual(Object.keys(d), ['from', 'to', 'totals', 'days', 'os', 'app_versions', 'links',
    'attention']);
  assert.equal(d.to, day(0));
  assert.equal(d.from, day(-29));
  assert.equal(d.days.length, 30);
  d.days.forEach((x, i) => {
    assert.deepEqual(Object.keys(x), ['date', ...DECISIONS]);
    assert.equal(x.date, day(i - 29));
  });
  assert.deepEqual(d.totals, { admitted_new: 1, admitted_known: 1, refused_limit: 1,
    refused_disabled: 1, refused_domain: 1, refused_hwid: 2 });
  assert.deepEqual(d.days[29], { date: day(0), ...d.totals });
  assert.ok(d.days.slice(0, 29).every((x) => DECISIONS.every((k) => x[k] === 0)));
  assert.deepEqual(d.os, [{ os: osName, devices: 1 }]);
  assert.deepEqual(d.app_versions, [{ app_version: app, devices: 1 }]);
  assert.deepEqual(d.links, { total: 2, full: 1, near_full: 0 });
  assert.deepEqual(d.attention, [{ id: link.id, install_code: link.code, install_limit: 1,
    install_count: 1, refused_limit: 1 }]);

  // one link, by code or id; a period given; a form POST
  const one = await A('stats', { install_id: other.id, from: day(-1), to: day(0) }, { method: 'POST' });
  assert.equal(one.json.rc, 1, one.text);
  assert.deepEqual(one.json.data.totals, { ...Object.fromEntries(DECISIONS.map((k) => [k, 0])),
    refused_disabled: 1 });
  assert.deepEqual(one.json.data.days.map((x) => x.date), [day(-1), day(0)]);
  assert.deepEqual(one.json.data.links, { total: 1, full: 0, near_full: 0 });
  assert.deepEqual(one.json.data.os, []);

  // checked before the key: a bad date with a bad key names the date
  const bad = (q, msg) => api('stats', { provider_code: p.provider_code,
    auth_key: 'x'.repeat(32), ...q }).then((x) => assert.deepEqual(x.json, { rc: 0, msg }));
  await bad({ from: '2026-02-30' }, 'from must be a date YYYY-MM-DD');
  await bad({ to: 'today' }, 'to must be a date YYYY-MM-DD');
  await bad({ from: day(1), to: day(0) }, 'from must not be after to');
  await bad({ from: day(-366), to: day(0) }, 'to must be at most 365 days after from');
  await bad({ install_id: '-4' }, 'install_id must be a positive integer');
  assert.deepEqual((await api('stats', { provider_code: p.provider_code, auth_key: 'x'.repeat(32) }))
    .json, { rc: 0, msg: 'Auth error' });
  assert.equal((await A('stats', { from: day(-365), to: day(0) })).json.data.days.length, 366);

  // another provider sees none of it
  const q = await newProvider();
  const B = asProvider(q);
  assert.deepEqual((await B('stats', { install_code: link.code })).json,
    { rc: 0, msg: 'Install not found' });
  assert.deepEqual((await B('list-refused', { install_id: link.id })).json,
    { rc: 0, msg: 'Install not found' });
  const mine = (await B('stats')).json.data;
  assert.ok(DECISIONS.every((k) => mine.totals[k] === 0));
  assert.deepEqual(mine.links, { total: 0, full: 0, near_full: 0 });
  assert.deepEqual([mine.os, mine.app_versions, mine.attention], [[], [], []]);
});

test('an account\'s devices and links are counted at most stats_summary_age (60 s) ago; a link\'s now', async () => {
  const q = await newProvider();
  const A = asProvider(q);
  const links = [];
  for (const n of [1, 2]) {
    const [{ id }] = await sql(`INSERT INTO links (provider_id, install_code, install_limit,
        install_count) VALUES ($1, $2, 2, $3) RETURNING id`, [q.id, randomCode(12), n]);
    links.push(Number(id));
  }
  const dev = (link, hwid, osName) => sql(`INSERT INTO devices (link_id, hwid, device_os,
      app_version) VALUES ($1, $2, $3, '4.0.1')`, [link, hwid, osName]);
  await dev(links[0], 'fresh-a', 'Android');
  await dev(links[1], 'fresh-b', 'Android');
  await dev(links[1], 'fresh-c', 'Android');
  const stats = async (over = {}) => {
    const r = await A('stats', over);
    assert.equal(r.json.rc, 1, r.text);
    return r.json.data;
  };
  const asOf = async () => (await sql(`SELECT ll_ts(as_of) AS t FROM stats_provider_now
    WHERE provider_id = $1`, [q.id]))[0]?.t;

  // never counted: counted now
  assert.equal(await asOf(), undefined);
  let d = await stats();
  assert.deepEqual(d.os, [{ os: 'Android', devices: 3 }]);
  assert.deepEqual(d.links, { total: 2, full: 1, near_full: 0 });
  const first = await asOf();
  assert.ok(first);

  // a device more: the account's figures stay as counted, one link's are now
  await sql('UPDATE links SET install_count = 2 WHERE id = $1', [links[0]]);
  await dev(links[0], 'fresh-d', 'iOS');
  d = await stats();
  assert.deepEqual(d.os, [{ os: 'Android', devices: 3 }]);
  assert.deepEqual(d.links, { total: 2, full: 1, near_full: 0 });
  assert.equal(await asOf(), first);
  const one = await stats({ install_id: links[0] });
  assert.deepEqual(one.os, [{ os: 'Android', devices: 1 }, { os: 'iOS', devices: 1 }]);
  assert.deepEqual(one.links, { total: 1, full: 1, near_full: 0 });

  // the dashboard says when they were counted
  const s = await webSession(q);
  const page = await request('/account/stats', { headers: { Cookie: s.cookie } });
  assert.equal(/<time id="as-of">([^<]*)<\/time>/.exec(page.text)[1], first);

  // older than stats_summary_age: counted again by the next call
  await sql(`UPDATE stats_provider_now SET as_of = as_of - interval '61 seconds'
    WHERE provider_id = $1`, [q.id]);
  d = await stats();
  assert.deepEqual(d.os, [{ os: 'Android', devices: 3 }, { os: 'iOS', devices: 1 }]);
  assert.deepEqual(d.links, { total: 2, full: 2, near_full: 0 });
  assert.equal((await sql(`SELECT as_of > now() - interval '30 seconds' AS fresh
    FROM stats_provider_now WHERE provider_id = $1`, [q.id]))[0].fresh, true);

  // the sender's recount: those asked for of late and older than asked
  await sql('DELETE FROM devices WHERE hwid = $1', ['fresh-a']);
  await sql('UPDATE links SET install_count = 1 WHERE id = $1', [links[0]]);
  await sql(`UPDATE stats_provider_now SET as_of = as_of - interval '1 hour'
    WHERE provider_id = $1`, [q.id]);
  const [{ n }] = await sql('SELECT ll_stats_refresh(30, 1000) AS n');
  assert.ok(n >= 1);
  const [row] = await sql(`SELECT as_of > now() - interval '1 minute' AS fresh, shares
    FROM stats_provider_now WHERE provider_id = $1`, [q.id]);
  assert.equal(row.fresh, true);
  d = await stats();
  assert.deepEqual(d.os, [{ os: 'Android', devices: 2 }, { os: 'iOS', devices: 1 }]);
  assert.deepEqual(d.links, { total: 2, full: 1, near_full: 0 });
  // one not asked for in a day is left alone
  await sql(`UPDATE stats_provider_now SET as_of = as_of - interval '1 hour',
    asked_at = asked_at - interval '2 days' WHERE provider_id = $1`, [q.id]);
  const [{ t: old }] = await sql(`SELECT as_of::text AS t FROM stats_provider_now
    WHERE provider_id = $1`, [q.id]);
  await sql('SELECT ll_stats_refresh(30, 1000)');
  assert.equal((await sql(`SELECT as_of::text AS t FROM stats_provider_now
    WHERE provider_id = $1`, [q.id]))[0].t, old);
});

test('the links that need attention over a long period, refusals before it left out; refusals per link kept by the flush', async () => {
  const q = await newProvider();
  const A = asProvider(q);
  const L = [];
  for (let i = 0; i < 24; i++) {
    const [{ id, install_code: code }] = await sql(`INSERT INTO links (provider_id, install_code,
        install_limit, install_count) VALUES ($1, $2, 10, $3) RETURNING id, install_code`,
    [q.id, randomCode(12), i === 23 ? 9 : 0]);
    L.push({ id: Number(id), code });
  }
  // the near-full link's devices, as its count says
  for (let i = 0; i < 9; i++) {
    await sql('INSERT INTO devices (link_id, hwid) VALUES ($1, $2)', [L[23].id, `near-${i}`]);
  }
  const today = Math.floor(Date.now() / 86400000);
  // [day, provider, link, os, app_version, the seven decisions]
  const row = (d, link, refused) => [today + d, Number(q.id), link.id, 'Android', '4.0.1',
    0, 1, refused, 0, 0, 0, 0];
  const counts = [];
  // links 0 to 21: i + 1 refusals yesterday, and as many a year and a half ago
  for (let i = 0; i < 22; i++) counts.push(row(-1, L[i], i + 1), row(-550, L[i], i + 1));
  // link 22: the most refusals of all, 250 days ago alone
  counts.push(row(-250, L[22], 100));
  await sql('SELECT ll_stats_flush($1, 1, $2, \'[]\')', [`attention-${q.id}`,
    JSON.stringify(counts)]);
  // each link's refusals since its first, as the flush added them
  assert.deepEqual((await sql(`SELECT link_id::int AS id, refused_limit::int AS n
      FROM stats_link_refused WHERE provider_id = $1 ORDER BY link_id`, [q.id]))
    .map((x) => [x.id, x.n]),
  [...L.slice(0, 22).map((l, i) => [l.id, 2 * (i + 1)]), [L[22].id, 100]]);

  const att = async (from, to) => {
    const r = await A('stats', { from: day(from), to: day(to) });
    assert.equal(r.json.rc, 1, r.text);
    return r.json.data.attention.map((x) => [x.install_code, x.refused_limit]);
  };
  // a year: link 22's, then yesterday's, most first, twenty in all; those a
  // year and a half ago left out, though they rank links 0 to 21 by their
  // refusals since their first
  assert.deepEqual(await att(-365, 0), [[L[22].code, 100],
    ...L.slice(3, 22).reverse().map((l, i) => [l.code, 22 - i])]);
  // thirty days: yesterday's alone
  assert.deepEqual(await att(-29, 0), L.slice(2, 22).reverse().map((l, i) => [l.code, 22 - i]));
  // a period with link 22's alone, then the near-full link without refusals
  assert.deepEqual(await att(-300, -200), [[L[22].code, 100], [L[23].code, 0]]);
  // the older refusals alone: twenty of links 0 to 21's, link 22's outside
  assert.deepEqual(await att(-600, -400), L.slice(2, 22).reverse().map((l, i) => [l.code, 22 - i]));
});

test('every management action writes one audit row: who, from where, before and after, never a key', async () => {
  const q = await newProvider();			// operator: provider.add
  const A = asProvider(q);
  const keys = [q.auth_key];
  const [{ key_hash: hash0 }] = await sql('SELECT key_hash FROM providers WHERE id = $1', [q.id]);
  const hashes = [hash0];
  const domain = `audit-${randomCode(6).toLowerCase()}.example.com`;
  const rows = async () => sql(`SELECT a.actor, a.session_id, a.address, a.action, a.link_id,
      a.target, a.before, a.after FROM audit_log a WHERE a.provider_id = $1 ORDER BY a.id`, [q.id]);
  const added = async (fn) => {
    const n = (await rows()).length;
    await fn();
    return (await rows()).slice(n);
  };

  // the API
  let got = await added(() => A('add-domain', { domain_hash: sha256hex(domain), domain_name: domain }));
  assert.deepEqual(got.map((r) => [r.actor, r.address, r.action, r.target]),
    [['api', '127.0.0.1', 'domain.add', `domain ${domain}`]]);
  assert.equal(got[0].before, null);
  assert.deepEqual(got[0].after, { domain_hash: sha256hex(domain), domain_name: domain, status: 1 });
  let link;
  got = await added(async () => { link = (await A('add-install', { install_limit: 2, note: 'n1' })).json; });
  assert.deepEqual(got.map((r) => [r.action, Number(r.link_id)]), [['link.create', link.id]]);
  assert.deepEqual(got[0].after, { install_code: link.install_code, install_limit: 2, note: 'n1',
    status: 10, expire_days: 0 });
  got = await added(() => A('update-install', { id: link.id, install_limit: 3, note: 'n2' }));
  assert.deepEqual(got.map((r) => [r.action, r.before, r.after]), [['link.update',
    { install_limit: 2, note: 'n1', status: 10, expire_days: 0 },
    { install_limit: 3, note: 'n2', status: 10, expire_days: 0 }]]);
  got = await added(() => A('update-install', { id: link.id, status: 5 }));
  assert.deepEqual(got.map((r) => [r.action, r.before.status, r.after.status]), [['link.disable', 10, 5]]);
  got = await added(() => A('update-install', { id: link.id, status: 10 }));
  assert.deepEqual(got.map((r) => [r.action, r.before.status, r.after.status]), [['link.enable', 5, 10]]);
  const hwid = randomHwid();
  assert.equal((await install(sha256hex(domain), link.install_code, hwid)).json.import, true);
  got = await added(() => A('delete-hwid', { install_code: link.install_code, hwid }));
  assert.deepEqual(got.map((r) => [r.action, r.target]),
    [['device.delete', `device ${hwid} on link ${link.install_code}`]]);
  assert.equal(got[0].before.hwid, hwid);
  assert.equal(got[0].before.model, 'Pixel 8');
  assert.equal(got[0].before.install_count, 1);
  assert.deepEqual(got[0].after, { install_count: 0 });
  // refusals change nothing, and write nothing
  got = await added(async () => {
    assert.equal((await A('delete-hwid', { install_code: link.install_code, hwid })).json.msg, 'HWID not found');
    assert.equal((await A('add-domain', { domain_hash: sha256hex(domain) })).json.rc, 2);
    assert.equal((await A('update-install', { id: 999999999, note: 'x' })).json.msg, 'Install not found');
  });
  assert.deepEqual(got, []);

  // the web account: its rows name the session
  const s = await webSession(q);
  const [{ id: sessionId }] = await sql('SELECT id FROM sessions WHERE token_hash = $1', [sha256hex(s.token)]);
  const webDomain = `web-${randomCode(6).toLowerCase()}.example.com`;
  let webLink;
  got = await added(async () => {
    const r = await webPost(s, '/account/links/new', { url: `https://${webDomain}/s/x`, title: 'T',
      limit: '2', note: 'web' });
    assert.equal(r.status, 303);
    webLink = Number(/\/account\/links\/(\d+)\?m=created$/.exec(r.headers.get('location'))[1]);
  });
  assert.deepEqual(got.map((r) => [r.actor, Number(r.session_id), r.action, Number(r.link_id)]),
    [['web', Number(sessionId), 'link.create', webLink]]);
  assert.equal(got[0].after.sub_url, `https://${webDomain}/s/x`);
  assert.equal(got[0].after.domain_hash, sha256hex(webDomain));
  const [{ install_code: webCode }] = await sql('SELECT install_code FROM links WHERE id = $1', [webLink]);
  got = await added(async () => {
    assert.equal((await webPost(s, `/account/links/${webLink}/edit`, { limit: '4', note: 'w2' })).status, 303);
    assert.equal((await webPost(s, `/account/links/${webLink}/status`, { status: '5' })).status, 303);
    assert.equal((await webPost(s, `/account/links/${webLink}/status`, { status: '10' })).status, 303);
    const h2 = randomHwid();
    assert.equal((await install(sha256hex(webDomain), webCode, h2)).json.import, true);
    assert.equal((await webPost(s, `/account/links/${webLink}/devices/delete`, { hwid: h2 })).status, 303);
    assert.equal((await webPost(s, `/account/links/${link.id}/target`, { url: 'https://t.example.com/p',
      title: 'Tt' })).status, 303);
    assert.equal((await webPost(s, '/account/domains/add', { by: 'domain', domain: 'extra.example.com',
      name: '' })).status, 303);
    const [{ id }] = await sql(`SELECT id FROM domains WHERE provider_id = $1 AND domain_name = 'extra.example.com'`, [q.id]);
    assert.equal((await webPost(s, '/account/domains/delete', { id: String(id) })).status, 303);
  });
  assert.deepEqual(got.map((r) => [r.actor, Number(r.session_id), r.address, r.action]), [
    ['web', Number(sessionId), '127.0.0.1', 'link.update'],
    ['web', Number(sessionId), '127.0.0.1', 'link.disable'],
    ['web', Number(sessionId), '127.0.0.1', 'link.enable'],
    ['web', Number(sessionId), '127.0.0.1', 'device.delete'],
    ['web', Number(sessionId), '127.0.0.1', 'link.target'],
    ['web', Number(sessionId), '127.0.0.1', 'domain.add'],
    ['web', Number(sessionId), '127.0.0.1', 'domain.delete'],
  ]);
  assert.deepEqual([got[0].before.install_limit, got[0].after.install_limit, got[0].after.note], [2, 4, 'w2']);
  assert.deepEqual(got[4].before, { sub_url: null, title: null });
  assert.equal(got[4].after.sub_url, 'https://t.example.com/p');
  assert.deepEqual(got[6].after, { status: 0, links_refused: 0 });

  // the operator
  got = await added(() => {
    script('provider', ['disable', q.provider_code]);
    script('provider', ['enable', q.provider_code]);
    keys.push(JSON.parse(script('provider', ['rotate-key', q.provider_code])).auth_key);
  });
  assert.deepEqual(got.map((r) => [r.actor, r.session_id, r.address, r.action, r.before, r.after]), [
    ['operator', null, 'local', 'provider.disable', { status: 1 }, { status: 0 }],
    ['operator', null, 'local', 'provider.enable', { status: 0 }, { status: 1 }],
    ['operator', null, 'local', 'provider.rotate_key', null, null],
  ]);
  hashes.push((await sql('SELECT key_hash FROM providers WHERE id = $1', [q.id]))[0].key_hash);

  // no key, key hash, session token or its hash in any row
  const text = JSON.stringify(await sql('SELECT * FROM audit_log WHERE provider_id = $1', [q.id]));
  for (const secret of [...keys, ...hashes, s.token, sha256hex(s.token)])
    assert.equal(text.includes(secret), false, 'a secret in the audit trail');
  const all = await rows();
  assert.equal(all[0].action, 'provider.add');
  assert.equal(all.length, 1 + 6 + 1 + 7 + 3);

  // list-audit: the same rows, newest first, for the provider alone
  const Q = asProvider({ ...q, auth_key: keys[1] });
  const listed = await Q('list-audit');
  assert.equal(listed.json.rc, 1, listed.text);
  assert.deepEqual(listed.json.data.map((r) => r.action), all.map((r) => r.action).reverse());
  const top = listed.json.data[0];
  assert.deepEqual(Object.keys(top), ['date', 'actor', 'action', 'target', 'before', 'after', 'address']);
  assert.deepEqual([top.actor, top.address, top.before, top.after], ['operator', 'local', null, null]);
  const webRow = listed.json.data.find((r) => r.action === 'link.disable' && r.actor !== 'api');
  assert.equal(webRow.actor, `web:${sessionId}`);
  assert.deepEqual(webRow.before, { install_limit: 4, note: 'w2', status: 10, expire_days: 0 });
  const onLink = await Q('list-audit', { install_id: link.id });
  assert.deepEqual(onLink.json.data.map((r) => r.action),
    ['link.target', 'device.delete', 'link.enable', 'link.disable', 'link.update', 'link.create']);
  assert.deepEqual((await Q('list-audit', { install_id: state.link.id })).json,
    { rc: 0, msg: 'Install not found' });
  assert.deepEqual((await Q('list-audit', { to: day(-1) })).json.data, []);
  assert.deepEqual((await Q('list-audit', { from: 'x' })).json, { rc: 0, msg: 'from must be a date YYYY-MM-DD' });
});

test('the BI views give, on a known data set, the figures computed by hand', async () => {
  const r = await newProvider();
  const code = r.provider_code;
  const L = [];
  const created = '2026-01-01 00:00:00+00';
  for (const [limit, n] of [[10, 10], [10, 8], [5, 1], [4, 0]]) {
    const [{ id }] = await sql(`INSERT INTO links (provider_id, install_code, install_limit,
        install_count, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [r.id, randomCode(12), limit, n, created]);
    L.push(Number(id));
  }
  const dev = (link, i, osName, app) => sql(`INSERT INTO devices (link_id, hwid, device_os,
      app_version, first_seen) VALUES ($1, $2, $3, $4, $5::timestamptz + make_interval(hours => $6))`,
  [link, `bi-${link}-${i}`, osName, app, created, i]);
  for (let i = 0; i < 10; i++) await dev(L[0], i, i < 6 ? 'Android' : 'iOS', i < 7 ? '4.0.1' : '4.0.2');
  for (let i = 0; i < 8; i++) await dev(L[1], i, 'Android', '4.0.1');
  await dev(L[2], 0, 'iOS', null);
  const [d1, d2] = [day(-3), day(-1)];
  const linkDay = (d, link, c) => sql(`INSERT INTO stats_link_daily (day, provider_id, link_id,
      admitted_new, admitted_known, refused_limit, refused_disabled, refused_domain, refused_hwid)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [d, r.id, link, ...c]);
  await linkDay(d1, L[0], [5, 10, 2, 0, 0, 0]);
  await linkDay(d2, L[0], [5, 0, 3, 0, 0, 0]);
  await linkDay(d1, L[1], [8, 4, 0, 0, 0, 0]);
  await linkDay(d2, L[2], [0, 0, 0, 1, 2, 1]);
  const provDay = (d, osName, app, c) => sql(`INSERT INTO stats_provider_daily (day, provider_id,
      os, app_version, admitted_new, admitted_known, refused_limit, refused_disabled,
      refused_domain, refused_hwid, refused_unknown) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)`,
  [d, r.id, osName, app, ...c]);
  await provDay(d1, 'Android', '4.0.1', [13, 14, 2, 0, 0, 0]);
  await provDay(d2, 'iOS', '', [5, 0, 3, 1, 2, 1]);
  await sql(`INSERT INTO check_events (at, provider_id, link_id, decision, hwid, device_os)
    VALUES (now(), $1, $2, 1, 'bi-new', 'iOS'), (now(), $1, $2, 3, 'bi-refused', 'iOS')`, [r.id, L[0]]);

  const view = (v, order) => sql(`SELECT * FROM bi.${v} WHERE provider_code = $1 ORDER BY ${order}`, [code]);
  const num = (rows) => rows.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) =>
    [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && k !== 'provider_code' ? Number(v) : v])));
  const dayOf = (x) => x;
  const zero = { admitted_new: 0, admitted_known: 0, refused_limit: 0, refused_disabled: 0,
    refused_domain: 0, refused_hwid: 0 };

  assert.deepEqual(num(await view('daily_decisions_provider', 'day')).map((x) => ({ ...x, day: dayOf(x.day) })), [
    { day: d1, provider_code: code, provider_name: (await sql('SELECT name FROM providers WHERE id = $1', [r.id]))[0].name,
      ...zero, admitted_new: 13, admitted_known: 14, refused_limit: 2, refused_unknown: 0, checks: 29 },
    { day: d2, provider_code: code, provider_name: (await sql('SELECT name FROM providers WHERE id = $1', [r.id]))[0].name,
      ...zero, admitted_new: 5, refused_limit: 3, refused_disabled: 1, refused_domain: 2,
      refused_hwid: 1, refused_unknown: 0, checks: 12 },
  ]);
  assert.deepEqual(num(await view('daily_decisions_link', 'day, link_id')).map((x) =>
    [dayOf(x.day), x.link_id, x.admitted_new, x.admitted_known, x.refused_limit, x.refused_disabled,
      x.refused_domain, x.refused_hwid, x.checks]), [
    [d1, L[0], 5, 10, 2, 0, 0, 0, 17],
    [d1, L[1], 8, 4, 0, 0, 0, 0, 12],
    [d2, L[0], 5, 0, 3, 0, 0, 0, 8],
    [d2, L[2], 0, 0, 0, 1, 2, 1, 4],
  ]);
  assert.deepEqual(num(await view('daily_decisions_client', 'day')).map((x) => [x.os, x.app_version, x.checks]),
    [['Android', '4.0.1', 29], ['iOS', '', 12]]);
  const fill = num(await view('fill_rate', 'bucket'));
  assert.deepEqual(fill.map((x) => x.bucket), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(fill.map((x) => x.links), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  assert.deepEqual([fill[0].fill, fill[9].fill, fill[10].fill], ['0-9%', '90-99%', 'full']);
  assert.deepEqual(num(await view('devices_by_os', 'os')).map((x) => [x.os, x.devices]),
    [['Android', 14], ['iOS', 5]]);
  assert.deepEqual(num(await view('devices_by_app_version', 'app_version')).map((x) => [x.app_version, x.devices]),
    [['', 1], ['4.0.1', 15], ['4.0.2', 3]]);
  assert.deepEqual(num(await view('links_near_limit', 'link_id')).map((x) =>
    [x.link_id, x.install_limit, x.install_count, x.fill_percent, x.is_full]),
  [[L[0], 10, 10, 100, true], [L[1], 10, 8, 80, false]]);
  // a link refused long ago only ranks after one refused of late
  const old = day(-40);
  await linkDay(old, L[1], [0, 0, 7, 0, 0, 0]);
  assert.deepEqual(num(await view('links_most_refused', 'rank')).map((x) =>
    [x.link_id, x.refused_last_30_days, x.refused_total, dayOf(x.last_refused_day), x.rank]),
  [[L[0], 5, 5, d2, 1], [L[1], 0, 7, dayOf(old), 2]]);
  assert.deepEqual(num(await view('time_to_full', 'link_id')).map((x) => [x.link_id, x.hours_to_full]),
    [[L[0], 9]]);
  assert.deepEqual((await view('device_events', 'decision')).map((x) => [x.link_id, x.decision, x.hwid]),
    [[String(L[0]), 'admitted_new', 'bi-new'], [String(L[0]), 'refused_limit', 'bi-refused']]);
  assert.deepEqual((await view('audit_trail', 'id')).map((x) => [x.actor, x.action, x.target]),
    [['operator', 'provider.add', `provider ${code}`]]);
});

test('the BI role reads the views and nothing else: no key hash, no session, no write', async () => {
  const bi = new pg.Client({ host: path.join(VAR, 'run'), database: 'limitedlinks', user: 'll_bi',
    password: pgpass('bi.pgpass', 'll_bi') });
  await bi.connect();
  const refusal = async (text) => {
    try { await bi.query(text); return null; } catch (e) { return e.code; }
  };
  try {
    const readable = (await bi.query(`SELECT n.nspname, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND has_table_privilege(c.oid, 'SELECT') ORDER BY 2`)).rows;
    assert.deepEqual([...new Set(readable.map((x) => x.nspname))], ['bi']);
    assert.deepEqual(readable.map((x) => x.relname), ['audit_trail', 'daily_decisions_client',
      'daily_decisions_link', 'daily_decisions_provider', 'device_events', 'devices_by_app_version',
      'devices_by_os', 'fill_rate', 'links_most_refused', 'links_near_limit', 'time_to_full']);
    assert.ok((await bi.query('SELECT count(*) FROM bi.daily_decisions_provider')).rows.length === 1);
    const cols = (await bi.query(`SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'bi'`)).rows.map((x) => x.column_name);
    for (const c of ['key_hash', 'token_hash', 'csrf', 'auth_key']) assert.ok(!cols.includes(c), c);
    for (const t of ['public.providers', 'public.sessions', 'public.audit_log', 'public.devices'])
      assert.ok(['42501', '42P01'].includes(await refusal(`SELECT * FROM ${t} LIMIT 1`)), t);
    assert.ok(['42501', '42883'].includes(await refusal(`SELECT * FROM public.ll_check('', '', '',
      NULL, NULL, NULL, NULL, NULL)`)));
    // no write: its transactions read only, and it holds no right to
    const writable = (await bi.query(`SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
          OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))`)).rows;
    assert.deepEqual(writable, []);
    assert.equal(await refusal('CREATE VIEW bi.mine AS SELECT 1'), '25006');
    await bi.query('SET default_transaction_read_only = off');
    assert.equal(await refusal(`INSERT INTO public.audit_log (provider_id, actor, action, target)
      VALUES (1, 'api', 'x', 'y')`), '42501');
    assert.equal(await refusal('DELETE FROM public.sessions'), '42501');
    assert.equal(await refusal('CREATE VIEW bi.mine AS SELECT 1'), '42501');
    assert.equal(await refusal('CREATE TEMP TABLE t (a int)'), '42501');
  } finally {
    await bi.end();
  }
});

test('limited-links maintain makes the months ahead and drops only the partitions past retention_months', async () => {
  const month = (m) => {
    const d = new Date();
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + m, 1)).toISOString().slice(0, 10);
  };
  const name = (d) => `check_events_${d.slice(0, 4)}${d.slice(5, 7)}`;
  // 24 months kept: a month is dropped once its last day is older
  const old = [month(-26), month(-25)];
  const kept = [month(-24), month(-18)];
  for (const m of [...old, ...kept]) {
    // made as the flush makes them, its owner's
    const c = await db().connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE ll_owner');
      await c.query('SELECT ll_events_partition($1::date)', [m]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    await sql(`INSERT INTO check_events (at, provider_id, link_id, decision, hwid)
      VALUES ($1::timestamptz + interval '1 day', 0, 0, 3, 'retention')`, [`${m} 00:00:00+00`]);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'll-maintain-'));
  try {
    chmodSync(dir, 0o755);
    const conf = path.join(dir, 'limited-links.conf');
    writeFileSync(conf, `${readFileSync(path.join(VAR, 'limited-links.conf'), 'utf8')}retention_months = 24\n`);
    chmodSync(conf, 0o644);
    const r = asStackUser([path.join(VAR, 'bin/limited-links'), '-c', conf, 'maintain']);
    assert.equal(r.status, 0, r.stderr);
    for (const m of old) assert.match(r.stdout, new RegExp(`^maintain: dropped ${name(m)}$`, 'm'));
    assert.equal((r.stdout.match(/dropped/g) || []).length, 2, r.stdout);
    const parts = (await sql(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'check_events'::regclass`)).map((x) => x.relname);
    for (const m of old) assert.ok(!parts.includes(name(m)), name(m));
    for (const m of [...kept, month(0), month(1), month(2)]) assert.ok(parts.includes(name(m)), name(m));
    const left = await sql(`SELECT to_char(at, 'YYYY-MM') AS m FROM check_events WHERE hwid = 'retention' ORDER BY at`);
    assert.deepEqual(left.map((x) => x.m), kept.map((m) => m.slice(0, 7)));
    // run again: nothing more to do
    const again = asStackUser([path.join(VAR, 'bin/limited-links'), '-c', conf, 'maintain']);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /^maintain: (dropped|made) /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const m of kept) await sql(`DROP TABLE IF EXISTS ${name(m)}`);
  }
});

test('scripts/report prints every provider\'s figures and the unknown links\', as a table or CSV', async () => {
  const { p } = state;
  const csv = script('report', ['--csv']).trim().split('\n');
  assert.equal(csv[0], 'provider_code,status,from,to,links,full,near_full,devices,admitted_new,'
    + 'admitted_known,refused_limit,refused_disabled,refused_domain,refused_hwid,refused_unknown,name');
  const mine = csv.find((l) => l.startsWith(`${p.provider_code},`)).split(',');
  assert.deepEqual(mine.slice(1, 15), ['active', day(-29), day(0), '2', '1', '0', '1', '1', '1', '1',
    '1', '1', '2', '0']);
  const unknown = csv[csv.length - 1].split(',');
  assert.equal(unknown[0], '');
  assert.ok(Number(unknown[14]) >= 2, csv[csv.length - 1]);
  const table = script('report', ['--from', day(-1)]);
  assert.match(table, new RegExp(`^checks from ${day(-1)} to ${day(0)} \\(UTC\\)$`, 'm'));
  assert.match(table, new RegExp(`^${p.provider_code}\\s+active\\s+2\\s+1\\s+0\\s+1\\s+1\\s+1\\s+1\\s+1\\s+1\\s+2\\s+0\\s`, 'm'));
  assert.match(table, /^-\s+-\s+(0\s+){10}\d+\s+\(checks of unknown links\)$/m);
  assert.match(table, /^total\s/m);
});

test('the dashboard in Chromium shows the charts and the right totals; history, activity and CSV', async () => {
  const { p, link, other, second } = state;
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(`${BASE}/account/`);
    await page.fill('#code', p.provider_code);
    await page.fill('#key', p.auth_key);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Sign in")')]);
    await page.click('nav.nav >> text=Dashboard');
    await page.waitForURL('**/account/stats');
    const api = (await asProvider(p)('stats')).json.data;
    for (const k of DECISIONS)
      assert.equal(Number(await page.textContent(`dd[data-total="${k}"]`)), api.totals[k], k);
    assert.deepEqual([1, 1, 1, 1, 1, 2], await Promise.all(DECISIONS.map(async (k) =>
      Number(await page.textContent(`dd[data-total="${k}"]`)))));
    assert.equal(Number(await page.textContent('dd[data-total="links"]')), 2);
    assert.equal(Number(await page.textContent('dd[data-total="full"]')), 1);
    // four charts, drawn by the server: daily, OS, app version, fill
    assert.equal(await page.locator('svg.chart').count(), 4);
    assert.ok(await page.isVisible('#daily svg.chart rect.s-new'));
    assert.equal(await page.locator('#daily svg.chart rect').count(), 3);
    assert.equal(await page.textContent('#daily rect.s-refused title'), `${day(0)}: 5 refused`);
    assert.equal(await page.textContent('#os svg.chart rect title'), `${state.osName}: 1`);
    assert.equal(await page.locator('#fill rect').count(), 2);
    assert.equal(await page.textContent('#attention a.code'), link.code);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });

    // the same without JavaScript: nothing on the page needs it
    const plain = await browser.newContext({ javaScriptEnabled: false,
      storageState: await context.storageState() });
    const p2 = await plain.newPage();
    await p2.goto(`${BASE}/account/stats`);
    assert.equal(Number(await p2.textContent('dd[data-total="refused_hwid"]')), 2);
    assert.equal(await p2.locator('svg.chart').count(), 4);
    await plain.close();

    // a link's history: its daily chart and its latest refusals
    await page.click('#attention a.code');
    assert.equal(await page.locator('#history svg.chart').count(), 1);
    assert.equal(await page.textContent('#history table.refused code'), second);
    await page.screenshot({ path: path.join(SHOTS, 'link-history.png'), fullPage: true });

    // the activity page
    await page.click('nav.nav >> text=Activity');
    await page.waitForURL('**/account/activity');
    assert.match(await page.textContent('#audit tbody'), /link\.disable/);
    assert.match(await page.textContent('#audit tbody'), /provider\.add/);
    await page.screenshot({ path: path.join(SHOTS, 'activity.png'), fullPage: true });

    // each table as CSV, in the session
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const days = await request(`/account/stats.csv?table=days&from=${day(-6)}&to=${day(0)}`,
      { headers: { Cookie: cookie } });
    assert.equal(days.status, 200);
    assert.equal(days.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(days.headers.get('content-disposition'), /^attachment; filename="limited-links-days-/);
    const lines = days.text.trimEnd().split('\r\n');
    assert.equal(lines[0], `date,${DECISIONS.join(',')}`);
    assert.equal(lines.length, 8);
    assert.equal(lines[7], `${day(0)},1,1,1,1,1,2`);
    for (const t of ['os', 'app_versions', 'fill', 'attention']) {
      const r = await request(`/account/stats.csv?table=${t}`, { headers: { Cookie: cookie } });
      assert.equal(r.status, 200, t);
      assert.ok(r.text.split('\r\n').length > 2, t);
    }
    const refusedCsv = await request(`/account/links/${link.id}/history.csv?table=refused`,
      { headers: { Cookie: cookie } });
    assert.match(refusedCsv.text, new RegExp(`^hwid,date,device_name\\r\\n${second},`));
    const audit = await request('/account/activity.csv', { headers: { Cookie: cookie } });
    assert.match(audit.text, /^date,actor,action,target,before,after,address\r\n/);
    // one link's activity, and its CSV through the page's own link
    await page.goto(`${BASE}/account/activity?link=${other.id}`);
    assert.match(await page.textContent('#audit tbody'), /link\.disable/);
    assert.doesNotMatch(await page.textContent('#audit tbody'), /provider\.add/);
    const linkCsv = await request(await page.getAttribute('#audit a.csv', 'href'),
      { headers: { Cookie: cookie } });
    assert.equal(linkCsv.status, 200);
    assert.match(linkCsv.text, /,link\.disable,/);
    assert.doesNotMatch(linkCsv.text, /provider\.add/);
    // signed out, nothing
    assert.equal((await request('/account/stats.csv?table=days')).status, 303);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
