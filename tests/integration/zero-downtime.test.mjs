// Changes to a live stack under load, each with zero failed requests: a
// reload of the configuration (SIGHUP), a new build (scripts/stack start
// upgrades the master in place: SIGUSR2), and a new migration applied to
// the live database. wrk keeps 64 connections busy for the whole test;
// every answer must be HTTP 200 with the body a healthy stack gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BASE, ROOT, VAR, answer, closeDb, install, masterPid, newLink, newProvider, randomHwid,
  script, sleep, sql, waitFor, workerPids, workersWanted,
} from './lib.mjs';
import { failures, startLoad } from './load.mjs';

const MIGRATION = '990_zero_downtime_probe';
let p, link, hwid, tmp;

before(async () => {
  p = await newProvider();
  link = await newLink(p, { limit: 5 });
  hwid = randomHwid();
  const r = await install(link.hash, link.code, hwid);
  assert.equal(r.text, answer(p.provider_code, 10, true));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'll-zero-downtime-'));
});

after(async () => {
  // leave the database as it was found: the next run (the sanitizer
  // build's, on the same cluster) applies the migration again
  await sql(`DROP TABLE IF EXISTS zero_downtime_probe;
    DROP FUNCTION IF EXISTS ll_zero_downtime_probe();
    DELETE FROM schema_migrations WHERE version = '${MIGRATION}'`).catch(() => {});
  await closeDb();
  rmSync(tmp, { recursive: true, force: true });
});

const exeIno = (pid) => statSync(`/proc/${pid}/exe`).ino;
const binIno = () => statSync(path.join(VAR, 'bin/limited-links')).ino;

test('a reload, an upgrade and a migration under load fail no request', async () => {
  const WORKERS = workersWanted();
  const load = startLoad(BASE, hwid, [
    [`/install?id=${link.hash}&installid=${link.code}`, answer(p.provider_code, 10, true)],
    [`/provider?id=${p.provider_code}`, '{"status":1}'],
    [`/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`,
      '{"rc":1,"msg":"Ok","data":[*'],
  ]);
  let stopped = false;
  try {
    await sleep(1000);

    // 1. the configuration, re-read: every worker replaced
    const first = workerPids();
    script('stack', ['reload']);
    assert.ok(await waitFor(() => {
      const now = workerPids();
      return now.length === WORKERS && now.every((pid) => !first.includes(pid));
    }, 30000), 'the reload replaced every worker');
    await sleep(500);

    // 2. a new build: scripts/stack start execs it in the running master
    const master = masterPid();
    const build = path.join(tmp, 'limited-links');
    copyFileSync(path.join(VAR, 'bin/limited-links'), build);
    appendFileSync(build, Buffer.from([0]));	// another file, the same program
    const second = workerPids();
    const out = execFileSync(path.join(ROOT, 'scripts/stack'), ['start'],
      { env: { ...process.env, LL_BINARY: build }, encoding: 'utf8' });
    assert.match(out, /upgrading the workers to the new build/);
    assert.equal(masterPid(), master, 'the master kept its pid');
    assert.equal(exeIno(master), binIno(), 'the master runs the new build');
    const third = workerPids();
    assert.equal(third.length, WORKERS);
    for (const pid of third) {
      assert.ok(!second.includes(pid), `worker ${pid} is one of the old build's`);
      assert.equal(exeIno(pid), binIno(), `worker ${pid} runs the new build`);
    }
    await sleep(500);

    // 3. a migration as a release brings one: a table, an index, a
    // function; applied by scripts/migrate to the live database
    const sqlDir = path.join(tmp, 'sql');
    execFileSync('cp', ['-R', path.join(ROOT, 'sql'), sqlDir]);
    writeFileSync(path.join(sqlDir, `${MIGRATION}.sql`), `
      CREATE TABLE zero_downtime_probe (link_id bigint REFERENCES links, n int NOT NULL DEFAULT 0);
      CREATE INDEX zero_downtime_probe_link ON zero_downtime_probe (link_id);
      CREATE FUNCTION ll_zero_downtime_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';
    `);
    execFileSync(path.join(ROOT, 'scripts/migrate'), [],
      { env: { ...process.env, LL_SQL: sqlDir }, encoding: 'utf8' });
    const [row] = await sql('SELECT count(*)::int AS n FROM schema_migrations WHERE version = $1',
      [MIGRATION]);
    assert.equal(row.n, 1, 'the migration was applied');
    await sleep(1000);

    const r = await load.stop();
    stopped = true;
    assert.equal(failures(r), 0, `failed requests under load: ${JSON.stringify(r)}`);
    assert.ok(r.requests > 500, `too little load to prove anything: ${r.requests} requests`);
  } finally {
    if (!stopped) await load.stop().catch(() => {});
  }
});

test('a new build that refuses the configuration leaves the old one serving', async () => {
  const master = masterPid();
  const running = exeIno(master);
  const workers = workerPids();
  const bad = path.join(tmp, 'refusing');
  writeFileSync(bad, '#!/bin/sh\necho "refusing: $*" >&2\nexit 3\n', { mode: 0o755 });
  // what scripts/stack start would copy, sent straight to the master
  const live = path.join(VAR, 'bin/limited-links');
  const keep = path.join(tmp, 'keep');
  copyFileSync(live, keep);
  const log = path.join(VAR, 'log/limited-links.log');
  const mark = statSync(log).size;
  try {
    execFileSync('sh', ['-c', 'cp "$1" "$2.new" && mv -f "$2.new" "$2"', 'sh', bad, live]);
    process.kill(master, 'SIGUSR2');
    assert.ok(await waitFor(() => /master: upgrade refused/.test(readFileSync(log)
      .subarray(mark).toString()), 20000), 'the master says it refused');
    // and why, in its own stamped line: what the new binary said
    const said = readFileSync(log).subarray(mark).toString().split('\n').filter(Boolean);
    assert.ok(said.some((l) => /^\S+Z \[\d+\] error: upgrade: .* refuses .*: refusing: -c .* check-config$/.test(l)),
      said.join('\n'));
    assert.equal(masterPid(), master);
    assert.equal(exeIno(master), running, 'the master still runs its build');
    assert.deepEqual(workerPids(), workers, 'no worker was touched');
    const r = await install(link.hash, link.code, hwid);
    assert.equal(r.text, answer(p.provider_code, 10, true));
  } finally {
    execFileSync('sh', ['-c', 'cp "$1" "$2.new" && mv -f "$2.new" "$2"', 'sh', keep, live]);
  }
  // with the good build back, a SIGHUP sees a new binary and upgrades
  process.kill(master, 'SIGHUP');
  assert.ok(await waitFor(() => exeIno(master) === binIno(), 20000),
    'a SIGHUP with a new binary installed upgrades');
  assert.ok(await waitFor(() => {
    const now = workerPids();
    return now.length === workers.length && now.every((pid) => !workers.includes(pid));
  }, 30000), 'the upgrade replaced every worker');
});
