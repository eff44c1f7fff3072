// GET /healthz while PostgreSQL is stopped: 503 {"status":"db_unavailable"}
// from every worker, each answered at once, and 200 again once it is back;
// the failures show in ll_db_errors_total and the way back in
// ll_db_reconnects_total. Named to run late, since it stops the database;
// it leaves PostgreSQL running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, closeDb, pgStart, pgStop, waitFor, workersWanted } from './lib.mjs';

const WORKERS = workersWanted();

after(async () => {
  await pgStart().catch(() => {});
  await closeDb();
});

async function timed(p) {
  const at = process.hrtime.bigint();
  const r = await request(p);
  return { ...r, ms: Number(process.hrtime.bigint() - at) / 1e6 };
}

async function counter(name) {
  const r = await request('/metrics');
  const m = r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return Number(m[1]);
}

test('/healthz says db_unavailable at once while the database is down, ok when it is back', async () => {
  await closeDb();	// the tests' own pool holds no connection to stop for
  assert.equal((await request('/healthz')).status, 200);
  const errors = await counter('ll_db_errors_total');
  const reconnects = await counter('ll_db_reconnects_total');
  await pgStop();
  try {
    // enough requests to reach every worker several times: those whose
    // connection died and those already backing off
    const answers = [];
    for (let i = 0; i < WORKERS * 6; i++) answers.push(await timed('/healthz'));
    for (const r of answers) {
      assert.equal(r.status, 503, r.text);
      assert.deepEqual(r.json, { status: 'db_unavailable' });
      // generous for a loaded machine; a connect timeout would be 2 s
      assert.ok(r.ms < 1000, `answered in ${r.ms} ms`);
    }
    answers.sort((a, b) => a.ms - b.ms);
    const median = answers[answers.length >> 1].ms;
    assert.ok(median < 250, `median ${median} ms`);
    // the check fails closed meanwhile, as ever
    const c = await request('/install?id=' + 'a'.repeat(64) + '&installid=abcdefgh');
    assert.equal(c.status, 200);
    assert.equal(c.json.import, false);
    assert.ok(await counter('ll_db_errors_total') >= errors + answers.length);
  } finally {
    await pgStart();
  }
  // each worker reconnects after its backoff (2 s at most)
  assert.ok(await waitFor(async () => (await request('/healthz')).status === 200, 10000));
  const back = [];
  for (let i = 0; i < WORKERS * 4; i++) back.push((await request('/healthz')).status);
  assert.ok(back.every((s) => s === 200) || await waitFor(async () => {
    for (let i = 0; i < WORKERS * 4; i++) if ((await request('/healthz')).status !== 200) return false;
    return true;
  }, 10000), `after the restart: ${back.join(' ')}`);
  assert.ok(await counter('ll_db_reconnects_total') > reconnects);
});
