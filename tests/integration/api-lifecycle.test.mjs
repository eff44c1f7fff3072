// The API's lifecycle calls: reset-install frees every slot at once,
// expire_days on add-install, update-install and list-install, the
// self-service page's address made, refused twice, renewed and turned
// off (stored hashed), and the parameter refusals of each.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PORT, answer, asProvider, bounded, closeDb, drifted, install, newLink, newProvider,
  randomHwid, refused, request, sha256hex, sql,
} from './lib.mjs';

after(closeDb);

test('reset-install frees every slot in one statement; the next devices are admitted up to the limit', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const link = await newLink(p, { limit: 3 });
  const ok = answer(p.provider_code, 10, true);
  const no = answer(p.provider_code, 10, false);
  const first = [randomHwid(), randomHwid(), randomHwid()];
  for (const h of first) assert.equal((await install(link.hash, link.code, h)).text, ok);
  assert.equal((await install(link.hash, link.code, randomHwid())).text, no);

  const r = await A('reset-install', { id: String(link.id) });
  assert.equal(r.text, '{"rc":1,"msg":"Ok","install_count":0,"released":3}');
  assert.deepEqual(await sql('SELECT hwid FROM devices WHERE link_id = $1', [link.id]), []);
  assert.equal((await sql('SELECT install_count FROM links WHERE id = $1', [link.id]))[0]
    .install_count, 0);
  // 20 new devices at once: exactly the limit get in
  const news = Array.from({ length: 20 }, randomHwid);
  const answers = await bounded(20, news, (h) => install(link.hash, link.code, h));
  assert.equal(answers.filter((x) => x.text === ok).length, 3);
  assert.equal(answers.filter((x) => x.text === no).length, 17);
  assert.equal((await install(link.hash, link.code, first[0])).text, no, 'a freed device is new');
  assert.deepEqual(await drifted(), []);

  // by install_code too; an empty link frees nothing
  const again = await A('reset-install', { install_code: link.code });
  assert.equal(again.text, '{"rc":1,"msg":"Ok","install_count":0,"released":3}');
  assert.equal((await A('reset-install', { install_code: link.code })).text,
    '{"rc":1,"msg":"Ok","install_count":0,"released":0}');
});

test('reset-install refuses what it cannot do, changing nothing', async () => {
  const p = await newProvider();
  const other = await newProvider();
  const A = asProvider(p);
  const mine = await newLink(p, { limit: 1 });
  const theirs = await newLink(other, { limit: 1 });
  await install(mine.hash, mine.code, randomHwid());
  await install(theirs.hash, theirs.code, randomHwid());
  await refused(p, () => A('reset-install'), 'Missing parameter: id or install_code');
  await refused(p, () => A('reset-install', { id: 'x' }), 'id must be a positive integer');
  await refused(p, () => A('reset-install', { install_code: 'short' }),
    'install_code must be 12 letters or digits');
  await refused(p, () => A('reset-install', { id: String(theirs.id) }), 'Install not found');
  await refused(p, () => A('reset-install', { install_code: theirs.code }), 'Install not found');
  await refused(p, () => A('reset-install', { id: String(mine.id), install_code: theirs.code }),
    'Install not found');
  assert.equal((await sql('SELECT install_count FROM links WHERE id = $1', [theirs.id]))[0]
    .install_count, 1);
});

test('expire_days: set by add-install and update-install, shown by list-install, 0 by default', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const plain = (await A('add-install', { install_limit: '2' })).json;
  const month = (await A('add-install', { install_limit: '2', expire_days: '30' })).json;
  const list = async (id) => (await A('list-install', { id: String(id) })).json.data[0].expire_days;
  assert.equal(await list(plain.id), 0);
  assert.equal(await list(month.id), 30);
  // absent leaves it, 0 turns it off, other fields leave it alone
  assert.equal((await A('update-install', { id: String(month.id), note: 'n' })).json.rc, 1);
  assert.equal(await list(month.id), 30);
  assert.equal((await A('update-install', { id: String(month.id), expire_days: '3650' })).json.rc, 1);
  assert.equal(await list(month.id), 3650);
  assert.equal((await A('update-install', { id: String(month.id), expire_days: '0' })).json.rc, 1);
  assert.equal(await list(month.id), 0);
  const msg = 'expire_days must be an integer from 0 to 3650';
  for (const v of ['-1', '3651', 'x', '1.5', '99999999999']) {
    await refused(p, () => A('add-install', { install_limit: '2', expire_days: v }), msg);
    await refused(p, () => A('update-install', { id: String(plain.id), expire_days: v }), msg);
  }
  // checked after the contract's own parameters, in their order
  await refused(p, () => A('add-install', { install_limit: '0', expire_days: 'x' }),
    'Install limit error: install_limit must be an integer from 1 to 100');
});

test('self-service: the page\'s address is answered once, then only renewed; it is stored hashed', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const link = await newLink(p, { limit: 2 });
  const url = new RegExp(`^http://127\\.0\\.0\\.1:${PORT}/my/([-_A-Za-z0-9]{43})$`);
  const made = await A('self-service', { id: String(link.id) });
  assert.deepEqual(Object.keys(made.json), ['rc', 'msg', 'url']);
  const [, token] = url.exec(made.json.url);
  const stored = await sql('SELECT token_hash FROM self_service WHERE link_id = $1', [link.id]);
  assert.deepEqual(stored, [{ token_hash: sha256hex(token) }]);
  assert.equal((await request(`/my/${token}`)).status, 200);

  assert.deepEqual((await A('self-service', { install_code: link.code })).json, { rc: 2,
    msg: 'Self-service page exists; rotate=1 gives it a new URL' });
  const renewed = await A('self-service', { install_code: link.code, rotate: '1' });
  const [, token2] = url.exec(renewed.json.url);
  assert.notEqual(token2, token);
  assert.equal((await request(`/my/${token}`)).status, 404, 'the old address leads nowhere');
  assert.equal((await request(`/my/${token2}`)).status, 200);

  assert.deepEqual((await A('self-service', { id: String(link.id), disable: '1' })).json,
    { rc: 1, msg: 'Ok' });
  assert.equal((await request(`/my/${token2}`)).status, 404);
  assert.deepEqual(await sql('SELECT * FROM self_service WHERE link_id = $1', [link.id]), []);
  // rotate=1 also makes one
  assert.match((await A('self-service', { id: String(link.id), rotate: '1' })).json.url, url);
});

test('self-service refuses what it cannot do, changing nothing', async () => {
  const p = await newProvider();
  const other = await newProvider();
  const A = asProvider(p);
  const theirs = await newLink(other, { limit: 1 });
  await refused(p, () => A('self-service'), 'Missing parameter: id or install_code');
  await refused(p, () => A('self-service', { id: String(theirs.id) }), 'Install not found');
  await refused(p, () => A('self-service', { id: String(theirs.id), rotate: '2' }),
    'rotate must be 0 or 1');
  await refused(p, () => A('self-service', { id: String(theirs.id), rotate: '1', disable: '1' }),
    'rotate and disable cannot be given together');
  assert.deepEqual(await sql('SELECT * FROM self_service WHERE link_id = $1', [theirs.id]), []);
});

test('set-webhook checks its parameters before the key, and the URL\'s scheme and address after it', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  await refused(p, () => A('set-webhook'), 'Missing parameter: url');
  const bad = 'url must be an http:// or https:// URL of at most 2048 characters, without spaces';
  for (const u of ['ftp://x.example/', 'https://', 'https://a b.example/', 'https://user@x.example/',
    'https://x.example:0/', 'https://x.example:99999/', `https://x.example/${'a'.repeat(2048)}`,
    'https://[::1/', 'javascript:alert(1)']) {
    await refused(p, () => A('set-webhook', { url: u }), bad);
  }
  const types = 'events must be a comma list of: device.admitted, device.refused, link.full, ' +
    'device.released, device.expired';
  for (const e of ['device.deleted', 'device.released,', ',link.full', 'link.full,,device.expired']) {
    await refused(p, () => A('set-webhook', { url: 'https://x.example/', events: e }), types);
  }
  await refused(p, () => A('set-webhook', { url: 'http://x.example/' }), 'url must start with https://');
  assert.deepEqual(await sql('SELECT * FROM webhooks WHERE provider_id = $1', [p.id]), []);
  assert.deepEqual((await A('get-webhook')).json, { rc: 0, msg: 'Webhook not found' });
});
