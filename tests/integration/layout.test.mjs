// Who owns what in the stack's folder when root runs it (README.md, "Who
// owns what"): the stack's user runs nginx, PostgreSQL and the workers, so
// a hole in any of them is that user's; it must reach nothing that root
// runs or reads, and root runs the server's binary only as that user.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { AS_ROOT, ROOT, STACK_USER, VAR, asStackUser } from './lib.mjs';

const id = (flag) => Number(execFileSync('id', [flag, STACK_USER], { encoding: 'utf8' }));
const UID = id('-u');
const GID = id('-g');
const ROOTS = { skip: AS_ROOT ? false : 'the layout is root\'s only when root runs the stack' };

// [path under VAR, owner uid, group gid (null: any), mode, kind]
const LAYOUT = [
  ['.', 0, 0, 0o755, 'dir'],
  ['bin', 0, 0, 0o755, 'dir'],
  ['bin/limited-links', 0, 0, 0o755, 'file'],
  ['static', 0, 0, 0o755, 'dir'],
  ['nginx', 0, 0, 0o755, 'dir'],
  ['nginx/nginx.conf', 0, 0, 0o644, 'file'],
  ['nginx/fastcgi.conf', 0, 0, 0o644, 'file'],
  ['nginx/log-format.conf', 0, 0, 0o644, 'file'],
  ['happ-crypt4-public.pem', 0, 0, 0o644, 'file'],
  ['limited-links.conf', 0, GID, 0o640, 'file'],
  ['secret.key', 0, GID, 0o640, 'file'],
  ['admin.pgpass', 0, 0, 0o600, 'file'],
  ['app.pgpass', UID, GID, 0o600, 'file'],
  ['pg', UID, GID, 0o700, 'dir'],
  ['run', UID, GID, 0o750, 'dir'],
  ['log', UID, GID, 0o750, 'dir'],
  ['nginx/tmp', UID, GID, 0o700, 'dir'],
];

test('root owns what it runs and reads; the stack\'s user owns only pg, run, log and nginx/tmp', ROOTS, () => {
  for (const [rel, uid, gid, mode, kind] of LAYOUT) {
    const st = lstatSync(path.join(VAR, rel));
    assert.equal(kind === 'dir' ? st.isDirectory() : st.isFile(), true, `${rel} is a ${kind}`);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [uid, gid, mode],
      `${rel}: uid, gid, mode ${(st.mode & 0o7777).toString(8)}`);
  }
});

test('nothing in root\'s folders is another user\'s or writable by others', ROOTS, () => {
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (p === path.join(VAR, 'nginx/tmp')) continue;
      const st = lstatSync(p);
      assert.equal(st.uid, 0, `${p} is root's`);
      assert.equal(st.mode & 0o022, 0, `${p} is writable by group or others`);
      if (e.isDirectory()) walk(p);
    }
  };
  for (const d of ['bin', 'static', 'nginx']) walk(path.join(VAR, d));
});

test('the stack\'s user can replace neither the binary, nor nginx\'s config, nor the server\'s', ROOTS, () => {
  for (const rel of ['.', 'bin', 'bin/limited-links', 'nginx', 'nginx/nginx.conf',
    'nginx/fastcgi.conf', 'static', 'limited-links.conf', 'secret.key']) {
    assert.notEqual(asStackUser(['test', '-w', path.join(VAR, rel)]).status, 0,
      `${STACK_USER} may write ${rel}`);
  }
  // a link planted in place of the config is what root would follow
  const r = asStackUser(['ln', '-sf', '/etc/hostname', path.join(VAR, 'nginx/nginx.conf')]);
  assert.notEqual(r.status, 0);
  assert.equal(lstatSync(path.join(VAR, 'nginx/nginx.conf')).isFile(), true);
  // while what the workers must read stays readable
  for (const rel of ['limited-links.conf', 'secret.key', 'bin/limited-links'])
    assert.equal(asStackUser(['test', '-r', path.join(VAR, rel)]).status, 0, rel);
});

// A stack folder of its own, with a stand-in binary that says who runs it.
let fake;
after(() => { if (fake) rmSync(fake, { recursive: true, force: true }); });

function provider(dir) {
  return spawnSync(path.join(ROOT, 'scripts/provider'), ['list'],
    { env: { ...process.env, LL_VAR: dir }, encoding: 'utf8' });
}

test('scripts/provider runs the binary as the stack\'s user, and only one root alone can change', ROOTS, () => {
  fake = mkdtempSync('/tmp/limited-links-provider-');
  chmodSync(fake, 0o755);
  mkdirSync(path.join(fake, 'bin'), { mode: 0o755 });
  const bin = path.join(fake, 'bin/limited-links');
  writeFileSync(bin, '#!/bin/sh\necho "ran as $(id -u)"\n', { mode: 0o755 });
  writeFileSync(path.join(fake, 'limited-links.conf'), '# none\n', { mode: 0o644 });

  let r = provider(fake);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `ran as ${UID}`);

  // a binary, or a folder, the user could have replaced is not run at all
  chownSync(bin, UID, GID);
  r = provider(fake);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stdout, /ran as/);
  assert.match(r.stderr, /bin\/limited-links is not root's alone/);
  chownSync(bin, 0, 0);
  chownSync(path.join(fake, 'bin'), UID, GID);
  r = provider(fake);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stdout, /ran as/);
  chownSync(path.join(fake, 'bin'), 0, 0);
  chmodSync(bin, 0o757);
  r = provider(fake);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stdout, /ran as/);
});
