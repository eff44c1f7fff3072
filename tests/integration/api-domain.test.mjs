// The provider API's domains: /api/add-domain, /api/list-domain and
// /api/delete-domain.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { asProvider, closeDb, install, newProvider, randomCode, randomHwid,
  sha256hex, snapshot, sql, DATE, refused } from './lib.mjs';

after(closeDb);

const HASH_MSG = 'domain_hash must be 64 lowercase hex digits (the SHA-256 of the domain)';
const newHash = () => sha256hex(`d-${randomCode(8)}.example.com`);

const domains = (p) => sql(`SELECT domain_hash, domain_name, status FROM domains
  WHERE provider_id = $1 ORDER BY id`, [p.id]);

for (const method of ['GET', 'POST']) {
  test(`add-domain (${method}) stores the hash with its label`, async () => {
    const p = await newProvider();
    const A = asProvider(p);
    const [h1, h2] = [newHash(), newHash()];
    let r = await A('add-domain', { domain_hash: h1 }, { method });
    assert.equal(r.text, '{"rc":1,"msg":"Ok"}');
    r = await A('add-domain', { domain_hash: h2, domain_name: 'Main ✓ domain' }, { method });
    assert.equal(r.text, '{"rc":1,"msg":"Ok"}');
    assert.deepEqual(await domains(p), [
      { domain_hash: h1, domain_name: h1.slice(0, 10), status: 1 },
      { domain_hash: h2, domain_name: 'Main ✓ domain', status: 1 },
    ]);
  });
}

test('add-domain of an active hash answers rc 2; of a deleted one re-activates it', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const h = newHash();
  await A('add-domain', { domain_hash: h, domain_name: 'old' });
  const before = await snapshot(p.id);
  assert.equal((await A('add-domain', { domain_hash: h, domain_name: 'other' })).text,
    '{"rc":2,"msg":"Domain hash exists"}');
  assert.deepEqual(await snapshot(p.id), before);

  const [{ id }] = (await A('list-domain')).json.data;
  assert.equal((await A('delete-domain', { id: String(id) })).text, '{"rc":1,"msg":"Ok"}');
  assert.deepEqual((await A('list-domain')).json.data, []);
  assert.equal((await A('add-domain', { domain_hash: h, domain_name: 'new' })).text,
    '{"rc":1,"msg":"Ok"}');
  assert.deepEqual(await domains(p), [{ domain_hash: h, domain_name: 'new', status: 1 }]);
  const list = (await A('list-domain')).json.data;
  assert.deepEqual(list.map((d) => [d.id, d.domain_name]), [[id, 'new']]);

  // another provider may register the same domain
  assert.equal((await asProvider(await newProvider())('add-domain', { domain_hash: h })).text,
    '{"rc":1,"msg":"Ok"}');
});

test('add-domain validates every parameter before anything', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const h = newHash();
  const cases = [
    [{}, 'Missing parameter: domain_hash'],
    [{ domain_hash: '' }, 'Missing parameter: domain_hash'],
    [{ domain_name: 'x' }, 'Missing parameter: domain_hash'],
    ...[h.toUpperCase(), h.slice(1), h + '0', 'g' + h.slice(1), 'sub.example.com']
      .map((v) => [{ domain_hash: v }, HASH_MSG]),
    [{ domain_hash: h, domain_name: 'n'.repeat(256) }, 'domain_name must be at most 255 characters'],
    [{ domain_hash: h, domain_name: 'a\u0000b' }, 'NUL byte in parameter: domain_name'],
    [{ domain_hash: h, domain_name: 'a\rb' },
      'domain_name must be UTF-8 text without control characters'],
  ];
  for (const [params, msg] of cases)
    for (const method of ['GET', 'POST'])
      await refused(p, () => A('add-domain', params, { method }), msg);
  await refused(p, () => A(`/api/add-domain?domain_hash=${h}&domain_name=%C3%28`, {}),
    'domain_name must be UTF-8 text without control characters');
});

test('list-domain answers the active domains, newest first, with exact fields', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  assert.equal((await A('list-domain')).text, '{"rc":1,"msg":"Ok","data":[]}');
  const [h1, h2, h3] = [newHash(), newHash(), newHash()];
  await A('add-domain', { domain_hash: h1, domain_name: 'first' });
  await A('add-domain', { domain_hash: h2 });
  await A('add-domain', { domain_hash: h3, domain_name: 'third' });
  const rows = await sql(`SELECT id, to_char(created_at AT TIME ZONE 'UTC',
    'YYYY-MM-DD HH24:MI:SS') AS utc FROM domains WHERE provider_id = $1 ORDER BY id`, [p.id]);
  const ids = rows.map((r) => Number(r.id));
  await A('delete-domain', { id: String(ids[1]) });

  for (const method of ['GET', 'POST']) {
    const r = await A('list-domain', {}, { method });
    assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'data']);
    for (const d of r.json.data) {
      assert.deepEqual(Object.keys(d), ['id', 'domain_name', 'domain_hash', 'status',
        'created_at']);
      assert.match(d.created_at, DATE);
    }
    assert.deepEqual(r.json, { rc: 1, msg: 'Ok', data: [
      { id: ids[2], domain_name: 'third', domain_hash: h3, status: 1, created_at: rows[2].utc },
      { id: ids[0], domain_name: 'first', domain_hash: h1, status: 1, created_at: rows[0].utc },
    ] });
  }
  // parameters it does not take are ignored
  assert.equal((await A('list-domain', { id: String(ids[0]), hwid: '!' })).json.data.length, 2);
});

test('delete-domain says how many active links it leaves refused', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const domain = `sub-${randomCode(6).toLowerCase()}.example.com`;
  const hash = sha256hex(domain);
  await A('add-domain', { domain_hash: hash });
  const [{ id }] = (await A('list-domain')).json.data;
  const links = [];
  for (let i = 0; i < 3; i++)
    links.push((await A('add-install', { install_limit: '2' })).json);
  const hw = randomHwid();
  for (const l of links)
    assert.equal((await install(hash, l.install_code, hw)).json.import, true);
  // a disabled link does not count
  await A('update-install', { id: String(links[2].id), status: '5' });

  const r = await A('delete-domain', { id: String(id) });
  assert.equal(r.text, '{"rc":1,"msg":"Ok; 2 active links have devices added through ' +
    'this domain, their checks are now refused"}');
  assert.deepEqual((await install(hash, links[0].install_code, hw)).json,
    { providerid: p.provider_code, status: 10, import: false });
  assert.deepEqual(await domains(p), [{ domain_hash: hash, domain_name: hash.slice(0, 10),
    status: 0 }]);

  // one link: singular; re-adding the domain lets the devices back in
  await A('add-domain', { domain_hash: hash });
  assert.equal((await install(hash, links[0].install_code, hw)).json.import, true);
  await A('delete-hwid', { install_code: links[1].install_code, hwid: hw });
  const again = await A('delete-domain', { id: String(id) });
  assert.equal(again.text, '{"rc":1,"msg":"Ok; 1 active link has devices added through ' +
    'this domain, its checks are now refused"}');
});

test('delete-domain validates id and refuses what is not an active domain', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  await A('add-domain', { domain_hash: newHash() });
  const [{ id }] = (await A('list-domain')).json.data;
  assert.equal((await A('delete-domain', { id: String(id) }, { method: 'POST' })).text,
    '{"rc":1,"msg":"Ok"}');
  const cases = [
    [{}, 'Missing parameter: id'],
    [{ id: '' }, 'Missing parameter: id'],
    ...['abc', '0', '-1', '1.0', ' 1'].map((v) => [{ id: v }, 'id must be a positive integer']),
    [{ id: String(id) }, 'Domain not found'],
    [{ id: '999999999999' }, 'Domain not found'],
  ];
  for (const [params, msg] of cases)
    await refused(p, () => A('delete-domain', params), msg);
});
