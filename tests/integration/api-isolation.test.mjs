// Two providers: whatever ids and codes provider B passes, it never reads
// or changes provider A's links, devices or domains.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { asProvider, closeDb, install, newProvider, randomHwid, sha256hex,
  snapshot } from './lib.mjs';

after(closeDb);

test('provider B\'s calls on provider A\'s ids and codes fail and change nothing', async () => {
  const a = await newProvider();
  const b = await newProvider();
  const A = asProvider(a);
  const B = asProvider(b);

  // A: a domain, a link holding a device; B: a link and a domain of its own
  const hash = sha256hex('shared.example.com');
  assert.equal((await A('add-domain', { domain_hash: hash })).json.rc, 1);
  const domainA = (await A('list-domain')).json.data[0];
  const linkA = (await A('add-install', { install_limit: '3', note: 'A' })).json;
  const hw = randomHwid();
  assert.equal((await install(hash, linkA.install_code, hw)).json.import, true);
  const linkB = (await B('add-install', { install_limit: '1', note: 'B' })).json;
  assert.equal((await B('add-domain', { domain_hash: sha256hex('b.example.com') })).json.rc, 1);

  const beforeA = await snapshot(a.id);
  const beforeB = await snapshot(b.id);
  const idA = String(linkA.id);
  const calls = [
    ['update-install', { id: idA, install_limit: '1' }, { rc: 0, msg: 'Install not found' }],
    ['update-install', { id: idA, status: '5' }, { rc: 0, msg: 'Install not found' }],
    ['update-install', { id: idA, note: 'taken' }, { rc: 0, msg: 'Install not found' }],
    ['update-install', { id: idA }, { rc: 0, msg: 'Install not found' }],
    ['list-install', { id: idA }, { rc: 0, msg: 'Install not found' }],
    ['list-hwid', { install_code: linkA.install_code }, { rc: 0, msg: 'Install not found' }],
    ['list-hwid', { install_id: idA }, { rc: 0, msg: 'Install not found' }],
    ['list-hwid', { install_id: idA, hwid: hw }, { rc: 0, msg: 'Install not found' }],
    // B's own code with A's id, and the other way round
    ['list-hwid', { install_code: linkB.install_code, install_id: idA },
      { rc: 0, msg: 'Install not found' }],
    ['list-hwid', { install_code: linkA.install_code, install_id: String(linkB.id) },
      { rc: 0, msg: 'Install not found' }],
    ['delete-hwid', { install_code: linkA.install_code, hwid: hw },
      { rc: 0, msg: 'Install not found' }],
    ['delete-hwid', { install_id: idA, hwid: hw }, { rc: 0, msg: 'Install not found' }],
    ['delete-hwid', { install_id: String(linkB.id), hwid: hw }, { rc: 0, msg: 'HWID not found' }],
    ['delete-domain', { id: String(domainA.id) }, { rc: 0, msg: 'Domain not found' }],
    ['add-install', { install_limit: '5', install_code: linkA.install_code },
      { rc: 2, msg: 'Install code exists' }],
  ];
  for (const [method, params, want] of calls) {
    for (const how of ['GET', 'POST']) {
      const r = await B(method, params, { method: how });
      assert.deepEqual(r.json, want, `${method} ${JSON.stringify(params)}: ${r.text}`);
    }
  }
  // B's lists hold only B's rows
  const links = (await B('list-install')).json.data;
  assert.deepEqual(links.map((l) => l.id), [linkB.id]);
  const doms = (await B('list-domain')).json.data;
  assert.deepEqual(doms.map((d) => d.domain_hash), [sha256hex('b.example.com')]);
  // A's key does not open B's account, nor B's key A's
  assert.deepEqual((await asProvider({ ...b, auth_key: a.auth_key })('list-install')).json,
    { rc: 0, msg: 'Auth error' });
  assert.deepEqual((await asProvider({ ...a, auth_key: b.auth_key })('list-install')).json,
    { rc: 0, msg: 'Auth error' });

  assert.deepEqual(await snapshot(a.id), beforeA);
  assert.deepEqual(await snapshot(b.id), beforeB);
  // and A's link still works for A's device
  assert.equal((await install(hash, linkA.install_code, hw)).json.import, true);
  assert.deepEqual((await A('list-hwid', { install_id: idA })).json.data.map((d) => d.hwid), [hw]);
});

test('the same domain hash registered by both stays separate', async () => {
  const a = await newProvider();
  const b = await newProvider();
  const A = asProvider(a);
  const B = asProvider(b);
  const hash = sha256hex('both.example.com');
  await A('add-domain', { domain_hash: hash, domain_name: 'mine' });
  await B('add-domain', { domain_hash: hash, domain_name: 'theirs' });
  const linkA = (await A('add-install', { install_limit: '1' })).json;
  const hw = randomHwid();
  assert.equal((await install(hash, linkA.install_code, hw)).json.import, true);
  const beforeA = await snapshot(a.id);
  // B deleting its own registration leaves A's domain and A's checks alone
  const domB = (await B('list-domain')).json.data[0];
  assert.equal((await B('delete-domain', { id: String(domB.id) })).text, '{"rc":1,"msg":"Ok"}');
  assert.deepEqual(await snapshot(a.id), beforeA);
  assert.equal((await install(hash, linkA.install_code, hw)).json.import, true);
  assert.deepEqual((await A('list-domain')).json.data.map((d) => d.domain_name), ['mine']);
});
