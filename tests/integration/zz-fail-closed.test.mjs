// nginx's answers while the workers are gone or stalled (502, 504) reach
// each caller in its own shape: the app's check must see HTTP 200 and
// import:false, never an error it would take for "not restricted". Named
// to run late, since it stops the workers; it leaves them running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import {
  VAR, UNKNOWN, alive, answer, closeDb, install, masterPid, newLink, newProvider, randomCode,
  randomHwid, request, sha256hex, waitFor, workerPids, workersWanted,
} from './lib.mjs';

const WORKERS = workersWanted();
after(closeDb);

// Starts the prefork master as scripts/stack does: as the stack's user, in
// its own session, logging to the server's log.
function startMaster() {
  const cmd = ['setsid', path.join(VAR, 'bin/limited-links'), '-c',
    path.join(VAR, 'limited-links.conf'), 'serve'];
  const argv = process.getuid() === 0 ? ['runuser', '-u', 'limitedlinks', '--', ...cmd] : cmd;
  const log = openSync(path.join(VAR, 'log/limited-links.log'), 'a');
  spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', log, log] }).unref();
  closeSync(log);
}

// One request to each caller that nginx must answer itself; none of them
// may change anything, so an unknown link and a wrong key.
function askAll() {
  const hash = sha256hex(`nowhere-${randomCode(6)}.example`);
  return Promise.all([
    install(hash, randomCode(12), randomHwid()),
    request(`/api/list-domain?provider_code=${randomCode(8)}&auth_key=${randomCode(32)}`),
    request(`/provider?id=${randomCode(8)}`),
  ]);
}
function inShape([check, api, provider], apiMsg) {
  for (const r of [check, api, provider]) {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/json');
  }
  assert.equal(check.text, UNKNOWN);
  assert.equal(api.text, JSON.stringify({ rc: 0, msg: apiMsg }));
  assert.equal(provider.text, '{"status":0}');
}

test('with the workers stopped, nginx\'s 502 is answered in each caller\'s shape', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 10 });
  const master = masterPid();
  process.kill(master, 'SIGTERM');
  try {
    assert.ok(await waitFor(() => !alive(master), 15000), 'the master did not stop');
    inShape(await askAll(), 'Server unavailable, try again');
    // a real device of a real link is refused too, and nothing is stored
    const r = await install(link.hash, link.code, randomHwid());
    assert.equal(r.status, 200);
    assert.equal(r.text, UNKNOWN);
    // the account keeps nginx's own page
    assert.equal((await request('/account/')).status, 502);
  } finally {
    startMaster();
    assert.ok(await waitFor(() => {
      try { return masterPid() !== master && workerPids().length === WORKERS; } catch { return false; }
    }, 15000), 'the workers did not come back');
  }
  const ok = await waitFor(async () =>
    (await install(link.hash, link.code, randomHwid())).text === answer(p.provider_code, 10, true), 5000);
  assert.ok(ok, 'the check does not admit again');
});

test('with the workers stalled past fastcgi_read_timeout, nginx\'s 504 is answered in each caller\'s shape', async () => {
  const pids = workerPids();
  assert.equal(pids.length, WORKERS);
  let got;
  try {
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    // nginx connects (the socket's backlog takes it), then waits 10 s
    got = await askAll();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
  inShape(got, 'Server unavailable, try again');
  assert.deepEqual(workerPids(), pids);
});
