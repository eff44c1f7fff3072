// The provider API's links: /api/add-install, /api/update-install and
// /api/list-install.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { asProvider, closeDb, install, newLink, newProvider, randomCode,
  randomHwid, snapshot, sql, DATE, refused } from './lib.mjs';

after(closeDb);

const LIMIT_MSG = 'Install limit error: install_limit must be an integer from 1 to 100';
const STATUS_MSG = 'Install status error: status must be 5 or 10';

for (const method of ['GET', 'POST']) {
  test(`add-install (${method}) generates a code and answers it with the id`, async () => {
    const p = await newProvider();
    const A = asProvider(p);
    const r = await A('add-install', { install_limit: '3' }, { method });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'install_code', 'id']);
    assert.equal(r.json.rc, 1);
    assert.equal(r.json.msg, 'Ok');
    assert.match(r.json.install_code, /^[A-Za-z0-9]{12}$/);
    assert.equal(typeof r.json.id, 'number');
    const [row] = await sql('SELECT * FROM links WHERE id = $1', [r.json.id]);
    assert.equal(Number(row.provider_id), p.id);
    assert.equal(row.install_code, r.json.install_code);
    assert.equal(row.install_limit, 3);
    assert.equal(row.install_count, 0);
    assert.equal(row.status, 10);
    assert.equal(row.note, '');
  });
}

test('add-install takes a given code and a note of 255 characters', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const code = randomCode(12);
  const note = 'é'.repeat(254) + '€';
  const r = await A('add-install', { install_limit: '100', install_code: code, note });
  assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'install_code', 'id']);
  assert.equal(r.json.rc, 1);
  assert.equal(r.json.install_code, code);
  const [row] = await sql('SELECT install_limit, note FROM links WHERE id = $1', [r.json.id]);
  assert.deepEqual(row, { install_limit: 100, note });
});

test('add-install of a code that exists, anyone\'s, answers rc 2 and adds nothing', async () => {
  const a = await newProvider();
  const b = await newProvider();
  const mine = await newLink(b);
  const theirs = await newLink(a);
  for (const code of [mine.code, theirs.code]) {
    const before = await snapshot(b.id);
    const r = await asProvider(b)('add-install', { install_limit: '1', install_code: code });
    assert.equal(r.text, '{"rc":2,"msg":"Install code exists"}');
    assert.deepEqual(await snapshot(b.id), before);
  }
});

test('add-install stops at the provider\'s cap on links', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  await sql('UPDATE providers SET link_cap = 2 WHERE id = $1', [p.id]);
  assert.equal((await A('add-install', { install_limit: '1' })).json.rc, 1);
  assert.equal((await A('add-install', { install_limit: '1' })).json.rc, 1);
  await refused(p, () => A('add-install', { install_limit: '1' }), 'Install code limit reached');
  await refused(p, () => A('add-install', { install_limit: '1', install_code: randomCode(12) }),
    'Install code limit reached');
  // concurrent creations never pass the cap either
  await sql('UPDATE providers SET link_cap = 6 WHERE id = $1', [p.id]);
  const rs = await Promise.all(Array.from({ length: 10 },
    () => A('add-install', { install_limit: '1' })));
  assert.equal(rs.filter((r) => r.json.rc === 1).length, 4);
  assert.equal(rs.filter((r) => r.json.msg === 'Install code limit reached').length, 6);
  const [{ n }] = await sql('SELECT count(*)::int AS n FROM links WHERE provider_id = $1', [p.id]);
  assert.equal(n, 6);
});

test('add-install validates every parameter before anything', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const cases = [
    [{}, 'Missing parameter: install_limit'],
    [{ install_limit: '' }, 'Missing parameter: install_limit'],
    [{ note: 'x' }, 'Missing parameter: install_limit'],
    ...['0', '101', '-1', 'abc', '1.5', ' 1', '1 ', '+1', '1e2', '0x10', '99999999999999999999']
      .map((v) => [{ install_limit: v }, LIMIT_MSG]),
    ...['short', 'abcdefghijklm', 'abcdefghij-k', 'abcdefghijk!', 'abcdéfghijkl']
      .map((v) => [{ install_limit: '1', install_code: v }, 'install_code must be 12 letters or digits']),
    [{ install_limit: '1', note: 'x'.repeat(256) }, 'note must be at most 255 characters'],
    [{ install_limit: '1', note: 'é'.repeat(256) }, 'note must be at most 255 characters'],
    [{ install_limit: '1', note: 'a\nb' }, 'note must be UTF-8 text without control characters'],
    [{ install_limit: '1', note: 'a\u007fb' }, 'note must be UTF-8 text without control characters'],
    [{ install_limit: '1', note: 'a\u0085b' }, 'note must be UTF-8 text without control characters'],
  ];
  for (const [params, msg] of cases)
    for (const method of ['GET', 'POST'])
      await refused(p, () => A('add-install', params, { method }), msg);
  // bytes that are not UTF-8, sent raw
  await refused(p, () => A('/api/add-install?install_limit=1&note=%FF%FE', {}),
    'note must be UTF-8 text without control characters');
});

test('update-install changes each given field and answers the code', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const add = (await A('add-install', { install_limit: '2', note: 'first' })).json;
  const row = async () => (await sql(
    'SELECT install_limit, note, status FROM links WHERE id = $1', [add.id]))[0];
  const ok = { rc: 1, msg: 'Ok', install_code: add.install_code };

  let r = await A('update-install', { id: String(add.id), install_limit: '5' });
  assert.equal(r.text, JSON.stringify(ok));
  assert.deepEqual(await row(), { install_limit: 5, note: 'first', status: 10 });
  r = await A('update-install', { id: String(add.id), status: '5' }, { method: 'POST' });
  assert.deepEqual(r.json, ok);
  assert.deepEqual(await row(), { install_limit: 5, note: 'first', status: 5 });
  r = await A('update-install', { id: String(add.id), note: 'second' });
  assert.deepEqual(r.json, ok);
  assert.deepEqual(await row(), { install_limit: 5, note: 'second', status: 5 });
  r = await A('update-install', { id: String(add.id), install_limit: '1', note: '', status: '10' });
  assert.deepEqual(r.json, ok);
  assert.deepEqual(await row(), { install_limit: 1, note: '', status: 10 });
  // nothing to change: still Ok, nothing changes
  r = await A('update-install', { id: String(add.id) });
  assert.deepEqual(r.json, ok);
  assert.deepEqual(await row(), { install_limit: 1, note: '', status: 10 });
  // an empty value is no value, except for the note
  r = await A('update-install', { id: String(add.id), install_limit: '', status: '' });
  assert.deepEqual(r.json, ok);
  assert.deepEqual(await row(), { install_limit: 1, note: '', status: 10 });
});

test('update-install never goes below the devices holding a slot, and changes nothing then', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const link = await newLink(p, { limit: 3 });
  for (let i = 0; i < 2; i++)
    assert.equal((await install(link.hash, link.code, randomHwid())).json.import, true);
  await refused(p, () => A('update-install', { id: String(link.id), install_limit: '1',
    note: 'changed', status: '5' }),
  'Install limit error: install_limit cannot go below install_count (2)');
  const r = await A('update-install', { id: String(link.id), install_limit: '2' });
  assert.deepEqual(r.json, { rc: 1, msg: 'Ok', install_code: link.code });
  const [row] = await sql('SELECT install_limit, install_count FROM links WHERE id = $1', [link.id]);
  assert.deepEqual(row, { install_limit: 2, install_count: 2 });
  // a disabled link keeps its devices and refuses its checks
  await A('update-install', { id: String(link.id), status: '5' });
  assert.deepEqual((await install(link.hash, link.code, randomHwid())).json,
    { providerid: p.provider_code, status: 5, import: false });
});

test('update-install validates every parameter before anything', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const link = await newLink(p);
  const id = String(link.id);
  const cases = [
    [{}, 'Missing parameter: id'],
    [{ id: '' }, 'Missing parameter: id'],
    [{ install_limit: '2' }, 'Missing parameter: id'],
    ...['x', '0', '-3', '1.0', '1e3', '9999999999999999999']
      .map((v) => [{ id: v }, 'id must be a positive integer']),
    ...['0', '101', 'ten'].map((v) => [{ id, install_limit: v }, LIMIT_MSG]),
    ...['0', '1', '7', '11', 'active', '5.0'].map((v) => [{ id, status: v }, STATUS_MSG]),
    [{ id, note: 'n'.repeat(256) }, 'note must be at most 255 characters'],
    [{ id, note: 'tab\there' }, 'note must be UTF-8 text without control characters'],
    // one bad field refuses the others too
    [{ id, install_limit: '50', note: 'fine', status: '6' }, STATUS_MSG],
    [{ id: '999999999999', install_limit: '2' }, 'Install not found'],
  ];
  for (const [params, msg] of cases)
    await refused(p, () => A('update-install', params), msg);
});

test('list-install answers the provider\'s links, newest first, with exact fields', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const first = (await A('add-install', { install_limit: '2', note: 'one' })).json;
  const second = (await A('add-install', { install_limit: '4', note: 'two "quoted" ü' })).json;
  const link = await newLink(p, { limit: 1 });
  await install(link.hash, link.code, randomHwid());
  await A('update-install', { id: String(second.id), status: '5' });

  for (const method of ['GET', 'POST']) {
    const r = await A('list-install', {}, { method });
    assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'data']);
    assert.equal(r.json.rc, 1);
    assert.equal(r.json.msg, 'Ok');
    const data = r.json.data;
    assert.deepEqual(data.map((d) => d.id), [link.id, second.id, first.id]);
    for (const d of data) {
      // the contract's fields, then what this server adds
      assert.deepEqual(Object.keys(d), ['id', 'install_code', 'install_limit',
        'install_count', 'status', 'note', 'created_at', 'expire_days']);
      assert.match(d.created_at, DATE);
    }
    const strip = ({ created_at, ...rest }) => rest;
    assert.deepEqual(data.map(strip), [
      { id: link.id, install_code: link.code, install_limit: 1, install_count: 1,
        status: 10, note: '', expire_days: 0 },
      { id: second.id, install_code: second.install_code, install_limit: 4,
        install_count: 0, status: 5, note: 'two "quoted" ü', expire_days: 0 },
      { id: first.id, install_code: first.install_code, install_limit: 2,
        install_count: 0, status: 10, note: 'one', expire_days: 0 },
    ]);
  }
  const one = await A('list-install', { id: String(first.id) });
  assert.equal(one.json.data.length, 1);
  assert.equal(one.json.data[0].install_code, first.install_code);
  // created_at is UTC
  const [{ utc }] = await sql(`SELECT to_char(created_at AT TIME ZONE 'UTC',
    'YYYY-MM-DD HH24:MI:SS') AS utc FROM links WHERE id = $1`, [first.id]);
  assert.equal(one.json.data[0].created_at, utc);

  const empty = await asProvider(await newProvider())('list-install');
  assert.equal(empty.text, '{"rc":1,"msg":"Ok","data":[]}');
});

test('list-install without id answers the newest 5000 links', async () => {
  const p = await newProvider();
  await sql(`INSERT INTO links (provider_id, install_code, install_limit)
    SELECT $1, substr(md5(random()::text || g::text), 1, 12), 1
    FROM generate_series(1, 5003) g`, [p.id]);
  const ids = (await sql('SELECT id FROM links WHERE provider_id = $1 ORDER BY id DESC',
    [p.id])).map((r) => Number(r.id));
  const r = await asProvider(p)('list-install');
  assert.equal(r.json.rc, 1);
  assert.equal(r.json.data.length, 5000);
  assert.deepEqual(r.json.data.map((d) => d.id), ids.slice(0, 5000));
  const oldest = await asProvider(p)('list-install', { id: String(ids[5002]) });
  assert.equal(oldest.json.data[0].id, ids[5002]);
});

test('list-install validates id', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  for (const v of ['abc', '0', '-1', '2.5'])
    await refused(p, () => A('list-install', { id: v }), 'id must be a positive integer');
  await refused(p, () => A('list-install', { id: '999999999999' }), 'Install not found');
  // an empty id is no id
  assert.equal((await A('list-install', { id: '' })).text, '{"rc":1,"msg":"Ok","data":[]}');
});
