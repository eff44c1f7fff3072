// scripts/stack on a stack of its own (its own folder, cluster and port,
// so that the suite's stack is untouched): it says "up" only when the
// nginx answering is the one it just configured, and nothing the stack's
// user plants in its own folders (a log that is a link, a pid file naming
// another process) makes root write a file or signal a process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AS_ROOT, ROOT, VAR, alive, asStackUser, sleep, waitFor } from './lib.mjs';

// the scripts are under test here, not the build: once is enough
const SKIP = process.env.LL_BUILD === 'asan' ? 'runs with the release build only' : false;
const ROOTS = { skip: SKIP || (AS_ROOT ? false : 'plants files as the stack\'s user for root') };
const SVAR = `${VAR}-stack`;
let portA;
let holder;		// another server, on portB
let portB;
const leftovers = new Set();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// scripts/stack CMD on the separate stack, nginx on port: { status, out }.
// Its output goes to a file, not a pipe: whatever it leaves running must
// not keep the test waiting for the pipe to close.
function stack(cmd, port = portA) {
  const file = `${SVAR}.out`;
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(path.join(ROOT, 'scripts/stack'), [cmd], {
      stdio: ['ignore', fd, fd], timeout: 120000,
      env: { ...process.env, LL_VAR: SVAR, LL_PORT: String(port), LL_WORKERS: '1', LL_BINARY: '' },
    });
    return { status: r.status, out: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
  }
}
const pidOf = (name) => Number(readFileSync(path.join(SVAR, 'run', name), 'utf8').trim());

before(async () => {
  if (SKIP) return;
  rmSync(SVAR, { recursive: true, force: true });
  portA = await freePort();
  const r = stack('start');
  assert.equal(r.status, 0, r.out);
  leftovers.add(pidOf('fcgi.pid')).add(pidOf('nginx.pid'));
  // another server that answers 200 to anything, as a stray one might; a
  // process of its own, since this one waits for the scripts
  holder = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('ok\\n'))
    .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  portB = await new Promise((resolve, reject) => {
    holder.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    holder.once('exit', () => reject(new Error('the other server did not start')));
  });
});

after(async () => {
  if (SKIP) return;
  holder?.kill();
  stack('stop');
  // whatever of the separate stack is still running (and nothing else)
  for (const pid of leftovers) {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (cmd.includes(SVAR)) process.kill(pid, 'SIGKILL');
  }
  rmSync(SVAR, { recursive: true, force: true });
  rmSync(`${SVAR}.out`, { force: true });
});

test('start fails, naming the port, when nginx cannot take a port another server holds', { skip: SKIP }, () => {
  // nginx runs, so this is a reload; the old nginx keeps serving portA
  let r = stack('start', portB);
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, new RegExp(`127\\.0\\.0\\.1:${portB}`));
  assert.match(r.out, /Address already in use/);
  assert.doesNotMatch(r.out, /is up on/);
  // and when nginx is not running at all
  stack('stop');
  r = stack('start', portB);
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, new RegExp(`127\\.0\\.0\\.1:${portB}.*Address already in use`));
  assert.doesNotMatch(r.out, /is up on/);
});

test('a log planted as a link makes root write nothing through it', ROOTS, async () => {
  stack('stop');
  const target = path.join(SVAR, 'target');
  writeFileSync(target, 'root\'s file\n', { mode: 0o644 });
  const log = path.join(SVAR, 'log/limited-links.log');
  assert.equal(asStackUser(['ln', '-sf', target, log]).status, 0);
  const r = stack('start');
  assert.equal(readFileSync(target, 'utf8'), 'root\'s file\n', r.out);
  assert.equal(statSync(target).uid, 0);
  assert.equal(asStackUser(['rm', '-f', log]).status, 0);
  const again = stack('start');
  assert.equal(again.status, 0, again.out);
  assert.match(readFileSync(log, 'utf8'), /master: listening/);
});

test('a pid file naming another process makes root signal nothing', ROOTS, async () => {
  const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  let died = null;
  sleeper.on('exit', (code, sig) => { died = sig || code; });
  const fcgi = pidOf('fcgi.pid');
  const nginx = pidOf('nginx.pid');
  leftovers.add(fcgi).add(nginx);
  const plant = (name, pid) => assert.equal(asStackUser(['sh', '-c',
    `echo ${pid} >"${path.join(SVAR, 'run', name)}"`]).status, 0);
  try {
    plant('fcgi.pid', sleeper.pid);
    let r = stack('reload');
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /does not name this stack's fcgi/);
    plant('nginx.pid', sleeper.pid);
    r = stack('stop');
    assert.match(r.out, /ignoring .*nginx\.pid/);
    await sleep(300);
    assert.equal(died, null, 'the process named by the planted pid was signalled');
    assert.ok(alive(fcgi) && alive(nginx), 'the stack\'s own processes were left alone');
    // a pid that is the stack's user's but not the stack's program
    const other = asStackUser(['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!']);
    const otherPid = Number(other.stdout.trim());
    try {
      plant('fcgi.pid', otherPid);
      r = stack('reload');
      assert.notEqual(r.status, 0, r.out);
      assert.ok(alive(otherPid));
    } finally {
      process.kill(otherPid, 'SIGKILL');
    }
  } finally {
    // hand the real pids back, and stop the stack through them
    plant('fcgi.pid', fcgi);
    plant('nginx.pid', nginx);
    sleeper.kill('SIGKILL');
  }
  const r = stack('stop');
  assert.equal(r.status, 0, r.out);
  assert.ok(await waitFor(() => !alive(fcgi) && !alive(nginx), 5000));
});
