// Two server instances over TCP behind one nginx (nginx/upstream-tcp.conf
// and the shared snippets), PostgreSQL the one source of truth. Under a
// load of 64 connections, a worker of one instance is killed mid-check
// and the other instance is stopped: no check fails, and no API call runs
// twice. Then one instance stalls: a check sent to it is asked again of
// the other and answered, an API call sent to it is never run again on
// the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PORT, ROOT, STACK_USER, VAR, AS_ROOT, alive, answer, asStackUser, bounded,
  closeDb, install, isSender, newLink, newProvider, randomCode, randomHwid, sleep, sql,
  waitFor,
} from './lib.mjs';
import { failures, startLoad } from './load.mjs';

// nginx's configuration and the instances' independence are under test,
// not the build: once is enough
const SKIP = process.env.LL_BUILD === 'asan' ? 'runs with the release build only' : false;
const PORTS = { a: Number(PORT) + 21, b: Number(PORT) + 22 };
const NGINX = Number(PORT) + 23;
const BASE2 = `http://127.0.0.1:${NGINX}`;
let dir;
const started = [];	// pids of what this test started
let p, link, hwid, ok;
let aStopped = 0;	// when instance a stopped

const uid = (flag) => Number(execFileSync('id', [flag, STACK_USER], { encoding: 'utf8' }));
const pidOf = (name) => Number(readFileSync(path.join(dir, 'run', `${name}.pid`), 'utf8'));
const workersOf = (name) => {
  try {
    return execFileSync('pgrep', ['-P', String(pidOf(name))], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map(Number).filter((pid) => !isSender(pid));
  } catch { return []; }
};

// One instance: the stack's binary, database and secret, its own port.
async function startInstance(name) {
  const conf = path.join(dir, `${name}.conf`);
  const stack = readFileSync(path.join(VAR, 'limited-links.conf'), 'utf8');
  const database = /^database = (.*)$/m.exec(stack)[1];
  writeFileSync(conf, [`listen = tcp:127.0.0.1:${PORTS[name]}`, 'workers = 2',
    `pid_file = ${path.join(dir, 'run', `${name}.pid`)}`, `database = ${database}`,
    `secret_file = ${path.join(VAR, 'secret.key')}`, 'log_level = 1', ''].join('\n'));
  const cmd = ['setsid', path.join(VAR, 'bin/limited-links'), '-c', conf, 'serve'];
  const argv = AS_ROOT ? ['runuser', '-u', STACK_USER, '--', ...cmd] : cmd;
  const log = openSync(path.join(dir, `${name}.log`), 'a');
  spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', log, log] }).unref();
  closeSync(log);
  assert.ok(await waitFor(() => {
    try { return workersOf(name).length === 2; } catch { return false; }
  }, 10000), `instance ${name} did not start: ${readFileSync(path.join(dir, `${name}.log`), 'utf8')}`);
  started.push(pidOf(name));
}

before(async () => {
  if (SKIP) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'll-scale-out-'));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'run'));
  mkdirSync(path.join(dir, 'nginx'));
  mkdirSync(path.join(dir, 'nginx/tmp'));
  for (const f of ['server', 'fastcgi', 'fail-closed', 'check', 'api', 'account'])
    copyFileSync(path.join(ROOT, 'nginx', `${f}.conf`), path.join(dir, 'nginx', `${f}.conf`));
  // the shipped upstream, with the instances' addresses
  const upstream = readFileSync(path.join(ROOT, 'nginx/upstream-tcp.conf'), 'utf8');
  for (const a of ['10.0.0.5:9000', '10.0.0.6:9000'])
    assert.ok(upstream.includes(a), `upstream-tcp.conf no longer names ${a}`);
  writeFileSync(path.join(dir, 'nginx/upstream.conf'), upstream
    .replace('10.0.0.5:9000', `127.0.0.1:${PORTS.a}`).replace('10.0.0.6:9000', `127.0.0.1:${PORTS.b}`));
  const n = path.join(dir, 'nginx');
  writeFileSync(path.join(n, 'nginx.conf'), `
worker_processes  1;
worker_rlimit_nofile  8192;
pid        ${n}/nginx.pid;
error_log  ${n}/error.log warn;
events { worker_connections 4096; }
http {
    # which instances answered each request (two when nginx asked again)
    log_format  scale  '$request_uri $status "$upstream_addr"';
    access_log  ${n}/access.log scale;
    client_body_temp_path  ${n}/tmp/body;
    fastcgi_temp_path      ${n}/tmp/fastcgi;
    proxy_temp_path        ${n}/tmp/proxy;
    uwsgi_temp_path        ${n}/tmp/uwsgi;
    scgi_temp_path         ${n}/tmp/scgi;
    # all the load comes from 127.0.0.1: nothing is limited here
    map $uri $ll_unlimited { default ""; }
    limit_req_zone  $ll_unlimited  zone=ll_check:1m   rate=1r/s;
    limit_req_zone  $ll_unlimited  zone=ll_api:1m     rate=1r/s;
    limit_req_zone  $ll_unlimited  zone=ll_signin:1m  rate=1r/m;
    include  upstream.conf;
    server {
        listen  127.0.0.1:${NGINX};
        include  server.conf;
        include  fastcgi.conf;
        include  fail-closed.conf;
        include  check.conf;
        include  api.conf;
        include  account.conf;
    }
}
`);
  if (AS_ROOT) {
    for (const d of ['run', 'nginx', 'nginx/tmp']) chownSync(path.join(dir, d), uid('-u'), uid('-g'));
  }
  await startInstance('a');
  await startInstance('b');
  const r = asStackUser(['nginx', '-p', n, '-c', path.join(n, 'nginx.conf'), '-e', path.join(n, 'error.log')]);
  assert.equal(r.status, 0, r.stderr);
  started.push(Number(readFileSync(path.join(n, 'nginx.pid'), 'utf8')));

  p = await newProvider();
  link = await newLink(p, { limit: 3 });
  hwid = randomHwid();
  ok = answer(p.provider_code, 10, true);
  assert.equal((await install(link.hash, link.code, hwid)).text, ok);
});

after(async () => {
  if (SKIP) return;
  for (const pid of started) {
    try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
  await waitFor(() => started.every((pid) => !alive(pid)), 15000);
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

// An API call through the scale-out nginx, with a note of its own.
async function addInstall(note) {
  const q = new URLSearchParams({ provider_code: p.provider_code, auth_key: p.auth_key,
    install_limit: '1', note });
  try {
    const r = await fetch(`${BASE2}/api/add-install?${q}`);
    return { status: r.status, text: await r.text() };
  } catch (e) {
    return { status: 0, text: String(e) };
  }
}
async function checkOnce() {
  const r = await fetch(`${BASE2}/install?id=${link.hash}&installid=${link.code}`,
    { headers: { 'X-HWID': hwid } });
  return { status: r.status, text: await r.text() };
}
const accessLog = () => readFileSync(path.join(dir, 'nginx/access.log'), 'utf8')
  .split('\n').filter(Boolean);
const UNAVAILABLE = '{"rc":0,"msg":"Server unavailable, try again"}';
const notesTwice = async (tag) => sql(`SELECT note, count(*)::int AS n FROM links
  WHERE provider_id = $1 AND note LIKE $2 GROUP BY note HAVING count(*) > 1`, [p.id, `${tag}%`]);

test('a worker killed mid-check and an instance stopped under load: no check fails, no call runs twice', { skip: SKIP }, async () => {
  const load = startLoad(BASE2, hwid, [
    [`/install?id=${link.hash}&installid=${link.code}`, ok],
    [`/provider?id=${p.provider_code}`, '{"status":1}'],
  ], { pause: 5 });
  const tag = `load-${randomCode(6)}-`;
  let n = 0;
  let writing = true;
  const answers = [];
  const writer = bounded(4, Array.from({ length: 4 }), async () => {
    while (writing && n < 2000) {
      const note = `${tag}${n++}`;
      answers.push({ note, ...(await addInstall(note)) });
    }
  });
  let r;
  try {
    await sleep(1500);
    // a worker of b dies in whatever it is doing, most likely a check
    process.kill(workersOf('b')[0], 'SIGKILL');
    await sleep(1000);
    // a stops: it finishes what it holds, then leaves b alone
    const a = pidOf('a');
    process.kill(a, 'SIGTERM');
    assert.ok(await waitFor(() => !alive(a), 15000), 'instance a did not stop');
    aStopped = Date.now();
    await sleep(1500);
  } finally {
    writing = false;
    await writer;
    r = await load.stop();
  }
  assert.equal(failures(r), 0, `failed checks: ${JSON.stringify(r)}`);
  assert.ok(r.requests > 500, `too little load: ${r.requests}`);
  assert.ok(answers.length > 20, `too few API calls: ${answers.length}`);
  const done = answers.filter((x) => x.status === 200 && JSON.parse(x.text).rc === 1);
  const unavailable = answers.filter((x) => x.text === UNAVAILABLE);
  assert.equal(done.length + unavailable.length, answers.length,
    JSON.stringify(answers.filter((x) => !done.includes(x) && !unavailable.includes(x)).slice(0, 3)));
  // every call acknowledged made its link, and no call made two
  const [{ n: made }] = await sql(`SELECT count(*)::int AS n FROM links
    WHERE provider_id = $1 AND note LIKE $2`, [p.id, `${tag}%`]);
  assert.ok(made >= done.length && made <= answers.length, `${made} links for ${answers.length} calls`);
  assert.deepEqual(await notesTwice(tag), []);
});

test('a stalled instance: the check is asked of the other, an API call never is', { skip: SKIP }, async () => {
  // a again, once nginx tries it again: it failed while stopped, and an
  // instance that failed is left alone for fail_timeout (10 s)
  await startInstance('a');
  await sleep(Math.max(0, aStopped + 10500 - Date.now()));
  const atA = `127.0.0.1:${PORTS.a}`;
  let mark = accessLog().length;
  assert.ok(await waitFor(async () => {
    await checkOnce();
    return accessLog().slice(mark).some((l) => l.endsWith(`"${atA}"`));
  }, 15000, 200), 'nginx does not send to instance a again');
  mark = accessLog().length;
  const stalled = workersOf('a');
  assert.equal(stalled.length, 2);
  const tag = `stall-${randomCode(6)}-`;
  let calls, checks;
  try {
    for (const pid of stalled) process.kill(pid, 'SIGSTOP');
    // nginx takes turns: about half of each go to the stalled instance
    [calls, checks] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, (_, i) => addInstall(`${tag}${i}`))),
      Promise.all(Array.from({ length: 6 }, () => checkOnce())),
    ]);
  } finally {
    for (const pid of stalled) process.kill(pid, 'SIGCONT');
  }
  for (const r of checks) {
    assert.equal(r.status, 200);
    assert.equal(r.text, ok, 'a check sent to the stalled instance was answered by the other');
  }
  const asked = accessLog().slice(mark).filter((l) => l.startsWith('/install?'));
  assert.ok(asked.some((l) => l.endsWith(`200 "${atA}, 127.0.0.1:${PORTS.b}"`)),
    `no check was asked again of the other instance:\n${asked.join('\n')}`);
  const done = calls.filter((r) => JSON.parse(r.text).rc === 1);
  const unavailable = calls.filter((r) => r.text === UNAVAILABLE);
  assert.equal(done.length + unavailable.length, calls.length, JSON.stringify(calls));
  assert.ok(unavailable.length > 0, 'no call went to the stalled instance');
  // the stalled instance runs what it was sent once it resumes; had nginx
  // sent those calls to the other as well, their notes would be there twice
  await sleep(1500);
  assert.deepEqual(await notesTwice(tag), []);
});
