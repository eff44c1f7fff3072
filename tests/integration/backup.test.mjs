// scripts/backup and scripts/restore, round trip: a populated database and
// its secret are backed up from the test stack and restored into a second
// stack made anew (its own cluster, passwords and secret, as on a new
// machine). Through the second stack's nginx, the old auth key still
// works, known devices are still admitted and the limits still hold. A
// restore over a database that holds data is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  PORT, ROOT, VAR, answer, asProvider, closeDb, install, newProvider, randomHwid, sha256hex,
  randomCode,
} from './lib.mjs';

// the scripts are under test here, not the build: once is enough
const SKIP = process.env.LL_BUILD === 'asan' ? 'runs with the release build only' : false;
const RVAR = `${VAR}-restore`;
const RPORT = Number(PORT) + 31;
const RBASE = `http://127.0.0.1:${RPORT}`;
const BACKUPS = `${VAR}-backups`;
let p, hash, full, roomy, devices;

// A script against the second stack (or, with env {}, the test stack):
// { status, out }. Output goes to a file: what it starts must not hold a pipe.
function run(name, args = [], env = { LL_VAR: RVAR, LL_PORT: String(RPORT), LL_WORKERS: '1' }) {
  const file = `${RVAR}.out`;
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(path.join(ROOT, 'scripts', name), args,
      { stdio: ['ignore', fd, fd], timeout: 180000, env: { ...process.env, LL_BINARY: '', ...env } });
    return { status: r.status, out: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

// The check on the second stack.
async function check(link, hwid) {
  const r = await fetch(`${RBASE}/install?id=${hash}&installid=${link.code}`,
    { headers: { 'X-HWID': hwid } });
  return r.text();
}

before(async () => {
  if (SKIP) return;
  rmSync(RVAR, { recursive: true, force: true });
  rmSync(BACKUPS, { recursive: true, force: true });
  // a provider with a domain and two links through the API, devices through the check
  p = await newProvider();
  const api = asProvider(p);
  const domain = `sub-${randomCode(6).toLowerCase()}.example.com`;
  hash = sha256hex(domain);
  assert.equal((await api('add-domain', { domain_hash: hash })).json.rc, 1);
  const add = async (limit) => {
    const r = await api('add-install', { install_limit: String(limit), note: `limit ${limit}` });
    assert.equal(r.json.rc, 1, r.text);
    return { id: r.json.id, code: r.json.install_code };
  };
  full = await add(2);
  roomy = await add(3);
  devices = [randomHwid(), randomHwid(), randomHwid()];
  const ok = answer(p.provider_code, 10, true);
  for (const [link, hwid] of [[full, devices[0]], [full, devices[1]], [roomy, devices[2]]])
    assert.equal((await install(hash, link.code, hwid)).text, ok);
  assert.equal((await install(hash, full.code, randomHwid())).text, answer(p.provider_code, 10, false));
});

after(async () => {
  if (SKIP) return;
  run('stack', ['stop']);
  rmSync(RVAR, { recursive: true, force: true });
  rmSync(`${RVAR}.out`, { force: true });
  rmSync(BACKUPS, { recursive: true, force: true });
  await closeDb();
});

test('backup, then restore on a new stack: old auth keys work, devices are admitted, limits hold', { skip: SKIP }, async () => {
  const b = run('backup', [BACKUPS], {});
  assert.equal(b.status, 0, b.out);
  const [dump, key] = b.out.trim().split('\n');
  assert.match(path.basename(dump), /^limited-links-\d{8}T\d{6}Z\.dump$/);
  assert.equal(key, dump.replace(/\.dump$/, '.secret.key'));
  for (const f of [dump, key]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  assert.equal(readFileSync(dump).subarray(0, 5).toString(), 'PGDMP');
  assert.equal(readFileSync(key, 'utf8'), readFileSync(path.join(VAR, 'secret.key'), 'utf8'));

  // a new machine: a new cluster, new passwords, a secret of its own
  const s = run('stack', ['start']);
  assert.equal(s.status, 0, s.out);
  assert.notEqual(readFileSync(path.join(RVAR, 'secret.key'), 'utf8'),
    readFileSync(key, 'utf8'));
  const r = run('restore', [dump]);
  assert.equal(r.status, 0, r.out);
  assert.equal(readFileSync(path.join(RVAR, 'secret.key'), 'utf8'), readFileSync(key, 'utf8'));

  // the old key, through the new stack (the workers reconnect on their own)
  const auth = `provider_code=${p.provider_code}&auth_key=${p.auth_key}`;
  let list;
  for (let i = 0; i < 50; i++) {
    list = await (await fetch(`${RBASE}/api/list-install?${auth}`)).json();
    if (list.rc === 1) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(list.rc, 1, JSON.stringify(list));
  const counts = Object.fromEntries(list.data.map((l) => [l.install_code, [l.install_count, l.install_limit]]));
  assert.deepEqual(counts, { [full.code]: [2, 2], [roomy.code]: [1, 3] });
  const hw = await (await fetch(`${RBASE}/api/list-hwid?${auth}&install_code=${full.code}`)).json();
  assert.deepEqual(hw.data.map((d) => d.hwid).sort(), devices.slice(0, 2).sort());

  const ok = answer(p.provider_code, 10, true);
  const no = answer(p.provider_code, 10, false);
  assert.equal(await check(full, devices[0]), ok, 'a known device is admitted again');
  assert.equal(await check(full, devices[1]), ok);
  assert.equal(await check(full, randomHwid()), no, 'the limit still holds');
  assert.equal(await check(roomy, devices[2]), ok);
  assert.equal(await check(roomy, randomHwid()), ok, 'a link with room still admits');
  // and the restored database takes new work
  const made = await (await fetch(`${RBASE}/api/add-install?${auth}&install_limit=1`)).json();
  assert.equal(made.rc, 1, JSON.stringify(made));
  assert.ok(made.id > roomy.id, 'the ids go on from the dump\'s');
});

test('a restore over a database that holds data is refused, and changes nothing', { skip: SKIP }, async () => {
  const before = readFileSync(path.join(RVAR, 'secret.key'), 'utf8');
  const b = run('backup', [BACKUPS]);
  assert.equal(b.status, 0, b.out);
  const [dump] = b.out.trim().split('\n');
  const r = run('restore', [dump]);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /holds providers or links: restore only into a new or empty one/);
  assert.equal(readFileSync(path.join(RVAR, 'secret.key'), 'utf8'), before);
  const auth = `provider_code=${p.provider_code}&auth_key=${p.auth_key}`;
  const list = await (await fetch(`${RBASE}/api/list-install?${auth}`)).json();
  assert.equal(list.data.length, 3);
});
