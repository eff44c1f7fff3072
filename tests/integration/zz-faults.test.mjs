// Faults: PostgreSQL going away, workers killed, reloads and graceful
// stops, all while requests flow. Named to run last, since it disrupts
// the stack; it leaves PostgreSQL running and every worker up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  install, newLink, newProvider, randomHwid, closeDb, sql, script, sleep,
  answer, UNKNOWN, bounded, waitFor, masterPid, workerPids, workersWanted,
  cpuSeconds, alive, pgStart, pgStop, fcgiConnect, VAR,
} from './lib.mjs';

const WORKERS = workersWanted();
let p, links, ok;

before(async () => {
  p = await newProvider();
  links = await Promise.all(Array.from({ length: 40 }, () => newLink(p, { limit: 100 })));
  ok = answer(p.provider_code, 10, true);
  assert.equal(workerPids().length, WORKERS);
});

after(async () => {
  // whatever happened above, hand the stack back healthy
  await pgStart().catch(() => {});
  await waitFor(() => workerPids().length === WORKERS, 10000);
  await closeDb();
});

// Requests in `lanes` loops until stop(), at most `max` in all, each
// recorded as { hwid, status, text, ms, at }. ask(i) makes the request.
function stream(ask, { lanes = 3, max = 3000, pause = 5 } = {}) {
  const results = [];
  let stopped = false;
  let n = 0;
  const done = Promise.all(Array.from({ length: lanes }, async () => {
    while (!stopped && n < max) {
      const i = n++;
      const at = Date.now();
      let r;
      try {
        r = await ask(i);
      } catch (e) {
        r = { status: 0, text: String(e) };
      }
      results.push({ ...r, ms: Date.now() - at, at });
      await sleep(pause);
    }
  }));
  return { results, stop: async () => { stopped = true; await done; return results; } };
}

// A new device on one of the links, in turn.
async function newDevice(i) {
  const link = links[i % links.length];
  const hwid = randomHwid();
  const r = await install(link.hash, link.code, hwid);
  return { hwid, link: link.id, status: r.status, text: r.text };
}

// Every request answered 200 with one of the allowed texts.
function allAnswered(results, allowed) {
  const bad = results.filter((r) => r.status !== 200 || !allowed.includes(r.text));
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${results.length} failed`);
}

async function healthy() {
  const got = await bounded(4, Array.from({ length: 24 }, (_, i) => i), newDevice);
  allAnswered(got, [ok]);
}

test('PostgreSQL stops and starts: fast refusals meanwhile, then recovery without restarts', async () => {
  const before = workerPids();
  const s = stream(newDevice, { pause: 10 });
  await sleep(700);
  await pgStop();
  const down = Date.now();
  await sleep(2500);
  const up = Date.now();
  await pgStart();
  const back = await waitFor(() => s.results.some((r) => r.at > up && r.text === ok), 10000);
  assert.ok(back, 'the check never admitted again after PostgreSQL came back');
  // past the longest reconnect backoff, every request must get in
  await sleep(2500);
  const settled = Date.now();
  await sleep(1000);
  const results = await s.stop();

  allAnswered(results, [ok, UNKNOWN]);
  const during = results.filter((r) => r.at > down + 100 && r.at + r.ms < up);
  assert.ok(during.length >= 10, `only ${during.length} requests while PostgreSQL was down`);
  allAnswered(during, [UNKNOWN]);
  const slowest = Math.max(...results.map((r) => r.ms));
  assert.ok(slowest < 3000, `a request took ${slowest} ms`);
  allAnswered(results.filter((r) => r.at > settled), [ok]);
  assert.deepEqual(workerPids(), before, 'workers were restarted');

  // every device that was told import:true is stored
  const admitted = results.filter((r) => r.text === ok);
  const rows = await sql('SELECT hwid FROM devices WHERE link_id = ANY($1::bigint[])',
    [links.map((l) => l.id)]);
  const have = new Set(rows.map((r) => r.hwid));
  const lost = admitted.filter((r) => !have.has(r.hwid));
  assert.deepEqual(lost.map((r) => r.hwid), [], `${lost.length} admitted devices lost`);
  for (const link of links) {
    const [c] = await sql(`SELECT l.install_count AS n, (SELECT count(*)::int FROM devices d
      WHERE d.link_id = l.id) AS rows FROM links l WHERE l.id = $1`, [link.id]);
    assert.equal(c.n, c.rows);
  }
});

test('after a quiet PostgreSQL restart the first requests succeed on stale connections', async () => {
  const before = workerPids();
  await healthy();
  await pgStop();
  await pgStart();
  // no traffic while it was down: every worker still holds its old
  // connection, and its first statement must reconnect and retry
  const got = await bounded(1, Array.from({ length: WORKERS * 4 }, (_, i) => i), newDevice);
  allAnswered(got, [ok]);
  assert.deepEqual(workerPids(), before);
  const log = readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8');
  assert.match(log, /connection lost during check/);
});

test('a database that stops answering mid-statement does not hang the check', async () => {
  await healthy();
  // after the restart above, a worker connects again on its next request;
  // nginx's kept connections may have sent every request so far to a few
  // workers: spread some at once until every worker is connected
  const clients = async () => (await sql(`SELECT pid FROM pg_stat_activity
    WHERE application_name = 'limited-links' AND backend_type = 'client backend'`)).map((r) => r.pid);
  let backends = [];
  for (let round = 0; round < 20 && backends.length < WORKERS; round++) {
    await bounded(WORKERS * 2, Array.from({ length: WORKERS * 4 }, (_, i) => 1000 + round * 100 + i),
      newDevice);
    backends = await clients();
  }
  assert.ok(backends.length >= WORKERS, `backends ${backends}`);
  const link = links[3];
  let r;
  const t0 = Date.now();
  try {
    for (const pid of backends) process.kill(pid, 'SIGSTOP');
    r = await install(link.hash, link.code, randomHwid());
  } finally {
    for (const pid of backends) process.kill(pid, 'SIGCONT');
  }
  const ms = Date.now() - t0;
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text === UNKNOWN || r.text === ok, r.text);
  assert.ok(ms < 8000, `the check took ${ms} ms`);
  await sleep(2500);
  await healthy();
});

test('a worker killed with SIGKILL is replaced and requests keep being answered', async () => {
  const before = workerPids();
  const victim = before[0];
  process.kill(victim, 'SIGKILL');
  const replaced = await waitFor(() => {
    const now = workerPids();
    return now.length === WORKERS && !now.includes(victim);
  }, 5000);
  assert.ok(replaced, `workers now ${workerPids()}`);
  await healthy();
  const log = readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8');
  assert.match(log, new RegExp(`worker ${victim} killed by signal 9`));
});

test('workers that crash young are respawned with a backoff, without a busy master', async () => {
  const master = masterPid();
  const cpu0 = cpuSeconds(master);
  const t0 = Date.now();
  const original = workerPids();
  const seen = new Set(original);
  let spawned = 0;
  // one worker dies, then every replacement dies as soon as it shows up
  process.kill(original[0], 'SIGKILL');
  while (Date.now() - t0 < 3000) {
    for (const pid of workerPids()) {
      if (original.includes(pid)) continue;
      if (!seen.has(pid)) { seen.add(pid); spawned++; }
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    }
    await sleep(20);
  }
  const back = await waitFor(() => workerPids().length === WORKERS, 10000);
  assert.ok(back, 'the workers did not come back');
  const cpu = cpuSeconds(master) - cpu0;
  const secs = (Date.now() - t0) / 1000;
  assert.ok(cpu < secs * 0.3, `master used ${cpu}s of CPU in ${secs}s`);
  // respawned, but backing off: far fewer spawns than 20 ms polls
  assert.ok(spawned >= 2 && spawned <= 15, `${spawned} workers spawned in 3 s`);
  await healthy();
});

test('SIGHUP replaces every worker one by one with no failed request', async () => {
  const link = links[0];
  const hwid = randomHwid();
  assert.equal((await install(link.hash, link.code, hwid)).text, ok);
  const old = workerPids();
  const s = stream(async () => {
    const r = await install(link.hash, link.code, hwid);
    return { status: r.status, text: r.text };
  }, { lanes: 3, pause: 2 });
  await sleep(300);
  script('stack', ['reload']);
  const replaced = await waitFor(() => {
    const now = workerPids();
    return now.length === WORKERS && now.every((pid) => !old.includes(pid));
  }, 15000);
  await sleep(300);
  const results = await s.stop();
  assert.ok(replaced, `old ${old}, now ${workerPids()}`);
  assert.ok(results.length > 50, `only ${results.length} requests`);
  allAnswered(results, [ok]);
});

test('SIGTERM lets a worker finish the request in hand', async () => {
  await healthy();
  // a stopping worker writes the counts it holds: let the checks above be
  // flushed (stats_flush is 1 s here), so that the idle workers have
  // nothing to write to the database frozen below on their way out
  await sleep(2000);
  const link = links[1];
  const hwid = randomHwid();
  const backends = (await sql(`SELECT pid FROM pg_stat_activity
    WHERE application_name = 'limited-links' AND backend_type = 'client backend'`)).map((r) => r.pid);
  let pending;
  try {
    // a database that does not answer keeps the check inside the worker
    // (a held row lock would not: the check gives up after lock_timeout)
    for (const pid of backends) process.kill(pid, 'SIGSTOP');
    pending = install(link.hash, link.code, hwid);
    await sleep(300);
    const old = workerPids();
    for (const pid of old) process.kill(pid, 'SIGTERM');
    // the idle ones stop once nginx has closed the connections they
    // hold (its upstream keepalive_timeout, 1 s)
    assert.ok(await waitFor(() => old.filter(alive).length === 1, 3000),
      'the busy worker did not wait for its request');
    for (const pid of backends) process.kill(pid, 'SIGCONT');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.text, ok);
    const gone = await waitFor(() => old.every((pid) => !alive(pid)), 5000);
    assert.ok(gone, 'a worker did not stop after its request');
  } finally {
    for (const pid of backends) {
      try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
    }
  }
  const [row] = await sql('SELECT 1 AS x FROM devices WHERE link_id = $1 AND hwid = $2',
    [link.id, hwid]);
  assert.ok(row, 'the admitted device is not stored');
  assert.ok(await waitFor(() => workerPids().length === WORKERS, 5000));
});

// SIGTERM while a worker has accepted a connection but not yet read the
// whole request: the request must still be answered.
async function termMidRead(sendBeginFirst) {
  const link = links[2];
  const c = fcgiConnect({
    REQUEST_METHOD: 'GET', DOCUMENT_URI: '/install',
    QUERY_STRING: `id=${link.hash}&installid=${link.code}`, HTTP_X_HWID: randomHwid(),
  });
  await c.connected;
  if (sendBeginFirst) c.sendBegin();
  await sleep(200);
  const old = workerPids();
  for (const pid of old) process.kill(pid, 'SIGTERM');
  await sleep(200);
  if (!sendBeginFirst) c.sendBegin();
  c.sendRest();
  const out = await Promise.race([c.response, sleep(5000).then(() => 'timeout')]);
  c.close();
  assert.equal(out, `Status: 200 OK\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${ok.length}\r\n\r\n${ok}`);
  assert.ok(await waitFor(() => old.every((pid) => !alive(pid)), 5000));
  assert.ok(await waitFor(() => workerPids().length === WORKERS, 5000));
}

test('SIGTERM right after accept does not drop the connection', () => termMidRead(false));
test('SIGTERM while the request is being read does not drop it', () => termMidRead(true));

test('a worker stuck in a request is killed after stop_timeout and the reload completes', async () => {
  const conf = path.join(VAR, 'limited-links.conf');
  const saved = readFileSync(conf, 'utf8');
  // a client that starts a request and never finishes it holds a worker
  const c = fcgiConnect({ REQUEST_METHOD: 'GET', DOCUMENT_URI: '/provider', QUERY_STRING: '' });
  await c.connected;
  c.sendBegin();
  await sleep(200);
  const old = workerPids();
  try {
    writeFileSync(conf, `${saved.replace(/^stop_timeout.*$/m, '')}\nstop_timeout = 1\n`);
    script('stack', ['reload']);
    const replaced = await waitFor(() => {
      const now = workerPids();
      return now.length === WORKERS && now.every((pid) => !old.includes(pid));
    }, 15000);
    assert.ok(replaced, `old ${old}, now ${workerPids()}`);
    assert.equal(await c.response, null);
    const log = readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8');
    assert.match(log, /did not stop in 1 s, killing it/);
  } finally {
    c.close();
    writeFileSync(conf, saved);
  }
  const now = workerPids();
  script('stack', ['reload']);
  assert.ok(await waitFor(() => workerPids().length === WORKERS &&
    workerPids().every((pid) => !now.includes(pid)), 15000));
  await healthy();
});

test('workers stopped one by one mid-stream drop no request', async () => {
  const s = stream(newDevice, { lanes: 4, pause: 0 });
  for (let i = 0; i < WORKERS * 2; i++) {
    await sleep(150);
    const pids = workerPids();
    try {
      if (pids.length > 0) process.kill(pids[i % pids.length], 'SIGTERM');
    } catch (e) {
      // one stopped before: it may have exited since the listing
      if (e.code !== 'ESRCH') throw e;
    }
  }
  await sleep(300);
  const results = await s.stop();
  assert.ok(results.length > 50, `only ${results.length} requests`);
  allAnswered(results, [ok]);
  assert.ok(await waitFor(() => workerPids().length === WORKERS, 5000));
});

test('the stack is left healthy', async () => {
  assert.equal(workerPids().length, WORKERS);
  await healthy();
});

test('every line the server logged is one stamped event', () => {
  const log = readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8');
  const stray = log.split('\n').filter((l) => l !== '' &&
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[\d+\] (debug|info|warn|error): \S/.test(l));
  assert.deepEqual(stray.slice(0, 5), []);
});
