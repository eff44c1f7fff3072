// The database's roles (sql/roles.sql, sql/privileges.sql): the workers
// sign in as ll_app, which may run the functions the server prepares and
// nothing else; ll_owner owns everything and cannot sign in; every role
// needs its password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { AS_ROOT, OUT, ROOT, STACK_USER, VAR, closeDb, pgpass, script, sql } from './lib.mjs';
import { execFileSync } from 'node:child_process';

const HOST = path.join(VAR, 'run');
let app;

function client(user, password) {
  return new pg.Client({ host: HOST, database: 'limitedlinks', user, password });
}
// The SQLSTATE that running text as ll_app fails with (null: it worked).
async function refusal(text, params = []) {
  try {
    await app.query(text, params);
    return null;
  } catch (e) {
    return e.code;
  }
}

before(async () => {
  app = client('ll_app', pgpass('app.pgpass', 'll_app'));
  await app.connect();
});
after(async () => {
  await app?.end();
  await closeDb();
});

// Every ll_* function fcgi/db.c prepares a statement on.
function prepared() {
  const src = readFileSync(path.join(ROOT, 'fcgi/db.c'), 'utf8');
  return [...new Set([...src.matchAll(/\b(ll_[a-z_]+)\(/g)].map((m) => m[1]))].sort();
}

test('the workers sign in as ll_app with its passfile', () => {
  const conf = readFileSync(path.join(VAR, 'limited-links.conf'), 'utf8');
  const line = /^database\s*=\s*(.*)$/m.exec(conf)[1];
  assert.match(line, /(^|\s)user=ll_app(\s|$)/);
  assert.match(line, new RegExp(`(^|\\s)passfile=${VAR}/app.pgpass(\\s|$)`));
  assert.doesNotMatch(line, /password=/);
});

test('ll_app is no superuser and can create nothing', async () => {
  const [r] = (await app.query(`SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication,
    rolbypassrls, rolinherit FROM pg_roles WHERE rolname = current_user`)).rows;
  assert.deepEqual(r, { rolsuper: false, rolcreatedb: false, rolcreaterole: false,
    rolreplication: false, rolbypassrls: false, rolinherit: false });
  assert.equal(await refusal('CREATE TABLE ll_app_t (a int)'), '42501');
  assert.equal(await refusal('CREATE TEMP TABLE ll_app_t (a int)'), '42501');
  assert.equal(await refusal('CREATE FUNCTION ll_app_f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'),
    '42501');
  assert.equal(await refusal('CREATE SCHEMA ll_app_s'), '42501');
  assert.equal(await refusal('CREATE ROLE ll_app_r'), '42501');
});

test('ll_app can neither read nor write any table or sequence', async () => {
  const tables = (await sql(`SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
    ORDER BY 1`)).map((r) => r.relname);
  assert.ok(tables.includes('providers') && tables.includes('devices') && tables.includes('sessions'));
  for (const t of tables) {
    assert.equal(await refusal(`SELECT * FROM ${t} LIMIT 1`), '42501', `SELECT ${t}`);
    assert.equal(await refusal(`INSERT INTO ${t} DEFAULT VALUES`), '42501', `INSERT ${t}`);
    assert.equal(await refusal(`DELETE FROM ${t}`), '42501', `DELETE ${t}`);
  }
  const seqs = (await sql(`SELECT relname FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'`)).map((r) => r.relname);
  assert.ok(seqs.length > 0);
  for (const s of seqs) assert.equal(await refusal(`SELECT nextval('${s}')`), '42501', s);
});

test('ll_app runs exactly the functions the server prepares, each with its owner\'s rights', async () => {
  const want = prepared();
  assert.ok(want.includes('ll_check') && want.length >= 20, want.join(' '));
  const rows = await sql(`SELECT p.proname, p.prosecdef, p.proconfig, p.proowner::regrole::text AS owner,
      has_function_privilege('ll_app', p.oid, 'EXECUTE') AS app
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1`);
  assert.deepEqual(rows.filter((r) => r.app).map((r) => r.proname), want);
  for (const r of rows) {
    assert.equal(r.owner, 'll_owner', r.proname);
    if (r.app) {
      assert.equal(r.prosecdef, true, `${r.proname} is SECURITY DEFINER`);
      // the check takes its caller's search_path, for speed: see below
      if (r.proname === 'll_check') assert.equal(r.proconfig, null);
      else assert.ok(r.proconfig?.includes('search_path=public, pg_temp'), r.proname);
    } else {
      assert.equal(r.prosecdef, false, `${r.proname} is a plain helper`);
    }
  }
  // the helpers the entry points call are the owner's alone
  assert.equal(await refusal('SELECT ll_ts(now())'), '42501');
  assert.equal(await refusal('SELECT ll_signin_delay(7)'), '42501');
});

test('ll_app can run the check and the other entry points', async () => {
  const { rows } = await app.query(`SELECT o_providerid, o_status, o_import
    FROM ll_check($1, $2, $3, NULL, NULL, NULL, NULL, NULL)`, ['0'.repeat(64), 'nosuchcode12', 'hw-1']);
  assert.deepEqual(rows, [{ o_providerid: '', o_status: 0, o_import: false }]);
  assert.deepEqual((await app.query('SELECT ll_provider_status($1) AS s', ['nosuch00'])).rows, [{ s: 0 }]);
  assert.deepEqual((await app.query('SELECT ll_signin_wait($1) AS w', ['192.0.2.1'])).rows, [{ w: 0 }]);
});

test('the database and everything in it is ll_owner\'s, and ll_owner cannot sign in', async () => {
  const [d] = await sql(`SELECT datdba::regrole::text AS owner FROM pg_database
    WHERE datname = current_database()`);
  assert.equal(d.owner, 'll_owner');
  const others = await sql(`SELECT relname, relowner::regrole::text AS owner FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relowner <> 'll_owner'::regrole`);
  assert.deepEqual(others, []);
  const [o] = await sql("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'll_owner'");
  assert.deepEqual(o, { rolcanlogin: false, rolsuper: false });
});

test('scripts/migrate run again keeps every right as it was', async () => {
  const rights = () => sql(`SELECT p.proname, p.prosecdef, p.proconfig, p.proacl::text[] AS acl
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY p.oid`);
  const before = await rights();
  script('migrate');
  assert.deepEqual(await rights(), before);
});

test('ll_check() is safe with its caller\'s search_path: no role but ll_owner can create anything', async () => {
  // no schema and no temporary table anyone else could put an object in
  const creators = await sql(`SELECT r.rolname, n.nspname FROM pg_roles r, pg_namespace n
    WHERE NOT r.rolsuper AND r.rolname NOT IN ('ll_owner', 'pg_database_owner')
      AND has_schema_privilege(r.oid, n.oid, 'CREATE')`);
  assert.deepEqual(creators, []);
  const temp = await sql(`SELECT r.rolname FROM pg_roles r WHERE NOT r.rolsuper
    AND r.rolname NOT IN ('ll_owner', 'pg_database_owner')
    AND has_database_privilege(r.oid, current_database(), 'TEMPORARY')`);
  assert.deepEqual(temp, []);
  // a path without public finds nothing to run on: an error, which the
  // check answers as import:false
  const c = client('ll_app', pgpass('app.pgpass', 'll_app'));
  await c.connect();
  try {
    assert.deepEqual((await c.query('SHOW search_path')).rows, [{ search_path: 'public' }]);
    await c.query('SET search_path = pg_catalog');
    await assert.rejects(c.query(`SELECT public.ll_check($1, $2, $3, NULL, NULL, NULL, NULL, NULL)`,
      ['0'.repeat(64), 'nosuchcode12', 'hw-1']), (e) => e.code === '42P01');
  } finally {
    await c.end();
  }
});

test('scripts/migrate refuses to leave ll_check() so once another role could create objects', async () => {
  await sql('GRANT TEMPORARY ON DATABASE limitedlinks TO ll_bi');
  let out = '';
  try {
    script('migrate', [], { stdio: 'pipe' });
  } catch (e) {
    out = String(e.stderr) + String(e.stdout);
  } finally {
    await sql('REVOKE TEMPORARY ON DATABASE limitedlinks FROM ll_bi');
  }
  assert.match(out, /roles other than ll_owner may create objects: ll_bi on the database/);
  script('migrate');
  const [f] = await sql(`SELECT proconfig FROM pg_proc WHERE proname = 'll_check'`);
  assert.equal(f.proconfig, null);
});

// The SQLSTATE of signing in as user with password (null: it worked).
async function signIn(user, password) {
  const c = client(user, password);
  try {
    await c.connect();
    await c.end();
    return null;
  } catch (e) {
    return e.code || e.message;
  }
}

test('every role needs its password: nothing is trusted', async () => {
  assert.equal(await signIn('limitedlinks', 'wrong'), '28P01');
  assert.equal(await signIn('ll_app', 'wrong'), '28P01');
  assert.equal(await signIn('ll_owner', 'wrong'), '28P01');
  // no password at all: the server asks for one (libpq's own client too)
  const psql = path.join(execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'],
    { encoding: 'utf8' }).trim(), 'psql');
  let out = '';
  try {
    execFileSync(psql, ['-X', '-w', '-h', HOST, '-U', 'limitedlinks', '-d', 'limitedlinks', '-c', 'SELECT 1'],
      { env: { ...process.env, PGPASSFILE: '/nonexistent', PGPASSWORD: '' }, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    out = e.stderr;
  }
  assert.match(out, /no password supplied/);
  const rules = await sql('SELECT DISTINCT auth_method FROM pg_hba_file_rules');
  assert.deepEqual(rules.map((r) => r.auth_method), ['scram-sha-256']);
});

test('the password files are their owners\' alone, and no password is in a log', () => {
  const admin = statSync(path.join(VAR, 'admin.pgpass'));
  const appf = statSync(path.join(VAR, 'app.pgpass'));
  assert.equal(admin.mode & 0o777, 0o600);
  assert.equal(appf.mode & 0o777, 0o600);
  if (AS_ROOT) {
    assert.equal(admin.uid, 0);
    assert.equal(appf.uid, Number(execFileSync('id', ['-u', STACK_USER], { encoding: 'utf8' })));
  }
  const secrets = [pgpass('admin.pgpass', 'limitedlinks'), pgpass('app.pgpass', 'll_app')];
  assert.ok(secrets.every((s) => /^[0-9a-f]{64}$/.test(s)));
  const files = readdirSync(path.join(VAR, 'log')).map((f) => path.join(VAR, 'log', f));
  files.push(path.join(VAR, 'limited-links.conf'));
  for (const f of readdirSync(OUT)) if (/^stack-.*\.log$/.test(f)) files.push(path.join(OUT, f));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const s of secrets) assert.equal(text.includes(s), false, `a password is in ${f}`);
  }
});
