// The provider API's devices: /api/list-hwid and /api/delete-hwid.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { asProvider, closeDb, install, newLink, newProvider, randomHwid,
  request, snapshot, sql, DATE, refused } from './lib.mjs';

after(closeDb);

const HWID_MSG = 'hwid must be 1 to 128 characters from A-Z a-z 0-9 . _ : = -';

// A link with two devices: one that sent every app header, one that sent
// only its HWID.
async function linkWithDevices(p) {
  const link = await newLink(p, { limit: 3 });
  const full = randomHwid();
  const bare = randomHwid();
  assert.equal((await install(link.hash, link.code, full)).json.import, true);
  await sql(`UPDATE devices SET first_seen = now() - interval '1 minute'
    WHERE link_id = $1`, [link.id]);
  const r = await request(`/install?id=${link.hash}&installid=${link.code}`,
    { headers: { 'X-HWID': bare } });
  assert.equal(r.json.import, true);
  return { link, full, bare };
}

for (const method of ['GET', 'POST']) {
  test(`list-hwid (${method}) answers the devices by install_code or install_id`, async () => {
    const p = await newProvider();
    const A = asProvider(p);
    const { link, full, bare } = await linkWithDevices(p);
    for (const params of [{ install_code: link.code }, { install_id: String(link.id) },
      { install_code: link.code, install_id: String(link.id) }]) {
      const r = await A('list-hwid', params, { method });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.json), ['rc', 'msg', 'data']);
      assert.equal(r.json.rc, 1);
      assert.equal(r.json.msg, 'Ok');
      for (const d of r.json.data) {
        assert.deepEqual(Object.keys(d), ['hwid', 'date', 'device_name']);
        assert.match(d.date, DATE);
      }
      // newest first
      assert.deepEqual(r.json.data.map(({ date, ...rest }) => rest), [
        { hwid: bare, device_name: '' },
        { hwid: full, device_name: 'Pixel 8 (Android 14)' },
      ]);
    }
  });
}

test('list-hwid filters by hwid; date is the first admission in UTC', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const { link, full } = await linkWithDevices(p);
  const r = await A('list-hwid', { install_code: link.code, hwid: full });
  const [{ utc }] = await sql(`SELECT to_char(first_seen AT TIME ZONE 'UTC',
    'YYYY-MM-DD HH24:MI:SS') AS utc FROM devices WHERE link_id = $1 AND hwid = $2`,
  [link.id, full]);
  assert.equal(r.text, JSON.stringify({ rc: 1, msg: 'Ok',
    data: [{ hwid: full, date: utc, device_name: 'Pixel 8 (Android 14)' }] }));
  const none = await A('list-hwid', { install_code: link.code, hwid: 'not-there' });
  assert.equal(none.text, '{"rc":1,"msg":"Ok","data":[]}');
  const empty = await newLink(p);
  assert.equal((await A('list-hwid', { install_id: String(empty.id) })).text,
    '{"rc":1,"msg":"Ok","data":[]}');
});

test('device_name is what the app reported; empty headers count as absent', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const link = await newLink(p, { limit: 4 });
  const cases = [
    [{ 'X-Device-OS': 'iOS', 'X-Ver-OS': '17.4', 'X-Device-Model': 'iPhone 15' }, 'iPhone 15 (iOS 17.4)'],
    [{ 'X-Device-OS': '', 'X-Ver-OS': '', 'X-Device-Model': 'Pixel 8' }, 'Pixel 8'],
    [{ 'X-Device-OS': 'Android', 'X-Ver-OS': '', 'X-Device-Model': '' }, '(Android)'],
    [{ 'X-Device-OS': '', 'X-Ver-OS': '', 'X-Device-Model': '' }, ''],
  ];
  for (const [headers, name] of cases) {
    const hw = randomHwid();
    assert.equal((await install(link.hash, link.code, hw, headers)).json.import, true);
    const r = await A('list-hwid', { install_code: link.code, hwid: hw });
    assert.equal(r.json.data[0].device_name, name, JSON.stringify(headers));
  }
});

test('list-hwid validates every parameter before anything', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const { link } = await linkWithDevices(p);
  const other = await newLink(p);
  const cases = [
    [{}, 'Missing parameter: install_code or install_id'],
    [{ install_code: '', install_id: '' }, 'Missing parameter: install_code or install_id'],
    [{ hwid: 'abc' }, 'Missing parameter: install_code or install_id'],
    ...['short', 'abcdefghijklm', 'abc_defghijk'].map((v) =>
      [{ install_code: v }, 'install_code must be 12 letters or digits']),
    ...['x', '0', '-5', '1.5'].map((v) =>
      [{ install_id: v }, 'install_id must be a positive integer']),
    ...['with space', 'a/b', 'x'.repeat(129), 'ü'].map((v) =>
      [{ install_code: link.code, hwid: v }, HWID_MSG]),
    [{ install_code: 'AAAAAAAAAAAA' }, 'Install not found'],
    [{ install_id: '999999999999' }, 'Install not found'],
    // both given: they must name the same link
    [{ install_code: link.code, install_id: String(other.id) }, 'Install not found'],
  ];
  for (const [params, msg] of cases)
    await refused(p, () => A('list-hwid', params), msg);
});

for (const method of ['GET', 'POST']) {
  test(`delete-hwid (${method}) frees the slot and answers the new install_count`, async () => {
    const p = await newProvider();
    const A = asProvider(p);
    const link = await newLink(p, { limit: 2 });
    const [h1, h2, h3] = [randomHwid(), randomHwid(), randomHwid()];
    assert.equal((await install(link.hash, link.code, h1)).json.import, true);
    assert.equal((await install(link.hash, link.code, h2)).json.import, true);
    assert.equal((await install(link.hash, link.code, h3)).json.import, false);

    let r = await A('delete-hwid', { install_code: link.code, hwid: h1 }, { method });
    assert.equal(r.text, '{"rc":1,"msg":"Ok","install_count":1}');
    assert.equal((await install(link.hash, link.code, h3)).json.import, true);
    r = await A('delete-hwid', { install_id: String(link.id), hwid: h2 }, { method });
    assert.equal(r.text, '{"rc":1,"msg":"Ok","install_count":1}');
    r = await A('delete-hwid', { install_id: String(link.id), hwid: h3 }, { method });
    assert.equal(r.text, '{"rc":1,"msg":"Ok","install_count":0}');
    const [row] = await sql(`SELECT install_count,
      (SELECT count(*)::int FROM devices WHERE link_id = $1) AS rows
      FROM links WHERE id = $1`, [link.id]);
    assert.deepEqual(row, { install_count: 0, rows: 0 });
    // the deleted device may come back while there is room
    assert.equal((await install(link.hash, link.code, h1)).json.import, true);
  });
}

test('delete-hwid validates every parameter before anything', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const { link, full } = await linkWithDevices(p);
  const other = await newLink(p);
  const cases = [
    [{}, 'Missing parameter: hwid'],
    [{ install_code: link.code }, 'Missing parameter: hwid'],
    [{ install_code: link.code, hwid: '' }, 'Missing parameter: hwid'],
    [{ hwid: full }, 'Missing parameter: install_code or install_id'],
    ...['short', 'abcdefghijk*'].map((v) =>
      [{ install_code: v, hwid: full }, 'install_code must be 12 letters or digits']),
    ...['x', '0', '12a'].map((v) =>
      [{ install_id: v, hwid: full }, 'install_id must be a positive integer']),
    ...['with space', 'x'.repeat(129), 'a"b'].map((v) =>
      [{ install_code: link.code, hwid: v }, HWID_MSG]),
    [{ install_code: 'AAAAAAAAAAAA', hwid: full }, 'Install not found'],
    [{ install_id: '999999999999', hwid: full }, 'Install not found'],
    [{ install_code: link.code, install_id: String(other.id), hwid: full }, 'Install not found'],
    [{ install_code: link.code, hwid: 'not-on-this-link' }, 'HWID not found'],
    [{ install_code: other.code, hwid: full }, 'HWID not found'],
  ];
  for (const [params, msg] of cases)
    await refused(p, () => A('delete-hwid', params), msg);
});
