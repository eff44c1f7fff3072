// The workers' counts survive a worker's restart and a clean stop of the
// server: a worker writes what it holds before it exits. With a flush
// interval of an hour, nothing is written before; the stack is started
// again with its configuration as it was.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  VAR, alive, answer, closeDb, db, install, masterPid, newLink, newProvider, randomHwid, script,
  sleep, sql, waitFor, workerPids, workersWanted,
} from './lib.mjs';

const CONF = path.join(VAR, 'limited-links.conf');
const original = readFileSync(CONF, 'utf8');

after(async () => {
  writeFileSync(CONF, original);
  await closeDb();
});

const counted = async (linkId) => {
  const [r] = await sql(`SELECT coalesce(sum(admitted_new), 0)::int AS new,
      coalesce(sum(admitted_known), 0)::int AS known
    FROM stats_link_daily WHERE link_id = $1`, [linkId]);
  return r;
};
const events = async (linkId) => Number((await sql(
  'SELECT count(*) AS n FROM check_events WHERE link_id = $1', [linkId]))[0].n);

test('counts survive a worker restart and a clean stop, and are not written before', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 100 });
  const ok = answer(p.provider_code, 10, true);

  // an hour between flushes: the workers replaced by the reload flush
  // theirs as they go, the new ones hold everything
  const before = workerPids();
  writeFileSync(CONF, `${original}stats_flush = 3600\n`);
  script('stack', ['reload']);
  assert.ok(await waitFor(() => {
    const now = workerPids();
    return now.length === workersWanted() && now.every((w) => !before.includes(w));
  }, 30000, 100), 'the workers were replaced');

  const hwids = Array.from({ length: 10 }, randomHwid);
  for (const h of hwids) assert.equal((await install(link.hash, link.code, h)).text, ok);
  for (const h of hwids.slice(0, 5)) assert.equal((await install(link.hash, link.code, h)).text, ok);
  await sleep(2500);
  assert.deepEqual(await counted(link.id), { new: 0, known: 0 }, 'counted before their flush');
  assert.equal(await events(link.id), 0);

  // each worker stopped: it writes what it holds, and is replaced
  const workers = workerPids();
  for (const w of workers) process.kill(w, 'SIGTERM');
  assert.ok(await waitFor(async () => (await counted(link.id)).new === 10, 15000, 100));
  assert.deepEqual(await counted(link.id), { new: 10, known: 5 });
  assert.equal(await events(link.id), 10);
  assert.ok(await waitFor(() => workerPids().length === workersWanted() &&
    workerPids().every((w) => !workers.includes(w)), 15000, 100), 'the workers came back');

  // a clean stop of the server: the same
  for (const h of Array.from({ length: 3 }, randomHwid))
    assert.equal((await install(link.hash, link.code, h)).text, ok);
  await sleep(1500);
  assert.deepEqual(await counted(link.id), { new: 10, known: 5 });
  const master = masterPid();
  process.kill(master, 'SIGTERM');
  assert.ok(await waitFor(() => !alive(master), 20000, 100), 'the server stopped');
  assert.deepEqual(await counted(link.id), { new: 13, known: 5 });
  assert.equal(await events(link.id), 13);

  // started again as it was: counts show within a second again
  writeFileSync(CONF, original);
  script('stack', ['start']);
  // nginx re-read its configuration: a connection kept from before may
  // be closed under the first request
  const h = randomHwid();
  assert.ok(await waitFor(() => install(link.hash, link.code, h).then((r) => r.text === ok,
    () => false), 5000, 100));
  assert.ok(await waitFor(async () => (await counted(link.id)).new === 14, 8000, 100));
});

test('a flush that PostgreSQL holds up holds no check up', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 100 });
  const ok = answer(p.provider_code, 10, true);
  const flushWaits = async () => (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE wait_event_type = 'Lock' AND query LIKE '%ll_stats_flush(%'`))[0].n;
  const client = await db().connect();
  let n = 0;
  let worst = 0;
  let seen = 0;
  try {
    // every flush begins by writing its row of stats_flushes: each now
    // waits for this lock until lock_timeout, fails and is sent again
    await client.query('BEGIN');
    await client.query('LOCK TABLE stats_flushes IN EXCLUSIVE MODE');
    const end = Date.now() + 4000;
    while (Date.now() < end && n < 90) {
      const t = Date.now();
      assert.equal((await install(link.hash, link.code, randomHwid())).text, ok);
      worst = Math.max(worst, Date.now() - t);
      n++;
      seen = Math.max(seen, await flushWaits());
      await sleep(30);
    }
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  assert.ok(seen > 0, 'no flush waited for the lock');
  assert.ok(worst < 700, `a check took ${worst} ms while a flush waited`);
  // and once the lock is gone, every check is counted once
  assert.ok(await waitFor(async () => (await counted(link.id)).new === n, 15000, 100),
    `${(await counted(link.id)).new} counted of ${n}`);
  assert.equal(await events(link.id), n);
});
