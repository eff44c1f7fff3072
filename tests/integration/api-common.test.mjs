// What every provider API call shares: the method table, authentication,
// parsing and duplicate parameters, GET and POST, an unreachable database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, asProvider, closeDb, newProvider, PORT, pgctl, randomCode, request,
  script, sha256hex, sleep, snapshot, refused } from './lib.mjs';

after(closeDb);

const METHODS = ['add-install', 'update-install', 'list-install', 'list-hwid',
  'delete-hwid', 'add-domain', 'list-domain', 'delete-domain'];

test('unknown /api/ paths answer "Unknown method", GET or POST', async () => {
  const p = await newProvider();
  for (const path of ['/api/', '/api/nope', '/api/add-install/', '/api/add-install/x',
    '/api/Add-Install', '/api/list-install.php', '/api/api/list-install']) {
    for (const method of ['GET', 'POST']) {
      const r = await asProvider(p)(path, {}, { method });
      assert.equal(r.status, 200);
      assert.equal(r.text, '{"rc":0,"msg":"Unknown method"}');
    }
  }
  assert.equal((await request('/api/nope')).text, '{"rc":0,"msg":"Unknown method"}');
  const put = await request('/api/list-domain', { method: 'PUT' });
  assert.equal(put.status, 200);
  assert.equal(put.text, '{"rc":0,"msg":"Method not allowed: use GET or POST"}');
});

test('a wrong key, an unknown code, a disabled provider: "Auth error" everywhere', async () => {
  const p = await newProvider();
  const other = await newProvider();
  const wrong = [
    { provider_code: p.provider_code, auth_key: other.auth_key },
    { provider_code: p.provider_code, auth_key: p.auth_key.slice(0, 31) + (p.auth_key[31] === 'A' ? 'B' : 'A') },
    { provider_code: randomCode(8), auth_key: p.auth_key },
    { provider_code: p.provider_code.toLowerCase() === p.provider_code ? p.provider_code.toUpperCase()
      : p.provider_code.toLowerCase(), auth_key: p.auth_key },
  ];
  for (const m of METHODS)
    for (const creds of wrong)
      await refused(p, () => api(m, { ...creds, install_limit: '1', id: '1',
        install_code: 'AAAAAAAAAAAA', hwid: 'h', domain_hash: sha256hex('x') }), 'Auth error');

  const A = asProvider(p);
  assert.equal((await A('list-domain')).json.rc, 1);
  script('provider', ['disable', p.provider_code]);
  for (const m of METHODS)
    await refused(p, () => A(m, { install_limit: '1', id: '1', install_code: 'AAAAAAAAAAAA',
      hwid: 'h', domain_hash: sha256hex('x') }), 'Auth error');
  script('provider', ['enable', p.provider_code]);
  assert.equal((await A('list-domain')).json.rc, 1);

  const { auth_key } = JSON.parse(script('provider', ['rotate-key', p.provider_code]));
  await refused(p, () => A('list-domain'), 'Auth error');
  assert.equal((await asProvider({ ...p, auth_key })('list-domain')).json.rc, 1);
});

test('provider_code and auth_key are checked for presence and format first', async () => {
  const p = await newProvider();
  const code = p.provider_code;
  const key = p.auth_key;
  const cases = [
    [{}, 'Missing parameter: provider_code'],
    [{ auth_key: key }, 'Missing parameter: provider_code'],
    [{ provider_code: '', auth_key: key }, 'Missing parameter: provider_code'],
    [{ provider_code: code }, 'Missing parameter: auth_key'],
    [{ provider_code: code, auth_key: '' }, 'Missing parameter: auth_key'],
    ...['short', code + 'x', code.slice(0, 7) + '-', code.slice(0, 7) + 'é']
      .map((v) => [{ provider_code: v, auth_key: key }, 'provider_code must be 8 letters or digits']),
    ...[key.slice(1), key + 'x', key.slice(1) + '!', key.slice(1) + ' ']
      .map((v) => [{ provider_code: code, auth_key: v },
        'auth_key must be 32 characters from A-Z a-z 0-9 - _']),
  ];
  for (const m of METHODS)
    for (const [params, msg] of cases)
      await refused(p, () => api(m, { ...params, install_limit: '1', id: '1' }), msg);
  // their format comes before the method's own parameters
  await refused(p, () => api('add-install', { provider_code: 'bad', auth_key: key,
    install_limit: 'bad' }), 'provider_code must be 8 letters or digits');
});

test('a method\'s own parameters are validated before authentication', async () => {
  const p = await newProvider();
  const badKey = { provider_code: p.provider_code, auth_key: 'x'.repeat(32) };
  await refused(p, () => api('add-install', { ...badKey, install_limit: '0' }),
    'Install limit error: install_limit must be an integer from 1 to 100');
  await refused(p, () => api('add-install', badKey), 'Missing parameter: install_limit');
  await refused(p, () => api('add-install', { ...badKey, install_limit: '1' }), 'Auth error');
});

test('duplicated parameters are refused, whichever they are', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  const cases = [
    [[['install_limit', '1'], ['install_limit', '2']], 'Duplicate parameter: install_limit'],
    [[['install_limit', '1'], ['note', 'a'], ['note', 'a']], 'Duplicate parameter: note'],
    [[['install_limit', '1'], ['provider_code', p.provider_code]],
      'Duplicate parameter: provider_code'],
    [[['install_limit', '1'], ['auth_key', p.auth_key]], 'Duplicate parameter: auth_key'],
    [[['install_limit', '1'], ['x', '1'], ['x', '2']], 'Duplicate parameter: x'],
    [[['install_limit', '1'], ['note', 'a'], ['note', '']], 'Duplicate parameter: note'],
  ];
  for (const [pairs, msg] of cases)
    for (const method of ['GET', 'POST'])
      await refused(p, () => A('add-install', pairs, { method }), msg);
  // once in the query string and once in the form body is twice too
  await refused(p, () => A('add-install', [['install_limit', '1']],
    { method: 'POST', query: { install_limit: '2' } }), 'Duplicate parameter: install_limit');
});

test('malformed parameters name the parameter at fault', async () => {
  const p = await newProvider();
  const auth = `provider_code=${p.provider_code}&auth_key=${p.auth_key}`;
  const cases = [
    [`${auth}&install_limit=1&note=%zz`, 'Bad percent-encoding in parameter: note'],
    [`${auth}&install_limit=1&note=abc%4`, 'Bad percent-encoding in parameter: note'],
    [`${auth}&install_limit=1&no%zzte=1`, 'Bad percent-encoding in a parameter name'],
    [`${auth}&install_limit=1&note=a%00b`, 'NUL byte in parameter: note'],
    [`${auth}&install_limit=1&no%00te=a`, 'NUL byte in a parameter name'],
    [`${auth}&install_limit=1&=x`, 'Empty parameter name'],
    [`${auth}&install_limit=1&${'n'.repeat(65)}=x`, 'Parameter name too long'],
    [`${auth}&install_limit=1&${Array.from({ length: 31 }, (_, i) => `p${i}=1`).join('&')}`,
      'Too many parameters'],
  ];
  for (const [query, msg] of cases) {
    await refused(p, () => request(`/api/add-install?${query}`), msg);
    await refused(p, () => request('/api/add-install', { method: 'POST', body: query,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), msg);
  }
  // a value over 8192 bytes fits only in a form body
  await refused(p, () => request('/api/add-install', { method: 'POST',
    body: `${auth}&install_limit=1&note=${'x'.repeat(8193)}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
  'Parameter too long: note');
});

test('POST takes a form body, with or without a query string', async () => {
  const p = await newProvider();
  const r = await api('add-install', { install_limit: '2', note: 'posted & encoded = ü+' },
    { method: 'POST', query: { provider_code: p.provider_code, auth_key: p.auth_key } });
  assert.equal(r.json.rc, 1);
  const list = await asProvider(p)('list-install', {}, { method: 'POST' });
  assert.equal(list.json.data[0].note, 'posted & encoded = ü+');
  // a body that is not a form is not read
  const raw = await request(`/api/add-install?provider_code=${p.provider_code}` +
    `&auth_key=${p.auth_key}`, { method: 'POST', body: '{"install_limit":1}',
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(raw.text, '{"rc":0,"msg":"Missing parameter: install_limit"}');
});

test('answers are never cached and answer on any host name', async () => {
  const p = await newProvider();
  const r = await asProvider(p)('list-domain');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const q = `/api/list-domain?provider_code=${p.provider_code}&auth_key=${p.auth_key}`;
  for (const host of ['api.example.com', 'example.com', 'localhost']) {
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: PORT, path: q, headers: { Host: host } }, (res) => {
        let s = '';
        res.on('data', (c) => { s += c; });
        res.on('end', () => resolve(s));
      }).on('error', reject);
    });
    assert.equal(body, '{"rc":1,"msg":"Ok","data":[]}');
  }
});

test('with the database down every call answers "Database unavailable, try again"', async () => {
  const p = await newProvider();
  const A = asProvider(p);
  pgctl(['stop', '-m', 'fast', '-w']);
  try {
    for (const m of METHODS) {
      const r = await A(m, { install_limit: '1', id: '1', install_code: 'AAAAAAAAAAAA',
        hwid: 'h', domain_hash: sha256hex('x') });
      assert.equal(r.text, '{"rc":0,"msg":"Database unavailable, try again"}');
    }
  } finally {
    pgctl(['start', '-w', '-l', `${process.env.LL_VAR}/log/postgresql.log`]);
  }
  // past the workers' longest reconnect backoff, every one of them is back
  await sleep(2200);
  let r;
  for (let i = 0; i < 100; i++) {
    r = await A('list-domain');
    if (r.json?.rc === 1) break;
    await sleep(100);
  }
  assert.equal(r.text, '{"rc":1,"msg":"Ok","data":[]}');
  for (let i = 0; i < 12; i++)
    assert.equal((await A('list-domain')).text, '{"rc":1,"msg":"Ok","data":[]}');
});
