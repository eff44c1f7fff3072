// Under concurrent checks, device deletes and limit changes, every link's
// install_count stays equal to its device rows and within its limit, and
// no call fails on a lock conflict.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { asProvider, closeDb, drifted, install, newLink, newProvider, randomHwid,
  sql, VAR } from './lib.mjs';

after(closeDb);

const ROUNDS = 150;	// bursts of 9 calls at once; bounded for a small shared machine
const PGLOG = path.join(VAR, 'log/postgresql.log');
const BELOW = /^Install limit error: install_limit cannot go below install_count \(\d\)$/;

test('counters never drift from the device rows', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const links = [await newLink(p, { limit: 3 }), await newLink(p, { limit: 3 })];
  // few devices, so that the same ones race on the same links
  const hwids = Array.from({ length: 4 }, randomHwid);
  const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
  const logFrom = fs.statSync(PGLOG).size;
  const seen = new Map();
  const note = (k) => seen.set(k, (seen.get(k) || 0) + 1);

  for (let round = 0; round < ROUNDS; round++) {
    const link = pick(links);
    const hw = pick(hwids);
    // one device asking several times while it is deleted, beside others
    const calls = [];
    for (let i = 0; i < 4; i++) calls.push(['check', install(link.hash, link.code, hw)]);
    calls.push(['delete', A('delete-hwid', { install_code: link.code, hwid: hw })]);
    for (let i = 0; i < 2; i++)
      calls.push(['check', install(link.hash, link.code, pick(hwids))]);
    calls.push(['delete', A('delete-hwid', { install_id: String(link.id), hwid: pick(hwids) })]);
    calls.push(['update', A('update-install', { id: String(link.id),
      install_limit: String(1 + Math.floor(Math.random() * 4)) })]);
    for (const [kind, pending] of calls) {
      const r = await pending;
      if (kind === 'check') {
        assert.equal(typeof r.json?.import, 'boolean', r.text);
        note(`check ${r.json.import}`);
      } else if (kind === 'delete') {
        assert.ok(r.json?.rc === 1 || r.json?.msg === 'HWID not found', r.text);
        note(`delete ${r.json.rc}`);
      } else {
        assert.ok(r.json?.rc === 1 || BELOW.test(r.json?.msg), r.text);
        note(`update ${r.json.rc}`);
      }
    }
  }
  // the run did exercise each path
  for (const k of ['check true', 'check false', 'delete 1', 'delete 0', 'update 1', 'update 0'])
    assert.ok(seen.get(k) > 0, `no "${k}" in ${JSON.stringify([...seen])}`);

  // a deadlock would have failed a check (import:false) or a delete
  const log = fs.readFileSync(PGLOG, 'utf8').slice(logFrom);
  assert.doesNotMatch(log, /deadlock detected/);
  assert.deepEqual(await drifted(), []);
  const rows = await sql(`SELECT l.install_count, l.install_limit,
      (SELECT count(*)::int FROM devices d WHERE d.link_id = l.id) AS devices
    FROM links l WHERE l.provider_id = $1`, [p.id]);
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.equal(r.install_count, r.devices);
    assert.ok(r.install_count <= r.install_limit);
  }
  // what list-install answers is what the rows say
  for (const l of (await A('list-install')).json.data) {
    const [{ n }] = await sql('SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [l.id]);
    assert.equal(l.install_count, n);
  }
});
