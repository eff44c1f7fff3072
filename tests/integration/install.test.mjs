// `make install` and what it installs: the tree and its modes (into a
// staging DESTDIR), a configuration and secret never replaced, the systemd
// unit (systemd-analyze verify), the man page and --help naming every
// command and key, `check-config` naming the bad line without quoting a
// secret, and limited-links-migrate setting up a database of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AS_ROOT, ROOT, STACK_USER, VAR, closeDb, pgpass, sql } from './lib.mjs';

// the build and the scripts are under test here: once is enough
const SKIP = process.env.LL_BUILD === 'asan' ? 'runs with the release build only' : false;
const ROOTS = { skip: SKIP || (AS_ROOT ? false : 'owners are set only when root installs') };
const GID = AS_ROOT ? Number(execFileSync('id', ['-g', STACK_USER], { encoding: 'utf8' })) : -1;
let stage;		// make install DESTDIR=stage
let live;		// make install PREFIX=live/usr/local SYSCONFDIR=live/etc: real paths
const TESTDB = 'll_install_test';

function make(vars) {
  return execFileSync('make', ['-s', '-C', ROOT, 'install', ...vars],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const bin = () => path.join(live, 'usr/local/sbin/limited-links');

before(() => {
  if (SKIP) return;
  stage = mkdtempSync(path.join(os.tmpdir(), 'll-install-stage-'));
  live = mkdtempSync(path.join(os.tmpdir(), 'll-install-live-'));
  make([`DESTDIR=${stage}`]);
  make([`PREFIX=${live}/usr/local`, `SYSCONFDIR=${live}/etc`]);
});

after(async () => {
  if (SKIP) return;
  await sql(`DROP DATABASE IF EXISTS ${TESTDB} WITH (FORCE)`).catch(() => {});
  await closeDb();
  rmSync(stage, { recursive: true, force: true });
  rmSync(live, { recursive: true, force: true });
});

// [path under DESTDIR, mode, owner group (null: root's), kind]
const TREE = [
  ['usr/local/sbin/limited-links', 0o755, null, 'file'],
  ['usr/local/sbin/limited-links-migrate', 0o755, null, 'file'],
  ['usr/local/share/limited-links', 0o755, null, 'dir'],
  ['usr/local/share/limited-links/happ-crypt4-public.pem', 0o644, null, 'file'],
  ['usr/local/share/limited-links/sql/roles.sql', 0o644, null, 'file'],
  ['usr/local/share/limited-links/sql/privileges.sql', 0o644, null, 'file'],
  ['usr/local/share/limited-links/static/style.css', 0o644, null, 'file'],
  ['usr/local/share/limited-links/nginx/production.conf', 0o644, null, 'file'],
  ['usr/local/share/limited-links/nginx/check.conf', 0o644, null, 'file'],
  ['usr/local/share/man/man8/limited-links.8', 0o644, null, 'file'],
  ['usr/local/lib/systemd/system/limited-links.service', 0o644, null, 'file'],
  ['usr/local/lib/systemd/system/limited-links-maintain.service', 0o644, null, 'file'],
  ['usr/local/lib/systemd/system/limited-links-maintain.timer', 0o644, null, 'file'],
  ['etc/limited-links', 0o750, 'group', 'dir'],
  ['etc/limited-links/limited-links.conf', 0o640, 'group', 'file'],
  ['etc/limited-links/secret.key', 0o640, 'group', 'file'],
];

test('make install DESTDIR= lays out the tree with its modes', { skip: SKIP }, () => {
  for (const [rel, mode, group, kind] of TREE) {
    const st = lstatSync(path.join(stage, rel));
    assert.equal(kind === 'dir' ? st.isDirectory() : st.isFile(), true, `${rel} is a ${kind}`);
    assert.equal(st.mode & 0o7777, mode, `${rel}: mode ${(st.mode & 0o7777).toString(8)}`);
    if (AS_ROOT) {
      assert.equal(st.uid, 0, `${rel} is root's`);
      assert.equal(st.gid, group ? GID : 0, `${rel}: group ${st.gid}`);
    }
  }
  // every SQL file, snippet and static file; none of the local stack's template
  const share = path.join(stage, 'usr/local/share/limited-links');
  for (const dir of ['sql', 'sql/functions', 'static']) {
    assert.deepEqual(readdirSync(path.join(share, dir)).sort(),
      readdirSync(path.join(ROOT, dir)).filter((f) => !f.startsWith('.')).sort(), dir);
  }
  assert.deepEqual(readdirSync(path.join(share, 'nginx')).sort(),
    readdirSync(path.join(ROOT, 'nginx')).filter((f) => f.endsWith('.conf')).sort());
  assert.match(readFileSync(path.join(stage, 'etc/limited-links/secret.key'), 'utf8'),
    /^[0-9a-f]{64}\n$/);
  // the paths inside are the installed ones, not the staging folder's
  const unit = readFileSync(path.join(stage, 'usr/local/lib/systemd/system/limited-links.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/local\/sbin\/limited-links -c \/etc\/limited-links\/limited-links.conf serve$/m);
  const conf = readFileSync(path.join(stage, 'etc/limited-links/limited-links.conf'), 'utf8');
  assert.match(conf, /^secret_file = \/etc\/limited-links\/secret.key$/m);
  assert.match(conf, /^crypt4_key = \/usr\/local\/share\/limited-links\/happ-crypt4-public.pem$/m);
  assert.equal(conf.includes(stage), false);
  const site = readFileSync(path.join(share, 'nginx/production.conf'), 'utf8');
  assert.match(site, /include\s+\/usr\/local\/share\/limited-links\/nginx\/check\.conf;/);
});

test('make install again replaces neither the configuration nor the secret', { skip: SKIP }, () => {
  const conf = path.join(stage, 'etc/limited-links/limited-links.conf');
  const secret = path.join(stage, 'etc/limited-links/secret.key');
  writeFileSync(conf, `${readFileSync(conf, 'utf8')}workers = 3\n`);
  const key = readFileSync(secret, 'utf8');
  const out = make([`DESTDIR=${stage}`]);
  assert.match(out, /keeping .*limited-links\.conf/);
  assert.match(out, /keeping .*secret\.key/);
  assert.match(readFileSync(conf, 'utf8'), /^workers = 3$/m);
  assert.equal(readFileSync(secret, 'utf8'), key);
  // while the program itself is replaced
  assert.equal(readFileSync(path.join(stage, 'usr/local/sbin/limited-links')).equals(
    readFileSync(path.join(ROOT, 'bin/limited-links'))), true);
});

test('make install gives each install a secret of its own', ROOTS, () => {
  const a = readFileSync(path.join(stage, 'etc/limited-links/secret.key'), 'utf8');
  const b = readFileSync(path.join(live, 'etc/limited-links/secret.key'), 'utf8');
  assert.notEqual(a, b);
});

test('systemd-analyze verify passes on the unit', { skip: SKIP }, (t) => {
  const which = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
  if (which.status !== 0) {
    t.skip('systemd-analyze is not installed: the unit was not verified');
    return;
  }
  const unit = path.join(live, 'usr/local/lib/systemd/system/limited-links.service');
  // the paths in it exist (PREFIX is the test's folder), and the man page
  // it names is found
  const upkeep = ['service', 'timer'].map((k) =>
    path.join(live, `usr/local/lib/systemd/system/limited-links-maintain.${k}`));
  const r = spawnSync('systemd-analyze', ['verify', unit, ...upkeep], { encoding: 'utf8',
    env: { ...process.env, MANPATH: path.join(live, 'usr/local/share/man') } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'systemd-analyze had something to say');
  const text = readFileSync(unit, 'utf8');
  for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes',
    'ProtectHome=yes', 'RuntimeDirectory=limited-links', 'Restart=on-failure',
    'ExecReload=/bin/kill -HUP $MAINPID', 'User=limitedlinks'])
    assert.ok(text.split('\n').includes(line), line);
});

// The configuration keys the parser knows, the ones --help lists, and
// the README's table.
function parserKeys() {
  const src = readFileSync(path.join(ROOT, 'fcgi/config.c'), 'utf8');
  // the one table of keys: { "name", CONFIG_TYPE, ...
  return [...src.matchAll(/\{ "(\w+)", CONFIG_[A-Z]+,/g)].map((m) => m[1]).sort();
}
function helpKeys(text) {
  const from = text.indexOf('Configuration');
  return [...text.slice(from).matchAll(/^ {2}(\w+) = /gm)].map((m) => m[1]).sort();
}
function readmeKeys() {
  const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const from = text.indexOf('\n## Configuration');
  const to = text.indexOf('\n## ', from + 5);
  return [...text.slice(from, to).matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
}

test('--help and the man page name every command, signal and configuration key', { skip: SKIP }, () => {
  const help = execFileSync(bin(), ['--help'], { encoding: 'utf8' });
  const keys = parserKeys();
  assert.ok(keys.length >= 12, `keys found in fcgi/config.c: ${keys}`);
  assert.deepEqual(helpKeys(help), keys);
  assert.deepEqual(readmeKeys(), keys);
  const man = readFileSync(path.join(live, 'usr/local/share/man/man8/limited-links.8'), 'utf8');
  assert.match(man, /^\.TH LIMITED-LINKS 8/m);
  for (const word of [...keys.map((k) => `${k} = `), 'serve', 'check-config', 'provider add NAME',
    'provider list', 'provider disable CODE', 'rotate-key CODE', 'report [--csv]', 'maintain',
    'HUP', 'USR2', 'TERM'])
    assert.ok(help.includes(word) && man.includes(word), `not named: ${word}`);
  // a short usage for a wrong option, on stderr
  const r = spawnSync(bin(), ['--nonsense'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: limited-links/);
});

// A configuration of the test's own, in a folder of its own.
function confDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'll-check-config-'));
  writeFileSync(path.join(dir, 'secret.key'), `${'5e'.repeat(32)}\n`);
  return dir;
}
function run(args) {
  return spawnSync(bin(), args, { encoding: 'utf8', timeout: 10000 });
}

test('check-config names the bad line, and serve refuses to start with the same words', { skip: SKIP }, () => {
  const dir = confDir();
  try {
    const conf = path.join(dir, 'limited-links.conf');
    const good = [
      '# a comment',
      `secret_file = ${dir}/secret.key`,
      'listen = tcp:127.0.0.1:9000',
      'database = host=/nowhere dbname=x user=ll_app password=Hunter2Secret',
      'workers = 2',
      '',
    ];
    writeFileSync(conf, `${good.join('\n')}\n`);
    let r = run(['-c', conf, 'check-config']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${conf}: ok (listen tcp:127.0.0.1:9000, 2 workers)\n`);

    const cases = [
      ['workerz = 4', `${conf}:7: unknown key 'workerz'`],
      ['workers = lots', `${conf}:7: bad value for 'workers'`],
      ['listen = tcp:127.0.0.1:99999', `${conf}:7: bad value for 'listen'`],
      ['database = dbname=x password=Hunter2Secret usr=y', `${conf}:7: bad value for 'database'`],
      ['just words', `${conf}:7: want key = value`],
    ];
    for (const [line, msg] of cases) {
      writeFileSync(conf, `${good.join('\n')}\n${line}\n`);
      r = run(['-c', conf, 'check-config']);
      assert.equal(r.status, 1, line);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `limited-links: ${msg}\n`);
      // the server says the same, and does not start
      const s = run(['-c', conf, 'serve']);
      assert.equal(s.status, 1, line);
      assert.equal(s.stderr, `limited-links: ${msg}\n`);
    }
    // a bad secret file: named, its contents never shown
    writeFileSync(path.join(dir, 'secret.key'), 'Hunter2Secret\n');
    writeFileSync(conf, `${good.join('\n')}\n`);
    r = run(['-c', conf, 'check-config']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `limited-links: ${dir}/secret.key: want 64 hex digits\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no secret reaches the output of check-config nor the server\'s log', { skip: SKIP }, () => {
  const dir = confDir();
  try {
    const conf = path.join(dir, 'limited-links.conf');
    writeFileSync(conf, `secret_file = ${dir}/secret.key\n`
      + 'database = dbname=x password=Hunter2Secret\n');
    const r = run(['-c', conf, 'check-config']);
    assert.equal(r.status, 0, r.stderr);
    for (const s of ['Hunter2Secret', '5e5e5e5e'])
      assert.equal(`${r.stdout}${r.stderr}`.includes(s), false, s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // the stack's own secrets, in the log of everything its workers did so far
  const log = readFileSync(path.join(VAR, 'log/limited-links.log'), 'utf8');
  assert.ok(log.length > 0);
  const secret = readFileSync(path.join(VAR, 'secret.key'), 'utf8').trim();
  assert.equal(log.includes(secret), false, 'the secret is in the log');
  assert.equal(log.includes(pgpass('app.pgpass', 'll_app')), false, 'll_app\'s password is in the log');
});

test('limited-links-migrate creates, migrates and secures a database of its own', ROOTS, async () => {
  const migrate = path.join(live, 'usr/local/sbin/limited-links-migrate');
  const passfile = path.join(live, 'etc/limited-links/app.pgpass');
  const env = { ...process.env, LL_PSQL_AS: '', PGHOST: path.join(VAR, 'run'),
    PGUSER: 'limitedlinks', PGPASSFILE: path.join(VAR, 'admin.pgpass') };
  delete env.LL_VAR;
  const appPw = pgpass('app.pgpass', 'll_app');
  try {
    const out = execFileSync(migrate, ['--app-passfile', passfile, TESTDB], { env, encoding: 'utf8' });
    assert.match(out, new RegExp(`creating the database ${TESTDB}`));
    assert.match(out, /migrating 001_schema/);
    const numbered = readdirSync(path.join(ROOT, 'sql')).filter((f) => /^\d+_.*\.sql$/.test(f));
    const client = new pg.Client({ host: path.join(VAR, 'run'), user: 'limitedlinks',
      password: pgpass('admin.pgpass', 'limitedlinks'), database: TESTDB });
    await client.connect();
    try {
      const [{ n }] = (await client.query('SELECT count(*)::int AS n FROM schema_migrations')).rows;
      assert.equal(n, numbered.length);
      const [{ ok }] = (await client.query(`SELECT bool_and(has_function_privilege('ll_app', p.oid,
        'EXECUTE')) AS ok FROM pg_proc p WHERE p.proname IN ('ll_check', 'll_auth')`)).rows;
      assert.equal(ok, true, 'll_app may run the entry points');
    } finally {
      await client.end();
    }
    // the passfile: the service user's alone, and ll_app signs in with it
    const st = lstatSync(passfile);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.gid, GID);
    assert.match(readFileSync(passfile, 'utf8'), new RegExp(`^\\*:\\*:${TESTDB}:ll_app:[0-9a-f]{64}\\n$`));
    const psql = spawnSync('psql', ['-X', '-w', '-At', '-c', 'SELECT current_user',
      `host=${path.join(VAR, 'run')} dbname=${TESTDB} user=ll_app passfile=${passfile}`],
    { encoding: 'utf8' });
    assert.equal(psql.stdout.trim(), 'll_app', psql.stderr);
    // run again: nothing to do, and the password is left alone
    const again = execFileSync(migrate, ['--app-passfile', passfile, TESTDB], { env, encoding: 'utf8' });
    assert.doesNotMatch(again, /creating|migrating|password/);
    assert.ok(existsSync(passfile));
  } finally {
    // ll_app is the cluster's: hand the stack its password back, unlogged
    const c = new pg.Client({ host: path.join(VAR, 'run'), user: 'limitedlinks',
      password: pgpass('admin.pgpass', 'limitedlinks'), database: 'limitedlinks' });
    await c.connect();
    await c.query("SET log_statement = 'none'");
    await c.query(`ALTER ROLE ll_app PASSWORD '${appPw}'`);
    await c.end();
  }
});
